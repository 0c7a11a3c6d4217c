"""A site manager's nudge through the API: POST /projects/<id>/nudge (design §12, §13)."""

import marshmallow as ma
from flask_babel import gettext as _
from marshmallow import fields
from werkzeug.exceptions import Forbidden

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.bodies import Body, text
from tracker.api.guards import before_body
from tracker.api.operations import operation
from tracker.api.views import BODY_ERRORS, documented_errors
from tracker.api.views.actions import gate_refusal
from tracker.auth import permissions
from tracker.loaders import get_visible_project_or_404
from tracker.reviews import nudges
from tracker.reviews.services import GateError


class NudgeInputSchema(Body):
    message = text(
        nudges.MAX_MESSAGE, "Your question to the lead organization.", required=True, blank=False
    )


class NudgeSchema(ma.Schema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    message = fields.String(required=True)
    sent_by = fields.String(required=True, metadata={"description": "The manager's name."})
    created_at = fields.DateTime(required=True)
    next_nudge_at = fields.DateTime(
        required=True, metadata={"description": "When the project may be nudged again."}
    )


def _may_nudge(user, project_id: int, **_ignored) -> None:
    project = get_visible_project_or_404(user, project_id, forbid_summary=True)
    if not permissions.can_nudge(user, project):
        raise Forbidden(_("Only the host site's managers or an admin can nudge a project."))


@bp.route("/projects/<id:project_id>/nudge", methods=["POST"], tags=["projects"])
@operation("nudgeProject")
@before_body(_may_nudge)
@bp.arguments(NudgeInputSchema)
@bp.response(201, NudgeSchema)
@documented_errors(401, 403, 404, 409, 429, *BODY_ERRORS)
def nudge_project(body: dict, project_id: int):
    """Nudge a quiet project's lead organization

    The host site's managers and admins ask with a message; the lead organization's members
    are told and the nudge is in the project's history. At most one per project in 7 days
    (else 409, saying when the next is possible); only active projects and projects on hold.
    A nudge is no activity: the project stays stalled until someone answers.
    """
    user = api_user()
    project = get_visible_project_or_404(user, project_id, forbid_summary=True)
    name = user.display_name  # read before the commit
    try:
        nudge = nudges.nudge(user, project, body["message"])
    except GateError as error:
        raise gate_refusal(error) from None
    return {
        "id": nudge.id,
        "project_id": nudge.project_id,
        "message": nudge.message,
        "sent_by": name,
        "created_at": nudge.created_at,
        "next_nudge_at": nudge.created_at + nudges.INTERVAL,
    }, 201
