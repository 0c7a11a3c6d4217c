"""Gate requests, confirmations, decisions, status changes and conditions: one commit each.

Every use case checks permission and state first (nothing is written when refused), then
makes its change, StageEvent, AuditEvent and notifications in one transaction.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.util import identity_key

from tracker import activity
from tracker.auth import permissions
from tracker.database import keep, transaction
from tracker.extensions import db
from tracker.models import (
    GateCondition,
    GateConfirmation,
    GateReview,
    Participation,
    Project,
    User,
    utcnow,
)
from tracker.models.base import next_stage
from tracker.reviews import rules
from tracker.reviews.base import (
    GateError,
    GateForbidden,
    gate_conflict,
    label,
    load_project,
    move,
    refuse,
    required_text,
)
from tracker.reviews.condition_dates import set_due_dates
from tracker.reviews.status import change_status, hold, reactivate, send_back, stop

__all__ = [
    "GateError",
    "GateForbidden",
    "change_status",
    "complete_condition",
    "confirm",
    "decide",
    "hold",
    "reactivate",
    "reopen_condition",
    "request_gate",
    "send_back",
    "stop",
]

ALREADY_CONFIRMED = _l("Your organization has already confirmed this request.")
ALREADY_DECIDED = _l("This request was already decided.")


# --- gate requests and confirmations --------------------------------------------------------


def _with_participants(project_id: int) -> Project:
    """The project with its site and participants, as load_project reads it.

    The one the caller already read in this transaction serves when it has all of them
    loaded: read again, it would keep the values it has (the session's identity map does not
    overwrite them), so a second SELECT would only cost time."""
    project = db.session.identity_map.get(identity_key(Project, project_id))
    if project is None or _unloaded(project, _PROJECT_NEEDS):
        return load_project(project_id)
    if any(_unloaded(p, _PARTICIPATION_NEEDS) for p in project.participations):
        return load_project(project_id)
    return project


_PROJECT_NEEDS = {a.key for a in sa.inspect(Project).column_attrs} | {
    "site",
    "participations",
}
_PARTICIPATION_NEEDS = {a.key for a in sa.inspect(Participation).column_attrs} | {"organization"}


def _unloaded(obj, needs: set[str]) -> bool:
    return bool(needs & sa.inspect(obj).unloaded)


def _pending_and_open_conditions(project_id: int) -> tuple[bool, list[str]]:
    """Whether a gate request is pending, and the open conditions' texts, in one statement."""
    pending = sa.select(sa.literal(0).label("kind"), GateReview.id, sa.null()).where(
        GateReview.project_id == project_id, GateReview.decision == "pending"
    )
    conditions = sa.select(sa.literal(1), GateCondition.id, GateCondition.text).where(
        GateCondition.project_id == project_id, GateCondition.done_at.is_(None)
    )
    rows = db.session.execute(sa.union_all(pending, conditions).order_by("kind", "id")).all()
    return any(kind == 0 for kind, _id, _text in rows), [t for k, _i, t in rows if k == 1]


def request_gate(actor: User, project: Project, evidence: str | None) -> GateReview:
    """Ask to move the project to its next stage; the requesting organization confirms at
    once, the host site's managers are asked to decide and the other partners to confirm."""
    project = _with_participants(project.id)
    if not permissions.can_request_gate(actor, project):
        raise GateForbidden(
            _(
                "Only members of the lead organization, the site's managers or an admin "
                "can request a gate."
            )
        )
    pending, open_conditions = _pending_and_open_conditions(project.id)
    refuse(rules.gate_refusal(project.status, project.stage, pending, open_conditions))
    to_stage = next_stage(project.stage)
    evidence = required_text(
        evidence,
        "evidence",
        rules.MAX_EVIDENCE,
        _(
            "Evidence is required: describe what shows the project is ready for %(stage)s.",
            stage=label(to_stage),
        ),
    )
    now = utcnow()
    with transaction(gate_conflict(_("A gate request is already pending."))):
        review = GateReview(
            project_id=project.id,
            from_stage=project.stage,
            to_stage=to_stage,
            requested_by_id=actor.id,
            requested_at=now,
            evidence=evidence,
        )
        db.session.add(review)
        project.last_activity_at = now
        db.session.flush()
        activity.audit(
            actor,
            "gate_requested",
            review,
            {"stage": [project.stage, to_stage]},
            project.id,
        )
        if actor.organization_id in project.participating_organization_ids:
            # The requesting organization asked: its confirmation counts at once.
            db.session.add(
                GateConfirmation(
                    gate_review_id=review.id,
                    organization_id=actor.organization_id,
                    user_id=actor.id,
                    confirmed_at=now,
                )
            )
        activity.tell_gate_requested(actor, project, review)
        keep(project, review)  # for the caller's message, without reading them back
    return review


