"""The token's own user, lessons learned, and mending progress updates (design §13, §16)."""

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden, NotFound

from tracker.api.action_schemas import LessonArgs, LessonPageSchema, MeSchema, UpdatePatchSchema
from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.gate_schemas import UpdateSchema
from tracker.api.guards import before_body
from tracker.api.operations import operation
from tracker.api.views import BODY_ERRORS, documented_errors, invalid
from tracker.api.views.progress import update_data
from tracker.auth import permissions
from tracker.database import text_match
from tracker.extensions import db
from tracker.loaders import get_with_detailed_project_or_404
from tracker.models import Project, Site, Update, utcnow
from tracker.people import user_names
from tracker.projects import mending
from tracker.projects.queries import latest_stops
from tracker.projects.services import ProjectError, ProjectForbidden


@bp.route("/me", tags=["account"])
@operation("getMe")
@bp.response(200, MeSchema)
@documented_errors(401, 429)
def get_me():
    """Show the token's user

    Role, organization and managed sites decide what the other calls answer.
    """
    user = api_user()
    organization = user.organization
    return {
        "id": user.id,
        "email": user.email,
        "name": user.display_name,
        "role": user.role,
        "organization": (
            {"id": organization.id, "name": organization.name} if organization else None
        ),
        "sites": sorted(site.slug for site in user.managed_sites),
        "token_scope": g.get("api_token_scope") or "write",
    }


# --- lessons ------------------------------------------------------------------------------


@bp.route("/lessons", tags=["projects"])
@operation("listLessons")
@bp.arguments(LessonArgs, location="query")
@bp.response(200, LessonPageSchema)
@documented_errors(401, 403, 429)
def list_lessons(args: dict):
    """List stopped projects with the reason of their latest stop

    The projects the token's user may see, as on /lessons; `q` searches title, summary and
    reason. Patrons do not see lessons of named projects (403).
    """
    user = api_user()
    if permissions.is_patron(user):
        raise Forbidden(
            _("Lessons name projects and their stop reasons, which patrons do not see.")
        )
    stops = latest_stops()
    query = (
        permissions.visible_projects(user)
        .with_only_columns(Project.id, Project.title, Site.slug, stops.c.note, stops.c.at)
        .join(Site, Site.id == Project.site_id)
        .outerjoin(stops, sa.and_(stops.c.project_id == Project.id, stops.c.rank == 1))
        .where(Project.status == "stopped")
    )
    if args.get("q"):
        query = query.where(text_match(args["q"], Project.title, Project.summary, stops.c.note))
    limit = args["limit"]
    if args.get("cursor") is not None:
        query = query.where(Project.id > args["cursor"])
    rows = db.session.execute(query.order_by(Project.id).limit(limit + 1)).all()
    page = page_of_rows(rows, limit)
    page["items"] = [
        {
            "project": {"id": pid, "title": title, "site": site},
            "reason": note or "",
            "stopped_at": at,
        }
        for pid, title, site, note, at in page["items"]
    ]
    return page


def page_of_rows(rows: list, limit: int) -> dict:
    from tracker.api.pagination import encode_cursor

    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1][0]) if more else None}


# --- updates ------------------------------------------------------------------------------


def _update_and_project(user, update_id: int):
    hidden = NotFound(_("There is no update with id %(id)s that you may see.", id=update_id))
    return get_with_detailed_project_or_404(user, Update, update_id, hidden)


def _may_mend_update(user, update_id: int, **_ignored) -> None:
    update, project = _update_and_project(user, update_id)
    if not permissions.can_mend_update(user, project, update, utcnow()):
        if update.author_id != user.id:
            raise Forbidden(_("Only the author may change or delete an update."))
        raise Forbidden(
            _("Updates can be changed or deleted for %(hours)s hours after posting.", hours=24)
        )
    g.checked_update = (update, project)


@bp.route("/updates/<id:update_id>", methods=["PATCH"], tags=["projects"])
@operation("editUpdate")
@before_body(_may_mend_update)
@bp.arguments(UpdatePatchSchema)
@bp.response(200, UpdateSchema)
@documented_errors(401, 403, 404, 429, *BODY_ERRORS)
def edit_update(body: dict, update_id: int):
    """Change a progress update's text

    Its author, within 24 hours of posting; the old text stays in the project's history.
    No version is needed.
    """
    user = api_user()
    update, project = g.checked_update
    try:
        mending.edit_update(user, project, update, body["body"])
    except ProjectForbidden as error:
        raise Forbidden(str(error.message)) from None
    except ProjectError as error:
        raise invalid(error.field, error.message) from None
    update = db.session.get(Update, update_id)
    return update_data(update, user_names([update.author_id]))


@bp.route("/updates/<id:update_id>", methods=["DELETE"], tags=["projects"])
@operation("deleteUpdate")
@before_body(_may_mend_update)
@bp.response(204)
@documented_errors(401, 403, 404, 429)
def delete_update(update_id: int):
    """Delete a progress update

    Its author, within 24 hours of posting; its text stays in the project's history.
    """
    update, project = g.checked_update
    try:
        mending.delete_update(api_user(), project, update)
    except ProjectForbidden as error:
        raise Forbidden(str(error.message)) from None
    return "", 204
