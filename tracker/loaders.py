"""Load an object and check that the user may see it, in one call (404 when hidden)."""

from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Participation, Project


def project_options():
    return (
        joinedload(Project.site),
        joinedload(Project.lead_organization),
        selectinload(Project.themes),
        selectinload(Project.participations).joinedload(Participation.organization),
    )


def get_visible_project_or_404(user, project_id: int, details: bool = True) -> Project:
    """The project with site, lead, themes and participants loaded; 404 if user may not see it.

    details=True (the default) also hides it from patrons, who see only summaries.
    """
    # populate_existing: an instance already in the session (tests, CLI) gets its
    # relationships loaded too, instead of raising on first use.
    project = db.session.get(Project, project_id, options=project_options(), populate_existing=True)
    check = permissions.can_view_details if details else permissions.can_view
    if project is None or not check(user, project):
        abort(404)
    return project
