"""Partner matchmaking: partner requests, interests, suggestions and the cooperation network."""

from flask import Blueprint

bp = Blueprint("matchmaking", __name__)

from tracker.matchmaking import views  # noqa: E402, F401
