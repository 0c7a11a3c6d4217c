"""The cooperation network (/network, GET /api/v1/network): organizations as nodes, shared
projects as edges, a deterministic layout and the measures beside it.

Members, managers and admins see the edges of the projects they may see; patrons see the
network of sites and organization kinds only, each count through tracker.disclosure (design
§11: 1 and 2 withheld, plus what would give them away).

The layout is computed here, not by a force simulation: sites on a circle in slug order, each
organization in the cluster of the host site where most of its projects are (else its first
affiliated site, else the middle), placed on a sunflower spiral by projects then name. The same
data give the same picture, in linear time (a spring layout at 1,000 nodes needs NumPy and
SciPy and is not reproducible across their versions). networkx gives the measures: partners
per organization, connected components and articulation points (organizations whose leaving
would split the network).
"""

import math
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations
from typing import Any

import networkx as nx
import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from tracker import disclosure
from tracker.auth import permissions
from tracker.database import transaction
from tracker.extensions import db
from tracker.models import Organization, Participation, Project, Site, User, utcnow
from tracker.models.base import ORG_KINDS, reader_language
from tracker.models.changes import network_changes
from tracker.models.directory import organization_sites
from tracker.models.project import project_themes

PERIODS = {"12m": 365, "24m": 730, "all": None}
PERIOD_LABELS = {"12m": _l("Last 12 months"), "24m": _l("Last 24 months"), "all": _l("All time")}
QUIET_DAYS = 365
# Kind -> (shape, colour): the shape alone tells the kind (readable without colour).
KIND_STYLE = {
    "member_company": ("circle", "#1f6fb2"),
    "startup": ("triangle", "#d9822b"),
    "research_institution": ("square", "#2e8b57"),
    "partner": ("diamond", "#8e44ad"),
    "public_body": ("hexagon", "#6b6b6b"),
}
assert set(KIND_STYLE) == set(ORG_KINDS)
WIDTH, HEIGHT, MARGIN = 1000, 720, 40
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
LABELLED = 25
TABLE_ROWS = 10


@dataclass(frozen=True)
class NetworkFilters:
    site_id: int | None = None
    theme_id: int | None = None
    period: str = "all"
    kind: str | None = None

    @classmethod
    def from_args(cls, args) -> "NetworkFilters":
        def number(name):
            value = args.get(name)
            return int(value) if isinstance(value, str) and value.isdigit() else None

        period = args.get("period") or "all"
        kind = args.get("kind") or None
        return cls(
            site_id=number("site"),
            theme_id=number("theme"),
            period=period if period in PERIODS else "all",
            kind=kind if kind in ORG_KINDS else None,
        )


def _filtered(query: sa.Select, filters: NetworkFilters) -> sa.Select:
    """The query of projects narrowed to the filters' site, theme and period of activity."""
    if filters.site_id:
        query = query.where(Project.site_id == filters.site_id)
    if filters.theme_id:
        query = query.where(
            Project.id.in_(
                sa.select(project_themes.c.project_id).where(
                    project_themes.c.theme_id == filters.theme_id
                )
            )
        )
    days = PERIODS[filters.period]
    if days:
        query = query.where(Project.last_activity_at >= utcnow() - timedelta(days=days))
    return query


def _projects(user: User, filters: NetworkFilters) -> sa.Select:
    # Withdrawn projects leave every count (design §16): no cooperation drawn from them.
    return _filtered(permissions.visible_projects(user).where(Project.counted()), filters)


def _rows(user: User, filters: NetworkFilters):
    """(project id, host site id, organization id) of every participation in the scope."""
    scoped = _projects(user, filters).with_only_columns(Project.id, Project.site_id).subquery()
    query = (
        sa.select(scoped.c.id, scoped.c.site_id, Participation.organization_id)
        .join(Participation, Participation.project_id == scoped.c.id)
        .order_by(scoped.c.id, Participation.organization_id)
    )
    return db.session.execute(query).all()


_CACHE: "OrderedDict[tuple, dict]" = OrderedDict()
CACHE_SIZE = 8  # a drawing at 1,000 organizations holds ~5 MB


def forget_drawings() -> None:
    """Empty the cache (tests that rebuild identical data between cases)."""
    _CACHE.clear()


