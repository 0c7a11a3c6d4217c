"""The page actions in the API (design §13): criteria, milestones, conditions and status
changes, through the same services and rules as the pages."""

from datetime import date

import sqlalchemy as sa
from flask import g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Forbidden, HTTPException, NotFound

from tracker.api.action_schemas import (
    ConditionDetailSchema,
    ConditionListSchema,
    CriteriaSchema,
    CriterionSchema,
    MilestoneInputSchema,
    MilestonePageSchema,
    MilestonePatchSchema,
    MilestoneSchema,
    StatusChangeSchema,
)
from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.guards import before_body
from tracker.api.operations import operation
from tracker.api.pagination import PageArgs, page_of
from tracker.api.schemas import ProjectSchema
from tracker.api.views import BODY_ERRORS, ETAG, LOCATION, conflict, documented_errors, invalid
from tracker.api.views.projects import project_data, with_etag
from tracker.auth import permissions
from tracker.extensions import db
from tracker.loaders import get_visible_project_or_404, get_with_detailed_project_or_404
from tracker.models import GateCondition, GateReview, Milestone, utcnow
from tracker.projects import criteria, mending, progress
from tracker.projects.services import ProjectError, ProjectForbidden
from tracker.reviews import services as review_services
from tracker.reviews.services import GateError, GateForbidden
from tracker.reviews.withdraw import withdraw

CONTRIBUTORS_ONLY = _l(
    "Only the project's participating organizations, its site's managers and admins may do this."
)


def _today() -> date:
    return utcnow().date()


def project_refusal(error: ProjectError) -> HTTPException:
    if isinstance(error, ProjectForbidden):
        return Forbidden(str(error.message))
    if error.field:
        return invalid(error.field, error.message)
    return conflict(error.message)


def gate_refusal(error: GateError) -> HTTPException:
    if isinstance(error, GateForbidden):
        return Forbidden(str(error.message))
    if error.field:
        return invalid(error.field, error.message)
    return conflict(error.message)


# --- criteria -----------------------------------------------------------------------------


def _criteria_data(project) -> dict:
    rows = criteria.criteria_status(project)
    return {
        "stage": project.stage,
        "items": [
            {
                "id": criterion.id,
                "text": criterion.title,
                "ticked": tick is not None,
                "ticked_at": tick.ticked_at if tick is not None else None,
            }
            for criterion, tick in rows
        ],
    }


@bp.route("/projects/<id:project_id>/criteria", tags=["projects"])
@operation("listCriteria")
@bp.response(200, CriteriaSchema)
@documented_errors(401, 404, 429)
def list_criteria(project_id: int):
    """List the exit criteria of the project's current stage

    Each with whether the project ticked it. The site's own criteria when it has any for the
    stage, else the network's defaults (as on the project page).
    """
    project = get_visible_project_or_404(api_user(), project_id, forbid_summary=True)
    return _criteria_data(project)


def _contributable(user, project_id: int):
    """The project (404 when hidden, 403 for a patron who sees its summary only) if user may
    contribute to it (else 403)."""
    project = get_visible_project_or_404(user, project_id, forbid_summary=True)
    if not permissions.can_contribute(user, project):
        raise Forbidden(str(CONTRIBUTORS_ONLY))
    return project


def _tick(project_id: int, criterion_id: int, ticked: bool) -> dict:
    user = api_user()
    project = _contributable(user, project_id)
    try:
        (criteria.tick if ticked else criteria.untick)(user, project, criterion_id)
    except ProjectForbidden as error:
        raise Forbidden(str(error.message)) from None
    except ProjectError as error:
        raise NotFound(str(error.message)) from None
    project = get_visible_project_or_404(user, project_id, forbid_summary=True)
    for item in _criteria_data(project)["items"]:
        if item["id"] == criterion_id:
            return item
    raise NotFound()  # the criteria changed meanwhile


@bp.route(
    "/projects/<id:project_id>/criteria/<id:criterion_id>/tick", methods=["POST"], tags=["projects"]
)
@operation("tickCriterion")
@bp.response(200, CriterionSchema)
@documented_errors(401, 403, 404, 429)
def tick_criterion(project_id: int, criterion_id: int):
    """Tick an exit criterion of the current stage

    Participants, the site's managers and admins. Ticking a ticked criterion changes nothing
    (200). A criterion that does not apply to the current stage answers 404. No body.
    """
    return _tick(project_id, criterion_id, True)


@bp.route(
    "/projects/<id:project_id>/criteria/<id:criterion_id>/untick",
    methods=["POST"],
    tags=["projects"],
)
@operation("untickCriterion")
@bp.response(200, CriterionSchema)
@documented_errors(401, 403, 404, 429)
def untick_criterion(project_id: int, criterion_id: int):
    """Untick an exit criterion of the current stage

    As tickCriterion; unticking an open criterion changes nothing (200). No body.
    """
    return _tick(project_id, criterion_id, False)


