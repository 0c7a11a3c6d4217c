"""Read models for the gate pages: the project panel, the review queue, the decision page,
and the gate requests of the API (gate_requests)."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import (
    GateCondition,
    GateConfirmation,
    GateReview,
    Nudge,
    Organization,
    Participation,
    Project,
    StageEvent,
    User,
)
from tracker.models.base import next_stage
from tracker.people import user_names
from tracker.projects import criteria
from tracker.reviews import nudges, rules


@dataclass
class Participant:
    organization: Organization
    role: str
    confirmation: GateConfirmation | None = None


@dataclass
class GatePanel:
    """What the project page shows about gates for one user, and which buttons they get."""

    project: Project
    pending: GateReview | None
    participants: list[Participant]
    open_conditions: list[GateCondition]
    next_stage: str | None
    request_refusal: str | None
    requester: str | None = None
    can_request: bool = False
    can_confirm: bool = False
    can_decide: bool = False
    can_contribute: bool = False
    status_actions: list[str] = field(default_factory=list)
    supervises: bool = False  # the host site's manager or an admin: decides, not asks
    can_nudge: bool = False
    nudged_at: datetime | None = None
    next_nudge_at: datetime | None = None  # None: may nudge now

    @property
    def confirmed_count(self) -> int:
        return sum(1 for p in self.participants if p.confirmation is not None)


def ensure_participants(project: Project) -> None:
    """The permission rules read the participants from the project: load them if needed."""
    if "participations" in sa.inspect(project).unloaded:
        db.session.scalars(
            sa.select(Project)
            .where(Project.id == project.id)
            .options(selectinload(Project.participations).joinedload(Participation.organization))
        ).one()


def _participants(project: Project, review: GateReview | None) -> list[Participant]:
    participations = project.participations
    confirmations = {}
    if review is not None:
        confirmations = {
            c.organization_id: c
            for c in db.session.scalars(
                sa.select(GateConfirmation).where(GateConfirmation.gate_review_id == review.id)
            )
        }
    rows = [
        Participant(p.organization, p.role, confirmations.get(p.organization_id))
        for p in participations
    ]
    return sorted(rows, key=lambda r: (r.role != "lead", r.organization.name.lower()))


def open_conditions(project_id: int) -> list[GateCondition]:
    return list(
        db.session.scalars(
            sa.select(GateCondition)
            .where(GateCondition.project_id == project_id, GateCondition.done_at.is_(None))
            .order_by(GateCondition.id)
        )
    )


def _can_confirm(
    user: User, project: Project, review: GateReview | None, participants: list[Participant]
) -> bool:
    """A participating organization that has not confirmed yet, while the review is pending."""
    if review is None or not permissions.can_confirm_gate(user, project, review):
        return False
    return not any(
        p.confirmation is not None and p.organization.id == user.organization_id
        for p in participants
    )


def gate_panel(user: User, project: Project) -> GatePanel | None:
    """At most four queries: pending review, participants if unloaded, confirmations, conditions.

    None for users who may not see the project's details (patrons).
    """
    ensure_participants(project)
    if not permissions.can_view_details(user, project):
        return None
    last_nudge = (
        sa.select(sa.func.max(Nudge.created_at, type_=Nudge.created_at.type))
        .where(Nudge.project_id == project.id)
        .scalar_subquery()
    )
    # One row: the pending request (if any), its requester's name and the last nudge's time.
    pending, requester, nudged_at = db.session.execute(
        sa.select(GateReview, User.display_name, last_nudge)
        .select_from(Project)
        .outerjoin(
            GateReview,
            sa.and_(GateReview.project_id == Project.id, GateReview.decision == "pending"),
        )
        .outerjoin(User, User.id == GateReview.requested_by_id)
        .where(Project.id == project.id)
    ).one()
    participants = _participants(project, pending)
    conditions = open_conditions(project.id)
    refusal = rules.gate_refusal(
        project.status, project.stage, pending is not None, [c.text for c in conditions]
    )
    panel = GatePanel(
        project, pending, participants, conditions, next_stage(project.stage), refusal, requester
    )
    panel.can_request = refusal is None and permissions.can_request_gate(user, project)
    panel.can_decide = pending is not None and permissions.can_decide_gate(user, project)
    panel.can_confirm = _can_confirm(user, project, pending, participants)
    panel.can_contribute = permissions.can_contribute(user, project)
    panel.supervises = permissions.can_decide_gate(user, project)
    if permissions.can_nudge(user, project) and project.status in ("active", "on_hold"):
        panel.can_nudge = True
        panel.nudged_at = nudged_at
        panel.next_nudge_at = nudges.next_nudge_at(nudged_at)
    if permissions.can_change_status(user, project):
        panel.status_actions = [
            action
            for action in rules.STATUS_ACTIONS
            if rules.status_refusal(action, project.status, project.stage) is None
        ]
    return panel


# --- gate requests: the decision page and the API ------------------------------------------


def conditions_of(review_ids: list[int]) -> dict[int, list[GateCondition]]:
    """The conditions of each review, in order of entry (one query)."""
    found: dict[int, list[GateCondition]] = {review_id: [] for review_id in review_ids}
    for condition in db.session.scalars(
        sa.select(GateCondition)
        .where(GateCondition.gate_review_id.in_(review_ids))
        .order_by(GateCondition.id)
    ):
        found[condition.gate_review_id].append(condition)
    return found


def gate_requests(reviews: list[GateReview]) -> list[dict]:
    """Gate requests as the API shows them (GateRequestSchema): each review with its
    confirmations, conditions and people, in three queries for any number of reviews."""
    ids = [review.id for review in reviews]
    confirmations: dict[int, list] = {review_id: [] for review_id in ids}
    for row in db.session.execute(
        sa.select(GateConfirmation.gate_review_id, Organization.id, Organization.name,
                  GateConfirmation.confirmed_at)
        .join(Organization, Organization.id == GateConfirmation.organization_id)
        .where(GateConfirmation.gate_review_id.in_(ids))
        .order_by(GateConfirmation.id)
    ):  # fmt: skip
        confirmations[row[0]].append(row)
    conditions = conditions_of(ids)
    names = user_names([r.requested_by_id for r in reviews] + [r.decided_by_id for r in reviews])
    return [
        {
            **{k: getattr(r, k) for k in ("id", "project_id", "from_stage", "to_stage")},
            **{k: getattr(r, k) for k in ("decision", "evidence", "requested_at")},
            "reason": r.reason if r.decision != "pending" else None,
            "requested_by": names.get(r.requested_by_id),
            "decided_at": r.decided_at,
            "decided_by": names.get(r.decided_by_id),
            "confirmations": [
                {"organization_id": c[1], "name": c[2], "confirmed_at": c[3]}
                for c in confirmations[r.id]
            ],
            "conditions": [
                {"id": c.id, "text": c.text, "done_at": c.done_at, "due_on": c.due_on}
                for c in conditions[r.id]
            ],
        }
        for r in reviews
    ]


# --- the decision page --------------------------------------------------------------------


def criteria_status(project: Project) -> list:
    """The exit criteria of the project's current stage, each with its tick or None."""
    return list(criteria.criteria_status(project))