def _stamp() -> tuple:
    """What the drawing depends on, in one statement that reads no table in full: any write
    to projects, participations, project themes, organizations, their sites or the sites adds
    a row to network_changes (a trigger, tracker.models.changes); and the day, for the
    periods."""
    count, high = sa.func.count, sa.func.max
    parts = [sa.select(count()).select_from(network_changes), sa.select(high(network_changes.c.id))]
    row = db.session.execute(sa.select(*(p.scalar_subquery() for p in parts))).one()
    return (*(str(v) for v in row), utcnow().date().isoformat())


PRUNE_ABOVE = 1000


def prune_changes() -> int:
    """Keep the change log short (the worker, every ten minutes): when it holds more than
    PRUNE_ABOVE rows, delete them and add one, whose id is higher than any before (a sequence;
    AUTOINCREMENT on SQLite), so that no earlier stamp comes back. The rows deleted."""
    with transaction():
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(network_changes))
        if rows <= PRUNE_ABOVE:
            return 0
        deleted = db.session.execute(sa.delete(network_changes)).rowcount
        db.session.execute(sa.insert(network_changes))
    return deleted


def _viewer(user: User) -> tuple:
    """Users who see the same projects share a drawing."""
    return (
        user.role,
        user.organization_id
        if permissions.is_member(user) or permissions.is_site_manager(user)
        else None,
        tuple(permissions.managed_site_ids(user)),
    )


def build(user: User, filters: NetworkFilters) -> dict[str, Any]:
    """The network as user may see it, from a small cache per viewer, filter set and
    language that any write to what it shows invalidates (see _stamp)."""
    # The reader's language too: site names and the patron's texts are made in it.
    key = (_viewer(user), filters, reader_language(), _stamp())
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    data = _build(user, filters)
    _CACHE[key] = data
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return data


def _build(user: User, filters: NetworkFilters) -> dict[str, Any]:
    """The network as user may see it: nodes, edges, layout and tables (or the patron's)."""
    if permissions.network_detail(user) == "sites":
        return build_for_patron(filters)
    sites = {s.id: s for s in db.session.scalars(sa.select(Site).order_by(Site.slug))}
    orgs = {
        o.id: o
        for o in db.session.execute(
            sa.select(Organization.id, Organization.name, Organization.kind,
                      Organization.member_since)
        ).all()
    }  # fmt: skip
    affiliated: dict[int, list[int]] = defaultdict(list)
    for org_id, site_id in db.session.execute(
        sa.select(organization_sites.c.organization_id, organization_sites.c.site_id)
    ):
        affiliated[org_id].append(site_id)
    for site_ids in affiliated.values():
        site_ids.sort(key=lambda s: sites[s].slug)

    by_project: dict[int, list[int]] = defaultdict(list)
    host: dict[int, int] = {}
    for project_id, site_id, org_id in _rows(user, filters):
        if filters.kind and orgs[org_id].kind != filters.kind:
            continue
        by_project[project_id].append(org_id)
        host[project_id] = site_id
    projects_of: Counter = Counter()
    host_sites: dict[int, Counter] = defaultdict(Counter)
    weights: Counter = Counter()
    for project_id, members in by_project.items():
        for org_id in members:
            projects_of[org_id] += 1
            host_sites[org_id][host[project_id]] += 1
        for a, b in combinations(members, 2):
            weights[(a, b) if a < b else (b, a)] += 1

    graph = nx.Graph()
    graph.add_nodes_from(sorted(projects_of))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    articulation = set(nx.articulation_points(graph)) if graph.number_of_edges() else set()

    def home(org_id: int) -> int | None:
        counts = host_sites[org_id]
        if counts:
            return min(counts, key=lambda s: (-counts[s], sites[s].slug))
        return affiliated[org_id][0] if affiliated.get(org_id) else None

    positions = _layout(
        {org_id: home(org_id) for org_id in graph.nodes},
        projects_of,
        {o: orgs[o].name for o in graph.nodes},
        list(sites),
    )
    nodes = [
        {
            "id": org_id,
            "name": orgs[org_id].name,
            "kind": orgs[org_id].kind,
            "sites": [sites[s].slug for s in affiliated.get(org_id, [])],
            "projects": projects_of[org_id],
            "partners": graph.degree(org_id),
            "x": positions[org_id][0],
            "y": positions[org_id][1],
            "bridges": org_id in articulation,
        }
        for org_id in sorted(graph.nodes, key=lambda o: (orgs[o].name.lower(), o))
    ]
    edges = [{"source": a, "target": b, "projects": w} for (a, b), w in sorted(weights.items())]
    return {
        "detail": "organizations",
        "nodes": nodes,
        "edges": edges,
        "components": nx.number_connected_components(graph) if len(graph) else 0,
        "most_connected": _most_connected(nodes),
        "site_links": _site_links(weights, affiliated, sites),
        "bridging": _bridging(nodes, host_sites, sites, orgs),
        "quiet_members": _quiet_members(orgs),
        "site_centres": _site_centres(sites, positions, graph, lambda o: home(o)),
    }


