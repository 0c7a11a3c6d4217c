"""Cooperation projects: list, create, edit, detail, partners, updates, milestones, lessons."""

from flask import Blueprint

bp = Blueprint("projects", __name__)

from tracker.projects import actions, export, views  # noqa: E402, F401
