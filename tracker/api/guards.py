"""Access checks that run before a request body is parsed.

Without them a forbidden caller sending a bad body got 422 instead of 403, and a hidden
project answered 422 instead of 404: a leak of its existence.
"""

import functools
from collections.abc import Callable

from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden, NotFound

from tracker.api.auth import api_user
from tracker.auth import permissions


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
        from tracker.api.views.projects import visible_project

        if not predicate(user, visible_project(user, project_id, details=details)):
            raise Forbidden(str(message))

    return check


def review_action(predicate: Callable, message: str) -> Callable:
    def check(user, review_id: int, **_ignored):
        from tracker.api.views.gates import _visible_review

        review, project = _visible_review(user, review_id)
        if not predicate(user, project, review):
            raise Forbidden(str(message))

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
