"""Administration: users, roles, invitations (sites, themes and criteria come later)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from tracker.admin import approval_views, import_views, security, tokens, views  # noqa: E402, F401
