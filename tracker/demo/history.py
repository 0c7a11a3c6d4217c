"""Rows for the planned demo history: gate reviews, stage events, updates, ticks, notifications."""

from datetime import datetime, timedelta
from random import Random

from tracker.demo.timeline import Plan, Review
from tracker.extensions import db
from tracker.models import (
    CriterionTick,
    GateCondition,
    GateConfirmation,
    GateReview,
    Milestone,
    Notification,
    Project,
    StageCriterion,
    StageEvent,
    Update,
    User,
)

RECENT = timedelta(days=120)  # older decisions and changes no longer notify anyone
READ_AFTER = timedelta(days=14)  # demo users have read what is older than this
# Notifications are stored in the English forms the services write, so that
# tracker/notifications/display.py shows them in each reader's language like real ones.
STAGE_LABELS = {"develop": "Develop", "test": "Test", "market": "Market"}
DECISION_LABELS = {
    "go": "Go",
    "conditional_go": "Conditional go",
    "recycle": "Recycle",
    "hold": "Hold",
    "stop": "Stop",
}
STATUS_VERBS = {"on_hold": "put on hold", "stopped": "stopped", "active": "reactivated"}


def write_history(
    projects: list[tuple[Project, dict, Plan]],
    members: dict[str, User],
    deciders: dict[str, User],
    criteria: dict[str, list[StageCriterion]],
    now: datetime,
) -> dict[str, int]:
    """Add every history row for the projects (two flushes); returns counts per kind."""
    writer = _Writer(members, deciders, criteria, now)
    for project, spec, plan in projects:
        writer.reviews_of(project, spec, plan)
    db.session.add_all(writer.review_rows.values())
    db.session.flush()
    for project, spec, plan in projects:
        writer.rest_of(project, spec, plan)
    for rows in writer.rows.values():
        db.session.add_all(rows)
    db.session.flush()
    counts = {kind: len(rows) for kind, rows in writer.rows.items()}
    counts["gate_reviews"] = len(writer.review_rows)
    counts["pending_reviews"] = sum(1 for _, _, plan in projects if plan.pending)
    return counts


