"""The pipeline figures of design.md §6, each one SQL aggregation over the scoped projects.

No figure runs a sub-select per project: what a project's participants or history say about
it comes from one grouped pass over participations or stage events, joined to the projects
once (or, as a /projects filter, an IN over that pass).
"""

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
SUMMED = ("reached_test", "reached_market", *COOPERATION_FLAGS, "stalled")


@dataclass(frozen=True)
class Scope:
    """Which projects the figures cover (site ids None: every site) and the event period."""

    site_ids: tuple[int, ...] | None = None
    theme_id: int | None = None
    period: Period = field(default_factory=lambda: parse_period("all"))


def project_conditions(scope: Scope) -> list:
    """The scope's projects; withdrawn ones (design §16) are in no figure."""
    conditions = [Project.counted()]
    if scope.site_ids is not None:
        conditions.append(Project.site_id.in_(scope.site_ids))
    if scope.theme_id is not None:
        # An alias: statements over project_themes itself (theme counts) must not correlate it.
        themes = project_themes.alias("scope_themes")
        conditions.append(
            sa.exists().where(
                themes.c.project_id == Project.id, themes.c.theme_id == scope.theme_id
            )
        )
    return conditions


def in_scope(project_id, scope: Scope | None) -> list:
    """project_id belongs to a counted project in scope (withdrawn ones leave every count,
    design §16), for statements that do not join projects."""
    conditions = project_conditions(scope) if scope is not None else []
    counted = sa.select(Project.id).where(Project.counted(), *conditions).correlate(None)
    return [project_id.in_(counted)]


# Stop reasons are free text; the report shows them by category only. A reason's category is
# the first whose words it contains (English, German, Swedish stems, compared in lower case).
STOP_CATEGORIES = (
    ("regulation", ("permit", "regulat", "certif", "approv", "consent", "rules", "legal",
                    "genehmig", "zulassung", "tillst")),
    ("data", ("data", "daten", "records", "labelled", "imagery")),
    ("technology", ("accura", "technic", "technolog", "feasib", "noisy", "outperform",
                    "perform", "technik", "teknik", "prototype")),
    ("market", ("market", "buyer", "customer", "business case", "demand", "willingness",
                "markt", "kunde", "marknad", "kund")),
    ("funding", ("fund", "budget", "cost", "financ", "finanz", "kosten", "finansi",
                 "kostnad")),
    ("partners", ("partner", "consorti", "withdrew", "konsorti")),
)  # fmt: skip


def stage_entry():
    """A StageEvent that moved the project into a stage (not a status change within one)."""
    return sa.or_(StageEvent.from_stage.is_(None), StageEvent.from_stage != StageEvent.to_stage)


def in_period(column, period: Period) -> list:
    if not period.bounded:
        return []
    return [column >= period.start, column < period.end]


# --- per-project facts, computed once for all projects ------------------------------------


def _organization_facts() -> sa.Subquery:
    """Per organization: kind, its country as a number (equal countries, equal numbers: the
    grouped pass below compares numbers, cheaper than text), and the lowest and highest id of
    its sites (NULL without sites)."""
    return (
        sa.select(
            Organization.id,
            Organization.kind,
            sa.func.dense_rank().over(order_by=Organization.country).label("country"),
            sa.func.min(organization_sites.c.site_id).label("first_site"),
            sa.func.max(organization_sites.c.site_id).label("last_site"),
        )
        .outerjoin(organization_sites, organization_sites.c.organization_id == Organization.id)
        .group_by(Organization.id, Organization.kind, Organization.country)
        .subquery("organization_facts")
    )