def _most_connected(nodes: list[dict]) -> list[dict]:
    ranked = sorted(nodes, key=lambda n: (-n["partners"], -n["projects"], n["name"].lower()))
    return [n for n in ranked if n["partners"]][:TABLE_ROWS]


def _site_links(weights: Counter, affiliated, sites) -> list[dict]:
    """Links (pairs of organizations with a shared project) between the sites they belong
    to, each pair of sites once, with the projects behind them."""
    order = {s: i for i, s in enumerate(sorted(sites, key=lambda s: sites[s].slug))}
    links: Counter = Counter()
    shared: Counter = Counter()
    for (a, b), w in weights.items():
        pairs = {
            (sa_, sb_) if order[sa_] <= order[sb_] else (sb_, sa_)
            for sa_ in affiliated.get(a, ())
            for sb_ in affiliated.get(b, ())
        }
        for pair in pairs:
            links[pair] += 1
            shared[pair] += w
    rows = [
        {
            "sites": [sites[p[0]].name, sites[p[1]].name],
            "slugs": [sites[p[0]].slug, sites[p[1]].slug],
            "links": links[p],
            "projects": shared[p],
        }
        for p in links
    ]
    return sorted(rows, key=lambda r: (-r["links"], r["slugs"]))


def _bridging(nodes, host_sites, sites, orgs) -> list[dict]:
    """Organizations whose projects in scope are hosted at two or more sites, most first;
    `splits` marks those whose leaving would cut the network in two (articulation points)."""
    rows = []
    for n in nodes:
        hosted = host_sites[n["id"]]
        if len(hosted) >= 2 or n["bridges"]:
            rows.append(
                {
                    "id": n["id"],
                    "name": n["name"],
                    "sites": sorted(sites[s].name for s in hosted),
                    "splits": n["bridges"],
                }
            )
    rows.sort(key=lambda r: (-len(r["sites"]), not r["splits"], r["name"].lower()))
    return rows[:TABLE_ROWS]


def _quiet_members(orgs) -> list[dict]:
    """Member organizations without a project active in the last 12 months (over the whole
    network: having a project is no detail of it)."""
    cutoff = utcnow() - timedelta(days=QUIET_DAYS)
    active = set(
        db.session.scalars(
            sa.select(Participation.organization_id)
            .join(Project, Project.id == Participation.project_id)
            .where(Project.last_activity_at >= cutoff)
            .distinct()
        )
    )
    quiet = [
        {"id": o.id, "name": o.name, "kind": o.kind}
        for o in orgs.values()
        if o.member_since is not None and o.id not in active
    ]
    return sorted(quiet, key=lambda r: r["name"].lower())