class _Writer:
    def __init__(self, members, deciders, criteria, now: datetime):
        self.members, self.deciders, self.criteria, self.now = members, deciders, criteria, now
        self.rng = Random(43)
        self.review_rows: dict[int, GateReview] = {}
        self.rows: dict[str, list] = {
            kind: []
            for kind in (
                "stage_events",
                "gate_conditions",
                "gate_confirmations",
                "updates",
                "milestones",
                "criterion_ticks",
                "notifications",
            )
        }

    def reviews_of(self, project: Project, spec: dict, plan: Plan) -> None:
        requester = self.members[spec["lead"]]
        decider = self.deciders[spec["site"]]
        for review in [*plan.reviews, plan.pending]:
            if review is None:
                continue
            self.review_rows[id(review)] = GateReview(
                project_id=project.id,
                from_stage=review.from_stage,
                to_stage=review.to_stage,
                requested_by_id=requester.id,
                requested_at=review.requested_at,
                evidence=review.evidence,
                decision=review.decision,
                decided_by_id=decider.id if review.decided_at else None,
                decided_at=review.decided_at,
                reason=review.reason,
            )

    def rest_of(self, project: Project, spec: dict, plan: Plan) -> None:
        lead = self.members[spec["lead"]]
        partners = [self.members[name] for name, _ in spec["partners"]]
        self._events(project, plan, lead, self.deciders[spec["site"]])
        for review in [*plan.reviews, plan.pending]:
            if review is not None:
                self._review_extras(project, review, lead, partners)
        self._updates(project, plan, lead, partners)
        self._milestones_and_ticks(project, plan, lead, partners)
        self._notifications(project, plan, lead, partners, self.deciders[spec["site"]])

    def _events(self, project: Project, plan: Plan, lead: User, decider: User) -> None:
        for event in plan.events:
            review = self.review_rows.get(id(event.review)) if event.review else None
            self.rows["stage_events"].append(
                StageEvent(
                    project_id=project.id,
                    from_stage=event.from_stage,
                    to_stage=event.to_stage,
                    from_status=event.from_status,
                    to_status=event.to_status,
                    actor_id=(decider if event.by_manager else lead).id,
                    at=event.at,
                    note=event.note,
                    gate_review_id=review.id if review else None,
                )
            )

    def _review_extras(self, project: Project, review: Review, lead, partners) -> None:
        row = self.review_rows[id(review)]
        if review.condition:
            self.rows["gate_conditions"].append(
                GateCondition(
                    gate_review_id=row.id,
                    project_id=project.id,
                    text=review.condition,
                    done_at=review.condition_done_at,
                    done_by_id=lead.id,
                )
            )
        until = review.decided_at or self.now
        confirming = partners[: round(len(partners) * review.confirm_share)]
        if review.decided_at:
            confirming = [p for p in partners if self.rng.random() < review.confirm_share]
        for member in confirming:
            self.rows["gate_confirmations"].append(
                GateConfirmation(
                    gate_review_id=row.id,
                    organization_id=member.organization_id,
                    user_id=member.id,
                    confirmed_at=review.requested_at
                    + (until - review.requested_at) * self.rng.uniform(0.1, 0.9),
                )
            )
        review.confirmed_by = {m.id for m in confirming}

    def _updates(self, project: Project, plan: Plan, lead: User, partners: list[User]) -> None:
        authors = [lead, lead, *partners]
        for at, body in plan.updates:
            author = self.rng.choice(authors)
            self.rows["updates"].append(
                Update(project_id=project.id, author_id=author.id, body=body, created_at=at)
            )
            if self.now - at < timedelta(days=30):
                others = [m for m in [lead, *partners] if m is not author]
                message = f"New update on “{project.title}”."
                self._notify(others, "update_posted", message, project, at)

    def _milestones_and_ticks(self, project: Project, plan: Plan, lead, partners) -> None:
        for title, due_on, done_at in plan.milestones:
            self.rows["milestones"].append(
                Milestone(
                    project_id=project.id,
                    title=title,
                    due_on=due_on,
                    done_at=done_at,
                    created_at=plan.created_at,
                )
            )
        for stage, index, at in plan.ticks:
            ticker = self.rng.choice([lead, lead, *partners])
            self.rows["criterion_ticks"].append(
                CriterionTick(
                    project_id=project.id,
                    criterion_id=self.criteria[stage][index].id,
                    ticked_by_id=ticker.id,
                    ticked_at=at,
                )
            )

    def _notifications(self, project: Project, plan: Plan, lead, partners, decider) -> None:
        title = project.title
        if plan.pending:
            review = plan.pending
            at = review.requested_at
            stages = f"{STAGE_LABELS[review.from_stage]} → {STAGE_LABELS[review.to_stage]}"
            message = f"{lead.display_name} requests the gate {stages} for “{title}”."
            self._notify([decider], "gate_requested", message, project, at)
            waiting = [p for p in partners if p.id not in review.confirmed_by]
            message = f"Please confirm the gate request for “{title}”: {stages}."
            self._notify(waiting, "gate_confirmation", message, project, at)
        decided = [r for r in plan.reviews if r.decided_at]
        if decided and self.now - decided[-1].decided_at < RECENT:
            review = decided[-1]
            stages = f"{STAGE_LABELS[review.from_stage]} → {STAGE_LABELS[review.to_stage]}"
            message = (
                f"Gate decision for “{title}”: {DECISION_LABELS[review.decision]} ({stages}). "
                f"Reason: {review.reason}"
            )
            self._notify([lead, *partners], "gate_decided", message, project, review.decided_at)
        status_events = [e for e in plan.events if e.from_status and e.from_status != e.to_status]
        if status_events and self.now - status_events[-1].at < RECENT:
            event = status_events[-1]
            message = f"“{title}” was {STATUS_VERBS[event.to_status]}: {event.note}"
            self._notify([lead, *partners], "status_changed", message, project, event.at)

    def _notify(self, users: list[User], kind: str, message: str, project, at: datetime) -> None:
        read_at = at + timedelta(days=1) if self.now - at > READ_AFTER else None
        for user in {u.id: u for u in users}.values():
            self.rows["notifications"].append(
                Notification(
                    user_id=user.id,
                    kind=kind,
                    project_id=project.id,
                    message=message[:500],
                    created_at=at,
                    read_at=read_at,
                )
            )
