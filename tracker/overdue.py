"""Overdue and due work, and what waits for whom: the queries behind the project page's
overdue list, the board's chips, the homes ("What needs you", "Needs attention"), the digests
and the periodic due/overdue reminders.

Overdue (design.md §12), on active projects only: a milestone past its date and not done, a
condition past its due date and not done, the target date of the current stage passed
(develop: target_test_on, test: target_market_on). Every function takes the projects to look
at as a SELECT of project ids (e.g. visible_projects(user).with_only_columns(Project.id)), so
callers keep their own scope.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import GateCondition, Milestone, Project, utcnow
from tracker.models.nudge import Nudge

TARGETS = {
    "develop": ("test", Project.target_test_on),
    "test": ("market", Project.target_market_on),
}
ITEM_COLUMNS = ("project_id", "what", "item", "item_id", "due_on")


@dataclass(frozen=True)
class DueItem:
    """One milestone, condition or target date; what: milestone, condition or target (item is
    then the stage the project is to reach)."""

    project_id: int
    what: str
    item: str
    item_id: int | None
    due_on: date

    def days_late(self, today: date) -> int:
        return (today - self.due_on).days


def today_utc() -> date:
    return utcnow().date()


def _items(
    projects: sa.Select | None, due: Callable[[sa.ColumnElement], sa.ColumnElement[bool]]
) -> sa.CompoundSelect:
    """UNION ALL of the milestones, conditions and target dates whose due date matches `due`
    (a function of the date column), on active projects among `projects`. The active projects
    are a CTE that the four parts share: the caller's scope is written and planned once."""
    scope = sa.select(Project.id).where(Project.status == "active")
    if projects is not None:
        scope = scope.where(Project.id.in_(projects))
    active = sa.select(scope.cte("active_projects").c.id)
    milestones = sa.select(
        Milestone.project_id,
        sa.literal("milestone").label("what"),
        Milestone.title.label("item"),
        Milestone.id.label("item_id"),
        Milestone.due_on.label("due_on"),
    ).where(Milestone.done_at.is_(None), due(Milestone.due_on), Milestone.project_id.in_(active))
    conditions = sa.select(
        GateCondition.project_id,
        sa.literal("condition"),
        GateCondition.text,
        GateCondition.id,
        GateCondition.due_on,
    ).where(
        GateCondition.done_at.is_(None),
        due(GateCondition.due_on),
        GateCondition.project_id.in_(active),
    )
    targets = [
        sa.select(Project.id, sa.literal("target"), sa.literal(stage), sa.null(), column).where(
            Project.stage == current, due(column), Project.id.in_(active)
        )
        for current, (stage, column) in TARGETS.items()
    ]
    return sa.union_all(milestones, conditions, *targets)


def _rows(query: sa.CompoundSelect, limit: int | None) -> list[DueItem]:
    sub = query.subquery()
    ordered = sa.select(sub).order_by(sub.c.due_on, sub.c.project_id, sub.c.what, sub.c.item_id)
    if limit is not None:
        ordered = ordered.limit(limit)
    return [DueItem(*row) for row in db.session.execute(ordered)]


def overdue_query(projects: sa.Select | None = None, today: date | None = None):
    """UNION ALL (project_id, what, item, item_id, due_on) of what is overdue."""
    today = today or today_utc()
    return _items(projects, lambda column: column < today)


def overdue_items(
    projects: sa.Select | None = None, today: date | None = None, limit: int | None = None
) -> list[DueItem]:
    """What is overdue among the projects, longest overdue first (one query)."""
    return _rows(overdue_query(projects, today), limit)


def due_soon_items(
    projects: sa.Select | None = None,
    days: int = 14,
    today: date | None = None,
    limit: int | None = None,
) -> list[DueItem]:
    """What falls due from today to `days` days ahead, soonest first (one query)."""
    today = today or today_utc()
    until = today + timedelta(days=days)
    return _rows(_items(projects, lambda column: column.between(today, until)), limit)


