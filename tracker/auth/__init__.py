"""Sign-in, sign-out, one-time links, passwords and the account page."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import (  # noqa: E402, F401
    sessions,
    sso_views,
    token_views,
    two_factor,
    views,
    webhook_views,
)