def cooperation_by_project(scope: Scope | None = None) -> sa.Subquery:
    """One row per project with participants: 1 or 0 for each of COOPERATION_FLAGS.

    startup / research: a participant (lead included) of that kind, or with that role.
    cross_site / cross_country: the participants together name at least two sites /
    countries, i.e. the smallest is below the largest (organizations without sites add a
    NULL site, which MIN and MAX ignore; a country is never NULL).

    With a scope the pass reads only the scope's participations (the project ids in scope,
    then participations by project, organizations by key), not every participation of the
    network joined to every organization first.
    """

    def any_of(condition) -> sa.ColumnElement[int]:
        return sa.func.max(sa.case((condition, 1), else_=0))

    def two_or_more(column) -> sa.ColumnElement[int]:
        return sa.case((sa.func.min(column) < sa.func.max(column), 1), else_=0)

    conditions = project_conditions(scope) if scope is not None else []
    if not conditions:
        # The whole network: every participation is read anyway; organizations' facts once
        # per organization (fewer rows to join than their sites per participation).
        org = _organization_facts()
        return (
            sa.select(
                Participation.project_id,
                any_of(sa.or_(org.c.kind == "startup", Participation.role == "startup")).label(
                    "startup"
                ),
                any_of(
                    sa.or_(
                        org.c.kind == "research_institution",
                        Participation.role == "research_partner",
                    )
                ).label("research"),
                sa.case(
                    (sa.func.min(org.c.first_site) < sa.func.max(org.c.last_site), 1), else_=0
                ).label("cross_site"),
                two_or_more(org.c.country).label("cross_country"),
            )
            .join(org, org.c.id == Participation.organization_id)
            .group_by(Participation.project_id)
            .subquery("cooperation")
        )
    query = (
        sa.select(
            Participation.project_id,
            any_of(sa.or_(Organization.kind == "startup", Participation.role == "startup")).label(
                "startup"
            ),
            any_of(
                sa.or_(
                    Organization.kind == "research_institution",
                    Participation.role == "research_partner",
                )
            ).label("research"),
            two_or_more(organization_sites.c.site_id).label("cross_site"),
            two_or_more(Organization.country).label("cross_country"),
        )
        .join(Organization, Organization.id == Participation.organization_id)
        .outerjoin(organization_sites, organization_sites.c.organization_id == Organization.id)
        .where(*in_scope(Participation.project_id, scope))
        .group_by(Participation.project_id)
    )
    return query.subquery("cooperation")


def reached_by_project(scope: Scope) -> sa.Subquery:
    """One row per scoped project with an event into test or market: test 1, market 1 or 0.

    A grouped pass over the scope's projects' events (the project index of stage_events),
    instead of a list of every project of the network that ever reached test.
    """
    columns = (
        sa.literal(1).label("test"),
        sa.func.max(sa.case((StageEvent.to_stage == "market", 1), else_=0)).label("market"),
    )
    query = (
        sa.select(StageEvent.project_id, *columns)
        .where(StageEvent.to_stage.in_(("test", "market")))
        .where(*in_scope(StageEvent.project_id, scope))
        .group_by(StageEvent.project_id)
    )
    return query.subquery("reached")


def _entered(*stages: str) -> sa.ColumnElement[bool]:
    """The project has a StageEvent into one of stages (one pass over the events, not one
    look-up per project)."""
    return Project.id.in_(sa.select(StageEvent.project_id).where(StageEvent.to_stage.in_(stages)))


def _participant_exists(org_kind: str, role: str) -> sa.Exists:
    return (
        sa.select(Participation.id)
        .join(Organization, Organization.id == Participation.organization_id)
        .where(
            Participation.project_id == Project.id,
            sa.or_(Organization.kind == org_kind, Participation.role == role),
        )
        .exists()
    )


def _cooperating(flag: str) -> sa.ColumnElement[bool]:
    cooperation = cooperation_by_project()
    return Project.id.in_(sa.select(cooperation.c.project_id).where(cooperation.c[flag] == 1))


_FLAGS = {
    "reached_test": lambda: sa.or_(
        Project.stage.in_(("test", "market")), _entered("test", "market")
    ),
    "reached_market": lambda: sa.or_(Project.stage == "market", _entered("market")),
    "startup": lambda: _participant_exists("startup", "startup"),
    "research": lambda: _participant_exists("research_institution", "research_partner"),
    "cross_site": lambda: _cooperating("cross_site"),
    "cross_country": lambda: _cooperating("cross_country"),
    "stalled": lambda: stalled_clause(_stalled_days()),  # the board's stalled badge, too
}


def project_flags() -> dict:
    """Per-project yes/no conditions, as WHERE clauses for the /projects figure filters.

    project_counts() sums the same definitions: reached and stalled as they are, the
    cooperation flags from cooperation_by_project(). Here start-up and research partner are
    an EXISTS (a few index look-ups for each listed project, cheaper than the whole grouped
    pass when a list is narrowed by site); cross-site and cross-country need every
    participant of a project at once, so they are an IN over the grouped pass.
    """
    return {name: build() for name, build in _FLAGS.items()}


def project_flag(name: str) -> sa.ColumnElement[bool]:
    """One of project_flags() (reached_test, startup, stalled, ...) as a WHERE condition,
    built alone (the cross-site and cross-country statements take a while to build)."""
    return _FLAGS[name]()


def stalled_count(scope: Scope) -> int:
    """Stalled projects in scope (the board's badge): a range of ix_projects_stalled."""
    query = (
        sa.select(sa.func.count())
        .select_from(Project)
        .where(project_flag("stalled"), *project_conditions(scope))
    )
    return int(db.session.execute(query).scalar_one())


