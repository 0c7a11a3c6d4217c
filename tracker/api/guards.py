"""Access checks that run before a request body is parsed.

Without them a forbidden caller sending a bad body got 422 instead of 403, and a hidden
project answered 422 instead of 404: a leak of its existence.
"""

import functools
from collections.abc import Callable

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import Forbidden, NotFound

from tracker.api.auth import api_user
from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Participation, Project


def before_body(check: Callable) -> Callable:
    """Decorate a view (just below @bp.route) so check(user, **view_args) runs first."""

    def decorator(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            check(api_user(), **kwargs)
            return view(*args, **kwargs)

        return guarded

    return decorator


def project_action(predicate: Callable, message: str, details: bool = True) -> Callable:
    """404 when the project is hidden (details=True: patrons too), 403 when predicate refuses."""

    def check(user, project_id: int, **_ignored):
        project = visible_project(user, project_id, details=details)
        if not predicate(user, project):
            raise Forbidden(str(message))
        g.checked_project = project

    return check


def joined_projects(user) -> sa.Select:
    """visible_projects(user) read afresh, with site, lead, themes and participants joined."""
    return (
        permissions.visible_projects(user)
        .options(
            joinedload(Project.site),
            joinedload(Project.lead_organization),
            joinedload(Project.themes),
            joinedload(Project.participations).joinedload(Participation.organization),
        )
        .execution_options(populate_existing=True)
    )


def visible_project(user, project_id: int, details: bool = False) -> Project:
    """The project read afresh with everything project_data needs, in one statement; 404 when
    hidden (details=True: from patrons too).

    The same as tracker.api.views.projects.visible_project, but site, lead, themes and
    participants come joined instead of in two more SELECTs: a write reads its project once
    before the body and again for its reply.
    """
    query = joined_projects(user).where(Project.id == project_id)
    project = db.session.scalars(query).unique().one_or_none()
    if project is None or (details and not permissions.can_view_details(user, project)):
        raise NotFound(_("There is no project with id %(id)s that you may see.", id=project_id))
    return project


def checked_project(user, project_id: int, details: bool = False) -> Project:
    """The project project_action loaded and allowed in this request, else read afresh.

    Nothing is written between the guard and the view (only the body is parsed), so reading
    it twice only cost statements."""
    project = g.get("checked_project")
    if project is not None and project.id == project_id:
        return project
    return visible_project(user, project_id, details=details)


def review_action(predicate: Callable, message: str) -> Callable:
    def check(user, review_id: int, **_ignored):
        from tracker.api.views.gates import _visible_review

        review, project = _visible_review(user, review_id)
        if not predicate(user, project, review):
            raise Forbidden(str(message))
        g.checked_review = (review, project)

    return check


def may_create_project(user, **_ignored) -> None:
    if not permissions.can_create_project(user):
        raise Forbidden(_("Your role may not create projects."))


def may_create_organization(user, **_ignored) -> None:
    if not permissions.can_create_organization(user):
        raise Forbidden(_("Only admins and site managers may add organizations."))


def may_edit_organization(user, organization_id: int, **_ignored) -> None:
    from tracker.api.views.organizations import _organization

    organization = _organization(organization_id)
    if organization is None:
        raise NotFound()
    if not permissions.can_edit_organization(user, organization):
        raise Forbidden(_("You may not edit this organization."))
    g.checked_organization = organization
