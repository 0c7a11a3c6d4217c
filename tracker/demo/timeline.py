"""A believable, deterministic history for each demo project, planned before any row exists."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

from tracker.demo.data import DEFAULT_CRITERIA, GATE_DECISIONS_REASONS, MILESTONES, UPDATES
from tracker.models.base import STAGES, next_stage

# data.py calls an active project stalled when it has sat in develop or test this long.
STALLED_IN_STAGE_DAYS = 300
# One per conditional-go reason in data.py, in the same order.
CONDITIONS = [
    "Complete the data-protection impact assessment",
    "Written confirmation of the test site by the pilot customer",
    "Operations budget agreed by all partners",
]
EVIDENCE = {
    "develop": [
        "Prototype demonstrated to all partners; the data-sharing agreement is signed.",
        "Problem statement agreed and a baseline model evaluated on partner data.",
        "Demo held at the site's partner meeting; the pilot customer wants to test it.",
    ],
    "test": [
        "The pilot ran for three months at the test site and met the agreed metrics.",
        "Evaluation report delivered; operating costs are within the business case.",
        "Pilot customer confirmed it will pay for the service after the test.",
    ],
}
RESUME_NOTES = [
    "Funding for the next phase confirmed; work resumes.",
    "The new project team is in place; back to active.",
    "The regulatory opinion is positive; the project continues.",
]
MILESTONE_WINDOWS = {"develop": (0, 6), "test": (3, 10), "market": (6, 12)}


@dataclass
class Review:
    from_stage: str
    to_stage: str
    requested_at: datetime
    evidence: str
    decision: str = "pending"
    decided_at: datetime | None = None
    reason: str = ""
    condition: str | None = None
    condition_done_at: datetime | None = None
    confirm_share: float = 0.8  # share of partner organizations that confirmed
    confirmed_by: set[int] = field(default_factory=set)  # user ids, filled in when written


@dataclass
class Event:
    from_stage: str | None
    to_stage: str
    from_status: str | None
    to_status: str
    at: datetime
    note: str
    review: Review | None = None
    by_manager: bool = True


@dataclass
class Plan:
    created_at: datetime
    stage: str = "develop"
    status: str = "active"
    stage_entered_at: datetime | None = None
    launched_on: date | None = None
    last_activity_at: datetime | None = None
    stalled: bool = False
    pending: Review | None = None
    events: list[Event] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    updates: list[tuple[datetime, str]] = field(default_factory=list)
    milestones: list[tuple[str, date, datetime | None]] = field(default_factory=list)
    ticks: list[tuple[str, int, datetime]] = field(default_factory=list)

    @property
    def status_event(self) -> Event | None:
        """The event that put the project in its current non-active status."""
        return self.events[-1] if self.status != "active" else None


def plan_project(path: dict, rng: Random, now: datetime) -> Plan:
    """Stage entries, gate reviews, status changes and activity consistent with path."""
    created = now - timedelta(days=path["started_days_ago"], hours=rng.randint(0, 10))
    plan = Plan(created_at=created)
    plan.events.append(Event(None, "develop", None, "active", created, "Project created", None))
    plan.events[0].by_manager = False
    _advance(plan, path["days_in_stages"], rng)
    in_stage_days = (now - plan.stage_entered_at).days
    plan.stalled = (
        path["status"] == "active"
        and plan.stage != "market"
        and not path["pending_gate"]
        and in_stage_days >= STALLED_IN_STAGE_DAYS
    )
    end = _status_change(plan, path, rng, now)
    if path["pending_gate"]:
        asked = now - timedelta(days=rng.randint(1, 24), hours=rng.randint(0, 20))
        asked = max(asked, plan.stage_entered_at + timedelta(hours=20))
        plan.pending = Review(plan.stage, next_stage(plan.stage), asked, path["evidence"])
        plan.pending.confirm_share = rng.choice([0.0, 0.5, 1.0])
    _finish_conditions(plan, rng, end)
    _updates(plan, rng, end)
    _ticks(plan, rng, end)
    _milestones(plan, rng, now, end)
    plan.last_activity_at = max(end, plan.pending.requested_at if plan.pending else end)
    return plan


def _advance(plan: Plan, days_in_stages: list[int], rng: Random) -> None:
    """One decided gate per completed stage, sometimes after an earlier recycle."""
    entered, stage = plan.created_at, "develop"
    for days in days_in_stages:
        target = next_stage(stage)
        leave = entered + timedelta(days=days, hours=rng.randint(0, 8))
        if days > 60 and rng.random() < 0.2:
            asked = entered + timedelta(days=days // 2)
            recycle = Review(stage, target, asked, rng.choice(EVIDENCE[stage]), "recycle")
            recycle.decided_at = asked + timedelta(days=rng.randint(3, 10))
            recycle.reason = rng.choice(GATE_DECISIONS_REASONS["recycle"])
            plan.reviews.append(recycle)
        decision = "conditional_go" if rng.random() < 0.25 else "go"
        index = rng.randrange(3)
        asked = leave - timedelta(days=rng.randint(3, 14), hours=rng.randint(0, 6))
        review = Review(stage, target, asked, rng.choice(EVIDENCE[stage]), decision, leave)
        review.reason = GATE_DECISIONS_REASONS[decision][index]
        review.condition = CONDITIONS[index] if decision == "conditional_go" else None
        plan.reviews.append(review)
        plan.events.append(Event(stage, target, "active", "active", leave, review.reason, review))
        entered, stage = leave, target
    plan.stage, plan.stage_entered_at = stage, entered
    if stage == "market":
        plan.launched_on = entered.date()


def _status_change(plan: Plan, path: dict, rng: Random, now: datetime) -> datetime:
    """Hold or stop (sometimes through a gate decision); returns when activity ended."""
    stage, entered = plan.stage, plan.stage_entered_at
    span = now - entered
    status = path["status"]
    if status == "active":
        if stage != "market" and span.days > 150 and not plan.stalled and rng.random() < 0.2:
            _hold_and_resume(plan, rng, entered, span)
        if plan.stalled:
            return max(now - timedelta(days=rng.randint(70, 160)), entered + timedelta(days=2))
        recent = now - timedelta(days=rng.randint(1, 35), hours=rng.randint(0, 12))
        return max(recent, entered + timedelta(hours=2))
    at = entered + span * rng.uniform(0.35, 0.75)
    at = max(at, entered + timedelta(days=1))
    decision = "stop" if status == "stopped" else "hold"
    note = (
        path["stop_reason"] if status == "stopped" else rng.choice(GATE_DECISIONS_REASONS["hold"])
    )
    review = None
    if stage != "market" and (at - entered).days >= 14 and rng.random() < 0.5:
        asked = at - timedelta(days=rng.randint(3, 10))
        review = Review(stage, next_stage(stage), asked, rng.choice(EVIDENCE[stage]), decision, at)
        review.reason = note
        plan.reviews.append(review)
    plan.events.append(Event(stage, stage, "active", status, at, note, review))
    plan.status = status
    return at


def _hold_and_resume(plan: Plan, rng: Random, entered: datetime, span: timedelta) -> None:
    held, resumed = entered + span * 0.2, entered + span * 0.45
    index = rng.randrange(3)
    hold_note = GATE_DECISIONS_REASONS["hold"][index]
    plan.events.append(Event(plan.stage, plan.stage, "active", "on_hold", held, hold_note))
    plan.events.append(
        Event(plan.stage, plan.stage, "on_hold", "active", resumed, RESUME_NOTES[index])
    )


def _finish_conditions(plan: Plan, rng: Random, end: datetime) -> None:
    """Conditions of a conditional go were met soon after, and before any later request."""
    requests = [r.requested_at for r in [*plan.reviews, plan.pending] if r is not None]
    for review in plan.reviews:
        if review.condition:
            limit = min([end, *(at for at in requests if at > review.decided_at)])
            done = review.decided_at + timedelta(days=rng.randint(5, 30))
            review.condition_done_at = min(done, max(limit, review.decided_at) - timedelta(hours=1))
            review.condition_done_at = max(review.condition_done_at, review.decided_at)


def _updates(plan: Plan, rng: Random, end: datetime) -> None:
    count = rng.randint(2, 5)
    texts = rng.sample(UPDATES, count)
    start = plan.created_at + timedelta(days=1)
    last = end if plan.status == "active" else end - timedelta(hours=rng.randint(6, 72))
    last = max(last, start)
    times = sorted(start + (last - start) * rng.uniform(0.05, 0.95) for _ in range(count - 1))
    plan.updates = list(zip([*times, last], texts, strict=True))


def _ticks(plan: Plan, rng: Random, end: datetime) -> None:
    """Earlier stages fully ticked; the current stage partly (fully when a gate is pending)."""
    entries = [e.at for e in plan.events if e.from_stage != e.to_stage]  # creation, gates
    current = STAGES.index(plan.stage)
    for position, stage in enumerate(STAGES[: current + 1]):
        # Market, the last stage, has no exit criteria; its draws stay (as for the three it
        # once had) so every later random choice of the demo is as it was.
        total = len(DEFAULT_CRITERIA.get(stage, ())) or 3
        if position < current:
            count, start, stop = total, entries[position], entries[position + 1]
        else:
            start, stop = plan.stage_entered_at, end
            if plan.pending:
                count = total if rng.random() < 0.7 else total - 1
            elif plan.stage == "market":
                count = rng.randint(1, total)
            else:
                count = rng.randint(0, total - 1)
        for index in sorted(rng.sample(range(total), count)):
            at = start + (stop - start) * rng.uniform(0.1, 0.8)
            if stage in DEFAULT_CRITERIA:
                plan.ticks.append((stage, index, at))


def _milestones(plan: Plan, rng: Random, now: datetime, end: datetime) -> None:
    low, high = MILESTONE_WINDOWS[plan.stage]
    picks = sorted(rng.sample(range(low, high), rng.randint(1, 3)))
    horizon = now + timedelta(days=120)
    for number, index in enumerate(picks, start=1):
        due = plan.created_at + (horizon - plan.created_at) * number / (len(picks) + 1)
        done = None
        if due < end and rng.random() < 0.85:
            done = max(plan.created_at, due - timedelta(days=rng.randint(0, 10)))
        plan.milestones.append((MILESTONES[index], due.date(), done))
