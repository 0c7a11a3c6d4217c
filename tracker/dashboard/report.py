"""The quarterly report (design.md §15): one content model for the page, the PDF and the CSV.

``build(user, quarter, site)`` returns a ``Content``: plain numbers, keys and texts typed by
people (titles, summaries, highlights), never translated labels, so the same content can be
stored as JSON when an admin publishes the quarter and shown again, unchanged, in any
language later. Labels come from the dictionaries below at rendering time.

Two editions:

- ``patron``: aggregates only, every count through tracker.disclosure (primary and secondary
  suppression, the same rule as the dashboard and the API); market entries of network
  projects with their summaries; stop reasons by category only; no partner names, no stop
  reasons, no rows standing for projects that are not named.
- ``full`` (admins, site managers and members): the same figures unsuppressed, and the lists
  of market entries, new cooperations (partner organizations named) and stops (with reasons).
  Rows on projects the reader may not open are left out of the lists and counted in
  ``not_named`` (members); figures count every project, as on the dashboard.

A published quarter is read from its snapshot (both editions, computed for an admin, for the
network and each site); a member's copy of the full edition is then narrowed to the projects
they may open, the same way.

The figures come from the dashboard's kept counts (tracker.dashboard.kept; live_event_counts
is the reference they are tested against). The page lists the first LIST_LIMIT rows of each
list and says how many more there are; the CSV and PDF files and a published snapshot hold
every row. So the page costs the same however much moved in the quarter (issue 21).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from tracker import disclosure
from tracker.auth import permissions
from tracker.auth.permissions import visible_projects
from tracker.dashboard import kept
from tracker.dashboard.flows import THROUGHPUT_QUARTERS
from tracker.dashboard.metrics import DECIDED, STOP_CATEGORIES, stage_entry
from tracker.dashboard.periods import Quarter
from tracker.database import text_match
from tracker.extensions import db
from tracker.models import GateReview, Organization, Participation, Project, Site, StageEvent
from tracker.models.base import STATUSES, utcnow
from tracker.models.directory import organization_sites
from tracker.models.report import ReportHighlight, ReportPublication
from tracker.models.summary import dashboard_counts

PATRON, FULL = "patron", "full"
ALL = disclosure.ALL
LISTS = ("market_entries", "cooperations", "stops")
# The page lists the first rows of each list of the quarter's moves (hundreds to thousands in a
# large network) and says how many more there are; the CSV and PDF files list every row.
LIST_LIMIT = 25

# The quarter's figures, in the order of the headline strip and the per-site table.
FIGURES = (
    "entered_test",
    "entered_market",
    "stopped",
    "cooperations",
    "cross_site",
    "decisions",
    "new_members",
)
SITE_FIGURES = FIGURES[:-1]  # new members are organizations of possibly several sites
FIGURE_LABELS = {
    "entered_test": _l("Entries to test"),
    "entered_market": _l("Entries to market"),
    "stopped": _l("Projects stopped"),
    "cooperations": _l("New cooperations"),
    "cross_site": _l("of them cross-site"),
    "decisions": _l("Gate decisions"),
    "new_members": _l("New member organizations"),
}
FIGURE_DEFINITIONS = {
    "cooperations": _l(
        "An organization joining a project as a partner (not as its lead) in the quarter."
    ),
    "cross_site": _l(
        "New cooperations in which the partner is not affiliated with the project's host site."
    ),
    "decisions": _l("Gate decisions taken in the quarter (a project may have several)."),
}
STOP_CATEGORY_KEYS = (*(key for key, _words in STOP_CATEGORIES), "other")
STOP_CATEGORY_LABELS = {
    "regulation": _l("Regulation and approval"),
    "data": _l("Data access"),
    "technology": _l("Technology"),
    "market": _l("Market and customers"),
    "funding": _l("Funding"),
    "partners": _l("Partners"),
    "other": _l("Other reasons"),
}
COOPERATION_KINDS = ("cross_site", "same_site")
EDITION_LABELS = {
    "patron": _l("Patron edition"),
    "admin": _l("Network office edition"),
    "site_manager": _l("Site manager edition"),
    "member": _l("Member edition"),
}
FEWER_THAN_3 = _l("fewer than 3")
WITHHELD = _l("withheld")
NOT_NAMED_LABELS = {
    "market_entries": _l("market entries"),
    "cooperations": _l("new cooperations"),
    "stops": _l("stopped projects"),
}


# --- the content model --------------------------------------------------------------------


@dataclass
class Cell:
    """One count as the reader sees it: value None when withheld; state "shown", "small"
    (a count of 1 or 2, "fewer than 3"), "withheld" (a larger one withheld so that a small
    one cannot be worked out) or "vague" ("not shown", see tracker.disclosure)."""

    value: int | None
    state: str = "shown"

    @property
    def hidden(self) -> bool:
        return self.state != "shown"

    def text(self, number=None) -> str:
        if self.hidden:
            return disclosure.state_text(self.state)
        return number(self.value) if number else str(self.value)

    @property
    def bar(self) -> float:
        return 0.0 if self.hidden or self.value is None else float(self.value)


@dataclass
class Headline:
    key: str
    current: Cell
    previous: Cell

    @property
    def change(self) -> int | None:
        if self.current.hidden or self.previous.hidden:
            return None
        return (self.current.value or 0) - (self.previous.value or 0)


@dataclass
class SiteRow:
    slug: str  # "" for the whole network
    name: str
    cells: dict[str, Cell]


@dataclass
class Content:
    edition: str  # PATRON or FULL
    reader: str  # "patron", "admin", "site_manager" or "member": names the cover's edition
    quarter: str
    previous: str
    site_slug: str
    site_name: str  # "" for the whole network
    generated_at: str  # ISO 8601, UTC
    published_at: str | None = None
    headline: list[Headline] = field(default_factory=list)
    sites: list[SiteRow] = field(default_factory=list)
    funnel: list[dict] = field(default_factory=list)  # {"key", "n": Cell}
    throughput: list[dict] = field(default_factory=list)  # {"quarter", "test": Cell, ...}
    decisions: list[dict] = field(default_factory=list)  # {"key", "n": Cell}
    stop_categories: list[dict] = field(default_factory=list)  # {"key", "n": Cell}
    market_entries: list[dict] = field(default_factory=list)
    cooperations: list[dict] = field(default_factory=list)
    stops: list[dict] = field(default_factory=list)
    not_named: dict[str, int] = field(default_factory=dict)
    # rows the reader may open that the page does not list (the files list them all)
    more: dict[str, int] = field(default_factory=dict)
    highlights: list[dict] = field(default_factory=list)

    @property
    def patron(self) -> bool:
        return self.edition == PATRON

    @property
    def market_entries_withheld(self) -> bool:
        """The patron edition leaves the list out when the count of market entries is withheld."""
        return self.patron and self.headline_of("entered_market").current.hidden

    @property
    def quarter_obj(self) -> Quarter:
        return Quarter.parse(self.quarter)

    @property
    def generated(self) -> datetime:
        return datetime.fromisoformat(self.generated_at)

    @property
    def published(self) -> datetime | None:
        return datetime.fromisoformat(self.published_at) if self.published_at else None

    @property
    def scope_name(self) -> str:
        return self.site_name or _("Whole network")

    @property
    def edition_label(self) -> str:
        return str(EDITION_LABELS[self.reader])

    @property
    def title(self) -> str:
        return _(
            "Quarterly progress report %(quarter)s · %(site)s",
            quarter=self.quarter_obj.label,
            site=self.scope_name,
        )

    def headline_of(self, key: str) -> Headline:
        return next(item for item in self.headline if item.key == key)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Content:
        def cell(raw) -> Cell:
            return Cell(raw["value"], raw["state"])

        def cells_in(row: dict) -> dict:
            return {
                k: cell(v) if isinstance(v, dict) and "state" in v else v for k, v in row.items()
            }

        data = dict(data)
        data["headline"] = [
            Headline(h["key"], cell(h["current"]), cell(h["previous"])) for h in data["headline"]
        ]
        data["sites"] = [
            SiteRow(s["slug"], s["name"], {k: cell(v) for k, v in s["cells"].items()})
            for s in data["sites"]
        ]
        for name in ("funnel", "throughput", "decisions", "stop_categories"):
            data[name] = [cells_in(row) for row in data[name]]
        return cls(**data)


# --- reading the data ---------------------------------------------------------------------


def _counted() -> sa.ColumnElement[bool]:
    """Projects every count includes (withdrawn ones leave every count, design §16)."""
    return Project.status.in_(STATUSES)


def _bucket(column, quarters: list[Quarter]) -> sa.ColumnElement:
    return sa.case(
        *((sa.and_(column >= q.start, column < q.end), q.key) for q in quarters), else_=None
    )


def stop_category() -> sa.ColumnElement[str]:
    """The category of a stop's reason (StageEvent.note), in SQL: the first whose words it
    contains, else "other"."""
    text = sa.func.coalesce(StageEvent.note, "")
    return sa.case(
        *(
            (sa.or_(*(text_match(word, text) for word in words)), key)
            for key, words in STOP_CATEGORIES
        ),
        else_="other",
    )


def _site_relation() -> sa.ColumnElement[str]:
    """A participation's partner: "same_site" if the organization is at the project's host
    site, else "cross_site"."""
    return sa.case(
        (
            sa.exists().where(
                organization_sites.c.organization_id == Participation.organization_id,
                organization_sites.c.site_id == Project.site_id,
            ),
            "same_site",
        ),
        else_="cross_site",
    )


def _stopped() -> list:
    return [
        StageEvent.to_status == "stopped",
        sa.or_(StageEvent.from_status.is_(None), StageEvent.from_status != "stopped"),
    ]


def live_event_counts(quarters: list[Quarter]) -> dict:
    """Per (figure, quarter key): {(detail, site_id): n} for entries, stops (detail: the
    category), new cooperations (detail: cross_site/same_site), decisions (detail: the
    decision), new members and the moves of consortium projects (detail: market, cooperation
    or stop), from the rows themselves in one UNION ALL statement. It reads
    every stage event, partner and decision of the quarters: the reference that the kept
    counts are tested against (tests/test_dashboard_kept.py); the report reads event_counts."""
    first, end = quarters[0].start, quarters[-1].end
    event_bucket = _bucket(StageEvent.at, quarters)
    entries = (
        sa.select(
            sa.literal("entered").label("figure"),
            event_bucket.label("quarter"),
            sa.type_coerce(StageEvent.to_stage, sa.String()).label("detail"),
            Project.site_id,
            sa.func.count().label("n"),
        )
        .join(Project, Project.id == StageEvent.project_id)
        .where(stage_entry(), StageEvent.to_stage.in_(("test", "market")), _counted())
        .where(StageEvent.at >= first, StageEvent.at < end)
        .group_by(event_bucket, StageEvent.to_stage, Project.site_id)
    )
    category = stop_category()
    stops = (
        sa.select(
            sa.literal("stopped"),
            event_bucket,
            category,
            Project.site_id,
            sa.func.count(),
        )
        .join(Project, Project.id == StageEvent.project_id)
        .where(*_stopped(), _counted(), StageEvent.at >= first, StageEvent.at < end)
        .group_by(event_bucket, category, Project.site_id)
    )
    joined_bucket = _bucket(Participation.created_at, quarters)
    cross = _site_relation()
    cooperations = (
        sa.select(
            sa.literal("cooperations"), joined_bucket, cross, Project.site_id, sa.func.count()
        )
        .join(Project, Project.id == Participation.project_id)
        .where(Participation.role != "lead", _counted())
        .where(Participation.created_at >= first, Participation.created_at < end)
        .group_by(joined_bucket, cross, Project.site_id)
    )
    decided_bucket = _bucket(GateReview.decided_at, quarters)
    decisions = (
        sa.select(
            sa.literal("decisions"),
            decided_bucket,
            sa.type_coerce(GateReview.decision, sa.String()),
            Project.site_id,
            sa.func.count(),
        )
        .join(Project, Project.id == GateReview.project_id)
        .where(GateReview.decision.in_(DECIDED), GateReview.decided_at.is_not(None), _counted())
        .where(GateReview.decided_at >= first, GateReview.decided_at < end)
        .group_by(decided_bucket, GateReview.decision, Project.site_id)
    )
    members, members_network = _member_counts(quarters)
    # the moves of consortium projects (the rows some readers may not open), per kind
    private = [Project.visibility != "network", _counted()]
    consortium = [
        sa.select(
            sa.literal("consortium"),
            bucket,
            sa.literal(kind),
            Project.site_id,
            sa.func.count(),
        )
        .join(Project, Project.id == source.project_id)
        .where(*conditions, *private, at >= first, at < end)
        .group_by(bucket, Project.site_id)
        for kind, source, at, bucket, conditions in (
            (
                "market",
                StageEvent,
                StageEvent.at,
                event_bucket,
                [stage_entry(), StageEvent.to_stage == "market"],
            ),
            ("stop", StageEvent, StageEvent.at, event_bucket, _stopped()),
            (
                "cooperation",
                Participation,
                Participation.created_at,
                joined_bucket,
                [Participation.role != "lead"],
            ),
        )
    ]
    statement = sa.union_all(
        entries, stops, cooperations, decisions, members, members_network, *consortium
    )
    return _collected(db.session.execute(statement))


def _member_counts(quarters: list[Quarter]) -> tuple[sa.Select, sa.Select]:
    """New member organizations per quarter: per site, and once each for the network (an
    organization may have several sites). Read live: organizations are few."""
    member_bucket = sa.case(
        *(
            (
                sa.and_(
                    Organization.member_since >= q.first_day,
                    Organization.member_since < q.next().first_day,
                ),
                q.key,
            )
            for q in quarters
        ),
        else_=None,
    )
    members = (
        sa.select(
            sa.literal("new_members"),
            member_bucket,
            sa.literal(""),
            organization_sites.c.site_id,
            sa.func.count(),
        )
        .select_from(Organization)
        .outerjoin(organization_sites, organization_sites.c.organization_id == Organization.id)
        .where(
            Organization.member_since >= quarters[0].first_day,
            Organization.member_since < quarters[-1].next().first_day,
        )
        .group_by(member_bucket, organization_sites.c.site_id)
    )
    # Organizations counted once for the network (an organization may have several sites).
    members_network = (
        sa.select(
            sa.literal("new_members_network"),
            member_bucket,
            sa.literal(""),
            sa.literal(None, sa.Integer),
            sa.func.count(),
        )
        .where(
            Organization.member_since >= quarters[0].first_day,
            Organization.member_since < quarters[-1].next().first_day,
        )
        .group_by(member_bucket)
    )
    return members, members_network


def _collected(rows) -> dict:
    found: dict = {}
    for figure, key, detail, site_id, n in rows:
        if key is None or not n:
            continue
        table = found.setdefault((figure, key), {})
        table[(detail, site_id)] = table.get((detail, site_id), 0) + int(n)
    return found


# The kept counts' figures (tracker.dashboard.kept) that are the report's event counts.
KEPT_FIGURES = {
    "entries": "entered",
    "stops": "stopped",
    "coops": "cooperations",
    "decision": "decisions",
    "consortium": "consortium",
}


def event_counts(quarters: list[Quarter]) -> dict:
    """What live_event_counts gives, in one statement whatever the number of events: entries,
    stops, new cooperations and decisions from the dashboard's kept counts (every theme's
    rows, per site; the caller has folded them, see disclosure.pipeline_view), new members
    live."""
    c = dashboard_counts.c
    keys = [q.key for q in quarters]
    kept_rows = (
        sa.select(c.figure, c.period, c.key, c.site_id, sa.func.sum(c.n))
        .where(
            c.site_id.in_(sa.select(Site.id)),  # named, so the primary key's range is used
            c.theme_id == 0,
            c.figure.in_(KEPT_FIGURES),
            c.period.in_(keys),
        )
        .group_by(c.figure, c.period, c.key, c.site_id)
    )
    members, members_network = _member_counts(quarters)
    rows = db.session.execute(sa.union_all(kept_rows, members, members_network))
    return _collected((KEPT_FIGURES.get(figure, figure), *rest) for figure, *rest in rows)


def _sites() -> list[tuple[int, str, str]]:
    return list(db.session.execute(sa.select(Site.id, Site.slug, Site.name).order_by(Site.name)))


def _protected(found: dict, quarters: list[Quarter], site_ids: list[int], withhold: bool):
    """The quarter figures of every site and the network, through disclosure.protect: each
    table with its margins (per site and network; per detail and in total), so no withheld
    figure follows from the others."""
    tables = disclosure.Tables()
    details = {
        "stopped": STOP_CATEGORY_KEYS,
        "cooperations": COOPERATION_KINDS,
        "decisions": DECIDED,
        "entered": ("test", "market"),
    }
    for q in quarters:
        for figure, kinds in details.items():
            base = {key: n for key, n in found.get((figure, q.key), {}).items() if key[1]}
            values, relations = disclosure.cube(base, [list(kinds), site_ids])
            tables.values.update({(figure, q.key, *key): n for key, n in values.items()})
            tables.relations.extend(
                ((figure, q.key, *total), tuple((figure, q.key, *p) for p in parts))
                for total, parts in relations
            )
        # new members: per site (not additive: an organization may have several sites) and
        # once for the network; no relation ties them, each protected on its own.
        per_site = found.get(("new_members", q.key), {})
        for site_id in site_ids:
            tables.values[("new_members", q.key, site_id)] = per_site.get(("", site_id), 0)
        network = found.get(("new_members_network", q.key), {})
        tables.values[("new_members", q.key, ALL)] = sum(network.values())
    return tables.protect(withhold_small=withhold)


def _cell(found: disclosure.Disclosure, key) -> Cell:
    state = found.state(key)
    return Cell(found.value(key), state)


def _figure_key(figure: str, quarter: str, site) -> tuple:
    """Where a FIGURES entry lives in the protected tables."""
    return {
        "entered_test": ("entered", quarter, "test", site),
        "entered_market": ("entered", quarter, "market", site),
        "stopped": ("stopped", quarter, ALL, site),
        "cooperations": ("cooperations", quarter, ALL, site),
        "cross_site": ("cooperations", quarter, "cross_site", site),
        "decisions": ("decisions", quarter, ALL, site),
        "new_members": ("new_members", quarter, site),
    }[figure]


def _visible_condition(user) -> sa.ColumnElement[bool]:
    condition = visible_projects(user).whereclause
    return sa.true() if condition is None else condition


def _moves(quarter: Quarter, edition: str) -> list[sa.Select]:
    """(kind, project_id) of every move of the quarter the edition lists."""
    in_quarter = [StageEvent.at >= quarter.start, StageEvent.at < quarter.end]
    moves = [
        sa.select(sa.literal("market").label("kind"), StageEvent.project_id).where(
            stage_entry(), StageEvent.to_stage == "market", *in_quarter
        )
    ]
    if edition == FULL:
        moves += [
            sa.select(sa.literal("cooperation"), Participation.project_id).where(
                Participation.role != "lead",
                Participation.created_at >= quarter.start,
                Participation.created_at < quarter.end,
            ),
            sa.select(sa.literal("stop"), StageEvent.project_id).where(*_stopped(), *in_quarter),
        ]
    return moves


def _sizes(
    user, quarter: Quarter, site_id: int | None, edition: str, found: dict
) -> dict[str, tuple[int, int]]:
    """Per list kind: (rows, rows on projects the reader may not open) in the quarter, from
    the kept counts in found (event_counts: the moves per site, and those of consortium
    projects), less the consortium projects the reader may open anyway through their
    organization — one statement over that organization's projects only, so the page costs
    the same however many moves the quarter has."""
    key = quarter.key

    def per_site(figure: str) -> dict[tuple[str, int], int]:
        return found.get((figure, key), {})

    def in_scope(site: int) -> bool:
        return site_id is None or site == site_id

    kinds = ("market", "cooperation", "stop") if edition == FULL else ("market",)
    totals = dict.fromkeys(kinds, 0)
    for (stage, site), n in per_site("entered").items():
        if stage == "market" and in_scope(site):
            totals["market"] += n
    if edition == FULL:
        for figure, kind in (("cooperations", "cooperation"), ("stopped", "stop")):
            totals[kind] = sum(n for (_d, site), n in per_site(figure).items() if in_scope(site))
    sight = permissions.sight(user) if edition == FULL else permissions.Sight(False, True)
    hidden = dict.fromkeys(kinds, 0)
    if not sight.everything:
        for (kind, site), n in per_site("consortium").items():
            if kind in hidden and in_scope(site) and site not in sight.site_ids:
                hidden[kind] += n
        if sight.organization_id is not None and any(hidden.values()):
            # from the organization's participations to their projects, a primary key look-up
            # each (a scalar subquery: a join would read every consortium project), once for
            # the three lists
            own = aliased(Participation)
            hidden_project = (
                sa.select(Project.id)
                .where(
                    Project.id == own.project_id,
                    Project.visibility != "network",
                    _counted(),
                    *([] if site_id is None else [Project.site_id == site_id]),
                    *([Project.site_id.not_in(sight.site_ids)] if sight.site_ids else []),
                )
                .scalar_subquery()
            )
            theirs = (
                sa.select(own.project_id)
                .where(own.organization_id == sight.organization_id, hidden_project.is_not(None))
                .cte("theirs")
            )
            moves = [
                m.where(m.selected_columns[1].in_(sa.select(theirs.c.project_id)))
                for m in _moves(quarter, edition)
            ]
            move = sa.union_all(*moves).subquery("move")
            opened = sa.select(move.c.kind, sa.func.count()).group_by(move.c.kind)
            for kind, n in db.session.execute(opened):
                hidden[kind] -= int(n)
    return {kind: (totals[kind], hidden[kind]) for kind in kinds}


def _lists(
    user,
    quarter: Quarter,
    site_id: int | None,
    edition: str,
    limit: int | None = None,
    found: dict | None = None,
) -> dict:
    """Market entries, new cooperations and stops of the quarter. Columns a reader may not see
    are never selected: for the patron edition only network projects' market entries; for the
    full edition the rows of projects user may not open carry only their kind (counted in
    not_named).

    limit None: every row, in one UNION ALL statement (the PDF, the CSV, a published
    snapshot). limit N: the first N rows of each list the reader may open (by date) in one
    statement, and each list's number of rows and of rows the reader may not open from the
    kept counts in found (event_counts of the quarter, see _sizes), so the page costs the same
    however much moved; "more" says how many rows were not listed."""
    visible = _visible_condition(user) if edition == FULL else Project.visibility == "network"

    def shown(column):
        return sa.case((visible, column), else_=None)

    site = [] if site_id is None else [Project.site_id == site_id]
    in_quarter = [StageEvent.at >= quarter.start, StageEvent.at < quarter.end]
    partner = aliased(Organization)

    def columns(kind, at):
        return (
            sa.literal(kind).label("kind"),
            at.label("at"),
            visible.label("visible"),
            shown(Project.id).label("project_id"),
            shown(Project.title).label("title"),
            Site.name.label("site"),
        )

    market = (
        sa.select(
            *columns("market", StageEvent.at),
            shown(Project.summary).label("text"),
            sa.literal(None, sa.String).label("organization"),
            sa.literal(None, sa.String).label("detail"),
        )
        .join(Project, Project.id == StageEvent.project_id)
        .join(Site, Site.id == Project.site_id)
        .where(stage_entry(), StageEvent.to_stage == "market", _counted(), *in_quarter, *site)
    )
    selects = [(market, StageEvent.at)]
    if edition == FULL:
        cross = _site_relation()
        cooperations = (
            sa.select(
                *columns("cooperation", Participation.created_at),
                shown(partner.name).label("text"),
                sa.type_coerce(shown(Participation.role), sa.String()).label("organization"),
                cross.label("detail"),
            )
            .join(Project, Project.id == Participation.project_id)
            .join(Site, Site.id == Project.site_id)
            .join(partner, partner.id == Participation.organization_id)
            .where(Participation.role != "lead", _counted(), *site)
            .where(
                Participation.created_at >= quarter.start, Participation.created_at < quarter.end
            )
        )
        stops = (
            sa.select(
                *columns("stop", StageEvent.at),
                shown(StageEvent.note).label("text"),
                sa.literal(None, sa.String).label("organization"),
                sa.literal(None, sa.String).label("detail"),
            )
            .join(Project, Project.id == StageEvent.project_id)
            .join(Site, Site.id == Project.site_id)
            .where(*_stopped(), _counted(), *in_quarter, *site)
        )
        selects += [(cooperations, Participation.created_at), (stops, StageEvent.at)]
    names = {"market": "market_entries", "cooperation": "cooperations", "stop": "stops"}
    result = {"market_entries": [], "cooperations": [], "stops": []}
    not_named = {"market_entries": 0, "cooperations": 0, "stops": 0}
    more: dict[str, int] = {}
    if limit is None:
        union = sa.union_all(*(select for select, _at in selects)).subquery()
    else:
        # each list's first rows by an index range on its time (a LIMIT inside each part)
        firsts = [
            select.where(visible).order_by(at, Project.title, Project.id).limit(limit).subquery()
            for select, at in selects
        ]
        union = sa.union_all(*(sa.select(first) for first in firsts)).subquery()
        sizes = _sizes(user, quarter, site_id, edition, found or {})
        for kind, (total, hidden) in sizes.items():
            not_named[names[kind]] = hidden
            more[names[kind]] = total - hidden  # less the rows listed, below
    rows = db.session.execute(
        sa.select(union).order_by(union.c.kind, union.c.at, union.c.title, union.c.project_id)
    ).all()
    for row in rows:
        name = names[row.kind]
        if not row.visible:
            not_named[name] += 1
            continue
        item = {
            "project_id": row.project_id,
            "date": _iso_day(row.at),
            "title": row.title,
            "site": row.site,
        }
        if row.kind == "market":
            item["summary"] = row.text or ""
        elif row.kind == "cooperation":
            item.update(organization=row.text, role=row.organization, cross_site=row.detail)
            item["cross_site"] = row.detail == "cross_site"
        else:
            item.update(reason=row.text or "", category=kept.stop_category(row.text))
        result[name].append(item)
    more = {name: n - len(result[name]) for name, n in more.items() if n > len(result[name])}
    if edition == PATRON:
        not_named = {}  # never a row, nor a count, standing for a project not named
    return {
        **result,
        "not_named": {k: v for k, v in not_named.items() if v},
        "more": more,
    }


def _iso_day(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)[:10]


def _highlights(quarter: Quarter, site_id: int | None) -> list[dict]:
    query = (
        sa.select(ReportHighlight, Site.slug, Site.name)
        .join(Site, Site.id == ReportHighlight.site_id)
        .where(ReportHighlight.quarter == quarter.key, ReportHighlight.text != "")
        .order_by(Site.name)
    )
    if site_id is not None:
        query = query.where(ReportHighlight.site_id == site_id)
    return [
        {
            "site_slug": slug,
            "site": name,
            "text": highlight.text,
            "updated_at": highlight.updated_at.isoformat(),
        }
        for highlight, slug, name in db.session.execute(query)
    ]


def _reader(user) -> str:
    if permissions.is_patron(user):
        return "patron"
    if permissions.is_admin(user):
        return "admin"
    return "site_manager" if permissions.is_site_manager(user) else "member"


def edition_of(user) -> str:
    return PATRON if permissions.is_patron(user) else FULL


def compute(
    user,
    quarter: Quarter,
    site: Site | None,
    edition: str | None = None,
    limit: int | None = None,
    sites: list | None = None,
) -> Content:
    """The report as computed now from the data (not from a published snapshot); lists of at
    most limit rows each (None: complete); sites: site_rows() if the caller has them."""
    edition = edition or edition_of(user)
    withhold = edition == PATRON
    sites = _sites() if sites is None else sites
    site_ids = [site_id for site_id, _slug, _name in sites]
    previous = quarter.previous()
    # Funnel and throughput: the dashboard's own protected pipeline figures (one rule); it
    # folds the kept counts, which the quarter's event counts read next.
    quarters = quarter.last(THROUGHPUT_QUARTERS)
    view = disclosure.pipeline_view(None, quarters, withhold=withhold, site_ids=site_ids)
    found = event_counts([previous, quarter])
    protected = _protected(found, [previous, quarter], site_ids, withhold)
    scope = site.id if site else ALL
    content = Content(
        edition=edition,
        reader=_reader(user),
        quarter=quarter.key,
        previous=previous.key,
        site_slug=site.slug if site else "",
        site_name=site.name if site else "",
        generated_at=utcnow().astimezone(UTC).isoformat(timespec="seconds"),
    )
    content.headline = [
        Headline(
            figure,
            _cell(protected, _figure_key(figure, quarter.key, scope)),
            _cell(protected, _figure_key(figure, previous.key, scope)),
        )
        for figure in FIGURES
    ]
    rows = [
        (site_id, slug, name) for site_id, slug, name in sites if site is None or site_id == site.id
    ]
    content.sites = [
        SiteRow(
            slug,
            name,
            {f: _cell(protected, _figure_key(f, quarter.key, sid)) for f in SITE_FIGURES},
        )
        for sid, slug, name in rows
    ]
    if site is None:
        content.sites.append(
            SiteRow(
                "",
                "",
                {f: _cell(protected, _figure_key(f, quarter.key, ALL)) for f in SITE_FIGURES},
            )
        )
    content.decisions = [
        {"key": kind, "n": _cell(protected, ("decisions", quarter.key, kind, scope))}
        for kind in DECIDED
    ]
    content.stop_categories = [
        {"key": kind, "n": _cell(protected, ("stopped", quarter.key, kind, scope))}
        for kind in STOP_CATEGORY_KEYS
    ]
    content.funnel = [
        {"key": "develop", "n": _cell(view.counts, (scope, ALL, ALL))},
        {"key": "test", "n": _cell(view.flags, ("reached_test", scope))},
        {"key": "market", "n": _cell(view.flags, ("reached_market", scope))},
    ]
    content.throughput = [
        {
            "quarter": q.key,
            "test": _cell(view.throughput, ("test", q.key, scope)),
            "market": _cell(view.throughput, ("market", q.key, scope)),
        }
        for q in quarters
    ]
    lists = _lists(user, quarter, site.id if site else None, edition, limit, found)
    # A list beside a withheld count would tell the count ("fewer than 3" and two names listed):
    # the patron edition names market entries only when their number is shown (design §11).
    withheld = edition == PATRON and content.headline_of("entered_market").current.hidden
    content.market_entries = [] if withheld else lists["market_entries"]
    content.cooperations = lists["cooperations"]
    content.stops = lists["stops"]
    content.not_named = lists["not_named"]
    content.more = {} if withheld else lists["more"]
    content.highlights = _highlights(quarter, site.id if site else None)
    return content


# --- publishing ---------------------------------------------------------------------------


def publication(quarter: Quarter) -> ReportPublication | None:
    return db.session.scalar(
        sa.select(ReportPublication).where(ReportPublication.quarter == quarter.key)
    )


def snapshot(publisher, quarter: Quarter) -> str:
    """Both editions for the network and every site, computed for the publishing admin (who
    sees every project), as JSON."""
    scopes = {"": None, **{s.slug: s for s in db.session.scalars(sa.select(Site))}}
    frozen = {}
    for slug, site in scopes.items():
        frozen[slug] = {
            edition: compute(publisher, quarter, site, edition).to_json()
            for edition in (PATRON, FULL)
        }
    return json.dumps(frozen, ensure_ascii=False, sort_keys=True)


def _narrowed(user, content: Content) -> Content:
    """A stored full edition for a reader who may not open every project: rows of projects
    they may not open leave the lists and are counted in not_named."""
    ids = {
        item["project_id"]
        for name in ("market_entries", "cooperations", "stops")
        for item in getattr(content, name)
    }
    if not ids:
        return content
    allowed = set(
        db.session.scalars(
            visible_projects(user).with_only_columns(Project.id).where(Project.id.in_(ids))
        )
    )
    for name in ("market_entries", "cooperations", "stops"):
        kept = [item for item in getattr(content, name) if item["project_id"] in allowed]
        dropped = len(getattr(content, name)) - len(kept)
        if dropped:
            content.not_named[name] = content.not_named.get(name, 0) + dropped
        setattr(content, name, kept)
    return content


def build(
    user, quarter: Quarter, site: Site | None, limit: int | None = None, sites=None
) -> Content:
    """The report user reads: from the snapshot when the quarter is published, else live.
    limit: at most so many rows in each list (the page, LIST_LIMIT), None every row (the
    files); sites: site_rows() if the caller has them."""
    published = publication(quarter)
    if published is None:
        return compute(user, quarter, site, limit=limit, sites=sites)
    edition = edition_of(user)
    stored = json.loads(published.snapshot).get(site.slug if site else "")
    if stored is None:  # a site added after publication: not in the frozen report
        return compute(user, quarter, site, limit=limit, sites=sites)
    content = Content.from_json(stored[edition])
    content.reader = _reader(user)
    content.published_at = published.published_at.astimezone(UTC).isoformat(timespec="seconds")
    content.generated_at = utcnow().astimezone(UTC).isoformat(timespec="seconds")
    if edition == FULL and not permissions.is_admin(user):
        content = _narrowed(user, content)
    return content if limit is None else _capped(content, limit)


def _capped(content: Content, limit: int) -> Content:
    """A stored report's lists cut to their first limit rows, as compute(limit=...) lists."""
    for name in LISTS:
        rows = getattr(content, name)
        if len(rows) > limit:
            content.more[name] = len(rows) - limit
            setattr(content, name, rows[:limit])
    return content


