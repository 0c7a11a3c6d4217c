"""The dashboard's figures kept as counts, so /dashboard reads a few rows however many
projects there are (design §6, issue 21).

How they stay right: database triggers (tracker.models.summary) mark in dashboard_dirty every
project a write may have changed, in the writing statement itself, whatever wrote it (pages,
API, imports, cascades, another process). fold() turns marked projects into differences of
dashboard_counts: each project's contribution is computed from its rows (facts()), compared
with the contribution folded last time (dashboard_facts) and the difference added. The
dashboard folds what is marked before it reads (refresh()), so it never shows stale counts;
the worker folds too, so that backlog stays short. rebuild() recomputes everything (after a
bulk load; `flask dashboard-rebuild`).

Why triggers and a fold rather than SQLAlchemy events or work in each service: events miss
Core statements, cascades and writes from outside the app, and work inside every write would
add statements to every write request; a trigger only inserts a row, on both databases.

What is kept, per site and theme (theme 0: every theme), as (figure, period, key, days) → n:
  stage/""/"<stage>/<status>"  projects;  flag/""/<flag>  projects with the flag (reached
  test/market, start-up, research, cross-site, cross-country);  kind, country, theme  projects
  with such a participant / theme;  entries/<quarter>/<stage>  entries into test and market,
  entered/<quarter>/<stage>  projects with such an entry;  stay/<period>/<stage>/<days>  completed
  stays by whole days;  decision/<period>/<decision>  decisions, decided/<period>/<decision or
  any>  projects with such a decision, turnaround/<period>/""/<days>  decisions by whole days;
  stops/<quarter>/<category>  stops by the category of their reason, coops/<quarter>/<cross_site
  or same_site>  new cooperations (partners joining), consortium/<quarter>/<market, cooperation
  or stop>  those moves of consortium projects — the quarterly report's figures (the last: how
  many rows of its lists a reader who may not open every project does not see).
<period> is a period token: "" (all time), the year and the quarter in which it happened.
Withdrawn projects contribute nothing. The stalled count depends on the clock: the dashboard
counts it live (an index range).
"""

import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import g

from tracker.dashboard.metrics import COOPERATION_FLAGS, DECIDED, STOP_CATEGORIES, Scope
from tracker.dashboard.periods import Quarter
from tracker.extensions import db
from tracker.models import GateReview, Organization, Participation, Project, Site, StageEvent
from tracker.models.base import STAGES, STATUSES
from tracker.models.directory import organization_sites
from tracker.models.project import project_themes
from tracker.models.summary import dashboard_counts, dashboard_dirty, dashboard_facts

CHUNK = 500  # projects per fold step (IN lists stay short)
LOCK_KEY = 2021  # PostgreSQL advisory lock: one fold at a time
FLAGS = ("reached_test", "reached_market", *COOPERATION_FLAGS)

Key = tuple[str, str, str, int]  # figure, period, key, days


def whole_days(later: datetime, earlier: datetime) -> int:
    """As tracker.dashboard.sql.whole_days: both cut to the second, then whole days."""
    return (math.floor(later.timestamp()) - math.floor(earlier.timestamp())) // 86400


def tokens(moment: datetime) -> tuple[str, str, str]:
    """The period tokens an event at moment belongs to: all time, its year, its quarter."""
    return "", str(moment.year), Quarter.containing(moment).key


# --- one project's contribution --------------------------------------------------------


@dataclass
class Facts:
    site_id: int
    themes: tuple[int, ...]
    keys: Counter  # Key -> n

    def dump(self) -> str:
        return json.dumps(
            {
                "s": self.site_id,
                "t": list(self.themes),
                "k": [[*k, n] for k, n in self.keys.items()],
            }
        )

    @classmethod
    def load(cls, text: str) -> "Facts":
        data = json.loads(text)
        keys = Counter({(f, p, k, d): n for f, p, k, d, n in data["k"]})
        return cls(data["s"], tuple(data["t"]), keys)

    def counts(self) -> Iterable[tuple[tuple, int]]:
        """(site, theme, figure, period, key, days) → n: every theme's row and theme 0."""
        for theme in (0, *self.themes):
            for key, n in self.keys.items():
                yield (self.site_id, theme, *key), n


