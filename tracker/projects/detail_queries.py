"""Reads of one project's page: updates, milestones, stage history and its days, the audit log.

The list, its filters and pages, and the lessons list are in tracker/projects/queries.py.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker import paging
from tracker.extensions import db
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


def audit_page(
    project: Project, after: str | None = None, before: str | None = None
) -> paging.KeysetPage:
    """The project's recorded changes, newest first, by keyset (at, id): a count and one
    statement for the page (actors joined), whatever the page."""
    query = sa.select(AuditEvent).where(AuditEvent.project_id == project.id)
    page = paging.newest_first(
        query.options(joinedload(AuditEvent.actor).raiseload("*")),
        AuditEvent.at,
        AuditEvent.id,
        size=AUDIT_PAGE_SIZE,
        total=paging.count_of(query, AuditEvent.id),
        after=after,
        before=before,
    )
    page.items = [event for (event,) in page.items]
    return page


def audit_cursor_of_page(project: Project, number: int) -> str | None:
    """The cursor of page number of the history (old ?page=N links), None beyond the end."""
    query = sa.select(AuditEvent).where(AuditEvent.project_id == project.id)
    return paging.newest_first_cursor(
        query, AuditEvent.at, AuditEvent.id, size=AUDIT_PAGE_SIZE, number=number
    )
