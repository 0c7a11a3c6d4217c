"""Sign-in, sign-out, one-time links, passwords and the account page."""
