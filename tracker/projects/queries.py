"""Read side of the project pages: the filtered list, the detail page's parts, lessons."""

from dataclasses import dataclass, field, fields
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.permissions import visible_projects
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Milestone,
    Organization,
    Participation,
    Project,
    Site,
    StageEvent,
    Theme,
    Update,
    User,
    utcnow,
)
from tracker.models.base import PROJECT_KINDS, STAGES, STATUSES, VISIBILITIES
from tracker.projects import figure_filters

PER_PAGE = 25
MAX_SITES = 20  # ?site= may repeat; more than this is not a real question
SORTS = {
    "activity": (_l("Recent activity"), (Project.last_activity_at.desc(), Project.id.desc())),
    "title": (_l("Title"), (sa.func.lower(Project.title), Project.id)),
    "created": (_l("Newest first"), (Project.created_at.desc(), Project.id.desc())),
    "stage_entered": (_l("Longest in stage"), (Project.stage_entered_at, Project.id)),
}


@dataclass
class ListFilters:
    """The list's filters as they appear in the URL; unusable values are ignored and named
    in problems. country … decision are the dashboard's figure filters (figure_filters.py)."""

    sites: tuple[str, ...] = ()  # ?site= repeated: projects hosted at any of them
    stage: str = ""
    status: str = ""
    theme: str = ""
    org: int | None = None
    kind: str = ""
    visibility: str = ""
    q: str = ""
    country: str = ""
    org_kind: str = ""
    reached: str = ""
    coop: str = ""
    stalled: str = ""
    completed: str = ""
    entered: str = ""
    decision: str = ""
    sort: str = "activity"
    problems: list[str] = field(default_factory=list, compare=False)

    @classmethod
    def from_args(cls, args) -> "ListFilters":
        problems = []

        def allowed(name: str, values) -> str:
            value = args.get(name, "").strip()
            if value and value not in values:
                problems.append(
                    _(
                        "The filter %(name)s=“%(value)s” is not known; it was ignored.",
                        name=name,
                        value=value[:60],
                    )
                )
            return value if value in values else ""

        org = args.get("org", "").strip()
        if org and not org.isdigit():
            problems.append(_("The organization filter must be a number; it was ignored."))
        sites = dict.fromkeys(s.strip()[:60] for s in args.getlist("site") if s.strip())
        figures, figure_problems = figure_filters.read(args)
        return cls(
            sites=tuple(sites)[:MAX_SITES],
            stage=allowed("stage", STAGES),
            status=allowed("status", STATUSES),
            theme=args.get("theme", "").strip()[:60],
            org=int(org) if org.isdigit() else None,
            kind=allowed("kind", PROJECT_KINDS),
            visibility=allowed("visibility", VISIBILITIES),
            q=args.get("q", "").strip()[:200],
            sort=allowed("sort", SORTS) or "activity",
            problems=problems + figure_problems,
            **figures,
        )

    @property
    def site(self) -> str:
        """The one site chosen (for the site select); empty when none or several."""
        return self.sites[0] if len(self.sites) == 1 else ""

    def as_args(self, **override) -> dict:
        """Non-empty filters as URL arguments (for links that keep the current filters)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values = {"site": list(values.pop("sites")), **values, **override}
        values.pop("problems")
        return {
            k: v
            for k, v in values.items()
            if v not in ("", None, []) and (k, v) != ("sort", "activity")
        }

    @property
    def active(self) -> bool:
        return bool(self.as_args(sort="activity"))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_match(q: str, *columns) -> sa.ColumnElement:
    pattern = _like(q)
    return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))


def filtered_projects(user, f: ListFilters) -> sa.Select:
    """visible_projects(user) narrowed by the filters, sorted, with names eager-loaded."""
    query = visible_projects(user).where(*figure_filters.conditions(f))
    if f.sites:
        site_ids = sa.select(Site.id).where(Site.slug.in_(f.sites))
        query = query.where(Project.site_id.in_(site_ids))
    for name in ("stage", "status", "kind", "visibility"):
        if value := getattr(f, name):
            query = query.where(getattr(Project, name) == value)
    if f.theme:
        query = query.where(Project.themes.any(Theme.slug == f.theme))
    if f.org is not None:
        query = query.where(
            sa.exists().where(
                Participation.project_id == Project.id, Participation.organization_id == f.org
            )
        )
    if f.q:
        query = query.where(text_match(f.q, Project.title, Project.summary))
    return query.options(
        joinedload(Project.site),
        joinedload(Project.lead_organization),
        selectinload(Project.themes),
    ).order_by(*SORTS[f.sort][1])


def project_page(user, f: ListFilters, page: int) -> Pagination:
    return db.paginate(filtered_projects(user, f), page=page, per_page=PER_PAGE, error_out=False)


def filter_choices() -> dict:
    """Sites, themes and organizations for the filter form (three queries)."""
    return {
        "sites": db.session.execute(sa.select(Site.slug, Site.name).order_by(Site.name)).all(),
        "themes": db.session.execute(sa.select(Theme.slug, Theme.name).order_by(Theme.name)).all(),
        "orgs": db.session.execute(
            sa.select(Organization.id, Organization.name).order_by(Organization.name)
        ).all(),
    }


# --- detail -----------------------------------------------------------------------------


# Authors and actors show only their names: raiseload("*") keeps User's eager relationships
# (organization, managed sites) from adding a query each to the detail page.


def recent_updates(project: Project, limit: int = 20) -> list[Update]:
    return db.session.scalars(
        sa.select(Update)
        .where(Update.project_id == project.id)
        .options(joinedload(Update.author).raiseload("*"))
        .order_by(Update.created_at.desc(), Update.id.desc())
        .limit(limit)
    ).all()


def milestones(project: Project, limit: int = 100) -> list[Milestone]:
    """Open ones first, by due date; then the done ones."""
    return db.session.scalars(
        sa.select(Milestone)
        .where(Milestone.project_id == project.id)
        .order_by(
            Milestone.done_at.is_not(None),
            Milestone.due_on.is_(None),
            Milestone.due_on,
            Milestone.id,
        )
        .limit(limit)
    ).all()


@dataclass
class StageSpell:
    event: StageEvent
    days: int
    current: bool


def stage_history(project: Project, now: datetime | None = None) -> list[StageSpell]:
    """Every StageEvent with the days until the next one (or until now), newest first."""
    events = db.session.scalars(
        sa.select(StageEvent)
        .where(StageEvent.project_id == project.id)
        .options(joinedload(StageEvent.actor).raiseload("*"))
        .order_by(StageEvent.at, StageEvent.id)
    ).all()
    now = now or utcnow()
    spells = []
    for index, event in enumerate(events):
        last = index + 1 == len(events)
        end = now if last else events[index + 1].at
        spells.append(StageSpell(event, max(0, (end - event.at).days), last))
    return list(reversed(spells))


def days_per_stage(spells: list[StageSpell]) -> dict[str, int]:
    totals = dict.fromkeys(STAGES, 0)
    for spell in spells:
        totals[spell.event.to_stage] += spell.days
    return totals


def audit_page(project: Project, page: int, per_page: int = 50) -> Pagination:
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.project_id == project.id)
        .options(joinedload(AuditEvent.actor).raiseload("*"))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# --- lessons ----------------------------------------------------------------------------


def _latest_stops():
    """Per project, its latest move to 'stopped' (note = the stop reason)."""
    order = (StageEvent.at.desc(), StageEvent.id.desc())
    return (
        sa.select(
            StageEvent.project_id,
            StageEvent.note,
            StageEvent.at,
            sa.func.row_number()
            .over(partition_by=StageEvent.project_id, order_by=order)
            .label("rank"),
        )
        .where(StageEvent.to_status == "stopped")
        .subquery()
    )


def lessons_page(user, q: str, page: int) -> tuple[Pagination, dict[int, tuple[str, datetime]]]:
    """Stopped projects user may see, latest stop first, with {project id: (reason, at)}."""
    stops = _latest_stops()
    query = (
        visible_projects(user)
        .where(Project.status == "stopped")
        .outerjoin(stops, sa.and_(stops.c.project_id == Project.id, stops.c.rank == 1))
        .options(joinedload(Project.site), joinedload(Project.lead_organization))
        .order_by(stops.c.at.desc().nulls_last(), Project.id.desc())
    )
    if q:
        query = query.where(text_match(q, Project.title, Project.summary, stops.c.note))
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    ids = [p.id for p in pagination.items]
    reasons = {}
    if ids:
        rows = db.session.execute(
            sa.select(stops.c.project_id, stops.c.note, stops.c.at).where(
                stops.c.rank == 1, stops.c.project_id.in_(ids)
            )
        )
        reasons = {pid: (note, at) for pid, note, at in rows}
    return pagination, reasons


def user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    return dict(rows.tuples().all())
