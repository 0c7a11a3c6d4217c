"""Reads of one project's page: updates, milestones, stage history and its days, the audit log.

The list, its filters and pages, and the lessons list are in tracker/projects/queries.py.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.keyset import Key
from tracker.models import AuditEvent, Milestone, Project, StageEvent, Update, utcnow
from tracker.models.base import STAGES

# Authors and actors show only their names: raiseload("*") keeps User's eager relationships
# (organization, managed sites) from adding a query each to the detail page.


def recent_updates(project: Project, limit: int = 20) -> list[Update]:
    return db.session.scalars(
        sa.select(Update)
        .where(Update.project_id == project.id)
        .options(joinedload(Update.author).raiseload("*"))
        .order_by(Update.created_at.desc(), Update.id.desc())
        .limit(limit)
    ).all()


def milestones(project: Project, limit: int = 100) -> list[Milestone]:
    """Open ones first, by due date; then the done ones."""
    return db.session.scalars(
        sa.select(Milestone)
        .where(Milestone.project_id == project.id)
        .order_by(
            Milestone.done_at.is_not(None),
            Milestone.due_on.is_(None),
            Milestone.due_on,
            Milestone.id,
        )
        .limit(limit)
    ).all()


@dataclass
class StageSpell:
    event: StageEvent
    days: int
    current: bool


def stage_history(project: Project, now: datetime | None = None) -> list[StageSpell]:
    """Every StageEvent with the days until the next one (or until now), newest first."""
    events = db.session.scalars(
        sa.select(StageEvent)
        .where(StageEvent.project_id == project.id)
        .options(joinedload(StageEvent.actor).raiseload("*"))
        .order_by(StageEvent.at, StageEvent.id)
    ).all()
    now = now or utcnow()
    spells = []
    for index, event in enumerate(events):
        last = index + 1 == len(events)
        end = now if last else events[index + 1].at
        spells.append(StageSpell(event, max(0, (end - event.at).days), last))
    return list(reversed(spells))


def days_per_stage(spells: list[StageSpell]) -> dict[str, int]:
    totals = dict.fromkeys(STAGES, 0)
    for spell in spells:
        totals[spell.event.to_stage] += spell.days
    return totals


AUDIT_PAGE_SIZE = 50
# The history's order, by which it pages (keyset): newest first.
AUDIT_KEYS = (
    Key(AuditEvent.at, datetime, descending=True),
    Key(AuditEvent.id, int, descending=True),
)


def audit_query(project: Project) -> sa.Select:
    """The project's recorded changes, each with its actor (tracker.keyset pages it)."""
    return (
        sa.select(AuditEvent)
        .where(AuditEvent.project_id == project.id)
        .options(joinedload(AuditEvent.actor).raiseload("*"))
    )