def _layout(home: dict[int, int | None], projects_of, names, site_ids) -> dict[int, tuple]:
    """Sites on a circle, each cluster a sunflower spiral; scaled into the drawing."""
    clusters: dict[int | None, list[int]] = defaultdict(list)
    for org_id, site_id in home.items():
        clusters[site_id].append(org_id)
    for members in clusters.values():
        members.sort(key=lambda o: (-projects_of[o], names[o].lower(), o))
    ring = [s for s in site_ids if s in clusters]
    biggest = max((len(m) for m in clusters.values()), default=1)
    spread = math.sqrt(biggest) * 1.25
    radius = 0.0 if len(ring) <= 1 else spread / math.sin(math.pi / len(ring)) * 1.05
    centres: dict[int | None, tuple[float, float]] = {}
    for i, site_id in enumerate(ring):
        angle = -math.pi / 2 + 2 * math.pi * i / len(ring)
        centres[site_id] = (radius * math.cos(angle), radius * math.sin(angle))
    centres[None] = (0.0, 0.0)
    raw = {}
    for site_id, members in clusters.items():
        cx, cy = centres[site_id]
        for i, org_id in enumerate(members):
            r, angle = math.sqrt(i + 0.5), i * GOLDEN_ANGLE
            raw[org_id] = (cx + r * math.cos(angle), cy + r * math.sin(angle))
    if not raw:
        return {}
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = min(WIDTH, HEIGHT) - 2 * MARGIN
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        org_id: (
            round(WIDTH / 2 + (x - mid_x) / span * scale, 1),
            round(HEIGHT / 2 + (y - mid_y) / span * scale, 1),
        )
        for org_id, (x, y) in raw.items()
    }


def _site_centres(sites, positions, graph, home) -> list[dict]:
    """Where each site's cluster is drawn (the mean of its organizations), for its label."""
    sums: dict[int, list[float]] = {}
    for org_id in graph.nodes:
        site_id = home(org_id)
        if site_id is None:
            continue
        x, y = positions[org_id]
        s = sums.setdefault(site_id, [0.0, 0.0, 0])
        s[0], s[1], s[2] = s[0] + x, s[1] + y, s[2] + 1
    return [
        {"name": sites[s].name, "x": round(v[0] / v[2], 1), "y": round(min(v[1] / v[2], HEIGHT))}
        for s, v in sorted(sums.items(), key=lambda item: sites[item[0]].slug)
    ]


# --- patrons: sites and kinds only ----------------------------------------------------------------


def build_for_patron(filters: NetworkFilters) -> dict[str, Any]:
    """Organizations with a project in scope per site and kind, and projects shared between
    each pair of sites (by the participants' affiliations); every count through disclosure.
    Patrons filter by site, theme and period only (the kind filter is ignored)."""
    filters = NetworkFilters(filters.site_id, filters.theme_id, filters.period, None)
    sites = {s.id: s for s in db.session.scalars(sa.select(Site).order_by(Site.slug))}
    kinds = {
        o.id: o.kind for o in db.session.execute(sa.select(Organization.id, Organization.kind))
    }
    affiliated: dict[int, set[int]] = defaultdict(set)
    for org_id, site_id in db.session.execute(
        sa.select(organization_sites.c.organization_id, organization_sites.c.site_id)
    ):
        affiliated[org_id].add(site_id)
    # Patrons count over every project (aggregates), not only the network ones they may open.
    scope = _projects_all(filters)
    rows = db.session.execute(
        sa.select(scope.c.id, Participation.organization_id)
        .join(Participation, Participation.project_id == scope.c.id)
    ).all()  # fmt: skip
    active: set[int] = set()
    by_project: dict[int, set[int]] = defaultdict(set)
    for project_id, org_id in rows:
        active.add(org_id)
        by_project[project_id].add(org_id)
    base: Counter = Counter()
    for org_id in active:
        for site_id in affiliated.get(org_id, ()):
            base[(site_id, kinds[org_id])] += 1
    values, relations = disclosure.cube(base, [list(sites), list(ORG_KINDS)])
    cells = disclosure.protect(values, relations)
    pair_counts: Counter = Counter()
    for members in by_project.values():
        touched = {s for o in members for s in affiliated.get(o, ())}
        for a, b in combinations(sorted(touched, key=lambda s: sites[s].slug), 2):
            pair_counts[(a, b)] += 1
    pairs = [(a, b) for a, b in combinations(sorted(sites, key=lambda s: sites[s].slug), 2)]
    links = disclosure.protect({p: pair_counts.get(p, 0) for p in pairs}, [])
    n = len(sites)
    centres = {}
    for i, site_id in enumerate(sorted(sites, key=lambda s: sites[s].slug)):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        r = 0 if n <= 1 else (min(WIDTH, HEIGHT) / 2 - 120)
        centres[site_id] = (round(WIDTH / 2 + r * math.cos(angle), 1),
                            round(HEIGHT / 2 + r * math.sin(angle), 1))  # fmt: skip
    site_nodes = [
        {
            "id": s.id,
            "slug": s.slug,
            "name": s.name,
            "x": centres[s.id][0],
            "y": centres[s.id][1],
            "organizations": cells.value((s.id, disclosure.ALL)),
            "organizations_text": cells.text((s.id, disclosure.ALL)),
            "kinds": [
                {
                    "kind": k,
                    "organizations": cells.value((s.id, k)),
                    "text": cells.text((s.id, k)),
                }
                for k in ORG_KINDS
            ],
        }
        for s in sorted(sites.values(), key=lambda s: s.slug)
    ]
    site_edges = [
        {
            "source": sites[a].slug,
            "target": sites[b].slug,
            "sites": [sites[a].name, sites[b].name],
            "projects": links.value((a, b)),
            "text": links.text((a, b)),
            "x1": centres[a][0],
            "y1": centres[a][1],
            "x2": centres[b][0],
            "y2": centres[b][1],
        }
        for a, b in pairs
    ]
    return {"detail": "sites", "sites": site_nodes, "site_edges": site_edges}