_ASCII_LOWER = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
)  # fmt: skip


def stop_category(note: str | None) -> str:
    """The category of a stop's reason: the first of STOP_CATEGORIES whose words it contains,
    else "other" — as the report's SQL expression, lower case as SQLite's lower() (ASCII
    letters; the words are ASCII)."""
    text = (note or "").translate(_ASCII_LOWER)
    for key, words in STOP_CATEGORIES:
        if any(word in text for word in words):
            return key
    return "other"


def _contribution(project, themes, participants, events, reviews) -> Facts | None:
    site_id, stage, status, visibility = project
    if status not in STATUSES:
        return None
    keys: Counter = Counter()
    keys[("stage", "", f"{stage}/{status}", 0)] = 1
    entries = sorted(
        (e for e in events if e[2] is None or e[2] != e[3]), key=lambda e: (e[1], e[0])
    )
    into = {e[3] for e in events}
    flags = {
        "reached_test": stage in ("test", "market") or bool(into & {"test", "market"}),
        "reached_market": stage == "market" or "market" in into,
        "startup": any(kind == "startup" or role == "startup" for role, kind, *_ in participants),
        "research": any(
            kind == "research_institution" or role == "research_partner"
            for role, kind, *_ in participants
        ),
        "cross_site": len({p[3] for p in participants if p[3] is not None}) > 1,
        "cross_country": len({p[2] for p in participants}) > 1,
    }
    for flag, on in flags.items():
        if on:
            keys[("flag", "", flag, 0)] = 1
    for kind in {p[1] for p in participants}:
        keys[("kind", "", kind, 0)] = 1
    for country in {p[2] for p in participants}:
        keys[("country", "", country, 0)] = 1
    # New cooperations: each partner (not the lead) once, in the quarter it joined; same_site
    # when one of the organization's sites is the project's host site.
    joined: dict[int, tuple] = {}
    for role, _kind, _country, org_site, participation_id, at in participants:
        if role != "lead":
            here = joined.get(participation_id, (at, False))[1] or org_site == site_id
            joined[participation_id] = (at, here)
    private = visibility != "network"
    for at, here in joined.values():
        relation = "same_site" if here else "cross_site"
        keys[("coops", Quarter.containing(at).key, relation, 0)] += 1
        if private:
            keys[("consortium", Quarter.containing(at).key, "cooperation", 0)] += 1
    for _eid, at, from_stage, to_stage, from_status, to_status, note in events:
        quarter = Quarter.containing(at).key
        if to_status == "stopped" and from_status != "stopped":
            keys[("stops", quarter, stop_category(note), 0)] += 1
            if private:
                keys[("consortium", quarter, "stop", 0)] += 1
        if private and to_stage == "market" and from_stage != "market":
            keys[("consortium", quarter, "market", 0)] += 1
    for theme in themes:
        keys[("theme", "", str(theme), 0)] = 1
    for entry, following in itertools.pairwise(entries):
        days = whole_days(following[1], entry[1])
        for token in tokens(following[1]):
            keys[("stay", token, entry[3], days)] += 1
    for entry in entries:
        if entry[3] in ("test", "market"):
            quarter = Quarter.containing(entry[1]).key
            keys[("entries", quarter, entry[3], 0)] += 1
            keys[("entered", quarter, entry[3], 0)] = 1
    for decision, requested_at, decided_at in reviews:
        days = whole_days(decided_at, requested_at)
        for token in tokens(decided_at):
            keys[("decision", token, decision, 0)] += 1
            keys[("turnaround", token, "", days)] += 1
            keys[("decided", token, decision, 0)] = 1
            keys[("decided", token, "any", 0)] = 1
    return Facts(site_id, tuple(sorted(themes)), keys)


