"""The review queue: pending gate requests with criteria and confirmation counts, in SQL."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

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


def review_queue(user: User, site: str | None = None, page: int = 1) -> QueuePage:
    """Pending reviews, oldest first: managers see their sites, admins all (or one site)."""
    sites = queue_sites(user)
    chosen = [s.id for s in sites if site is None or s.slug == site]
    base = (
        visible_projects(user)
        .join(GateReview, GateReview.project_id == Project.id)
        .where(GateReview.decision == "pending")
    )
    if not permissions.is_admin(user) or site is not None:
        base = base.where(Project.site_id.in_(chosen))
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(base.with_only_columns(GateReview.id).subquery())
    )
    pages = max(1, -(-total // QUEUE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        base.add_columns(GateReview, *_queue_counts())
        .options(joinedload(Project.site), joinedload(Project.lead_organization))
        .order_by(GateReview.requested_at, GateReview.id)
        .limit(QUEUE_PAGE_SIZE)
        .offset((page - 1) * QUEUE_PAGE_SIZE)
    ).all()
    return QueuePage([QueueRow(r[1], r[0], *r[2:]) for r in rows], total, page, pages, sites, site)
