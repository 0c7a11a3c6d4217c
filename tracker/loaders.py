"""Load an object and check that the user may see it, in one call, for pages and API alike.

Every loader raises NotFound when the object does not exist or the user may not see it (a
hidden project answers as if it did not exist): pages show the 404 page, the API turns it into
a problem document. Objects are read afresh (populate_existing), so a copy already in the
session, stale or without its relationships, is brought up to date.
"""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import Forbidden, NotFound

from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import GateCondition, GateReview, Organization, Participation, Project, User

# The two ways a project is read with what its pages and replies show.
# PROJECT_DETAILS: site and lead joined, themes and participants in one more SELECT each (a
# project with many partners and themes does not multiply its rows).
PROJECT_DETAILS = (
    joinedload(Project.site),
    joinedload(Project.lead_organization),
    selectinload(Project.themes),
    selectinload(Project.participations).joinedload(Participation.organization),
)
# PROJECT_JOINED: the same in one statement (an API write reads its project before the body
# and again for its reply; a review or condition comes with its project).
PROJECT_JOINED = (
    joinedload(Project.site),
    joinedload(Project.lead_organization),
    joinedload(Project.themes),
    joinedload(Project.participations).joinedload(Participation.organization),
)


def _hidden_project(project_id: int) -> NotFound:
    return NotFound(_("There is no project with id %(id)s that you may see.", id=project_id))


def _fresh(query: sa.Select):
    return db.session.execute(query.execution_options(populate_existing=True)).unique()


def get_visible_project_or_404(
    user: User,
    project_id: int,
    details: bool = True,
    options=PROJECT_DETAILS,
    forbid_summary: bool = False,
) -> Project:
    """The project with site, lead, themes and participants loaded; 404 if user may not see it.

    details=True (the default) also hides it from patrons, who see only summaries; with
    forbid_summary=True they get 403 instead (the API's detail reads: they know it exists).
    """
    query = permissions.visible_projects(user).where(Project.id == project_id).options(*options)
    project = _fresh(query).scalars().one_or_none()
    if project is None:
        raise _hidden_project(project_id)
    if details and not permissions.can_view_details(user, project):
        if forbid_summary:
            raise Forbidden(_("You may see this project's summary only, not its details."))
        raise _hidden_project(project_id)
    return project


def get_with_detailed_project_or_404(user: User, model, object_id: int, hidden: NotFound):
    """(object, its project) for the API: hidden if there is no such object or the user may
    not see its project; 403 for a patron, who sees the project's summary only."""
    found = db.session.get(model, object_id)
    if found is None:
        raise hidden
    try:
        project = get_visible_project_or_404(user, found.project_id, forbid_summary=True)
    except NotFound:
        raise hidden from None
    return found, project


def _with_project(user: User, model, object_id: int):
    """(object, its project) in one statement, if the user may see the project's details."""
    query = (
        permissions.visible_projects(user)
        .options(*PROJECT_JOINED)
        .add_columns(model)
        .join(model, model.project_id == Project.id)
        .where(model.id == object_id)
    )
    row = _fresh(query).one_or_none()
    if row is None or not permissions.can_view_details(user, row[0]):
        return None, None
    project, obj = row
    return obj, project


def get_visible_review_or_404(user: User, review_id: int) -> tuple[GateReview, Project]:
    """The gate request and its project (everything loaded), in one statement; 404 when either
    is missing or the project's details are hidden from user."""
    review, project = _with_project(user, GateReview, review_id)
    if review is None:
        raise NotFound(_("There is no gate request with id %(id)s that you may see.", id=review_id))
    return review, project


def get_visible_condition_or_404(user: User, condition_id: int) -> tuple[GateCondition, Project]:
    """A condition of a conditional go and its project, as get_visible_review_or_404."""
    condition, project = _with_project(user, GateCondition, condition_id)
    if condition is None:
        raise NotFound(_("There is no condition with id %(id)s that you may see.", id=condition_id))
    return condition, project


def get_organization_or_404(organization_id: int) -> Organization:
    """The organization with its sites and themes, in one statement (the directory is one list
    for everyone who may open it: who may is a permission, asked apart)."""
    query = (
        sa.select(Organization)
        .where(Organization.id == organization_id)
        .options(joinedload(Organization.sites), joinedload(Organization.themes))
    )
    organization = _fresh(query).scalars().one_or_none()
    if organization is None:
        raise NotFound(_("There is no organization with id %(id)s.", id=organization_id))
    return organization


def get_visible_user_or_404(actor: User, user_id: int) -> User:
    """An account the actor may list in the administration, with organization and sites."""
    query = (
        permissions.visible_users(actor)
        .where(User.id == user_id)
        .options(
            joinedload(User.organization).selectinload(Organization.sites),
            selectinload(User.managed_sites),
        )
    )
    user = _fresh(query).scalars().one_or_none()
    if user is None:
        raise NotFound()
    return user
