"""What waits for whom: the member's "What needs you" and the site manager's "Needs
attention" (the homes), also for the digests. Each list is bounded and scoped through
visible_projects(user); a few statements however many projects."""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tracker import overdue
from tracker.auth.permissions import visible_projects
from tracker.extensions import db
from tracker.models import (
    CriterionTick,
    GateCondition,
    GateConfirmation,
    GateReview,
    Participation,
    Project,
    StageCriterion,
    User,
)

LIMIT = 10
DUE_SOON_DAYS = 14


@dataclass
class MemberNeeds:
    to_confirm: list = field(default_factory=list)  # (GateReview, Project), oldest first
    open_conditions: list = field(default_factory=list)  # (GateCondition, Project)
    open_criteria: list = field(default_factory=list)  # (Project, open, total)
    due_soon: list = field(default_factory=list)  # (DueItem, title)
    overdue: list = field(default_factory=list)  # (DueItem, title)

    @property
    def empty(self) -> bool:
        return not any(
            (self.to_confirm, self.open_conditions, self.open_criteria, self.due_soon, self.overdue)
        )


@dataclass
class ManagerNeeds:
    waiting: list = field(default_factory=list)  # (GateReview, Project), oldest first
    stalled: list = field(default_factory=list)  # Project, quiet longest first
    overdue: list = field(default_factory=list)  # (DueItem, title)
    nudges: list = field(default_factory=list)  # (Nudge, Project), unanswered, oldest first

    @property
    def empty(self) -> bool:
        return not any((self.waiting, self.stalled, self.overdue, self.nudges))


def own_projects(user: User) -> sa.Select:
    """SELECT of the ids of the projects the member's organization takes part in (not
    withdrawn ones: they leave every list, design §16)."""
    own = aliased(Participation)
    return (
        visible_projects(user)
        .with_only_columns(Project.id)
        .where(
            Project.counted(),
            sa.exists().where(
                own.project_id == Project.id, own.organization_id == user.organization_id
            ),
        )
    )


def managed_projects(user: User) -> sa.Select:
    """SELECT of the ids of the projects of the sites the user manages (not withdrawn ones)."""
    return (
        visible_projects(user)
        .with_only_columns(Project.id)
        .where(Project.site_id.in_(sorted(user.managed_site_ids)), Project.counted())
    )


def member_needs(user: User, today: date | None = None, limit: int = LIMIT) -> MemberNeeds:
    if user.organization_id is None:
        return MemberNeeds()
    own = own_projects(user)
    due, late = overdue.due_and_overdue(own, DUE_SOON_DAYS, today, limit)
    return MemberNeeds(
        to_confirm=confirmations_asked(user, own, limit),
        open_conditions=open_conditions(own, limit),
        open_criteria=open_criteria(user, own, limit),
        due_soon=due,
        overdue=late,
    )


def confirmations_asked(user: User, projects: sa.Select, limit: int = LIMIT) -> list:
    """Pending gate requests on the projects that the user's organization has not confirmed."""
    confirmed = sa.exists().where(
        GateConfirmation.gate_review_id == GateReview.id,
        GateConfirmation.organization_id == user.organization_id,
    )
    return list(
        db.session.execute(
            sa.select(GateReview, Project)
            .join(Project, Project.id == GateReview.project_id)
            .where(GateReview.decision == "pending", Project.id.in_(projects), ~confirmed)
            .order_by(GateReview.requested_at)
            .limit(limit)
        ).tuples()
    )


def open_conditions(projects: sa.Select, limit: int = LIMIT) -> list:
    """Open conditions of a conditional go on the projects, those due first (then oldest)."""
    return list(
        db.session.execute(
            sa.select(GateCondition, Project)
            .join(Project, Project.id == GateCondition.project_id)
            .where(GateCondition.done_at.is_(None), Project.id.in_(projects))
            .order_by(GateCondition.due_on.is_(None), GateCondition.due_on, GateCondition.id)
            .limit(limit)
        ).tuples()
    )


def _applicable_criterion() -> sa.ColumnElement[bool]:
    """StageCriterion applies to Project's current stage: the site's own criteria for the
    stage when it has any, else the network defaults (as tracker.projects.criteria)."""
    own = aliased(StageCriterion)
    site_has_own = sa.exists().where(
        own.stage == Project.stage, own.site_id == Project.site_id, own.active.is_(True)
    )
    return sa.and_(
        StageCriterion.stage == Project.stage,
        StageCriterion.active.is_(True),
        sa.or_(
            StageCriterion.site_id == Project.site_id,
            sa.and_(StageCriterion.site_id.is_(None), ~site_has_own),
        ),
    )


def open_criteria(user: User, projects: sa.Select, limit: int = LIMIT) -> list:
    """(Project, open, total) of the active projects the user's organization leads whose
    current stage has exit criteria not ticked yet, most recently active first."""
    total = sa.func.count(sa.distinct(StageCriterion.id))
    ticked = sa.func.count(sa.distinct(CriterionTick.id))
    rows = db.session.execute(
        sa.select(Project, total, ticked)
        .select_from(Project)
        .join(StageCriterion, _applicable_criterion())
        .outerjoin(
            CriterionTick,
            sa.and_(
                CriterionTick.project_id == Project.id,
                CriterionTick.criterion_id == StageCriterion.id,
            ),
        )
        .where(
            Project.id.in_(projects),
            Project.lead_organization_id == user.organization_id,
            Project.status == "active",
            Project.stage.in_(("develop", "test")),
        )
        .group_by(Project.id)
        .having(total > ticked)
        .order_by(Project.last_activity_at.desc())
        .limit(limit)
    )
    return [(project, all_ - done, all_) for project, all_, done in rows.tuples()]


def waiting_reviews(projects: sa.Select, limit: int | None = LIMIT) -> list:
    """(GateReview, Project) pending on the projects, longest waiting first."""
    query = (
        sa.select(GateReview, Project)
        .join(Project, GateReview.project_id == Project.id)
        .where(GateReview.decision == "pending", Project.id.in_(projects))
        .order_by(GateReview.requested_at)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).tuples())


def stalled_projects(projects: sa.Select, stalled_days: int, limit: int | None = LIMIT) -> list:
    """Active projects in develop or test without activity for stalled_days, quiet longest first."""
    query = (
        overdue.stalled_query(stalled_days)
        .where(Project.id.in_(projects))
        .order_by(Project.last_activity_at, Project.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def manager_needs(
    user: User, stalled_days: int, today: date | None = None, limit: int = LIMIT
) -> ManagerNeeds:
    if not user.managed_site_ids:
        return ManagerNeeds()
    scope = managed_projects(user)
    return ManagerNeeds(
        waiting=waiting_reviews(scope, limit),
        stalled=stalled_projects(scope, stalled_days, limit),
        overdue=overdue.due_and_overdue(scope, None, today, limit)[1],
        nudges=overdue.unanswered_nudges(scope, limit),
    )


def remind_stalled(stalled_days: int, now: datetime | None = None) -> int:
    """Tell each stalled project's host site managers that it became stalled, once per quiet
    spell however often it runs (the periodic task; the caller commits). One statement per
    stalled project, after one to find them."""
    from tracker import activity

    told = 0
    for project in db.session.scalars(overdue.stalled_query(stalled_days, now)):
        told += activity.tell_stalled(project, project.last_activity_at.date())
    return told
