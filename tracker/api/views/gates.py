"""Gate requests: ask for the next stage, list and show requests, confirm, decide."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import Forbidden, HTTPException

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.bodies import DecisionInputSchema, GateRequestInputSchema
from tracker.api.gate_schemas import GateRequestSchema
from tracker.api.guards import (
    before_body,
    checked_project,
    checked_review,
    project_action,
    review_action,
)
from tracker.api.operations import operation
from tracker.api.problems import gate_conflict_kind, typed
from tracker.api.views import BODY_ERRORS, LOCATION, conflict, documented_errors, invalid
from tracker.auth import permissions
from tracker.models import GateReview
from tracker.reviews import services
from tracker.reviews.queries import gate_requests
from tracker.reviews.services import GateError, GateForbidden


def refusal(error: GateError) -> HTTPException:
    """Forbidden → 403; a bad input (with a field) → 422; a state that forbids it → 409."""
    if isinstance(error, GateForbidden):
        return Forbidden(str(error.message))
    if error.field:
        return invalid(error.field, error.message)
    return typed(conflict(error.message), gate_conflict_kind(error.message))


def _may_decide(user, project, review) -> bool:
    return permissions.can_decide_gate(user, project)


def _reply(review: GateReview, status: int = 200, created: bool = False):
    """The review as the service kept it over its commit, with its confirmations, conditions
    and people read afresh."""
    data = gate_requests([review])[0]
    if not created:
        return data, status
    return data, status, {"Location": url_for("api.get_gate_request", review_id=review.id)}


@bp.route("/projects/<id:project_id>/gate-requests", methods=["POST"], tags=["gates"])
@operation("requestGate")
@before_body(project_action(permissions.can_request_gate, _l("You may not request a gate.")))
@bp.arguments(GateRequestInputSchema)
@bp.response(201, GateRequestSchema, headers=LOCATION)
@documented_errors(401, 403, 404, 409, 429, *BODY_ERRORS)
def request_gate(body: dict, project_id: int):
    """Request the next stage

    For active projects not in market with no pending request and no open conditions
    (else 409); by members of the lead organization, the site's managers or admins (else 403).
    """
    user = api_user()
    project = checked_project(user, project_id, details=True)
    # Read before the commit: the reply is built without reading back what was just written.
    names = {p.organization_id: p.organization.name for p in project.participations}
    requester, organization_id = user.display_name, user.organization_id
    try:
        review = services.request_gate(user, project, body["evidence"])
    except GateError as error:
        raise refusal(error) from None
    data = _new_request_data(review, requester, organization_id, names.get(organization_id))
    return data, 201, {"Location": url_for("api.get_gate_request", review_id=review.id)}


def _new_request_data(
    review: GateReview, requester: str, organization_id: int | None, organization: str | None
) -> dict:
    """A request just made, as reviews.queries.gate_requests shows it: no conditions and no decision
    yet, and only the requesting organization's confirmation (when it takes part), which
    the service recorded with the request."""
    confirmations = []
    if organization is not None:
        confirmations.append(
            {
                "organization_id": organization_id,
                "name": organization,
                "confirmed_at": review.requested_at,
            }
        )
    return {
        **{k: getattr(review, k) for k in ("id", "project_id", "from_stage", "to_stage")},
        **{k: getattr(review, k) for k in ("decision", "evidence", "requested_at")},
        "reason": None,
        "requested_by": requester,
        "decided_at": None,
        "decided_by": None,
        "confirmations": confirmations,
        "conditions": [],
    }


@bp.route("/gate-requests/<id:review_id>", tags=["gates"])
@operation("getGateRequest")
@bp.response(200, GateRequestSchema)
@documented_errors(401, 404, 429)
def get_gate_request(review_id: int):
    """Show one gate request"""
    review, _project = checked_review(api_user(), review_id)
    return gate_requests([review])[0]


@bp.route("/gate-requests/<id:review_id>/confirmations", methods=["POST"], tags=["gates"])
@operation("confirmGateRequest")
@bp.response(201, GateRequestSchema, headers=LOCATION)
@documented_errors(401, 403, 404, 409, 429)
def confirm_gate_request(review_id: int):
    """Confirm a pending request for your organization

    Members of participating organizations, once per organization (again: 409). No body.
    Answers the gate request with its confirmations.
    """
    user = api_user()
    review, _project = checked_review(user, review_id)
    try:
        services.confirm(user, review)
        return _reply(review, 201, created=True)
    except GateError as error:
        raise refusal(error) from None


@bp.route("/gate-requests/<id:review_id>/decision", methods=["POST"], tags=["gates"])
@operation("decideGateRequest")
@before_body(review_action(_may_decide, _l("Only the site's managers and admins decide gates.")))
@bp.arguments(DecisionInputSchema)
@bp.response(200, GateRequestSchema)
@documented_errors(401, 403, 404, 409, 429, *BODY_ERRORS)
def decide_gate_request(body: dict, review_id: int):
    """Decide a pending request

    The host site's managers or an admin. go and conditional_go advance one stage
    (conditional_go with at least one condition); recycle stays; hold and stop change the
    status. A reason is always required. Already decided: 409.
    """
    user = api_user()
    review, _project = checked_review(user, review_id)
    try:
        conditions = body["conditions"]
        texts, dates = [c["text"] for c in conditions], [c["due_on"] for c in conditions]
        services.decide(user, review, body["decision"], body["reason"], texts, dates)
        return _reply(review)
    except GateError as error:
        raise refusal(error) from None
