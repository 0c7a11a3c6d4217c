"""Status changes by site managers: hold, stop, reactivate, send back one stage."""

from flask_babel import gettext as _

from tracker import activity
from tracker.auth import permissions
from tracker.database import transaction
from tracker.models import Project, StageEvent, User, utcnow
from tracker.reviews import rules
from tracker.reviews.base import (
    GateForbidden,
    gate_conflict,
    load_project,
    move,
    pending_review,
    refuse,
    required_text,
)

AUDIT_ACTIONS = {
    "hold": "project_put_on_hold",
    "stop": "project_stopped",
    "reactivate": "project_reactivated",
    "send_back": "project_sent_back",
}


def _close_pending(actor: User, project: Project, verb: str) -> int | None:
    """A request cannot outlive a hold, stop or send back: close it so the queue stays true."""
    review = pending_review(project.id)
    if review is None:
        return None
    review.decision, review.reason = "recycle", rules.closed_reason(verb)
    review.decided_by_id, review.decided_at = actor.id, utcnow()
    return review.id


def change_status(actor: User, project: Project, action: str, reason: str | None) -> StageEvent:
    """Hold, stop, reactivate or send back one stage, by the host site's managers or admins."""
    project = load_project(project.id)
    if not permissions.can_change_status(actor, project):
        raise GateForbidden(_("Only the host site's managers or an admin can change the status."))
    refuse(rules.status_refusal(action, project.status, project.stage))
    reason = required_text(reason, "reason", rules.MAX_REASON, _("A reason is required."))
    rule = rules.STATUS_ACTIONS[action]
    with transaction(gate_conflict()):
        before = (project.stage, project.status)
        closed = None if action == "reactivate" else _close_pending(actor, project, rule.verb)
        event = move(
            actor,
            project,
            rules.target_stage(action, project.stage),
            rule.to_status,
            reason,
        )
        changes = {
            "stage": [before[0], event.to_stage],
            "status": [before[1], event.to_status],
        }
        changes = {key: pair for key, pair in changes.items() if pair[0] != pair[1]}
        if closed is not None:
            changes["closed_gate_review_id"] = [closed, None]
        changes["reason"] = [None, reason]
        activity.audit(actor, AUDIT_ACTIONS[action], project, changes)
        activity.tell_status_changed(actor, project, rule.verb, reason)
    return event


def hold(actor: User, project: Project, reason: str | None) -> StageEvent:
    return change_status(actor, project, "hold", reason)


def stop(actor: User, project: Project, reason: str | None) -> StageEvent:
    return change_status(actor, project, "stop", reason)


def reactivate(actor: User, project: Project, reason: str | None) -> StageEvent:
    return change_status(actor, project, "reactivate", reason)


def send_back(actor: User, project: Project, reason: str | None) -> StageEvent:
    return change_status(actor, project, "send_back", reason)