# --- milestones ---------------------------------------------------------------------------


def milestone_data(milestone: Milestone, today: date | None = None) -> dict:
    today = today or _today()
    return {
        "id": milestone.id,
        "project_id": milestone.project_id,
        "title": milestone.title,
        "due_on": milestone.due_on,
        "done": milestone.done_at is not None,
        "done_at": milestone.done_at,
        "overdue": mending.is_overdue(milestone, today),
    }


@bp.route("/projects/<id:project_id>/milestones", tags=["projects"])
@operation("listMilestones")
@bp.arguments(PageArgs, location="query")
@bp.response(200, MilestonePageSchema)
@documented_errors(401, 404, 429)
def list_milestones(args: dict, project_id: int):
    """List a project's milestones, in the order they were added"""
    get_visible_project_or_404(api_user(), project_id, forbid_summary=True)
    query = sa.select(Milestone).where(Milestone.project_id == project_id)
    page = page_of(query, Milestone.id, args)
    today = _today()
    page["items"] = [milestone_data(m, today) for m in page["items"]]
    return page


@bp.route("/projects/<id:project_id>/milestones", methods=["POST"], tags=["projects"])
@operation("createMilestone")
@before_body(lambda user, project_id, **_ignored: _contributable(user, project_id))
@bp.arguments(MilestoneInputSchema)
@bp.response(201, MilestoneSchema, headers=LOCATION)
@documented_errors(401, 403, 404, 429, *BODY_ERRORS)
def create_milestone(body: dict, project_id: int):
    """Add a milestone

    Participants, the site's managers and admins. `due_on` may lie in the past.
    """
    user = api_user()
    project = get_visible_project_or_404(user, project_id, forbid_summary=True)
    try:
        milestone = progress.add_milestone(user, project, body["title"], body.get("due_on"))
    except ProjectError as error:
        raise project_refusal(error) from None
    data = milestone_data(milestone)
    return data, 201, {"Location": url_for("api.get_milestone", milestone_id=data["id"])}


def _milestone_and_project(user, milestone_id: int):
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound(_("There is no milestone with id %(id)s that you may see.", id=milestone_id))
    try:
        project = get_visible_project_or_404(user, milestone.project_id, forbid_summary=True)
    except NotFound:
        raise NotFound(
            _("There is no milestone with id %(id)s that you may see.", id=milestone_id)
        ) from None
    return milestone, project


def _may_change_milestone(user, milestone_id: int, **_ignored) -> None:
    milestone, project = _milestone_and_project(user, milestone_id)
    if not permissions.can_contribute(user, project):
        raise Forbidden(str(CONTRIBUTORS_ONLY))
    g.checked_milestone = (milestone, project)


@bp.route("/milestones/<id:milestone_id>", tags=["projects"])
@operation("getMilestone")
@bp.response(200, MilestoneSchema)
@documented_errors(401, 404, 429)
def get_milestone(milestone_id: int):
    """Show one milestone"""
    milestone, _project = _milestone_and_project(api_user(), milestone_id)
    return milestone_data(milestone)


@bp.route("/milestones/<id:milestone_id>", methods=["PATCH"], tags=["projects"])
@operation("updateMilestone")
@before_body(_may_change_milestone)
@bp.arguments(MilestonePatchSchema)
@bp.response(200, MilestoneSchema)
@documented_errors(401, 403, 404, 429, *BODY_ERRORS)
def update_milestone(body: dict, milestone_id: int):
    """Change a milestone

    Send only what changes: `title`, `due_on` (null removes it), `done` (true marks it done,
    false opens it again). No version is needed.
    """
    user = api_user()
    milestone, project = g.checked_milestone
    changes = {key: body[key] for key in ("title", "done") if key in body}
    if "due_on" in body:
        changes["due_on"] = body["due_on"]
    try:
        mending.edit_milestone(user, project, milestone, **changes)
    except ProjectError as error:
        raise project_refusal(error) from None
    return milestone_data(db.session.get(Milestone, milestone_id))


@bp.route("/milestones/<id:milestone_id>", methods=["DELETE"], tags=["projects"])
@operation("deleteMilestone")
@before_body(_may_change_milestone)
@bp.response(204)
@documented_errors(401, 403, 404, 429)
def delete_milestone(milestone_id: int):
    """Delete a milestone

    Its title and date stay in the project's history. Participants, the site's managers and
    admins.
    """
    milestone, project = g.checked_milestone
    try:
        mending.delete_milestone(api_user(), project, milestone)
    except ProjectError as error:
        raise project_refusal(error) from None
    return "", 204


