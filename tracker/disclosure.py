"""Disclosure control for patrons (design.md §11): the one place that decides which counts a
patron may see.

A patron sees aggregates only. A count of 1 or 2 would let a patron single out a project, so
it is withheld (primary suppression, shown as "fewer than 3", null in JSON). A withheld count
must not be recomputable from what the same person sees elsewhere: row and column totals of a
table, the network's figure minus the other sites', a stage total minus its statuses. So
further cells are withheld (secondary suppression) until no withheld cell is pinned down by
the published figures.

The engine works on any set of counts tied by additive relations ``total = part + part …``:

    protect(values, relations) -> Disclosure

What a patron learns from a withheld cell is modelled exactly as shown: a cell whose true
value is 0, 1 or 2 says "fewer than 3" (0 may be withheld as a secondary cell: the text stays
true), a larger one says "withheld". So a withheld cell is known to lie in [0, 2] or in
[3, ∞). The engine then attacks its own result the way a reader would:

- interval reasoning: each relation bounds each of its withheld members by the other members'
  bounds, repeated until nothing tightens;
- linear algebra: a withheld cell is recomputable when its unit vector lies in the row space
  of the relations restricted to the withheld cells (Gaussian elimination modulo a prime);

and withholds one more figure next to every cell that either attack pins down, until neither
pins any. Zeros and small figures are preferred as secondary cells, and cells before margins.
When everything around a pinned cell is withheld already and the labels alone still pin it
("withheld" saying 3 or more), withheld figures next to it say "not shown" (not 1 or 2,
nothing more) until nothing is pinned.

The pipeline figures every patron surface shows (dashboard, home, board column counts,
/api/v1/metrics/pipeline, and the quarterly report) come from ``pipeline_view()``: one
Disclosure per theme slice over the whole network, keyed by site slug (or ALL), stage (or ALL)
and status (or ALL), so the same figure looks the same wherever it appears, and a site's view
is the same cube as the network's.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

from flask_babel import lazy_gettext as _l

from tracker.models.base import STATUSES

ALL = "*"
FEWER_THAN_3 = _l("fewer than 3")
WITHHELD = _l("withheld")  # a larger count hidden so that a small one cannot be worked out
NOT_SHOWN = _l("not shown")  # a larger count whose "withheld" (3 or more) would give one away
SMALL = range(1, 3)  # counts of 1 or 2 single out a project
SMALL_LIMIT = 3  # "fewer than 3"
_PRIME = 2_147_483_647

Key = Hashable
Relation = tuple[Key, tuple[Key, ...]]  # (total, parts): total == sum(parts)


# --- the result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """Counts and which of them are withheld; look figures up by key."""

    values: Mapping[Key, int]
    withheld: frozenset = frozenset()
    # withheld counts of 3 or more that say "not shown" (nothing about their size) rather
    # than "withheld" (3 or more): see protect()
    vague: frozenset = frozenset()

    def value(self, key: Key) -> int | None:
        """The count, or None when withheld (JSON: null)."""
        return None if key in self.withheld else int(self.values.get(key, 0))

    def is_withheld(self, key: Key) -> bool:
        return key in self.withheld

    def state(self, key: Key) -> str:
        """ "shown", "small" (withheld, says "fewer than 3"), "withheld" (a larger count
        withheld so that a small one cannot be worked out) or "vague" (says "not shown": not 1
        or 2, nothing more, where even "withheld", 3 or more, would give a figure away)."""
        if key not in self.withheld:
            return "shown"
        if key in self.vague:
            return "vague"
        return "small" if self.values.get(key, 0) < SMALL_LIMIT else "withheld"

    def text(self, key: Key, number=str) -> str:
        """How a page shows the figure: the number (formatted by number), "fewer than 3",
        "withheld" or "not shown"."""
        state = self.state(key)
        if state == "shown":
            return number(self.value(key))
        return state_text(state)

    def known_bounds(self, key: Key) -> tuple[int, int | None]:
        """What a reader learns about the count from what is shown (hi None: no bound)."""
        if key not in self.withheld:
            n = int(self.values.get(key, 0))
            return n, n
        return _BOUNDS[self.state(key)]


# what a reader learns from each label; "not shown": 0 or 3 and more, for intervals no bound
_BOUNDS = {"small": (0, SMALL_LIMIT - 1), "withheld": (SMALL_LIMIT, None), "vague": (0, None)}


def state_text(state: str) -> str:
    """The words a page shows for a withheld figure of state "small", "withheld" or "vague"."""
    return str({"small": FEWER_THAN_3, "withheld": WITHHELD, "vague": NOT_SHOWN}[state])


def open_disclosure(values: Mapping[Key, int]) -> Disclosure:
    """Nothing withheld (readers who may see every count)."""
    return Disclosure(values, frozenset())


# --- attacks: what a reader can work out --------------------------------------------------


def _intervals(
    values: Mapping[Key, int], relations: Sequence[Relation], withheld: set, vague=frozenset()
) -> dict[Key, tuple[int, int | None]]:
    """Bounds of every withheld cell after propagating every relation to a fixed point
    (cells in vague start unbounded: they say "not shown")."""
    lo: dict[Key, int] = {}
    hi: dict[Key, int | None] = {}
    for key in withheld:
        small = values.get(key, 0) < SMALL_LIMIT
        lo[key], hi[key] = (0, SMALL_LIMIT - 1) if small else (SMALL_LIMIT, None)
        if key in vague:
            lo[key], hi[key] = 0, None
    # total - sum(parts) == 0, as members (key, coefficient)
    relevant = [
        [(total, 1)] + [(p, -1) for p in parts]
        for total, parts in relations
        if total in withheld or any(p in withheld for p in parts)
    ]
    touching: dict[Key, list[int]] = {}
    for number, members in enumerate(relevant):
        for key, _sign in members:
            if key in withheld:
                touching.setdefault(key, []).append(number)
    queue = list(range(len(relevant)))
    queued = set(queue)
    budget = 200 * (len(relevant) + 1)
    while queue and budget:
        budget -= 1
        number = queue.pop()
        queued.discard(number)
        members = relevant[number]
        # bounds of each term c*x (None: unbounded), and their sums over the relation
        terms = []
        low_sum = high_sum = 0
        open_lows = open_highs = 0
        for key, sign in members:
            if key in withheld:
                a, b = lo[key], hi[key]
            else:
                a = b = int(values.get(key, 0))
            low, high = (a, b) if sign > 0 else ((None if b is None else -b), -a)
            terms.append((low, high))
            if low is None:
                open_lows += 1
            else:
                low_sum += low
            if high is None:
                open_highs += 1
            else:
                high_sum += high
        for (key, sign), (low, high) in zip(members, terms, strict=True):
            if key not in withheld:
                continue
            # sign*x == -(sum of the other terms)
            others_high_open = open_highs - (1 if high is None else 0)
            others_low_open = open_lows - (1 if low is None else 0)
            term_low = None if others_high_open else -(high_sum - (high or 0))
            term_high = None if others_low_open else -(low_sum - (low or 0))
            if sign > 0:
                x_low, x_high = term_low, term_high
            else:
                x_low = None if term_high is None else -term_high
                x_high = None if term_low is None else -term_low
            new_lo = lo[key] if x_low is None else max(lo[key], x_low)
            new_hi = hi[key]
            if x_high is not None:
                new_hi = x_high if new_hi is None else min(new_hi, x_high)
            if new_lo != lo[key] or new_hi != hi[key]:
                lo[key], hi[key] = new_lo, new_hi
                if new_hi is not None and new_lo >= new_hi:
                    continue
                for again in touching.get(key, ()):
                    if again != number and again not in queued:
                        queue.append(again)
                        queued.add(again)
    return {key: (lo[key], hi[key]) for key in withheld}


def _linearly_determined(relations: Sequence[Relation], withheld: set) -> set:
    """Withheld cells whose value follows from the relations by linear algebra alone."""
    order = sorted(withheld, key=repr)
    index = {key: i for i, key in enumerate(order)}
    rows = []
    for total, parts in relations:
        row: dict[int, int] = {}
        if total in index:
            row[index[total]] = row.get(index[total], 0) + 1
        for part in parts:
            if part in index:
                row[index[part]] = (row.get(index[part], 0) - 1) % _PRIME
        row = {col: v % _PRIME for col, v in row.items() if v % _PRIME}
        if row:
            rows.append(row)
    # reduced row echelon form over GF(p), rows as sparse dicts
    pivots: dict[int, dict[int, int]] = {}
    for row in rows:
        row = dict(row)
        for col in sorted(row):
            if col in pivots and row.get(col):
                factor = row[col]
                for c, v in pivots[col].items():
                    row[c] = (row.get(c, 0) - factor * v) % _PRIME
                row = {c: v for c, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        inverse = pow(row[col], _PRIME - 2, _PRIME)
        row = {c: v * inverse % _PRIME for c, v in row.items()}
        for other in pivots.values():  # keep the basis fully reduced
            if other.get(col):
                factor = other[col]
                for c, v in row.items():
                    other[c] = (other.get(c, 0) - factor * v) % _PRIME
                for c in [c for c, v in other.items() if not v]:
                    del other[c]
        pivots[col] = row
    return {order[col] for col, row in pivots.items() if len(row) == 1}


def pinned(
    values: Mapping[Key, int], relations: Sequence[Relation], withheld: set, *, quick=False,
    vague=frozenset(),
) -> list[Key]:  # fmt: skip
    """Withheld cells a reader can compute exactly from the shown ones. quick: when interval
    reasoning already pins some, skip the (dearer) linear algebra; the caller withholds more
    and asks again, so the full check runs on the final pattern anyway."""
    bounds = _intervals(values, relations, withheld, vague)
    found = {key for key, (lo, hi) in bounds.items() if hi is not None and lo >= hi}
    if not (quick and found):
        found |= _linearly_determined(relations, withheld)
    return sorted(found, key=repr)


# --- the function every patron surface uses -----------------------------------------------


def protect(
    values: Mapping[Key, int],
    relations: Iterable[Relation],
    *,
    withhold_small: bool = True,
) -> Disclosure:
    """Which of values a patron may see: counts of 1 or 2 withheld, plus enough others that
    none of them can be recomputed through relations (each ``(total, parts)``). Keys of
    relations missing from values count as 0. withhold_small False: nothing withheld."""
    relations = [(total, tuple(parts)) for total, parts in relations]
    values = dict(values)
    for total, parts in relations:
        values.setdefault(total, 0)
        for part in parts:
            values.setdefault(part, 0)
    if not withhold_small:
        return open_disclosure(values)
    withheld = {key for key, n in values.items() if n in SMALL}
    if not withheld:
        return Disclosure(values, frozenset())
    touching: dict[Key, list[Relation]] = {}
    for relation in relations:
        total, parts = relation
        for key in (total, *parts):
            touching.setdefault(key, []).append(relation)

    def cost(key) -> tuple:
        stars = sum(1 for part in key if part == ALL) if isinstance(key, tuple) else 0
        return (int(values.get(key, 0)), stars, repr(key))

    found = [None]
    for _step in range(len(values) + 1):
        found = pinned(values, relations, withheld, quick=True)
        if not found:
            break
        added = set()
        for key in found:
            # one more figure next to it: the cheapest shown member of its relations
            candidates = {
                member
                for total, parts in touching.get(key, ())
                for member in (total, *parts)
                if member not in withheld
            }
            if not candidates:  # every neighbour withheld already: look one relation further
                candidates = {
                    member
                    for near in {m for t, ps in touching.get(key, ()) for m in (t, *ps)}
                    for total, parts in touching.get(near, ())
                    for member in (total, *parts)
                    if member not in withheld
                }
            if candidates and not (candidates & added):
                added.add(min(candidates, key=cost))
        if not added:
            break
        withheld |= added
    # Withholding can run out: when every figure around a pinned one is withheld already, the
    # labels themselves may still give it away, "withheld" meaning 3 or more. (Two sites of
    # 3 projects each, every stage of the network "fewer than 3": the network's total is at
    # most 2+2+2 by stage and at least 3+3 by site, so it is 6, each site 3, ….) Then withheld
    # figures next to the pinned ones say "not shown" instead, one at a time, larger ones
    # first (their "3 or more" is what gives figures away), until the full check finds
    # nothing. "not shown" says only that the count is not 1 or 2 (those always say "fewer
    # than 3"): 0 or 3 and more, no bound for interval reasoning.
    vague: set = set()
    if not found:  # the last check was the full one and found nothing
        return Disclosure(values, frozenset(withheld))

    def vague_cost(key) -> tuple:
        return (values[key] < SMALL_LIMIT, *cost(key))

    for _step in range(len(values) + 1):
        found = pinned(values, relations, withheld, vague=vague)
        if not found:
            break
        added = set()
        for key in found:
            near = {m for t, ps in touching.get(key, ()) for m in (t, *ps)} | {key}
            candidates = {
                member
                for member in near
                if member in withheld and member not in vague and values[member] not in SMALL
            }
            if candidates and not (candidates & added):
                added.add(min(candidates, key=vague_cost))
        if not added:  # none left near: every withheld figure that may says "not shown"
            added = {k for k in withheld if values[k] not in SMALL} - vague
        if not added:
            break
        vague |= added
    return Disclosure(values, frozenset(withheld), frozenset(vague))


# --- building tables ----------------------------------------------------------------------


def cube(
    base: Mapping[tuple, int], dimensions: Sequence[Sequence[Key]]
) -> tuple[dict[tuple, int], list[Relation]]:
    """A table of counts with every margin: keys are tuples with one value per dimension,
    ALL standing for "any". Returns (values of every cell and margin, the relations that
    tie each margin to its parts along every dimension)."""
    axes = [[*list(values), ALL] for values in dimensions]
    values: dict[tuple, int] = {}
    for key in product(*axes):
        values[key] = 0
    for key, n in base.items():
        if not n:
            continue
        for mask in product((False, True), repeat=len(key)):
            margin = tuple(ALL if star else part for part, star in zip(key, mask, strict=True))
            values[margin] = values.get(margin, 0) + int(n)
    relations: list[Relation] = []
    for key in product(*axes):
        for position, part in enumerate(key):
            if part != ALL:
                continue
            parts = tuple(
                (*key[:position], value, *key[position + 1 :]) for value in dimensions[position]
            )
            relations.append((key, parts))
    return values, relations


def prefixed(prefix: Key, values: Mapping, relations: Sequence[Relation]):
    """The same table under keys (prefix, *key), to protect several tables in one call."""
    return (
        {(prefix, *key): n for key, n in values.items()},
        [((prefix, *total), tuple((prefix, *p) for p in parts)) for total, parts in relations],
    )


@dataclass
class Tables:
    """Several tables protected together (they may share relations)."""

    values: dict = field(default_factory=dict)
    relations: list = field(default_factory=list)

    def add(self, prefix: Key, base: Mapping[tuple, int], dimensions: Sequence[Sequence[Key]]):
        values, relations = prefixed(prefix, *cube(base, dimensions))
        self.values.update(values)
        self.relations.extend(relations)
        return self

    def protect(self, withhold_small: bool = True) -> Disclosure:
        return protect(self.values, self.relations, withhold_small=withhold_small)


# --- the pipeline figures patrons see -----------------------------------------------------

FLAGS = ("reached_test", "reached_market", "startup", "research", "cross_site", "cross_country",
         "stalled")  # fmt: skip


@dataclass(frozen=True)
class PipelineView:
    """The protected pipeline figures of one theme slice (theme_id None: every project), over
    every site, so that a site's figures and the network's come from one table.

    counts: keys (site_id or ALL, stage or ALL, status or ALL);
    flags: keys (flag, site_id or ALL), flag one of FLAGS; entered develop is the total;
    throughput: keys (stage, quarter key, site_id or ALL), stage "test" or "market".
    """

    theme_id: int | None
    counts: Disclosure
    flags: Disclosure
    throughput: Disclosure

    def count(self, site_id=ALL, stage=ALL, status=ALL) -> int | None:
        return self.counts.value((site_id, stage, status))

    def count_state(self, site_id=ALL, stage=ALL, status=ALL) -> str:
        return self.counts.state((site_id, stage, status))


def _site_ids() -> list[int]:
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import Site

    return list(db.session.scalars(sa.select(Site.id).order_by(Site.id)))


def protect_counts(cells: Mapping[tuple, int], site_ids: Sequence[int], withhold=True):
    """cells (site_id, stage, status) -> Disclosure of the cube with every margin."""
    from tracker.models.base import STAGES, STATUSES

    site_ids = sorted(site_ids)  # the same table whatever order the caller lists sites in
    memo_key = (tuple(sorted(cells.items(), key=repr)), tuple(site_ids), withhold)
    if memo_key not in _COUNTS_MEMO:  # a pure function of its arguments: safe to reuse
        if len(_COUNTS_MEMO) > 256:
            _COUNTS_MEMO.clear()
        values, relations = cube(cells, [list(site_ids), list(STAGES), list(STATUSES)])
        _COUNTS_MEMO[memo_key] = protect(values, relations, withhold_small=withhold)
    return _COUNTS_MEMO[memo_key]


_COUNTS_MEMO: dict = {}


def protect_per_site(families: Mapping[Key, Mapping[int, int]], site_ids: Sequence[int],
                     withhold=True) -> Disclosure:  # fmt: skip
    """Several site-additive figures: {name: {site_id: n}} -> keys (*name, site_id or ALL)
    (name a tuple or a single value); the network's figure is the sum of the sites'."""
    values: dict = {}
    relations: list = []
    site_ids = sorted(site_ids)
    for name, per_site in families.items():
        prefix = name if isinstance(name, tuple) else (name,)
        table, ties = cube({(s,): n for s, n in per_site.items()}, [list(site_ids)])
        values.update({(*prefix, *key): n for key, n in table.items()})
        relations.extend(
            ((*prefix, *total), tuple((*prefix, *part) for part in parts)) for total, parts in ties
        )
    return protect(values, relations, withhold_small=withhold)


def pipeline_view(theme_id: int | None = None, quarters: Sequence = (), *, withhold=True,
                  site_ids: Sequence[int] | None = None) -> PipelineView:  # fmt: skip
    """The protected pipeline figures of every site (and the network) for one theme slice:
    counts by site, stage and status, the funnel/cooperation/stalled flags per site, and
    entries to test and market per site in each of quarters (Quarter objects)."""
    from tracker.dashboard import kept, metrics

    site_ids = list(site_ids) if site_ids is not None else _site_ids()
    # The dashboard's kept counts (withdrawn projects are in none): a few rows per site, not
    # an aggregate over every project; stalled depends on the clock and is counted live.
    kept.refresh()
    cells, flags, entries = kept.site_counts(theme_id, quarters)
    flags["stalled"] = metrics.stalled_by_site(metrics.Scope(theme_id=theme_id))
    return PipelineView(
        theme_id=theme_id,
        counts=protect_counts(cells, site_ids, withhold),
        flags=protect_per_site(flags, site_ids, withhold),
        throughput=protect_entries(entries if quarters else {}, site_ids, withhold),
    )


def protect_entries(entries: Mapping[tuple, Mapping[int, int]], site_ids: Sequence[int],
                    withhold=True) -> Disclosure:  # fmt: skip
    """Entries into test and market per quarter ({(stage, quarter): {site_id: n}}) as one
    table per quarter, stage (and ALL: both) by site (and ALL: the network), keys (stage,
    quarter, site): the same table the quarterly report's "entered" figures use, so the same
    figure is withheld alike in both."""
    values: dict = {}
    relations: list = []
    quarters = sorted({quarter for _stage, quarter in entries})
    site_ids = sorted(site_ids)
    for quarter in quarters:
        base = {
            (stage, site): n
            for (stage, q), per_site in entries.items()
            if q == quarter
            for site, n in per_site.items()
        }
        table, ties = cube(base, [("test", "market"), site_ids])
        values.update({(stage, quarter, site): n for (stage, site), n in table.items()})
        relations.extend(
            ((t[0], quarter, t[1]), tuple((p[0], quarter, p[1]) for p in parts))
            for t, parts in ties
        )
    return protect(values, relations, withhold_small=withhold)


def throughput_by_site(theme_id: int | None, quarters: Sequence) -> dict[tuple, dict[int, int]]:
    """Entries into test and into market per quarter and site: {(stage, key): {site_id: n}}."""
    import sqlalchemy as sa

    from tracker.dashboard import metrics
    from tracker.dashboard.flows import entries_into
    from tracker.extensions import db
    from tracker.models import Project, StageEvent

    bucket = sa.case(
        *((sa.and_(StageEvent.at >= q.start, StageEvent.at < q.end), q.key) for q in quarters),
        else_=None,
    ).label("quarter")
    query = (
        sa.select(bucket, StageEvent.to_stage, Project.site_id, sa.func.count())
        .join(Project, Project.id == StageEvent.project_id)
        .where(
            *entries_into("test", "market"),
            Project.status.in_(STATUSES),  # withdrawn projects leave every count
            StageEvent.at >= quarters[0].start,
            StageEvent.at < quarters[-1].end,
            *metrics.project_conditions(metrics.Scope(theme_id=theme_id)),
        )
        .group_by(bucket, StageEvent.to_stage, Project.site_id)
    )
    result: dict[tuple, dict[int, int]] = {
        (stage, q.key): {} for q in quarters for stage in ("test", "market")
    }  # every quarter present, zeros included
    for key, stage, site_id, n in db.session.execute(query):
        if (stage, key) in result:
            result[(stage, key)][site_id] = int(n)
    return result


def pipeline_counts(theme_id: int | None = None, withhold=True) -> Disclosure:
    """The protected counts (site, stage, status) of one theme slice, from one grouped
    statement: the same Disclosure as pipeline_view(theme_id).counts."""
    import sqlalchemy as sa

    from tracker.dashboard import metrics
    from tracker.extensions import db
    from tracker.models import Project

    query = (
        sa.select(Project.site_id, Project.stage, Project.status, sa.func.count())
        .where(*metrics.project_conditions(metrics.Scope(theme_id=theme_id)))
        .where(Project.status.in_(STATUSES))  # withdrawn projects leave every count
        .group_by(Project.site_id, Project.stage, Project.status)
    )
    cells = {(site, stage, status): int(n) for site, stage, status, n in db.session.execute(query)}
    return protect_counts(cells, _site_ids(), withhold)


def theme_totals(theme_ids: Sequence[int], site_ids: Sequence[int] | None = None,
                 withhold=True) -> dict[int, Disclosure]:  # fmt: skip
    """Per theme, its slice's protected counts (the same Disclosure pipeline_view(theme)
    has as counts), from one grouped statement over every theme."""
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import Project
    from tracker.models.project import project_themes

    site_ids = list(site_ids) if site_ids is not None else _site_ids()
    query = (
        sa.select(
            project_themes.c.theme_id, Project.site_id, Project.stage, Project.status,
            sa.func.count(),
        )
        .join(Project, Project.id == project_themes.c.project_id)
        .where(Project.status.in_(STATUSES))  # withdrawn projects leave every count
        .group_by(project_themes.c.theme_id, Project.site_id, Project.stage, Project.status)
    )  # fmt: skip
    cells: dict[int, dict[tuple, int]] = {theme_id: {} for theme_id in theme_ids}
    for theme_id, site_id, stage, status, n in db.session.execute(query):
        if theme_id in cells:
            cells[theme_id][(site_id, stage, status)] = int(n)
    return {theme_id: protect_counts(c, site_ids, withhold) for theme_id, c in cells.items()}
