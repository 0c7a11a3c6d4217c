"""Administration: users, roles, invitations (sites, themes and criteria come later)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from tracker.admin import views  # noqa: E402, F401
from tracker.admin import tokens  # noqa: E402, F401
