"""The directory: organizations and sites."""

from flask import Blueprint

bp = Blueprint("directory", __name__)

from tracker.directory import views  # noqa: E402, F401
from tracker.directory import export, imports  # noqa: E402, F401
