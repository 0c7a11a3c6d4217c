"""Network settings under /admin: sites, themes and stage exit criteria."""

from flask import Blueprint

bp = Blueprint("settings", __name__)

from tracker.settings import views  # noqa: E402, F401
