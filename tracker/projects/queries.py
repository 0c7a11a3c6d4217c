"""Read side of the project list: filters, sort and keyset pages, filter choices; lessons.

One project's page reads from tracker/projects/detail_queries.py.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.permissions import visible_projects
from tracker.dashboard import flows, metrics, overview
from tracker.database import text_match
from tracker.directory import picker
from tracker.extensions import db
from tracker.keyset import Key, Page
from tracker.models import (
    GateReview,
    Project,
    Site,
    StageEvent,
    Theme,
)
from tracker.models.base import ALL_STATUSES, PROJECT_KINDS, STAGES, VISIBILITIES, UTCDateTime
from tracker.projects import figure_filters, filtering

PER_PAGE = 25
MAX_NUMBER = 2**31 - 1  # ids and page numbers in links: larger ones are made up
COUNT_CAP = 1000  # the list counts this far; beyond it says "more than 1,000"
MAX_SITES = 20  # ?site= may repeat; more than this is not a real question
# Each sort: its label, its key and whether it runs newest/largest first; ties go by id in the
# same direction. Every key has an index (key, id), so a page walks the index from its cursor
# and stops, whatever the number of projects.
SORTS = {
    "activity": (_l("Recent activity"), Project.last_activity_at, True),
    "title": (_l("Title"), sa.func.lower(Project.title), False),
    "created": (_l("Newest first"), Project.created_at, True),
    "stage_entered": (_l("Longest in stage"), Project.stage_entered_at, False),
}


def sort_order(sort: str, reverse: bool = False) -> tuple:
    _label, key, descending = SORTS[sort]
    if descending != reverse:
        return key.desc(), Project.id.desc()
    return key.asc(), Project.id.asc()


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
            status=allowed("status", ALL_STATUSES),
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


def _narrowed(user, f: ListFilters) -> sa.Select:
    """visible_projects(user) narrowed by the filters: no order, no loader options. The project
    filter shared with the board and the API, and the list's own: figure filters, and withdrawn
    projects only when asked for (§16)."""
    query = visible_projects(user).where(
        *filtering.conditions(
            sites=f.sites,
            stage=f.stage,
            status=f.status,
            kind=f.kind,
            visibility=f.visibility,
            theme=f.theme,
            org=f.org,
            q=f.q,
        ),
        *figure_filters.conditions(f),
    )
    if f.status != "withdrawn":
        query = query.where(Project.status != "withdrawn")
    return query


def events_on(user, f) -> str:
    """For a list opened from a figure that counts events (gate decisions, stage entries):
    how many such events the listed projects have, in the figure's own words ("19 decisions
    on 13 projects"); "" for other lists. One statement."""
    if not (f.decision or f.entered):
        return ""
    listed = _narrowed(user, f).with_only_columns(Project.id).order_by(None).subquery()
    if f.decision:
        key, period = figure_filters.split(f.decision)
        decisions = metrics.DECIDED if key == "any" else (key,)
        events = sa.select(GateReview.project_id).where(
            *flows.decided(decisions, period), GateReview.project_id.in_(sa.select(listed.c.id))
        )
    else:
        key, period = figure_filters.split(f.entered)
        events = sa.select(StageEvent.project_id).where(
            *flows.entries_into(key),
            *metrics.in_period(StageEvent.at, period),
            StageEvent.project_id.in_(sa.select(listed.c.id)),
        )
    found = events.subquery()
    n, projects = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(found.c.project_id)))
    ).one()
    if f.decision:
        return overview.decisions_on(int(n), int(projects))
    return overview.entries_on(int(n), int(projects))


def _with_names(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(Project.site),
        joinedload(Project.lead_organization),
        selectinload(Project.themes),
    )


def filtered_projects(user, f: ListFilters) -> sa.Select:
    """visible_projects(user) narrowed by the filters, sorted, with names eager-loaded."""
    return _with_names(_narrowed(user, f)).order_by(*sort_order(f.sort))


# --- pages: keyset on (sort key, id) ----------------------------------------------------------


class BadCursor(ValueError):
    """A page link whose cursor cannot be read, or that belongs to another sort."""


@dataclass(frozen=True)
class Cursor:
    """A position in one sort: the sort key and id of a row, and the number of the page that
    the link leads to (shown as "page N"; it may be off by a page after others' edits)."""

    sort: str
    key: datetime | str
    id: int
    number: int

    def encode(self) -> str:
        key = self.key.isoformat() if isinstance(self.key, datetime) else self.key
        raw = json.dumps([self.sort, key, self.id, self.number], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, sort: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            cursor_sort, key, ident, number = json.loads(raw)
            if cursor_sort not in SORTS or not isinstance(key, str):
                raise ValueError(cursor_sort)
            if not all(isinstance(n, int) and 0 < n <= MAX_NUMBER for n in (ident, number)):
                raise ValueError(ident)
            if cursor_sort != "title":
                key = datetime.fromisoformat(key)
                if key.tzinfo is None:  # every stored time is UTC; a naive one was made up
                    raise ValueError(key)
        except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as error:
            raise BadCursor(text) from error
        if cursor_sort != sort:
            raise BadCursor(text)
        return cls(cursor_sort, key, ident, number)


@dataclass
class ListPage:
    """One page of the list, its neighbours' cursors and the (capped) number of matches."""

    items: list[Project]
    number: int
    total: int  # exact, or the cap + 1 when capped
    capped: bool  # more than COUNT_CAP match; total says no more
    next_cursor: str | None = None
    prev_cursor: str | None = None


def _beyond(sort: str, cursor: Cursor, forward: bool) -> sa.ColumnElement:
    """Rows after the cursor's row in the sort (forward) or before it. Written as
    key <= v AND (key < v OR id < i), not as a row value, so both databases range-scan the
    (key, id) index from v."""
    _label, key, descending = SORTS[sort]
    if descending == forward:
        return sa.and_(key <= cursor.key, sa.or_(key < cursor.key, Project.id < cursor.id))
    return sa.and_(key >= cursor.key, sa.or_(key > cursor.key, Project.id > cursor.id))


def count_capped(query: sa.Select, cap: int | None) -> int:
    """How many rows query has, reading at most cap + 1 of them (None: all)."""
    ids = query.with_only_columns(Project.id).order_by(None)
    if cap is not None:
        ids = ids.limit(cap + 1)
    return db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery()))


