"""Sign-in, sign-out, one-time links, passwords and the account page."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from tracker.auth import views  # noqa: E402, F401
from tracker.auth import token_views  # noqa: E402, F401
