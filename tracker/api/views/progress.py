"""GET /api/v1/projects/<id>/history and GET/POST /api/v1/projects/<id>/updates."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Forbidden

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.bodies import UpdateInputSchema
from tracker.api.gate_schemas import StageEventPageSchema, UpdatePageSchema, UpdateSchema
from tracker.api.guards import before_body, checked_project, project_action
from tracker.api.operations import operation
from tracker.api.pagination import PageArgs, page_of
from tracker.api.views import BODY_ERRORS, documented_errors, invalid
from tracker.auth import permissions
from tracker.database import keep
from tracker.loaders import get_visible_project_or_404
from tracker.models import StageEvent, Update
from tracker.people import user_names
from tracker.projects import progress
from tracker.projects.services import ProjectError, ProjectForbidden


@bp.route("/projects/<id:project_id>/history", tags=["projects"])
@operation("listProjectHistory")
@bp.arguments(PageArgs, location="query")
@bp.response(200, StageEventPageSchema)
@documented_errors(401, 403, 404, 429)
def project_history(args: dict, project_id: int):
    """List a project's stage and status changes, oldest first"""
    get_visible_project_or_404(api_user(), project_id, forbid_summary=True)
    query = sa.select(StageEvent).where(StageEvent.project_id == project_id)
    page = page_of(query, StageEvent.id, args)
    names = user_names(event.actor_id for event in page["items"])
    page["items"] = [
        {
            "id": e.id,
            "from_stage": e.from_stage,
            "to_stage": e.to_stage,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "at": e.at,
            "actor": names.get(e.actor_id),
            "note": e.note,
            "gate_request_id": e.gate_review_id,
        }
        for e in page["items"]
    ]
    return page


def update_data(update: Update, names: dict[int, str]) -> dict:
    """An update as the API gives it; names: user id -> display name of the authors."""
    return {
        "id": update.id,
        "body": update.body,
        "author": names.get(update.author_id),
        "created_at": update.created_at,
        "edited_at": update.edited_at,
    }


@bp.route("/projects/<id:project_id>/updates", tags=["projects"])
@operation("listProjectUpdates")
@bp.arguments(PageArgs, location="query")
@bp.response(200, UpdatePageSchema)
@documented_errors(401, 403, 404, 429)
def list_updates(args: dict, project_id: int):
    """List a project's progress updates, oldest first"""
    get_visible_project_or_404(api_user(), project_id, forbid_summary=True)
    page = page_of(sa.select(Update).where(Update.project_id == project_id), Update.id, args)
    names = user_names(update.author_id for update in page["items"])
    page["items"] = [update_data(update, names) for update in page["items"]]
    return page


@bp.route("/projects/<id:project_id>/updates", methods=["POST"], tags=["projects"])
@operation("createProjectUpdate")
@before_body(project_action(permissions.can_contribute, _l("Only participants may post updates.")))
@bp.arguments(UpdateInputSchema)
@bp.response(201, UpdateSchema)
@documented_errors(401, 403, 404, 429, *BODY_ERRORS)
def post_update(body: dict, project_id: int):
    """Post a progress update

    Open to members of participating organizations, the site's managers and admins.
    """
    user = api_user()
    project = checked_project(user, project_id, details=True)
    try:
        keep(user)  # for the reply's author name
        update = progress.post_update(user, project, body["body"])
        return update_data(update, {user.id: user.display_name})
    except ProjectForbidden as error:
        raise Forbidden(str(error.message)) from None
    except ProjectError as error:
        raise invalid(error.field, error.message) from None
