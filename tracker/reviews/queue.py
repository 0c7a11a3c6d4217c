"""The review queue: pending gate requests with criteria and confirmation counts, in SQL."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tracker import paging
from tracker.auth import permissions
from tracker.auth.permissions import visible_projects
from tracker.extensions import db
from tracker.models import (
    CriterionTick,
    GateConfirmation,
    GateReview,
    Participation,
    Project,
    Site,
    StageCriterion,
    User,
)
from tracker.projects import criteria

QUEUE_PAGE_SIZE = 50


@dataclass
class QueueRow:
    review: GateReview
    project: Project
    criteria_ticked: int
    criteria_total: int
    confirmed: int
    participants: int


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    sites: list[Site]
    site: str | None
    previous: str | None = None  # cursors of the neighbouring pages (?before= / ?after=)
    next: str | None = None


def _criteria_of_gate():
    """The exit criteria that apply to the review's from-stage at the project's site: the rule
    of tracker.projects.criteria.applicable, correlated to the queue's review and project."""
    return criteria.applicable(GateReview.from_stage, Project.site_id)


def _queue_counts() -> list:
    total = sa.select(sa.func.count(StageCriterion.id)).where(_criteria_of_gate())
    ticked = (
        sa.select(sa.func.count(CriterionTick.id))
        .join(StageCriterion, CriterionTick.criterion_id == StageCriterion.id)
        .where(CriterionTick.project_id == Project.id, _criteria_of_gate())
    )
    confirmed = sa.select(sa.func.count(GateConfirmation.id)).where(
        GateConfirmation.gate_review_id == GateReview.id
    )
    participants = sa.select(sa.func.count(Participation.id)).where(
        Participation.project_id == Project.id
    )
    return [
        query.correlate(GateReview, Project).scalar_subquery()
        for query in (ticked, total, confirmed, participants)
    ]


def queue_sites(user: User) -> list[Site]:
    if permissions.is_admin(user):
        return list(db.session.scalars(sa.select(Site).order_by(Site.name)))
    return list(user.managed_sites)


def _pending(user: User, site: str | None, sites: list[Site]) -> sa.Select:
    chosen = [s.id for s in sites if site is None or s.slug == site]
    base = (
        visible_projects(user)
        .join(GateReview, GateReview.project_id == Project.id)
        .where(GateReview.decision == "pending")
    )
    if not permissions.is_admin(user) or site is not None:
        base = base.where(Project.site_id.in_(chosen))
    return base


def review_queue(
    user: User, site: str | None = None, after: str | None = None, before: str | None = None
) -> QueuePage:
    """Pending reviews, oldest first: managers see their sites, admins all (or one site).
    Pages by keyset (requested_at, id): the page after the cursor after, before the cursor
    before, or the first; a bad cursor gives the first page."""
    sites = queue_sites(user)
    base = _pending(user, site, sites)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(base.with_only_columns(GateReview.id).subquery())
    )
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    query = (
        base.add_columns(GateReview, *_queue_counts())
        .options(joinedload(Project.site), joinedload(Project.lead_organization))
        .limit(QUEUE_PAGE_SIZE + 1)
    )
    at_, id_ = GateReview.requested_at, GateReview.id
    number, backwards = 1, False
    try:
        if after:
            at, ident, number = paging.decode_cursor(after)
            query = query.where(paging.beyond(at_, id_, at, ident, later=True))
        elif before:
            at, ident, number = paging.decode_cursor(before)
            query = query.where(paging.beyond(at_, id_, at, ident, later=False))
            backwards = True
    except paging.BadCursor:
        number, backwards = 1, False
    order = (at_.desc(), id_.desc()) if backwards else (at_.asc(), id_.asc())
    rows = db.session.execute(query.order_by(*order)).all()
    more = len(rows) > QUEUE_PAGE_SIZE
    rows = rows[:QUEUE_PAGE_SIZE]
    if backwards:
        rows.reverse()
        if not more:
            number = 1
    result = QueuePage(
        [QueueRow(r[1], r[0], *r[2:]) for r in rows],
        total,
        number,
        max(pages, number),
        sites,
        site,
    )
    if rows and (True if backwards else more):
        last = rows[-1][1]
        result.next = paging.encode_cursor(last.requested_at, last.id, number + 1)
    if rows and (more if backwards else number > 1):
        first = rows[0][1]
        result.previous = paging.encode_cursor(first.requested_at, first.id, max(1, number - 1))
    return result


def cursor_of_page(user: User, site: str | None, number: int) -> str | None:
    """The cursor of page number (old ?page=N links), None when the page has no row: one
    OFFSET statement (the page before's last row and the page's first), once per old link."""
    if number < 2 or number > paging.MAX_PAGE // QUEUE_PAGE_SIZE:
        return None
    base = _pending(user, site, queue_sites(user))
    rows = db.session.execute(
        base.with_only_columns(GateReview.requested_at, GateReview.id)
        .order_by(GateReview.requested_at, GateReview.id)
        .offset((number - 1) * QUEUE_PAGE_SIZE - 1)
        .limit(2)
    ).all()
    if len(rows) < 2:
        return None
    return paging.encode_cursor(rows[0].requested_at, rows[0].id, number)