def _projects_all(filters: NetworkFilters):
    return _filtered(sa.select(Project.id).where(Project.counted()), filters).subquery()


# --- drawing -------------------------------------------------------------------------------

MAX_DRAWN_EDGES = 4000


def _mark(shape: str, colour: str, x: float, y: float, r: float) -> str:
    paint = f'fill="{colour}" stroke="#fff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{x}" cy="{y}" r="{r}" {paint}/>'
    if shape == "square":
        side = f"{2 * r:.1f}"
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{side}" height="{side}" {paint}/>'
    if shape == "triangle":
        points = [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)]
    elif shape == "diamond":
        points = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
    else:  # hexagon
        points = [
            (x + r * math.cos(a), y + r * math.sin(a)) for a in (i * math.pi / 3 for i in range(6))
        ]
    return (
        '<polygon points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + f'" {paint}/>'
    )


def legend_mark(kind: str) -> Markup:
    shape, colour = KIND_STYLE[kind]
    return Markup(  # noqa: S704  (numbers and constants only)
        '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">'
        + _mark(shape, colour, 8, 8, 5)
        + "</svg>"
    )


def svg(data: dict, kind_label, describe) -> Markup:
    """The organizations' drawing as SVG markup (no script, no style attribute), kept in
    data per language: drawing 20,000 lines through the template engine took seconds."""
    key = "svg:" + str(get_locale())
    if key in data:
        return data[key]
    pos = {n["id"]: n for n in data["nodes"]}
    drawn = sorted(data["edges"], key=lambda e: (-e["projects"], e["source"], e["target"]))
    out = ['<g stroke="#9aa5b1" stroke-opacity="0.55">']
    for e in drawn[:MAX_DRAWN_EDGES]:
        a, b = pos[e["source"]], pos[e["target"]]
        width = round(0.6 + math.sqrt(e["projects"]), 1)
        out.append(
            f'<line x1="{a["x"]}" y1="{a["y"]}" x2="{b["x"]}" y2="{b["y"]}" '
            f'stroke-width="{width}"/>'
        )
    out.append("</g>")
    for s in data["site_centres"]:
        out.append(
            f'<text x="{s["x"]}" y="{s["y"]}" text-anchor="middle" font-size="28" fill="#000" '
            f'fill-opacity="0.12" font-weight="bold">{escape(s["name"])}</text>'
        )
    labelled = {
        n["id"] for n in sorted(data["nodes"], key=lambda n: (-n["partners"], n["name"]))[:LABELLED]
    }
    for n in data["nodes"]:
        shape, colour = KIND_STYLE[n["kind"]]
        r = round(3 + 1.6 * math.sqrt(n["projects"]), 1)
        title = escape(f"{n['name']} — {kind_label(n['kind'])} — {describe(n)}")
        out.append(
            f'<a href="{url_for("directory.organization", organization_id=n["id"])}">'
            f"<title>{title}</title>{_mark(shape, colour, n['x'], n['y'], r)}</a>"
        )
        if n["id"] in labelled:
            out.append(
                f'<text x="{n["x"]}" y="{n["y"] - 9}" text-anchor="middle" font-size="11" '
                f'fill="#111">{escape(n["name"])}</text>'
            )
    data[key] = Markup("".join(out))  # noqa: S704  (every text and name escaped above)
    return data[key]
