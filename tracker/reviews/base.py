"""Shared parts of the gate services: errors, conflicts, loading, stage moves."""

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.models import (
    GateCondition,
    GateReview,
    Participation,
    Project,
    StageEvent,
    User,
    utcnow,
)
from tracker.refusal import Refused
from tracker.reviews import rules

CHANGED_MEANWHILE = _l("Someone changed this project meanwhile. Please reload and try again.")
# The names of the texts that required_text checks, as messages show them.
FIELD_LABELS = {"evidence": _l("Evidence"), "reason": _l("Reason"), "message": _l("Message")}


class GateError(Refused):
    """A refused gate or status change; the message tells people why.

    `field` names the input the message belongs to (evidence, reason, conditions), if any.
    """


class GateForbidden(GateError):
    """The actor may not do this at all (pages and the API answer 403)."""


def gate_conflict(
    conflict: str = CHANGED_MEANWHILE,
) -> Callable[[Exception], GateError]:
    """For transaction(): a broken unique rule tells conflict, a changed version that the
    project changed meanwhile."""

    def error(refused: Exception) -> GateError:
        return GateError(CHANGED_MEANWHILE if isinstance(refused, StaleDataError) else conflict)

    return error


def load_project(project_id: int) -> Project:
    """The project with site and participants loaded (the permission rules need them)."""
    return db.session.scalars(
        sa.select(Project)
        .where(Project.id == project_id)
        .options(
            joinedload(Project.site),
            selectinload(Project.participations).joinedload(Participation.organization),
        )
    ).one()


def refuse(why: str | None) -> None:
    if why:
        raise GateError(why)


def required_text(value: str | None, name: str, limit: int, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise GateError(missing, field=name)
    if len(text) > limit:
        raise GateError(
            _(
                "%(field)s can be at most %(limit)s characters.",
                field=FIELD_LABELS.get(name, name.capitalize()),
                limit=limit,
            ),
            field=name,
        )
    return text


def clip(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label(stage: str) -> str:
    return rules.STAGE_LABELS[stage]


def pending_review(project_id: int) -> GateReview | None:
    return db.session.scalar(
        sa.select(GateReview).where(
            GateReview.project_id == project_id, GateReview.decision == "pending"
        )
    )


def open_condition_texts(project_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(GateCondition.text)
            .where(GateCondition.project_id == project_id, GateCondition.done_at.is_(None))
            .order_by(GateCondition.id)
        )
    )


def move(
    actor: User,
    project: Project,
    stage: str,
    status: str,
    note: str,
    review_id: int | None = None,
) -> StageEvent:
    """Change stage and/or status through the ORM (the version increments) plus its event."""
    now = utcnow()
    event = StageEvent(
        project_id=project.id,
        from_stage=project.stage,
        to_stage=stage,
        from_status=project.status,
        to_status=status,
        actor_id=actor.id,
        at=now,
        note=note,
        gate_review_id=review_id,
    )
    if stage != project.stage:
        project.stage_entered_at = now
        if stage == "market":
            project.launched_on = now.date()
        elif project.stage == "market":
            project.launched_on = None  # sent back: no longer on the market
    project.stage, project.status, project.last_activity_at = stage, status, now
    db.session.add(event)
    return event
