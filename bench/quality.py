"""Offline quality of the partner suggestions: hide one partner, rank, see where it lands.

For every project with two or more partners (participants besides the lead), one partner,
chosen with a seeded generator, is hidden. The suggester ranks every organization outside the
remaining participants from the facts left once that participation is gone (shared themes,
work with a remaining participant on another project, the host site, recent activity),
with tracker.matchmaking.suggest.score itself; two baselines rank the same candidates: themes
only (shared themes, ties by name) and random (seeded shuffle). Reported: recall@10 (share of
hidden partners in the top ten) and mean reciprocal rank (1/rank; 0 when the suggester gives
the hidden partner no positive score, so it would never be shown).

Everything is seen as an admin sees it (all projects). Usage:

    .venv/bin/python -m bench.quality --demo                 # the demo network (seeded afresh)
    .venv/bin/python -m bench.quality --database-url URL     # e.g. a generated bench database
"""

import argparse
import random
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.matchmaking.suggest import ACTIVE_DAYS, Facts, Target, score

TOP = 10


@dataclass
class Data:
    names: dict[int, str]
    kinds: dict[int, str]
    org_themes: dict[int, set[int]]
    org_sites: dict[int, set[int]]
    project_site: dict[int, int]
    project_themes: dict[int, set[int]]
    project_active: dict[int, bool]
    participants: dict[int, dict[int, str]]  # project -> org -> role
    projects_of: dict[int, set[int]]


def load(engine: sa.Engine) -> Data:
    cutoff = datetime.now(UTC) - timedelta(days=ACTIVE_DAYS)
    with engine.connect() as c:
        orgs = c.execute(sa.text("SELECT id, name, kind FROM organizations")).all()
        org_themes, org_sites = defaultdict(set), defaultdict(set)
        for o, t in c.execute(sa.text("SELECT organization_id, theme_id FROM organization_themes")):
            org_themes[o].add(t)
        for o, s in c.execute(sa.text("SELECT organization_id, site_id FROM organization_sites")):
            org_sites[o].add(s)
        project_site, project_active = {}, {}
        for p, s, last in c.execute(sa.text("SELECT id, site_id, last_activity_at FROM projects")):
            project_site[p] = s
            if isinstance(last, str):
                last = datetime.fromisoformat(last)
            if last.tzinfo is None:
                last = last.replace(tzinfo=UTC)
            project_active[p] = last >= cutoff
        project_themes = defaultdict(set)
        for p, t in c.execute(sa.text("SELECT project_id, theme_id FROM project_themes")):
            project_themes[p].add(t)
        participants, projects_of = defaultdict(dict), defaultdict(set)
        for p, o, role in c.execute(
            sa.text("SELECT project_id, organization_id, role FROM participations")
        ):
            participants[p][o] = role
            projects_of[o].add(p)
    return Data(
        {o.id: o.name for o in orgs}, {o.id: o.kind for o in orgs}, org_themes, org_sites,
        project_site, project_themes, project_active, participants, projects_of,
    )  # fmt: skip


def facts_without(data: Data, project: int, hidden: int, target: Target) -> dict[int, Facts]:
    """What the suggester would read with the hidden participation gone."""
    facts: dict[int, Facts] = {}
    for org in data.names:
        if org in target.participants:
            continue
        f = Facts(kind=data.kinds[org], themes=data.org_themes[org] & target.theme_ids)
        f.at_site = target.site_id in data.org_sites[org]
        own = data.projects_of[org] - ({project} if org == hidden else set())
        f.active = any(data.project_active[p] for p in own)
        facts[org] = f
    for partner in target.participants:
        for p in sorted(data.projects_of[partner] - {project}, reverse=True):
            for other in data.participants[p]:
                if other in facts:
                    facts[other].coworked.setdefault(partner, (p, ""))
    return facts


def evaluate(data: Data, seed: int = 1, limit: int | None = None) -> dict[str, dict]:
    rng = random.Random(seed)
    cases = []
    for project in sorted(data.participants):
        partners = sorted(o for o, r in data.participants[project].items() if r != "lead")
        if len(partners) >= 2:
            cases.append((project, rng.choice(partners)))
    if limit and len(cases) > limit:
        cases = sorted(rng.sample(cases, limit))
    ranks: dict[str, list[int | None]] = {"suggester": [], "themes only": [], "random": []}
    for project, hidden in cases:
        remaining = frozenset(data.participants[project]) - {hidden}
        target = Target(
            theme_ids=frozenset(data.project_themes[project]), kind=None,
            site_id=data.project_site[project], participants=remaining, project_id=project,
        )  # fmt: skip
        facts = facts_without(data, project, hidden, target)
        name = data.names.get
        scored = sorted(
            ((o, s) for o, f in facts.items() if (s := score(target, f)) > 0),
            key=lambda pair: (-pair[1], name(pair[0], "").lower(), pair[0]),
        )
        order = [o for o, _s in scored]
        ranks["suggester"].append(order.index(hidden) + 1 if hidden in order else None)
        themes = sorted(facts, key=lambda o: (-len(facts[o].themes), name(o, "").lower(), o))
        ranks["themes only"].append(themes.index(hidden) + 1)
        shuffled = sorted(facts)
        rng.shuffle(shuffled)
        ranks["random"].append(shuffled.index(hidden) + 1)
    return {
        method: {
            "cases": len(values),
            "recall@10": sum(1 for r in values if r and r <= TOP) / len(values) if values else 0,
            "mrr": sum(1 / r for r in values if r) / len(values) if values else 0,
            "candidates": len(data.names),
        }
        for method, values in ranks.items()
    }


def demo_engine() -> tuple[sa.Engine, tempfile.TemporaryDirectory]:
    """A fresh SQLite database with the demo network, seeded like `flask seed-demo`."""
    from tracker import create_app
    from tracker.auth.passwords import hash_password
    from tracker.demo.seed import seed
    from tracker.extensions import db

    folder = tempfile.TemporaryDirectory()
    url = f"sqlite:///{folder.name}/demo.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "quality"})
    with app.app_context():
        db.create_all()
        seed(hash_password("quality-password"), lambda *_a, **_k: None)
        db.session.commit()
        db.engine.dispose()
    return sa.create_engine(url), folder


def table(label: str, results: dict[str, dict]) -> str:
    first = next(iter(results.values()))
    lines = [
        f"{label}: {first['cases']} hidden partners, {first['candidates']} organizations",
        "",
        "| ranking | recall@10 | MRR |",
        "|---|---:|---:|",
    ]
    for method, r in results.items():
        lines.append(f"| {method} | {r['recall@10']:.3f} | {r['mrr']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=2000, help="at most this many projects")
    args = parser.parse_args(argv)
    if args.demo:
        engine, folder = demo_engine()
        label = "demo network"
    else:
        engine, folder = sa.create_engine(args.database_url), None
        label = args.database_url.rsplit("/", 1)[-1]
    results = evaluate(load(engine), args.seed, args.limit)
    print(table(label, results))
    if folder:
        engine.dispose()
        folder.cleanup()


if __name__ == "__main__":
    main()