def review_conditions(review_id: int) -> list[GateCondition]:
    return conditions_of([review_id])[review_id]


def stage_history(project_id: int, limit: int = 100) -> list[tuple[StageEvent, str | None]]:
    """The project's stage events, newest first, each with the actor's name."""
    return [
        (event, name)
        for event, name in db.session.execute(
            sa.select(StageEvent, User.display_name)
            .outerjoin(User, User.id == StageEvent.actor_id)
            .where(StageEvent.project_id == project_id)
            .order_by(StageEvent.at.desc(), StageEvent.id.desc())
            .limit(limit)
        )
    ]


def decision_page(user: User, review: GateReview, project: Project) -> dict:
    """Everything the decision page shows, in a fixed number of queries."""
    participants = _participants(project, review)
    return {
        "review": review,
        "project": project,
        "participants": participants,
        "conditions": review_conditions(review.id),
        "open_conditions": [
            c for c in open_conditions(project.id) if c.gate_review_id != review.id
        ],
        "criteria": criteria_status(project) if review.decision == "pending" else None,
        "history": stage_history(project.id),
        "names": user_names([review.requested_by_id, review.decided_by_id]),
        "can_decide": review.decision == "pending" and permissions.can_decide_gate(user, project),
        "can_confirm": _can_confirm(user, project, review, participants),
        "can_contribute": permissions.can_contribute(user, project),
    }
