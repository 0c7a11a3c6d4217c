"""Administration: users, roles, invitations (sites, themes and criteria come later)."""
