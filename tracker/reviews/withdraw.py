"""Withdraw a project (design §16): by its lead organization or an admin, with a reason.

A withdrawn project leaves boards, lists (unless filtered by that status) and counts, which
only know the statuses of models.base.STATUSES; it stays in the history and by its URL. The
change writes its StageEvent, audit event and notifications in one transaction."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker import activity
from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Project, StageEvent, User, utcnow
from tracker.reviews import rules
from tracker.reviews.base import (
    CHANGED_MEANWHILE,
    GateError,
    GateForbidden,
    clip,
    load_project,
    move,
    pending_review,
    required_text,
)

WITHDRAWN = "withdrawn"
LABEL = _l("Withdraw")
DONE = _l("“%(project_title)s” was withdrawn.")
CONFIRM = _l(
    "Withdraw this project? It leaves the boards, lists and figures; its page and history stay."
)


def withdraw(actor: User, project: Project, reason: str | None) -> StageEvent:
    """Set the status withdrawn; a pending gate request is closed with it."""
    project = load_project(project.id)
    if not permissions.can_withdraw(actor, project):
        raise GateForbidden(_("Only the lead organization or an admin can withdraw a project."))
    if project.status == WITHDRAWN:
        raise GateError(_("This project is already withdrawn."))
    reason = required_text(reason, "reason", rules.MAX_REASON, _("A reason is required."))
    try:
        before = project.status
        review = pending_review(project.id)
        changes: dict = {"status": [before, WITHDRAWN]}
        if review is not None:
            review.decision, review.reason = "recycle", rules.closed_reason(WITHDRAWN)
            review.decided_by_id, review.decided_at = actor.id, utcnow()
            changes["closed_gate_review_id"] = [review.id, None]
        event = move(actor, project, project.stage, WITHDRAWN, reason)
        changes["reason"] = [None, reason]
        activity.audit(actor, "project_withdrawn", project, changes)
        members = activity.members_of(sorted(project.participating_organization_ids))
        message = f"“{project.title}” was withdrawn: {reason}"
        activity.notify(members, "status_changed", clip(message), project, skip=actor)
        db.session.commit()
    except (IntegrityError, StaleDataError) as error:
        db.session.rollback()
        raise GateError(CHANGED_MEANWHILE) from error
    except BaseException:
        db.session.rollback()
        raise
    return event