def facts(
    connection, project_ids: list[int] | None, id_range: tuple[int, int] | None = None
) -> dict[int, Facts]:
    """Each project's contribution from its rows, five statements: the projects of
    project_ids, or with an id in id_range (first, last), or every project."""

    def only(column):
        if project_ids is not None:
            return [column.in_(project_ids)]
        return [column.between(*id_range)] if id_range is not None else []

    projects = {
        pid: (site, stage, status, visibility)
        for pid, site, stage, status, visibility in connection.execute(
            sa.select(
                Project.id, Project.site_id, Project.stage, Project.status, Project.visibility
            ).where(*only(Project.id))
        )
    }
    themes = defaultdict(list)
    for pid, theme in connection.execute(
        sa.select(project_themes.c.project_id, project_themes.c.theme_id).where(
            *only(project_themes.c.project_id)
        )
    ):
        themes[pid].append(theme)
    participants = defaultdict(list)
    for pid, role, kind, country, site, participation_id, joined in connection.execute(
        sa.select(
            Participation.project_id,
            Participation.role,
            Organization.kind,
            Organization.country,
            organization_sites.c.site_id,
            Participation.id,
            Participation.created_at,
        )
        .join(Organization, Organization.id == Participation.organization_id)
        .outerjoin(organization_sites, organization_sites.c.organization_id == Organization.id)
        .where(*only(Participation.project_id))
    ):
        participants[pid].append((role, kind, country, site, participation_id, joined))
    events = defaultdict(list)
    for pid, *event in connection.execute(
        sa.select(
            StageEvent.project_id,
            StageEvent.id,
            StageEvent.at,
            StageEvent.from_stage,
            StageEvent.to_stage,
            StageEvent.from_status,
            StageEvent.to_status,
            # only a stop's reason is needed (its category); other notes stay where they are
            sa.case((StageEvent.to_status == "stopped", StageEvent.note), else_=None),
        ).where(*only(StageEvent.project_id))
    ):
        events[pid].append(tuple(event))
    reviews = defaultdict(list)
    for pid, decision, requested_at, decided_at in connection.execute(
        sa.select(
            GateReview.project_id,
            GateReview.decision,
            GateReview.requested_at,
            GateReview.decided_at,
        ).where(
            GateReview.decision.in_(DECIDED),
            GateReview.decided_at.is_not(None),
            *only(GateReview.project_id),
        )
    ):
        reviews[pid].append((decision, requested_at, decided_at))
    found = {}
    for pid, project in projects.items():
        contribution = _contribution(
            project, themes[pid], participants[pid], events[pid], reviews[pid]
        )
        if contribution is not None:
            found[pid] = contribution
    return found


# --- folding -----------------------------------------------------------------------------


def _upsert(connection, table: sa.Table, rows: list[dict], add: bool) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    keys = [c.name for c in table.primary_key.columns]
    values = {"n": table.c.n + statement.excluded.n} if add else {"facts": statement.excluded.facts}
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=values), rows)


def _count_rows(delta: Counter) -> list[dict]:
    names = ("site_id", "theme_id", "figure", "period", "key", "days")
    # sorted: concurrent folds (there are none, see LOCK_KEY) would lock rows in one order
    return [dict(zip(names, key, strict=True), n=n) for key, n in sorted(delta.items()) if n]