def publish(admin, quarter: Quarter) -> ReportPublication:
    """Freeze the quarter (the caller checked the admin may; the service commits)."""
    if publication(quarter) is not None:
        raise AlreadyPublished(quarter.key)
    row = ReportPublication(
        quarter=quarter.key, published_by_id=admin.id, snapshot=snapshot(admin, quarter)
    )
    db.session.add(row)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # published at the same moment by another admin
        db.session.rollback()
        raise AlreadyPublished(quarter.key) from None
    return row


def highlight_count(quarter: Quarter) -> tuple[int, int]:
    """(sites with a highlight for quarter, all sites)."""
    written = sa.select(sa.func.count()).where(
        ReportHighlight.quarter == quarter.key, ReportHighlight.text != ""
    )
    total = sa.select(sa.func.count()).select_from(Site)
    row = db.session.execute(sa.select(written.scalar_subquery(), total.scalar_subquery())).one()
    return int(row[0]), int(row[1])


class AlreadyPublished(Exception):
    pass


def save_highlight(user, quarter: Quarter, site: Site, text: str) -> ReportHighlight:
    """Store a site's highlight text for quarter (the caller checked the permission; refused
    once the quarter is published)."""
    if publication(quarter) is not None:
        raise AlreadyPublished(quarter.key)
    row = highlight_of(quarter, site)
    if row is None:
        row = ReportHighlight(quarter=quarter.key, site_id=site.id, text=text, version=1)
        db.session.add(row)
    else:
        row.text, row.version = text, row.version + 1
    row.updated_by_id, row.updated_at = user.id, utcnow()
    db.session.commit()
    return row


def highlight_of(quarter: Quarter, site: Site) -> ReportHighlight | None:
    return db.session.scalar(
        sa.select(ReportHighlight).where(
            ReportHighlight.quarter == quarter.key, ReportHighlight.site_id == site.id
        )
    )


# --- the page's choices -------------------------------------------------------------------


def find_site(slug: str) -> Site | None:
    return db.session.scalar(sa.select(Site).where(Site.slug == slug)) if slug else None


def site_rows() -> list[tuple[int, str, str]]:
    """(id, slug, name) of every site, by name."""
    return [tuple(row) for row in _sites()]


def site_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(Site.slug, Site.name).order_by(Site.name)).all()
    return [("", _("Whole network"))] + [(slug, name) for slug, name in rows]