# --- conditions ---------------------------------------------------------------------------


def condition_data(condition: GateCondition, today: date | None = None) -> dict:
    today = today or _today()
    open_ = condition.done_at is None
    return {
        "id": condition.id,
        "gate_request_id": condition.gate_review_id,
        "project_id": condition.project_id,
        "text": condition.text,
        "due_on": condition.due_on,
        "done": not open_,
        "done_at": condition.done_at,
        "overdue": open_ and condition.due_on is not None and condition.due_on < today,
    }


@bp.route("/gate-requests/<id:review_id>/conditions", tags=["gates"])
@operation("listConditions")
@bp.response(200, ConditionListSchema)
@documented_errors(401, 404, 429)
def list_conditions(review_id: int):
    """List the conditions of a conditional go

    Open ones block the project's next gate request; close them with completeCondition.
    """
    user = api_user()
    review = db.session.get(GateReview, review_id)
    if review is None:
        raise NotFound(_("There is no gate request with id %(id)s that you may see.", id=review_id))
    try:
        get_visible_project_or_404(user, review.project_id, forbid_summary=True)
    except NotFound:
        raise NotFound(
            _("There is no gate request with id %(id)s that you may see.", id=review_id)
        ) from None
    rows = db.session.scalars(
        sa.select(GateCondition)
        .where(GateCondition.gate_review_id == review_id)
        .order_by(GateCondition.id)
    )
    today = _today()
    return {"items": [condition_data(c, today) for c in rows]}


def _condition(user, condition_id: int) -> GateCondition:
    hidden = NotFound(_("There is no condition with id %(id)s that you may see.", id=condition_id))
    condition, project = get_with_detailed_project_or_404(user, GateCondition, condition_id, hidden)
    if not permissions.can_contribute(user, project):
        raise Forbidden(_("Only the project's participants can update its conditions."))
    return condition


def _set_condition(condition_id: int, done: bool) -> dict:
    user = api_user()
    condition = _condition(user, condition_id)
    change = review_services.complete_condition if done else review_services.reopen_condition
    try:
        change(user, condition)
    except GateError as error:
        raise gate_refusal(error) from None
    return condition_data(db.session.get(GateCondition, condition_id))


@bp.route("/conditions/<id:condition_id>/done", methods=["POST"], tags=["gates"])
@operation("completeCondition")
@bp.response(200, ConditionDetailSchema)
@documented_errors(401, 403, 404, 409, 429)
def complete_condition(condition_id: int):
    """Mark a condition done

    The project's participants, its site's managers and admins. Already done: 409. No body.
    """
    return _set_condition(condition_id, True)


@bp.route("/conditions/<id:condition_id>/reopen", methods=["POST"], tags=["gates"])
@operation("reopenCondition")
@bp.response(200, ConditionDetailSchema)
@documented_errors(401, 403, 404, 409, 429)
def reopen_condition(condition_id: int):
    """Open a done condition again

    As completeCondition; an open condition answers 409. No body.
    """
    return _set_condition(condition_id, False)


# --- status changes -----------------------------------------------------------------------


def _may_change_status(user, project_id: int, **_ignored) -> None:
    project = get_visible_project_or_404(user, project_id, forbid_summary=True)
    if not (
        permissions.can_change_status(user, project) or permissions.can_withdraw(user, project)
    ):
        raise Forbidden(
            _(
                "Only the host site's managers and admins change a project's status; "
                "the lead organization may withdraw it."
            )
        )


@bp.route("/projects/<id:project_id>/status", methods=["POST"], tags=["projects"])
@operation("changeProjectStatus")
@before_body(_may_change_status)
@bp.arguments(StatusChangeSchema)
@bp.response(200, ProjectSchema, headers=ETAG)
@documented_errors(401, 403, 404, 409, 429, *BODY_ERRORS)
def change_project_status(body: dict, project_id: int):
    """Hold, stop, reactivate, send back or withdraw a project

    `hold`, `stop`, `reactivate` and `send_back` (one stage): the host site's managers and
    admins; `withdraw`: the lead organization's members and admins (a withdrawn project
    leaves boards, lists and counts, and stays reachable here). A pending gate request is
    closed. Always with a reason. A status that does not allow the action: 409.
    """
    user = api_user()
    project = get_visible_project_or_404(user, project_id, forbid_summary=True)
    action, reason = body["action"], body["reason"]
    try:
        if action == "withdraw":
            withdraw(user, project, reason)
        else:
            review_services.change_status(user, project, action, reason)
    except GateError as error:
        raise gate_refusal(error) from None
    project = get_visible_project_or_404(user, project_id, details=False)
    return with_etag(project_data(project, user))