def fold(connection, project_ids: list[int]) -> None:
    """Bring the counts of these projects up to date (their rows as this connection sees
    them): subtract what each contributed last time, add what it contributes now."""
    for start in range(0, len(project_ids), CHUNK):
        chunk = project_ids[start : start + CHUNK]
        old = {
            pid: Facts.load(text)
            for pid, text in connection.execute(
                sa.select(dashboard_facts.c.project_id, dashboard_facts.c.facts).where(
                    dashboard_facts.c.project_id.in_(chunk)
                )
            )
        }
        new = facts(connection, chunk)
        delta: Counter = Counter()
        for pid in chunk:
            if pid in old:
                for key, n in old[pid].counts():
                    delta[key] -= n
            if pid in new:
                for key, n in new[pid].counts():
                    delta[key] += n
        _upsert(connection, dashboard_counts, _count_rows(delta), add=True)
        gone = [pid for pid in chunk if pid in old and pid not in new]
        if gone:
            connection.execute(
                dashboard_facts.delete().where(dashboard_facts.c.project_id.in_(gone))
            )
        changed = [
            {"project_id": pid, "facts": f.dump()}
            for pid, f in new.items()
            if pid not in old
            or old[pid].keys != f.keys
            or old[pid].themes != f.themes
            or old[pid].site_id != f.site_id
        ]
        _upsert(connection, dashboard_facts, changed, add=False)


def _claim(connection) -> list[int]:
    """Take the marked projects (one fold at a time on PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
    marked = connection.execute(
        dashboard_dirty.delete().returning(dashboard_dirty.c.project_id)
    ).scalars()
    return sorted(set(marked))


def pending() -> bool:
    """Is any project marked? (one statement, an index look-up)"""
    return db.session.execute(sa.select(dashboard_dirty.c.id).limit(1)).first() is not None


def refresh() -> int:
    """Fold every marked project, if there is any, in a transaction of its own on the
    session's connection; the session's next statement sees the folded counts. Returns how
    many projects were folded."""
    if not pending():
        return 0
    session = db.session()
    expire = session.expire_on_commit
    immediate = g.get("sqlite_immediate", False)
    # Commit without expiring what the request loaded (the signed-in user): it ends the read
    # transaction, whose snapshot on SQLite predates the fold.
    session.expire_on_commit = False
    try:
        session.commit()
        g.sqlite_immediate = True  # SQLite: the fold takes the write lock up front
        connection = session.connection()
        claimed = _claim(connection)
        fold(connection, claimed)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_on_commit = expire
        g.sqlite_immediate = immediate
    return len(claimed)


def rebuild(connection) -> int:
    """Recompute every count from the rows (after a bulk load or to repair), in the caller's
    transaction. Returns the number of projects counted."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
    connection.execute(dashboard_dirty.delete())
    connection.execute(dashboard_counts.delete())
    connection.execute(dashboard_facts.delete())
    ids = list(connection.execute(sa.select(Project.id).order_by(Project.id)).scalars())
    total: Counter = Counter()
    found = 0
    for start in range(0, len(ids), CHUNK * 10):
        block = ids[start : start + CHUNK * 10]
        chunk = facts(connection, None, (block[0], block[-1]))
        found += len(chunk)
        for f in chunk.values():
            for key, n in f.counts():
                total[key] += n
        rows = [{"project_id": pid, "facts": f.dump()} for pid, f in chunk.items()]
        if rows:
            connection.execute(dashboard_facts.insert(), rows)
    rows = _count_rows(total)
    for start in range(0, len(rows), 10_000):
        connection.execute(dashboard_counts.insert(), rows[start : start + 10_000])
    return found


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptCounts:
    """What project_counts() gives the dashboard, from the kept counts (stalled: None)."""

    cells: dict[tuple[int, str, str], int]
    flags: dict[str, int]

    @property
    def summary(self) -> dict[str, int]:
        return {"total": sum(self.cells.values()), **{f: self.flags.get(f, 0) for f in FLAGS}}

    @property
    def by_stage_status(self) -> dict[tuple[str, str], int]:
        result: dict = defaultdict(int)
        for (_site, stage, status), n in self.cells.items():
            result[(stage, status)] += n
        return dict(result)

    @property
    def by_site_stage(self) -> dict[tuple[int, str], int]:
        result: dict = defaultdict(int)
        for (site, stage, _status), n in self.cells.items():
            result[(site, stage)] += n
        return dict(result)