def stalled_by_site(scope: Scope) -> dict[int, int]:
    """Stalled projects in scope per site (the same range of ix_projects_stalled)."""
    query = (
        sa.select(Project.site_id, sa.func.count())
        .where(project_flag("stalled"), *project_conditions(scope))
        .group_by(Project.site_id)
    )
    return {site_id: int(n) for site_id, n in db.session.execute(query)}


def _stalled_days() -> int:
    return int(current_app.config.get("TRACKER_STALLED_DAYS", 60))


# --- counts over projects ---------------------------------------------------------------


@dataclass(frozen=True)
class ProjectCounts:
    """Per (site, stage, status): the number of projects and of each flag among them."""

    cells: dict[tuple[int, str, str], dict[str, int]]

    def _sum(self, key) -> dict:
        result: dict = {}
        for cell, counts in self.cells.items():
            result[key(cell)] = result.get(key(cell), 0) + counts["total"]
        return result

    @property
    def summary(self) -> dict[str, int]:
        """Total, funnel, cooperation mix and stalled count."""
        return {
            name: sum(counts[name] for counts in self.cells.values()) for name in ("total", *SUMMED)
        }

    @property
    def by_stage_status(self) -> dict[tuple[str, str], int]:
        return self._sum(lambda cell: (cell[1], cell[2]))

    @property
    def by_site_stage(self) -> dict[tuple[int, str], int]:
        return self._sum(lambda cell: (cell[0], cell[1]))


def project_counts(scope: Scope) -> ProjectCounts:
    """Counts by site, stage and status with the funnel, cooperation and stalled flags: one
    statement, the scope's projects joined once to their cooperation flags and once to their
    reached stages (one grouped pass each, both starting from the scope's projects).

    The reached and cooperation columns sum the same definitions as project_flags() (the
    /projects filters): reached = current stage, or an event into the stage.
    """
    cooperation = cooperation_by_project(scope)
    scoped = bool(project_conditions(scope))
    reached = reached_by_project(scope) if scoped else None

    def total_of(condition) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    if reached is not None:
        reached_test = sa.or_(Project.stage.in_(("test", "market")), reached.c.test == 1)
        reached_market = sa.or_(Project.stage == "market", reached.c.market == 1)
    else:  # the whole network: one list of the projects with such events, as /projects does
        reached_test, reached_market = project_flag("reached_test"), project_flag("reached_market")
    columns = {
        "reached_test": total_of(reached_test),
        "reached_market": total_of(reached_market),
        **{
            flag: sa.func.sum(sa.func.coalesce(cooperation.c[flag], 0))
            for flag in COOPERATION_FLAGS
        },
        "stalled": total_of(project_flag("stalled")),
    }
    query = (
        sa.select(
            Project.site_id,
            Project.stage,
            Project.status,
            sa.func.count().label("total"),
            *(column.label(name) for name, column in columns.items()),
        )
        .outerjoin(cooperation, cooperation.c.project_id == Project.id)
        .where(Project.counted(), *project_conditions(scope))
        .group_by(Project.site_id, Project.stage, Project.status)
    )
    if reached is not None:
        query = query.outerjoin(reached, reached.c.project_id == Project.id)
    cells = {}
    for row in db.session.execute(query).mappings():
        cells[(row["site_id"], row["stage"], row["status"])] = {
            name: int(row[name] or 0) for name in ("total", *SUMMED)
        }
    return ProjectCounts(cells)


def dimension_counts(scope: Scope) -> dict[str, dict]:
    """Projects per participant kind, per participant country and per theme, in one statement.

    A project counts once per value however many of its participants share it.
    """

    def per_participant(column, dimension: str) -> sa.Select:
        # COUNT(DISTINCT project): one grouped pass, no DISTINCT (project, value) sub-select
        return (
            sa.select(
                sa.literal(dimension).label("dimension"),
                sa.cast(column, sa.String).label("value"),
                sa.func.count(sa.distinct(Participation.project_id)).label("n"),
            )
            .join(Organization, Organization.id == Participation.organization_id)
            .where(*in_scope(Participation.project_id, scope))
            .group_by(column)
        )

    themes = (  # (project, theme) is the key of project_themes: no duplicates to remove
        sa.select(
            sa.literal("theme").label("dimension"),
            sa.cast(project_themes.c.theme_id, sa.String).label("value"),
            sa.func.count().label("n"),
        )
        .where(*in_scope(project_themes.c.project_id, scope))
        .group_by(project_themes.c.theme_id)
    )
    query = sa.union_all(
        *(per_participant(column, name) for name, column in PARTICIPANT_COLUMNS.items()), themes
    )
    counts: dict[str, dict] = {"kind": {}, "country": {}, "theme": {}}
    for dimension, value, n in db.session.execute(query):
        counts[dimension][int(value) if dimension == "theme" else value] = n
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
