"""Progress dashboards and quarterly reports: pipeline metrics for managers and patrons."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from tracker.dashboard import views  # noqa: E402, F401