@dataclass(frozen=True)
class KeptFigures:
    counts: KeptCounts
    dimensions: dict[str, dict]
    time_in_stage: dict[str, dict]
    throughput: dict[str, dict[str, int]]
    decisions: dict


QUANTILES = {"median": (1, 2), "p90": (9, 10)}


def _ranks(n, k: int, d: int):
    """The 1-based ranks a quantile k/d of n values interpolates between (as
    tracker.dashboard.sql's quantile): k(n-1) div d + 1 and the next."""
    lower = k * (n - 1) // d + 1
    return lower, lower + 1


def _durations(c, conditions: list) -> dict[str, dict]:
    """Per histogram (key: a stage, or "" for gate turnaround): the number of durations and
    their median and p90, from the rows around the needed ranks only — the window sums run
    in the database, so a long history adds no rows to read."""
    histogram = (
        sa.select(c.figure, c.key, c.days, sa.func.sum(c.n).label("n"))
        .where(*conditions)
        .group_by(c.figure, c.key, c.days)
        .having(sa.func.sum(c.n) != 0)
        .subquery("histogram")
    )
    h = histogram.c
    group = (h.figure, h.key)
    # integers on both databases (PostgreSQL sums a bigint to a numeric, whose division
    # would not be the integer division the ranks need)
    upto = sa.cast(sa.func.sum(h.n).over(partition_by=group, order_by=h.days), sa.BigInteger)
    ranked = sa.select(
        h.figure,
        h.key,
        h.days,
        (upto - h.n + 1).label("first"),
        upto.label("last"),
        sa.cast(sa.func.sum(h.n).over(partition_by=group), sa.BigInteger).label("total"),
    ).subquery("ranked")
    r = ranked.c
    covers = []
    for k, d in QUANTILES.values():
        lower, upper = _ranks(r.total, k, d)
        covers += [sa.and_(r.first <= rank, r.last >= rank) for rank in (lower, upper)]
    rows: dict[tuple, list] = defaultdict(list)
    for figure, key, days, first, last, total in db.session.execute(
        sa.select(r.figure, r.key, r.days, r.first, r.last, r.total).where(sa.or_(*covers))
    ):
        rows[(figure, key)].append((int(days), int(first), int(last), int(total)))
    result = {}
    for group_key, found in rows.items():
        n = found[0][3]

        def at(rank: int, found=found) -> int | None:
            return next((days for days, first, last, _ in found if first <= rank <= last), None)

        figures = {"n": n}
        for name, (k, d) in QUANTILES.items():
            lower_rank, upper_rank = _ranks(n, k, d)
            lower = at(lower_rank)
            upper = at(upper_rank) if upper_rank <= n else lower
            fraction = (k * (n - 1) % d) / d
            figures[name] = float(lower + fraction * (upper - lower))
        result[group_key] = figures
    return result


NO_DURATIONS = {"n": 0, "median": None, "p90": None}


