"""Measure the pages against a bare route in one run, signed in as a site manager.

    .venv/bin/python -m bench.run --size M [--database-url URL] [--requests 100]

Starts gunicorn (2 workers) on 127.0.0.1 against a database made by bench.generate, drives a
bounded load (a fixed number of requests per page from --concurrency clients) and prints a
markdown table: requests/s, median, p95, median as a multiple of the bare route's, and SQL
statements per request (the X-Query-Count header of bench mode) and the page's size (KB, the
body uncompressed: a page whose weight grows with the directory shows it).
"""

import argparse
import html
import json
import os
import re
import statistics
import threading
import time
import uuid
from dataclasses import asdict, dataclass

import requests
import sqlalchemy as sa

from bench.generate import DEFAULT_PASSWORD, default_url, normalise
from bench.server import ROOT, api_token, clone, gunicorn, sign_in

MANAGER = "bench.manager@bench.example"
# Median as a multiple of the bare route's, at size M (the benchmarks issue; issue 21: the
# dashboard 12, the second wave's pages 15).
TARGETS = {
    "board": 20,
    "board_site": 20,
    "dashboard": 12,
    "api_list": 10,
    **dict.fromkeys(
        ("network", "suggestions", "partner_requests", "notifications", "webhooks"), 15
    ),
    **dict.fromkeys(("deliveries", "report"), 15),
}
DEFAULT_TARGET = 30
MAX_QUERIES = 12
MAX_SECONDS_PER_PAGE = 60


@dataclass
class Result:
    name: str
    path: str
    requests: int
    per_second: float
    median_ms: float
    p95_ms: float
    ratio: float
    queries: int | None
    target: int | None
    kilobytes: float | None = None


@dataclass
class Page:
    name: str
    path: str
    method: str = "GET"
    expect: int = 200
    headers: dict[str, str] | None = None


def pick_projects(url: str) -> tuple[int, int]:
    """Two Lingen projects from the middle of the id range: one to read, one to write to."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ids = conn.scalars(
            sa.text(
                "SELECT p.id FROM projects p JOIN sites s ON s.id = p.site_id "
                "WHERE s.slug = 'lingen' ORDER BY p.id"
            )
        ).all()
    engine.dispose()
    middle = len(ids) // 2
    return ids[middle], ids[middle + 1]


def bench_webhook(url: str, deliveries: int = 50) -> int:
    """The manager's webhook with its calls (the deliveries page shows the latest), made once
    outside the measurement; the worker is not running, so nothing is sent."""
    from tracker.models import User, Webhook, WebhookDelivery, utcnow

    hooks, calls = Webhook.__table__, WebhookDelivery.__table__
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        user_id = conn.scalar(sa.select(User.id).where(User.email == MANAGER))
        hook = conn.scalar(sa.select(hooks.c.id).where(hooks.c.user_id == user_id).limit(1))
        if hook is None:
            now = utcnow()
            hook = conn.execute(
                hooks.insert()
                .values(
                    user_id=user_id,
                    url="https://hooks.bench.example/tracker",
                    events=["project.updated", "gate.decided"],
                    secret="bench-webhook-" + "secret",  # a made-up one; nothing is sent
                    active=True,
                    failures_in_row=0,
                    last_audit_id=0,
                    created_at=now,
                )
                .returning(hooks.c.id)
            ).scalar_one()
            conn.execute(
                calls.insert(),
                [
                    {
                        "uuid": str(uuid.UUID(int=hook * 1_000_000 + i)),
                        "webhook_id": hook,
                        "event": "project.updated",
                        "body": "{}",
                        "state": "delivered" if i % 5 else "failed",
                        "attempts": 1 + (i % 5 == 0),
                        "last_status": 200 if i % 5 else 500,
                        "last_error": "",
                        "created_at": now,
                        "delivered_at": now if i % 5 else None,
                    }
                    for i in range(deliveries)
                ],
            )
    engine.dispose()
    return hook


def deep_page(session: requests.Session, base: str) -> str:
    """The list's middle page as its links reach it: by cursor (?after=). The exact count
    (?count=all) gives the middle page's number; the numbered page before it (the OFFSET that
    old ?page= links still get) gives the cursor, once, outside the measurement."""
    listing = session.get(f"{base}/projects?count=all", timeout=120).text
    found = re.search(r'role="status">([\d,]+) projects?\b', listing)
    total = int(found.group(1).replace(",", "")) if found else 0
    middle = max(1, -(-total // 25) // 2)
    if middle == 1:
        return "/projects"
    before = session.get(f"{base}/projects?page={middle - 1}", timeout=120).text
    link = re.search(r'href="(/projects\?after=[^"]+)" rel="next"', before)
    return html.unescape(link.group(1)) if link else f"/projects?page={middle}"


def drive(base: str, page: Page, master, csrf: str, total: int, concurrency: int, sizes=None):
    """total requests of page from concurrency clients: latencies (s), wall time, queries.
    sizes, a list, gets each reply's body length in bytes (uncompressed)."""
    latencies: list[float] = []
    queries: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))
    stop_at = time.perf_counter() + MAX_SECONDS_PER_PAGE

    def client() -> None:
        session = clone(master)
        while True:
            with lock:
                # Bounded: a slow page gets what fits in its time, but at least 10 requests.
                late = time.perf_counter() > stop_at and len(latencies) >= 10
                n = None if late else next(counter, None)
            if n is None:
                return
            started = time.perf_counter()
            if page.method == "POST":
                body = {"body": f"Bench update {n} at {time.time():.6f}", "csrf_token": csrf}
                reply = session.post(
                    base + page.path, data=body, allow_redirects=False, timeout=120
                )
            else:
                reply = session.get(
                    base + page.path, headers=page.headers, allow_redirects=False, timeout=120
                )
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if sizes is not None:
                    sizes.append(len(reply.content))
                if "X-Query-Count" in reply.headers:
                    queries.append(int(reply.headers["X-Query-Count"]))
                if reply.status_code != page.expect:
                    errors.append(f"{page.path}: {reply.status_code}")

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"unexpected replies, e.g. {errors[0]} ({len(errors)} in all)")
    return latencies, wall, queries


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(base: str, pages: list[Page], master, csrf: str, total: int, concurrency: int):
    bare = Page("bare", "/bench/bare")
    raw = {}
    sizes: dict[str, list[int]] = {}
    for page in [bare, *pages, bare]:  # the bare route before and after: same conditions
        drive(base, page, master, csrf, min(10, total), concurrency)  # warm-up
        latencies, wall, queries = drive(
            base, page, master, csrf, total, concurrency, sizes.setdefault(page.name, [])
        )
        old = raw.get(page.name)
        if old:
            latencies, wall, queries = old[0] + latencies, old[1] + wall, old[2] + queries
        raw[page.name] = (latencies, wall, queries)
        print(f"  {page.name:<12} median {statistics.median(latencies) * 1000:8.1f} ms", flush=True)
    bare_median = statistics.median(raw["bare"][0])
    results = []
    for page in [bare, *pages]:
        latencies, wall, queries = raw[page.name]
        median = statistics.median(latencies)
        results.append(
            Result(
                name=page.name,
                path=page.path,
                requests=len(latencies),
                per_second=len(latencies) / wall,
                median_ms=median * 1000,
                p95_ms=p95(latencies) * 1000,
                ratio=median / bare_median,
                queries=max(queries) if queries and page.name != "bare" else None,
                target=None if page.name == "bare" else TARGETS.get(page.name, DEFAULT_TARGET),
                kilobytes=statistics.median(sizes[page.name]) / 1024 if sizes[page.name] else None,
            )
        )
    return results


