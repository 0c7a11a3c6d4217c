"""Kanban boards: the network board and site boards, with gate moves from the cards."""

from flask import Blueprint

bp = Blueprint("boards", __name__)

from tracker.boards import views  # noqa: E402, F401