def figures(scope: Scope, quarters: list[Quarter]) -> KeptFigures:
    """Every kept figure of scope in two statements: the counts (the rows of its sites and
    theme) and the durations' quantiles."""
    c = dashboard_counts.c
    period = scope.period.token
    wanted = sa.or_(
        sa.and_(c.period == "", c.figure.not_in(("stay", "turnaround"))),
        sa.and_(c.figure.in_(("entries", "entered")), c.period.in_([q.key for q in quarters])),
        sa.and_(c.figure.in_(("decision", "decided")), c.period == period),
    )
    conditions = [c.theme_id == (scope.theme_id or 0)]
    # the network: every site's rows, named so that the primary key (site first) is used
    sites = scope.site_ids if scope.site_ids is not None else sa.select(Site.id)
    conditions.append(c.site_id.in_(sites))
    durations = _durations(
        c, [*conditions, c.figure.in_(("stay", "turnaround")), c.period == period]
    )
    counted = ("stage", "flag", "kind", "country", "theme", "entries", "entered")
    # the figures by name too: index ranges that skip the histograms' rows
    conditions += [wanted, c.figure.in_((*counted, "decision", "decided"))]
    query = (
        sa.select(c.site_id, c.figure, c.period, c.key, sa.func.sum(c.n).label("n"))
        .where(*conditions)
        .group_by(c.site_id, c.figure, c.period, c.key)
    )
    cells: dict = defaultdict(int)
    flags: dict = defaultdict(int)
    dimensions: dict[str, dict] = {"kind": {}, "country": {}, "theme": {}}
    throughput = {
        q.key: {"test": 0, "market": 0, "test_projects": 0, "market_projects": 0} for q in quarters
    }
    mix = dict.fromkeys(DECIDED, 0)
    decided_projects = dict.fromkeys(DECIDED, 0)
    on_projects = 0
    for site, figure, row_period, key, n in db.session.execute(query):
        n = int(n)
        if not n:
            continue
        if figure == "stage":
            stage, status = key.split("/")
            cells[(site, stage, status)] += n
        elif figure == "flag":
            flags[key] += n
        elif figure in dimensions:
            value = int(key) if figure == "theme" else key
            dimensions[figure][value] = dimensions[figure].get(value, 0) + n
        elif figure == "entries":
            throughput[row_period][key] += n
        elif figure == "entered":
            throughput[row_period][f"{key}_projects"] += n
        elif figure == "decision" and row_period == period:
            mix[key] += n
        elif figure == "decided" and row_period == period:
            if key == "any":
                on_projects += n
            else:
                decided_projects[key] += n
    turn = durations.get(("turnaround", ""), NO_DURATIONS)
    return KeptFigures(
        counts=KeptCounts(dict(cells), dict(flags)),
        dimensions=dimensions,
        time_in_stage={stage: durations.get(("stay", stage), NO_DURATIONS) for stage in STAGES},
        throughput=throughput,
        decisions={
            "mix": mix,
            "projects": decided_projects,
            "on_projects": on_projects,
            "n": turn["n"],
            "median": turn["median"],
        },
    )


def site_counts(theme_id: int | None, quarters=()) -> tuple[dict, dict, dict]:
    """Per site, what tracker.disclosure.pipeline_view protects, in one statement: projects by
    (site, stage, status), each flag's projects ({flag: {site: n}}; stalled is not kept) and
    entries into test and market per quarter ({(stage, quarter key): {site: n}}, every
    quarter present)."""
    c = dashboard_counts.c
    keys = [q.key for q in quarters]
    query = (
        sa.select(c.site_id, c.figure, c.period, c.key, sa.func.sum(c.n))
        .where(
            # sites and figures named, so that ranges of the primary key are read
            c.site_id.in_(sa.select(Site.id)),
            c.theme_id == (theme_id or 0),
            c.figure.in_(("stage", "flag", "entries")),
            sa.or_(
                sa.and_(c.figure.in_(("stage", "flag")), c.period == ""),
                sa.and_(c.figure == "entries", c.period.in_(keys)),
            ),
        )
        .group_by(c.site_id, c.figure, c.period, c.key)
    )
    cells: dict = {}
    flags: dict[str, dict[int, int]] = {flag: {} for flag in FLAGS}
    entries: dict[tuple, dict[int, int]] = {
        (stage, key): {} for key in keys for stage in ("test", "market")
    }
    for site, figure, period, key, n in db.session.execute(query):
        n = int(n)
        if not n:
            continue
        if figure == "stage":
            stage, status = key.split("/")
            cells[(site, stage, status)] = n
        elif figure == "flag":
            flags[key][site] = n
        else:
            entries[(key, period)][site] = n
    return cells, flags, entries
