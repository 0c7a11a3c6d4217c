"""Event-based figures: time in stage, throughput per quarter, gate decisions and turnaround."""

import sqlalchemy as sa

from tracker.dashboard import sql
from tracker.dashboard.metrics import DECIDED, Scope, in_period, in_scope, stage_entry
from tracker.dashboard.periods import Period, Quarter
from tracker.extensions import db
from tracker.models import GateReview, Project, StageEvent
from tracker.models.base import STAGES

THROUGHPUT_QUARTERS = 8


def stays(scope: Scope, whole: bool = False) -> sa.Subquery:
    """Completed stays: each stage entry up to the project's next stage entry.

    The window runs over entries only, so a hold or reactivation inside a stage does not cut
    the stay short. A stay belongs to the period in which it ended. whole: its length in
    whole days (the dashboard's kept histograms), else in fractional days.
    """
    days = sql.whole_days if whole else sql.days_between
    left_at = sa.func.lead(StageEvent.at).over(
        partition_by=StageEvent.project_id, order_by=(StageEvent.at, StageEvent.id)
    )
    entries = (
        sa.select(
            StageEvent.project_id,
            StageEvent.to_stage.label("stage"),
            StageEvent.at.label("entered_at"),
            left_at.label("left_at"),
        )
        .where(stage_entry(), *in_scope(StageEvent.project_id, scope))
        .subquery()
    )
    return (
        sa.select(
            entries.c.project_id,
            entries.c.stage,
            entries.c.left_at,
            days(entries.c.left_at, entries.c.entered_at).label("days"),
        )
        .where(entries.c.left_at.is_not(None), *in_period(entries.c.left_at, scope.period))
        .subquery()
    )


def completed_stay_projects(stage: str, period: Period) -> sa.Select:
    """Ids of projects with a completed stay in stage that ended in period (time in stage)."""
    completed = stays(Scope(period=period))
    return sa.select(completed.c.project_id).where(completed.c.stage == stage)


def time_in_stage(scope: Scope, whole: bool = False) -> dict[str, dict]:
    """Per stage: the number of completed stays, their median and p90 in days (of whole
    days each with whole=True)."""
    completed = stays(scope, whole)
    query = sql.quantiles(completed, completed.c.stage, completed.c.days, sql.MEDIAN, sql.P90)
    result = {stage: {"n": 0, "median": None, "p90": None} for stage in STAGES}
    for stage, n, median, p90 in db.session.execute(query):
        result[stage] = {"n": int(n), "median": float(median), "p90": float(p90)}
    return result


def entries_into(*stages: str) -> list:
    """StageEvents that moved a project into one of stages (throughput counts these)."""
    return [stage_entry(), StageEvent.to_stage.in_(stages)]


def entry_exists(stage: str, period: Period) -> sa.Exists:
    """The project entered stage within period (the throughput chart's definition)."""
    return sa.exists().where(
        StageEvent.project_id == Project.id,
        *entries_into(stage),
        *in_period(StageEvent.at, period),
    )


def throughput(
    scope: Scope, quarters: list[Quarter], projects: bool = False
) -> dict[str, dict[str, int]]:
    """Entries into test and into market per calendar quarter, zeros filled. projects: also
    on how many projects ("test_projects", "market_projects"), in the same statement."""
    bucket = sa.case(
        *((sa.and_(StageEvent.at >= q.start, StageEvent.at < q.end), q.key) for q in quarters),
        else_=None,
    ).label("quarter")
    query = (
        sa.select(
            bucket,
            StageEvent.to_stage,
            sa.func.count(),
            sa.func.count(sa.distinct(StageEvent.project_id)),
        )
        .where(
            *entries_into("test", "market"),
            StageEvent.at >= quarters[0].start,
            StageEvent.at < quarters[-1].end,
            *in_scope(StageEvent.project_id, scope),
        )
        .group_by(bucket, StageEvent.to_stage)
    )
    result = {q.key: {"test": 0, "market": 0} for q in quarters}
    if projects:
        for counts in result.values():
            counts.update(test_projects=0, market_projects=0)
    for key, stage, n, on in db.session.execute(query):
        if key in result:
            result[key][stage] = n
            if projects:
                result[key][f"{stage}_projects"] = on
    return result


def decided(decisions: tuple[str, ...], period: Period) -> list:
    """GateReviews decided (as one of decisions) within period."""
    return [
        GateReview.decision.in_(decisions),
        GateReview.decided_at.is_not(None),
        *in_period(GateReview.decided_at, period),
    ]


def decision_exists(decision: str, period: Period) -> sa.Exists:
    """A gate decision of that kind ("any": every kind) within period, as the mix counts it."""
    decisions = DECIDED if decision == "any" else (decision,)
    return sa.exists().where(GateReview.project_id == Project.id, *decided(decisions, period))


def _decided(scope: Scope) -> list:
    return [*decided(DECIDED, scope.period), *in_scope(GateReview.project_id, scope)]


def decisions(scope: Scope, whole: bool = False) -> dict:
    """The decision mix and the median days from a gate request to its decision, over the
    decisions in the period, in one statement: {"mix": {decision: n}, "n": …, "median": …}.
    whole: each turnaround in whole days."""
    days = sql.whole_days if whole else sql.days_between
    durations = (
        sa.select(
            sa.literal("all").label("grp"),
            days(GateReview.decided_at, GateReview.requested_at).label("days"),
            GateReview.decision,
            GateReview.project_id,
        )
        .where(*_decided(scope))
        .subquery()
    )
    ranks = sql.ranked(
        durations, durations.c.grp, durations.c.days, durations.c.decision, durations.c.project_id
    )
    per_decision = [
        sa.func.coalesce(sa.func.sum(sa.case((ranks.c.decision == key, 1), else_=0)), 0)
        for key in DECIDED
    ]
    # the projects those decisions were on: a figure that counts events says on how many
    projects = [
        sa.func.count(sa.distinct(sa.case((ranks.c.decision == key, ranks.c.project_id))))
        for key in DECIDED
    ]
    row = db.session.execute(
        sa.select(
            sa.func.count(),
            *sql.quantile_columns(ranks, sql.MEDIAN),
            sa.func.count(sa.distinct(ranks.c.project_id)),
            *per_decision,
            *projects,
        ).select_from(ranks)
    ).one()
    n, median, on_projects, *rest = row
    mix, per_project = rest[: len(DECIDED)], rest[len(DECIDED) :]
    return {
        "mix": {key: int(value) for key, value in zip(DECIDED, mix, strict=True)},
        "projects": {key: int(value) for key, value in zip(DECIDED, per_project, strict=True)},
        "on_projects": int(on_projects),
        "n": int(n),
        "median": None if not n else float(median),
    }
