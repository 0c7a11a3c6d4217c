"""Access checks that run before a request body is parsed.

Without them a forbidden caller sending a bad body got 422 instead of 403, and a hidden
project answered 422 instead of 404: a leak of its existence.
"""

import functools
from collections.abc import Callable

from flask import g
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden

from tracker.api.auth import api_user
from tracker.auth import permissions
from tracker.loaders import (
    PROJECT_JOINED,
    get_organization_or_404,
    get_visible_project_or_404,
    get_visible_review_or_404,
)
from tracker.models import Project


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
        project = get_visible_project_or_404(user, project_id, details, PROJECT_JOINED)
        if not predicate(user, project):
            raise Forbidden(str(message))
        g.checked_project = project

    return check


def checked_project(user, project_id: int, details: bool = False) -> Project:
    """The project project_action loaded and allowed in this request, else read afresh.

    Nothing is written between the guard and the view (only the body is parsed), so reading
    it twice only cost statements."""
    project = g.get("checked_project")
    if project is not None and project.id == project_id:
        return project
    return get_visible_project_or_404(user, project_id, details, PROJECT_JOINED)


def checked_review(user, review_id: int):
    """The review and project review_action loaded and allowed in this request, else read
    afresh (404 when hidden)."""
    checked = g.get("checked_review")
    if checked is not None and checked[0].id == review_id:
        return checked
    return get_visible_review_or_404(user, review_id)


def review_action(predicate: Callable, message: str) -> Callable:
    def check(user, review_id: int, **_ignored):
        review, project = get_visible_review_or_404(user, review_id)
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
    organization = get_organization_or_404(organization_id)
    if not permissions.can_edit_organization(user, organization):
        raise Forbidden(_("You may not edit this organization."))
    g.checked_organization = organization