def confirm(actor: User, review: GateReview) -> GateConfirmation:
    """The actor's organization backs a pending request (once per organization)."""
    project = _with_participants(review.project_id)
    if review.decision != "pending":
        raise GateError(ALREADY_DECIDED)
    if not permissions.can_confirm_gate(actor, project, review):
        raise GateForbidden(
            _("Only members of a participating organization can confirm a request.")
        )
    existing = db.session.scalar(
        sa.select(GateConfirmation.id).where(
            GateConfirmation.gate_review_id == review.id,
            GateConfirmation.organization_id == actor.organization_id,
        )
    )
    if existing is not None:
        raise GateError(ALREADY_CONFIRMED)
    with transaction(gate_conflict(ALREADY_CONFIRMED)):
        confirmation = GateConfirmation(
            gate_review_id=review.id,
            organization_id=actor.organization_id,
            user_id=actor.id,
        )
        db.session.add(confirmation)
        db.session.flush()
        activity.audit(
            actor,
            "gate_confirmed",
            confirmation,
            {
                "gate_review_id": [None, review.id],
                "organization_id": [None, actor.organization_id],
            },
            project.id,
        )
        name = next(
            p.organization.name
            for p in project.participations
            if p.organization_id == actor.organization_id
        )
        activity.tell_gate_confirmed(actor, project, review, name)
        keep(review)  # the API's reply shows it
    return confirmation


# --- decisions and status changes -----------------------------------------------------------


def _checked_conditions(decision: str, conditions: Sequence[str]) -> list[str]:
    items = [(text or "").strip() for text in conditions]
    if decision != "conditional_go":
        if any(items):
            raise GateError(
                _(
                    "Conditions are recorded only with a conditional go: "
                    "choose conditional go or remove them."
                ),
                field="conditions",
            )
        return []
    if not items:
        raise GateError(
            _("A conditional go needs at least one condition, one per line."),
            field="conditions",
        )
    if not all(items):
        raise GateError(_("Conditions cannot be blank."), field="conditions")
    if any(len(text) > rules.MAX_CONDITION for text in items):
        raise GateError(
            _(
                "Each condition can be at most %(max_condition)s characters.",
                max_condition=rules.MAX_CONDITION,
            ),
            field="conditions",
        )
    return items


def _outcome(project: Project, review: GateReview, decision: str) -> tuple[str, str]:
    if decision in {"go", "conditional_go"}:
        return review.to_stage, project.status
    return project.stage, {"hold": "on_hold", "stop": "stopped"}.get(decision, project.status)


def decide(
    actor: User,
    review: GateReview,
    decision: str,
    reason: str | None,
    conditions: Sequence[str] = (),
    due_dates: Sequence = (),
) -> GateReview:
    """Record go / conditional go / recycle / hold / stop; tells every participating
    organization."""
    project = _with_participants(review.project_id)
    if not permissions.can_decide_gate(actor, project):
        raise GateForbidden(_("Only the host site's managers or an admin can decide this gate."))
    if review.decision != "pending":
        raise GateError(ALREADY_DECIDED)
    if decision not in rules.DECISION_LABELS:
        raise GateError(
            _("Choose a decision: go, conditional go, recycle, hold or stop."),
            field="decision",
        )
    if project.stage != review.from_stage or project.status != "active":
        raise GateError(_("The project moved since this request was made; it is out of date."))
    reason = required_text(reason, "reason", rules.MAX_REASON, _("A reason is required."))
    items = _checked_conditions(decision, conditions)
    with transaction(gate_conflict()):
        _record_decision(actor, project, review, decision, reason, items)
        if any(due_dates):  # a date per condition, in their order (None: no date)
            set_due_dates(review, due_dates)
        activity.tell_gate_decided(actor, project, review)
        keep(project, review)  # for the caller's message, without reading them back
    return review


def _record_decision(
    actor: User,
    project: Project,
    review: GateReview,
    decision: str,
    reason: str,
    items: list[str],
) -> None:
    before = {"stage": project.stage, "status": project.status}
    stage, status = _outcome(project, review, decision)
    review.decision, review.reason = decision, reason
    review.decided_by_id, review.decided_at = actor.id, utcnow()
    db.session.add_all(
        GateCondition(gate_review_id=review.id, project_id=project.id, text=text) for text in items
    )
    if decision == "recycle":
        # Neither stage nor status changes, so no StageEvent; the bump of the project's
        # version still makes two concurrent deciders conflict.
        project.last_activity_at = utcnow()
    else:
        move(actor, project, stage, status, reason, review.id)
    changes = {"decision": ["pending", decision]}
    changes |= {key: [old, getattr(project, key)] for key, old in before.items()}
    changes = {key: pair for key, pair in changes.items() if pair[0] != pair[1]}
    if items:
        changes["conditions"] = [[], items]
    activity.audit(actor, "gate_decided", review, changes | {"reason": [None, reason]}, project.id)


# --- conditions of a conditional go ---------------------------------------------------------


def _set_condition(actor: User, condition: GateCondition, done: bool) -> GateCondition:
    project = load_project(condition.project_id)
    if not permissions.can_contribute(actor, project):
        raise GateForbidden(_("Only the project's participants can update its conditions."))
    if done == (condition.done_at is not None):
        raise GateError(
            _("This condition is already done.") if done else _("This condition is open.")
        )
    with transaction(gate_conflict()):
        before = condition.done_at
        condition.done_at = utcnow() if done else None
        condition.done_by_id = actor.id if done else None
        action = "condition_completed" if done else "condition_reopened"
        activity.audit(
            actor,
            action,
            condition,
            {"done_at": [before, condition.done_at]},
            project.id,
        )
    return condition


def complete_condition(actor: User, condition: GateCondition) -> GateCondition:
    return _set_condition(actor, condition, done=True)


def reopen_condition(actor: User, condition: GateCondition) -> GateCondition:
    return _set_condition(actor, condition, done=False)
