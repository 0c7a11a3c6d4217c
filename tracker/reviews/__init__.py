"""Stage gates: requests, confirmations, decisions, holds and stops; the review queue."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from tracker.reviews import views  # noqa: E402, F401
