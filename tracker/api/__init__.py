"""JSON API under /api/v1 with bearer tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from tracker.api import views  # noqa: E402, F401
