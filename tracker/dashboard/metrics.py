"""The pipeline figures of design.md §6, each one SQL aggregation over the scoped projects."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from tracker.boards.filters import stalled_clause
from tracker.dashboard.periods import Period, parse_period
from tracker.extensions import db
from tracker.models import Organization, Participation, Project, StageEvent
from tracker.models.directory import organization_sites
from tracker.models.project import project_themes

DECIDED = ("go", "conditional_go", "recycle", "hold", "stop")
# The participant dimensions counted per project; /projects filters on the same columns.
PARTICIPANT_COLUMNS = {"kind": Organization.kind, "country": Organization.country}
COOPERATION_FLAGS = ("startup", "research", "cross_site", "cross_country")


@dataclass(frozen=True)
class Scope:
    """Which projects the figures cover (site ids None: every site) and the event period."""

    site_ids: tuple[int, ...] | None = None
    theme_id: int | None = None
    period: Period = field(default_factory=lambda: parse_period("all"))


def project_conditions(scope: Scope) -> list:
    conditions = []
    if scope.site_ids is not None:
        conditions.append(Project.site_id.in_(scope.site_ids))
    if scope.theme_id is not None:
        conditions.append(
            sa.exists().where(
                project_themes.c.project_id == Project.id,
                project_themes.c.theme_id == scope.theme_id,
            )
        )
    return conditions


def stage_entry():
    """A StageEvent that moved the project into a stage (not a status change within one)."""
    return sa.or_(StageEvent.from_stage.is_(None), StageEvent.from_stage != StageEvent.to_stage)


def in_period(column, period: Period) -> list:
    if not period.bounded:
        return []
    return [column >= period.start, column < period.end]


# --- counts over projects ---------------------------------------------------------------


def stage_status_counts(scope: Scope) -> dict[tuple[str, str], int]:
    query = (
        sa.select(Project.stage, Project.status, sa.func.count())
        .where(*project_conditions(scope))
        .group_by(Project.stage, Project.status)
    )
    return {(stage, status): n for stage, status, n in db.session.execute(query)}


def site_stage_counts(scope: Scope) -> dict[tuple[int, str], int]:
    query = (
        sa.select(Project.site_id, Project.stage, sa.func.count())
        .where(*project_conditions(scope))
        .group_by(Project.site_id, Project.stage)
    )
    return {(site_id, stage): n for site_id, stage, n in db.session.execute(query)}


def theme_counts(scope: Scope) -> dict[int, int]:
    query = (
        sa.select(project_themes.c.theme_id, sa.func.count(sa.distinct(Project.id)))
        .join(Project, Project.id == project_themes.c.project_id)
        .where(*project_conditions(scope))
        .group_by(project_themes.c.theme_id)
    )
    return dict(db.session.execute(query).tuples().all())


def participant_counts(scope: Scope) -> dict[str, dict[str, int]]:
    """Projects with at least one participant of each organization kind, and of each country."""

    def per(column, label: str) -> sa.Select:
        return (
            sa.select(
                sa.literal(label).label("dimension"),
                sa.cast(column, sa.String).label("value"),
                sa.func.count(sa.distinct(Project.id)).label("n"),
            )
            .join(Participation, Participation.project_id == Project.id)
            .join(Organization, Organization.id == Participation.organization_id)
            .where(*project_conditions(scope))
            .group_by(column)
        )

    query = sa.union_all(*(per(column, name) for name, column in PARTICIPANT_COLUMNS.items()))
    counts: dict[str, dict[str, int]] = {"kind": {}, "country": {}}
    for dimension, value, n in db.session.execute(query):
        counts[dimension][value] = n
    return counts


def participant_exists(dimension: str, value: str) -> sa.Exists:
    """A participant (any role, lead included) whose kind or country is value."""
    return (
        sa.select(Participation.id)
        .join(Organization, Organization.id == Participation.organization_id)
        .where(
            Participation.project_id == Project.id,
            PARTICIPANT_COLUMNS[dimension] == value,
        )
        .exists()
    )


def _participant_exists(org_kind: str, role: str):
    return (
        sa.select(Participation.id)
        .join(Organization, Organization.id == Participation.organization_id)
        .where(
            Participation.project_id == Project.id,
            sa.or_(Organization.kind == org_kind, Participation.role == role),
        )
        .exists()
    )


def _distinct_among_participants(column, *joins) -> sa.ScalarSelect:
    query = sa.select(sa.func.count(sa.distinct(column))).select_from(Participation)
    for target, on in joins:
        query = query.join(target, on)
    return query.where(Participation.project_id == Project.id).scalar_subquery()


def project_flags() -> dict:
    """Per-project yes/no conditions that the summary sums up (also used by the links)."""
    entered = sa.select(StageEvent.id).where(StageEvent.project_id == Project.id)
    return {
        "reached_test": sa.or_(
            Project.stage.in_(("test", "market")),
            entered.where(StageEvent.to_stage.in_(("test", "market"))).exists(),
        ),
        "reached_market": sa.or_(
            Project.stage == "market", entered.where(StageEvent.to_stage == "market").exists()
        ),
        "startup": _participant_exists("startup", "startup"),
        "research": _participant_exists("research_institution", "research_partner"),
        "cross_site": _distinct_among_participants(
            organization_sites.c.site_id,
            (
                organization_sites,
                organization_sites.c.organization_id == Participation.organization_id,
            ),
        )
        >= 2,
        "cross_country": _distinct_among_participants(
            Organization.country, (Organization, Organization.id == Participation.organization_id)
        )
        >= 2,
        "stalled": stalled_clause(_stalled_days()),  # the board's stalled badge, too
    }


def project_flag(name: str) -> sa.ColumnElement[bool]:
    """One of project_flags() (reached_test, startup, stalled, ...) as a WHERE condition."""
    return project_flags()[name]


def _stalled_days() -> int:
    return int(current_app.config.get("TRACKER_STALLED_DAYS", 60))


def summary(scope: Scope) -> dict[str, int]:
    """Total, funnel, cooperation mix and stalled count in one pass over the projects."""
    flags = project_flags()
    columns = [sa.func.count().label("total")] + [
        sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0).label(name)
        for name, condition in flags.items()
    ]
    query = sa.select(*columns).select_from(Project).where(*project_conditions(scope))
    row = db.session.execute(query).one()
    return {name: int(value or 0) for name, value in row._mapping.items()}
