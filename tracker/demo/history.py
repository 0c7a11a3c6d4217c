"""Rows for the planned demo history: gate reviews, stage events, updates, ticks, notifications."""

from datetime import datetime, timedelta
from random import Random

import sqlalchemy as sa

from tracker import activity
from tracker.demo.timeline import Plan, Review
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CriterionTick,
    GateCondition,
    GateConfirmation,
    GateReview,
    Milestone,
    Notification,
    Nudge,
    Project,
    StageCriterion,
    StageEvent,
    Update,
    User,
)

RECENT = timedelta(days=120)  # older decisions and changes no longer notify anyone
READ_AFTER = timedelta(days=14)  # demo users have read what is older than this
STATUS_VERBS = {"on_hold": "put on hold", "stopped": "stopped", "active": "reactivated"}
INDEX_KEYS = {"updates": "project_id", "gate_confirmations": "gate_review_id"}
STALLED_AFTER = timedelta(days=60)  # TRACKER_STALLED_DAYS' default
NUDGE_AFTER = timedelta(days=45)
NUDGES = [
    "It has been quiet here for a while. Is the project still going? What is the next step?",
    "Could you post a short update, or tell me what is blocking you? Happy to help.",
    "Please add the next milestone or tell me whether we should put this on hold.",
]


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
    # The notifications the app would have sent then, by the same code (tracker.activity),
    # dated then and without e-mail; the older ones read.
    told = sum(writer.notifications_of(project, spec, plan) for project, spec, plan in projects)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.created_at < now - READ_AFTER)
        .values(read_at=now - READ_AFTER)
        .execution_options(synchronize_session=False)
    )
    counts = {kind: len(rows) for kind, rows in writer.rows.items()}
    counts["notifications"] = told
    counts["nudges"] = writer.nudges
    counts["gate_reviews"] = len(writer.review_rows)
    counts["pending_reviews"] = sum(1 for _, _, plan in projects if plan.pending)
    return counts


class _Writer:
    def __init__(self, members, deciders, criteria, now: datetime):
        self.members, self.deciders, self.criteria, self.now = members, deciders, criteria, now
        self.rng = Random(43)
        self.users = {u.id: u for u in [*members.values(), *deciders.values()]}
        self._index: dict[str, dict[int, list]] = {}
        self.quiet_seen = self.nudges = 0
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
        # The requesting (lead) organization confirms with its request, as the app does.
        for member in [lead, *confirming]:
            self.rows["gate_confirmations"].append(
                GateConfirmation(
                    gate_review_id=row.id,
                    organization_id=member.organization_id,
                    user_id=member.id,
                    confirmed_at=review.requested_at
                    if member is lead
                    else review.requested_at
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

    def notifications_of(self, project: Project, spec: dict, plan: Plan) -> int:
        """What tracker.activity tells of the project's recent events (flushed rows)."""
        lead, decider = self.members[spec["lead"]], self.deciders[spec["site"]]
        recent = self.now - RECENT
        quiet = {"mail": False}
        told = 0
        if plan.created_at > recent:
            added = [(self.members[n].organization, role) for n, role in spec["partners"]]
            told += activity.tell_partners_added(lead, project, added, at=plan.created_at, **quiet)
        for update in self.rows_of("updates", project.id):
            if update.created_at > self.now - timedelta(days=30):
                author = self.users[update.author_id]
                told += activity.tell_update_posted(author, project, at=update.created_at, **quiet)
        for review in [*plan.reviews, plan.pending]:
            if review is None or (review.decided_at or self.now) < recent:
                continue
            row = self.review_rows[id(review)]
            told += activity.tell_gate_requested(
                lead, project, row, at=review.requested_at, **quiet
            )
            for confirmation in self.rows_of("gate_confirmations", row.id):
                if confirmation.organization_id != lead.organization_id:
                    by = self.users[confirmation.user_id]
                    name = by.organization.name
                    at = confirmation.confirmed_at
                    told += activity.tell_gate_confirmed(by, project, row, name, at=at, **quiet)
            if review.decided_at:
                told += activity.tell_gate_decided(
                    decider, project, row, at=review.decided_at, **quiet
                )
        told += self._nudge(project, plan, decider)
        for event in plan.events:
            if event.from_status and event.from_status != event.to_status and event.at > recent:
                verb = STATUS_VERBS[event.to_status]
                told += activity.tell_status_changed(
                    decider, project, verb, event.note, at=event.at, **quiet
                )
        return told

    def _nudge(self, project: Project, plan: Plan, decider: User) -> int:
        """Every other project quiet for over STALLED_AFTER (the first, third, ...) was nudged
        by its site's manager, still unanswered: the managers' homes show nudged and
        not-yet-nudged stalled projects."""
        quiet = plan.status == "active" and plan.stage != "market"
        at = plan.last_activity_at + NUDGE_AFTER
        if not quiet or self.now - plan.last_activity_at < STALLED_AFTER or at > self.now:
            return 0
        self.quiet_seen += 1
        if self.quiet_seen % 2 == 0:
            return 0
        text = NUDGES[self.quiet_seen // 2 % len(NUDGES)]
        nudge = Nudge(project_id=project.id, sent_by_id=decider.id, message=text, created_at=at)
        db.session.add(nudge)
        db.session.flush()
        db.session.add(
            AuditEvent(
                actor_id=decider.id,
                action="project_nudged",
                object_type="nudge",
                object_id=nudge.id,
                project_id=project.id,
                at=at,
                changes={"message": [None, text]},
            )
        )
        self.nudges += 1
        return activity.tell_nudge(decider, project, text, at=at, mail=False)

    def rows_of(self, kind: str, key: int) -> list:
        """The rows of kind by project id (updates) or gate review id (confirmations)."""
        if kind not in self._index:
            index: dict[int, list] = {}
            for row in self.rows[kind]:
                index.setdefault(getattr(row, INDEX_KEYS[kind]), []).append(row)
            self._index[kind] = index
        return self._index[kind].get(key, [])