def table(results: list[Result], label: str) -> str:
    lines = [
        f"### {label}",
        "",
        "| page | path | req/s | median ms | p95 ms | x bare | target | SQL/request | KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        missed = r.target is not None and r.ratio > r.target
        ratio = "1.0" if r.target is None else f"{r.ratio:.1f}" + (" ✗" if missed else "")
        target = "" if r.target is None else f"≤ {r.target}"
        kilobytes = "" if r.kilobytes is None or r.name == "bare" else f"{r.kilobytes:.0f}"
        queries = (
            "" if r.queries is None else str(r.queries) + (" ✗" if r.queries > MAX_QUERIES else "")
        )
        lines.append(
            f"| {r.name} | `{r.path}` | {r.per_second:.0f} | {r.median_ms:.1f} | "
            f"{r.p95_ms:.1f} | {ratio} | {target} | {queries} | {kilobytes} |"
        )
    return "\n".join(lines)


def pages_for(
    base: str, session, token: str, read_id: int, write_id: int, hook_id: int
) -> list[Page]:
    return [
        Page("board", "/board"),
        Page("board_site", "/board?site=lingen"),
        Page("list", "/projects"),
        Page("list_deep", deep_page(session, base)),
        Page("detail", f"/projects/{read_id}"),
        Page("dashboard", "/dashboard"),
        Page("api_list", "/api/v1/projects", headers={"Authorization": f"Bearer {token}"}),
        Page("write", f"/projects/{write_id}/updates", method="POST", expect=302),
        # matchmaking (design §14): the whole network's graph and one project's suggestions
        Page("network", "/network"),
        Page("suggestions", f"/projects/{read_id}/suggestions"),
        # the other second-wave pages (issue 21): each ≤ 12 statements, ≤ 15 x bare at M
        Page("partner_requests", "/partner-requests"),
        Page("notifications", "/notifications"),
        Page("webhooks", "/account/webhooks"),
        Page("deliveries", f"/account/webhooks/{hook_id}"),
        Page("report", "/dashboard/report"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", help="label, and the default SQLite file")
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=100, help="per page")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", DEFAULT_PASSWORD))
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    args = parser.parse_args(argv)
    url = normalise(args.database_url or os.environ.get("DATABASE_URL") or default_url(args.size))
    backend = sa.make_url(url).get_backend_name()
    label = f"size {args.size}, {'PostgreSQL' if backend == 'postgresql' else 'SQLite'}"
    token = api_token(url, MANAGER)
    read_id, write_id = pick_projects(url)
    hook_id = bench_webhook(url)
    log = ROOT / "bench" / "logs" / f"run-{args.size}-{backend}.log"
    with gunicorn(url, args.port, args.workers, log) as base:
        session, csrf = sign_in(base, MANAGER, args.password)
        pages = pages_for(base, session, token, read_id, write_id, hook_id)
        if args.only:  # e.g. --only board,board_site: one page's rows, still against the bare route
            pages = [page for page in pages if page.name in args.only.split(",")]
        print(f"{label}: {args.requests} requests per page, {args.concurrency} clients")
        load_before = os.getloadavg()[0]
        results = measure(base, pages, session, csrf, args.requests, args.concurrency)
        load_after = os.getloadavg()[0]
    # Other processes on the machine slow every page; the ratios to the bare route less so.
    label += f" (load average {load_before:.1f} before, {load_after:.1f} after)"
    print()
    print(table(results, label))
    out = ROOT / "bench" / "results" / f"{args.size}-{backend}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in results], indent=1))


if __name__ == "__main__":
    main()