def project_page(
    user,
    f: ListFilters,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    page: int = 1,
    count_all: bool = False,
) -> ListPage:
    """The page after the cursor `after`, before the cursor `before`, or else number `page`
    (OFFSET: kept for old links; the page's own links are cursors). Two statements for the
    rows (page, themes) and one for the count, whatever the page and the number of projects."""
    narrowed = _narrowed(user, f)
    _label, key, _descending = SORTS[f.sort]
    query = _with_names(narrowed).add_columns(key.label("sort_key")).limit(PER_PAGE + 1)
    backwards = before is not None
    if after is not None:
        query, number = query.where(_beyond(f.sort, after, True)), after.number
    elif before is not None:
        query, number = query.where(_beyond(f.sort, before, False)), before.number
    else:
        number = min(max(1, page), MAX_NUMBER // PER_PAGE)
        query = query.offset((number - 1) * PER_PAGE)
    rows = db.session.execute(query.order_by(*sort_order(f.sort, reverse=backwards))).all()
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    if backwards:
        rows.reverse()
        if not more:
            number = 1  # back at the start, whatever the link said
    earlier = more if backwards else (after is not None or number > 1)
    later = True if backwards else more
    cap = None if count_all else COUNT_CAP
    total = count_capped(narrowed, cap)
    result = ListPage(
        items=[project for project, _key in rows],
        number=number,
        total=total,
        capped=cap is not None and total > cap,
    )
    if rows and later:
        last, last_key = rows[-1]
        result.next_cursor = Cursor(f.sort, last_key, last.id, number + 1).encode()
    if rows and earlier:
        first, first_key = rows[0]
        result.prev_cursor = Cursor(f.sort, first_key, first.id, max(1, number - 1)).encode()
    return result


def cursor_of_page(user, f: ListFilters, number: int) -> str | None:
    """The cursor of page number (the last row of the page before it), for old ?page=N
    links; None when that page has no row. One statement (the page before's last row and the
    page's first), an OFFSET once per old link."""
    if number < 2 or number > MAX_NUMBER // PER_PAGE:
        return None
    _label, key, _descending = SORTS[f.sort]
    query = (
        _narrowed(user, f)
        .with_only_columns(Project.id, key.label("sort_key"))
        .order_by(*sort_order(f.sort))
        .offset((number - 1) * PER_PAGE - 1)
        .limit(2)
    )
    rows = db.session.execute(query).all()
    if len(rows) < 2:
        return None
    return Cursor(f.sort, rows[0].sort_key, rows[0].id, number).encode()


def filter_choices(org_id: int | None = None) -> dict:
    """Sites and themes for the filter form, and the chosen organization for its picker
    (design §16: a search box, not a list of the whole directory)."""
    return {
        "sites": db.session.execute(sa.select(Site.slug, Site.name).order_by(Site.name)).all(),
        "themes": db.session.execute(sa.select(Theme.slug, Theme.name).order_by(Theme.name)).all(),
        "org": picker.by_ids([org_id]).get(org_id) if org_id else None,
    }


# --- lessons ----------------------------------------------------------------------------


def latest_stops():
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


NEVER_STOPPED = datetime(1970, 1, 1, tzinfo=UTC)  # a stopped project without a stop event


def lessons_query(user, q: str) -> tuple[sa.Select, tuple[Key, Key]]:
    """Stopped projects user may see, each with its latest stop's note and time, and the
    order they page by: latest stop first (none: last), then id."""
    stops = latest_stops()
    query = (
        visible_projects(user)
        .where(Project.status == "stopped")
        .outerjoin(stops, sa.and_(stops.c.project_id == Project.id, stops.c.rank == 1))
        .options(joinedload(Project.site), joinedload(Project.lead_organization))
    )
    if q:
        query = query.where(text_match(q, Project.title, Project.summary, stops.c.note))
    stopped_at = sa.func.coalesce(stops.c.at, sa.literal(NEVER_STOPPED, UTCDateTime()))
    keys = (Key(stopped_at, datetime, descending=True), Key(Project.id, int, descending=True))
    return query.add_columns(stops.c.note, stops.c.at), keys


def lessons_of(page: Page) -> tuple[list[Project], dict[int, tuple[str, datetime]]]:
    """A lessons page's projects and {project id: (reason, at)}, read in the page's statement."""
    reasons = {p.id: (note, at) for p, note, at in page.items if at is not None}
    return [p for p, _note, _at in page.items], reasons