def due_and_overdue(
    projects: sa.Select | None,
    days: int | None,
    today: date | None = None,
    limit: int | None = None,
) -> tuple[list[tuple[DueItem, str]], list[tuple[DueItem, str]]]:
    """What falls due from today to `days` days ahead (None: nothing), soonest first, and what
    is overdue, longest overdue first, each at most `limit` long, every item with its
    project's title: (due, overdue) from one statement (the homes; due_soon_items and
    overdue_items are a statement each, and the titles another)."""
    today = today or today_utc()
    until = today + timedelta(days=days) if days is not None else None
    sub = _items(
        projects, lambda column: column < today if until is None else column <= until
    ).subquery()
    late = sub.c.due_on < today
    ranked = sa.select(
        *sub.c,
        late.label("late"),
        sa.func.row_number()
        .over(
            partition_by=late, order_by=(sub.c.due_on, sub.c.project_id, sub.c.what, sub.c.item_id)
        )
        .label("n"),
    ).subquery()
    query = (
        sa.select(*(ranked.c[name] for name in ITEM_COLUMNS), ranked.c.late, Project.title)
        .join(Project, Project.id == ranked.c.project_id)
        .order_by(ranked.c.n, ranked.c.late)
    )
    if limit is not None:
        query = query.where(ranked.c.n <= limit)
    due: list[tuple[DueItem, str]] = []
    overdue: list[tuple[DueItem, str]] = []
    for *values, is_late, title in db.session.execute(query):
        (overdue if is_late else due).append((DueItem(*values), title))
    return due, overdue


def overdue_project_ids(projects: sa.Select | None = None, today: date | None = None) -> set[int]:
    """Which of the projects have anything overdue (one query; the board's chips)."""
    sub = overdue_query(projects, today).subquery()
    return set(db.session.scalars(sa.select(sub.c.project_id).distinct()))


def stalled_query(stalled_days: int, now: datetime | None = None) -> sa.Select:
    """SELECT of active projects in develop or test without activity for stalled_days."""
    cutoff = (now or utcnow()) - timedelta(days=stalled_days)
    return sa.select(Project).where(
        Project.status == "active",
        Project.stage.in_(("develop", "test")),
        Project.last_activity_at < cutoff,
    )


def unanswered_nudges(projects: sa.Select | None = None, limit: int | None = None) -> list:
    """(Nudge, Project) of the latest nudge of each project that shows no activity since
    (a nudge is no activity itself), oldest first."""
    latest = (
        sa.select(Nudge.project_id, sa.func.max(Nudge.id).label("id"))
        .group_by(Nudge.project_id)
        .subquery()
    )
    query = (
        sa.select(Nudge, Project)
        .join(latest, latest.c.id == Nudge.id)
        .join(Project, Project.id == Nudge.project_id)
        .where(Project.last_activity_at <= Nudge.created_at, Project.counted())
        .order_by(Nudge.created_at)
    )
    if projects is not None:
        query = query.where(Nudge.project_id.in_(projects))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).tuples())


def is_overdue(project, open_due_dates, today: date | None = None) -> bool:
    """Has the project anything overdue, from values a query already read: its status, stage
    and target dates, and open_due_dates, the earliest due date of its milestones not done
    and of its conditions not done (None for none). The board's cards: correlated EXISTS
    columns cost the statement a scan of every open milestone on PostgreSQL (issue 21)."""
    if project.status != "active":
        return False
    today = today or today_utc()
    if any(due_on is not None and due_on < today for due_on in open_due_dates):
        return True
    if project.stage in TARGETS:
        due_on = getattr(project, TARGETS[project.stage][1].key)
        return due_on is not None and due_on < today
    return False


def of_project(
    project: Project, milestones, conditions=(), today: date | None = None
) -> list[DueItem]:
    """What is overdue on a project from rows the page has already read (no statement)."""
    today = today or today_utc()
    if project.status != "active":
        return []
    items = [
        DueItem(project.id, "milestone", m.title, m.id, m.due_on)
        for m in milestones
        if m.done_at is None and m.due_on is not None and m.due_on < today
    ]
    items += [
        DueItem(project.id, "condition", c.text, c.id, c.due_on)
        for c in conditions
        if c.done_at is None and c.due_on is not None and c.due_on < today
    ]
    if project.stage in TARGETS:
        stage, column = TARGETS[project.stage]
        due_on = getattr(project, column.key)
        if due_on is not None and due_on < today:
            items.append(DueItem(project.id, "target", stage, None, due_on))
    return sorted(items, key=lambda item: item.due_on)
