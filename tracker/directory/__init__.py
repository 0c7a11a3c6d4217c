"""The directory: organizations and sites."""

from flask import Blueprint

bp = Blueprint("directory", __name__)

from tracker.directory import (  # noqa: E402, F401
    export,
    imports,
    views,
)
