"""Nudges: a host site's manager (or an admin) asks a quiet project's lead organization."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from tracker import activity
from tracker.auth import permissions
from tracker.database import keep, transaction
from tracker.extensions import db
from tracker.models import Nudge, Project, User, utcnow
from tracker.reviews.base import GateError, GateForbidden, required_text

MAX_MESSAGE = 1000
INTERVAL = timedelta(days=7)  # at most one nudge per project in this time


def last_nudge_at(project_id: int) -> datetime | None:
    return db.session.scalar(
        sa.select(sa.func.max(Nudge.created_at, type_=Nudge.created_at.type)).where(
            Nudge.project_id == project_id
        )
    )


def next_nudge_at(last: datetime | None) -> datetime | None:
    """When the project may be nudged again after a nudge at `last`; None: now."""
    if last is None or utcnow() - last >= INTERVAL:
        return None
    return last + INTERVAL


def nudge(actor: User, project: Project, message: str | None) -> Nudge:
    """Record the nudge (in the project's history) and tell the lead organization's members;
    it is no activity of the project, so the project stays stalled until someone answers."""
    if not permissions.can_nudge(actor, project):
        raise GateForbidden(_("Only the host site's managers or an admin can nudge a project."))
    if project.status not in ("active", "on_hold"):
        raise GateError(_("Only active projects and projects on hold can be nudged."))
    text = required_text(message, "message", MAX_MESSAGE, _("Write what you would like to know."))
    with transaction():
        # Two managers at once: the second waits here (PostgreSQL) and then sees the first.
        db.session.execute(sa.select(Project.id).where(Project.id == project.id).with_for_update())
        again = next_nudge_at(last_nudge_at(project.id))
        if again is not None:
            raise GateError(
                _(
                    "This project was nudged less than a week ago; the next nudge is "
                    "possible on %(date)s.",
                    date=format_date(again.date()),
                )
            )
        row = Nudge(project_id=project.id, sent_by_id=actor.id, message=text, created_at=utcnow())
        db.session.add(row)
        db.session.flush()
        activity.audit(actor, "project_nudged", row, {"message": [None, text]}, project.id)
        activity.tell_nudge(actor, project, text)
        keep(row)  # for the caller's reply
    return row
