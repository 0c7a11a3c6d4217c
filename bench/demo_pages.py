"""Every main page on the demo data against /healthz, interleaved: `make bench-demo` (issue 21).

    .venv/bin/python -m bench.demo_pages [--rounds 30] [--warm-up 3] [--database-url URL]
                                         [--commit HEAD] [--only ROLES] [--in-process]

A fresh database (SQLite in a temporary directory, or the PostgreSQL database --database-url
names, dropped and created again: its name must contain "bench") gets what `make run` does to
it: `flask db upgrade`, `flask seed-demo --if-empty` with TRACKER_DEMO_PASSWORD. Then one API
token and one webhook of the Krone member are added in-process (so the account, token and
webhook pages have a row to show; the demo seeds neither). gunicorn serves it with the
Procfile's settings (2 workers x 4 threads, access log, gunicorn.conf.py) on 127.0.0.1 and a
free port, as bench.wsgi_bench:app: the same create_app() plus the X-Query-Count header and two
reference routes (`/bench/bare`, and `/bench/page`: an empty page in the full layout, signed in).

Each role (admin, the Lingen site manager, the Krone member, the patron) signs in through the
real form. PAGES lists every GET page of tests/route_table.py per role (EXCLUDED says why the
rest are not measured; tests/test_bench_demo_pages.py keeps both in step with the table). One
client, one request at a time: every round requests /healthz and every page once each in a
shuffled order; --warm-up rounds first (each page must answer 200), then --rounds measured ones,
at most --max-seconds. Per page: median and p95 ms, median / /healthz's median, SQL statements
and size. Prints a markdown table; exit 1 when a page's median is more than --limit (10) times
/healthz's.
"""

import argparse
import cProfile
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import requests

from bench.server import ROOT, running, sign_in

BIN = Path(sys.executable).parent
PASSWORD = "demo-pages-password"  # noqa: S105  (a throw-away database)
LIMIT = 10

# Demo accounts (design §8) and the column of tests/route_table.py each one stands for.
ACCOUNTS = {
    "admin": "admin@demo.example",
    "manager": "manager.lingen@demo.example",
    "member": "member.krone@demo.example",
    "patron": "patron@demo.example",
}
TABLE_ROLE = {
    "anonymous": "anonymous",
    "admin": "admin",
    "manager": "manager",  # manages the host site of {project} (Lingen)
    "member": "lead_member",  # Krone Group leads {project}
    "patron": "patron",
}
ALL = ("admin", "manager", "member", "patron")
STAFF = ("admin", "manager", "member")
SUPERVISORS = ("admin", "manager")

# (route-table key, path; {name} from demo_objects(), roles that get it). GET pages only.
PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("GET /login", "/login", ("anonymous",)),
    ("GET /", "/", ALL),  # home by role: what needs me / needs attention / figures
    ("GET /board", "/board", ALL),
    ("GET /board", "/board?site=lingen", ALL),
    ("GET /projects", "/projects", STAFF),
    ("GET /projects", "/projects?q=hydrogen", ("member",)),
    ("GET /projects/new", "/projects/new", ("member",)),
    ("GET /projects/<int:project_id>", "/projects/{project}", ALL),  # patron: the summary
    ("GET /projects/<int:project_id>", "/projects/{project}?tab=history", STAFF),
    ("GET /projects/<int:project_id>/suggestions", "/projects/{project}/suggestions", STAFF),
    ("GET /projects/<int:project_id>/edit", "/projects/{project}/edit", ("member",)),
    ("GET /projects/<int:project_id>/gate", "/projects/{project}/gate", ("member",)),
    ("GET /projects/<int:project_id>/status", "/projects/{project}/status", ("manager",)),
    ("GET /projects/<int:project_id>/withdraw", "/projects/{project}/withdraw", ("member",)),
    (
        "GET /projects/<int:project_id>/milestones/<int:milestone_id>/edit",
        "/projects/{project}/milestones/{milestone}/edit",
        ("member",),
    ),
    (
        "GET /projects/<int:project_id>/partner-requests/new",
        "/projects/{project}/partner-requests/new",
        ("member",),
    ),
    ("GET /lessons", "/lessons", STAFF),
    ("GET /reviews", "/reviews", SUPERVISORS),
    ("GET /reviews/<int:review_id>", "/reviews/{review}", SUPERVISORS),
    ("GET /dashboard", "/dashboard", ALL),
    ("GET /dashboard", "/dashboard?site=lingen", ("manager",)),
    ("GET /dashboard/report", "/dashboard/report", ALL),
    (
        "GET /dashboard/report/highlights/<slug>",
        "/dashboard/report/highlights/lingen",
        ("manager",),
    ),
    ("GET /dashboard/report/publish", "/dashboard/report/publish", ("admin",)),
    ("GET /network", "/network", ALL),
    ("GET /partner-requests", "/partner-requests", STAFF),
    ("GET /partner-requests/<int:request_id>", "/partner-requests/{request}", STAFF),
    ("GET /notifications", "/notifications", ALL),
    ("GET /organizations", "/organizations", STAFF),
    ("GET /organizations/<int:organization_id>", "/organizations/{organization}", STAFF),
    ("GET /organizations/new", "/organizations/new", ("manager",)),
    ("GET /organizations/import", "/organizations/import", ("manager",)),
    (
        "GET /organizations/<int:organization_id>/edit",
        "/organizations/{organization}/edit",
        ("member",),
    ),
    (
        "GET /organizations/<int:organization_id>/profile",
        "/organizations/{organization}/profile",
        ("member",),
    ),
    ("GET /sites", "/sites", ALL),
    ("GET /sites/<slug>", "/sites/lingen", ALL),
    ("GET /account", "/account", ALL),  # profile, password, API tokens
    ("GET /account/notifications", "/account/notifications", ALL),
    ("GET /account/webhooks", "/account/webhooks", STAFF),
    ("GET /account/webhooks/<int:webhook_id>", "/account/webhooks/{webhook}", ("member",)),
    ("GET /account/two-factor/setup", "/account/two-factor/setup", ("member",)),
    ("GET /admin/users", "/admin/users", SUPERVISORS),
    ("GET /admin/users/new", "/admin/users/new", ("manager",)),
    ("GET /admin/users/import", "/admin/users/import", ("manager",)),
    ("GET /admin/users/<int:user_id>", "/admin/users/{user}", ("admin",)),
    ("GET /admin/tokens", "/admin/tokens", ("admin",)),
    ("GET /admin/security", "/admin/security", ("admin",)),
    ("GET /admin/deliveries", "/admin/deliveries", ("admin",)),
    ("GET /admin/sites", "/admin/sites", ("admin",)),
    ("GET /admin/sites/new", "/admin/sites/new", ("admin",)),
    ("GET /admin/sites/<int:site_id>/edit", "/admin/sites/{site}/edit", ("admin",)),
    ("GET /admin/themes", "/admin/themes", ("admin",)),
    ("GET /admin/themes/<int:theme_id>/edit", "/admin/themes/{theme}/edit", ("admin",)),
    ("GET /admin/themes/<int:theme_id>/delete", "/admin/themes/{theme}/delete", ("admin",)),
    ("GET /admin/criteria", "/admin/criteria", ("admin",)),
    ("GET /admin/criteria", "/admin/criteria?site=lingen", ("manager",)),  # plain: 302 here
    (
        "GET /admin/criteria/<int:criterion_id>/deactivate",
        "/admin/criteria/{criterion}/deactivate",
        ("admin",),
    ),
)

# GET routes of the table that are not measured, and why.
EXCLUDED = {
    "GET /healthz": "the reference every page is divided by",
    "GET /static/<path:filename>": "static file",
    "GET /bootstrap/static/<path:filename>": "static file",
    "GET /assets/<path:filename>": "static file (the icon sprite)",
    "GET /projects/export.csv": "download, not a page",
    "GET /organizations/export.csv": "download, not a page",
    "GET /dashboard/report.csv": "download, not a page",
    "GET /dashboard/report.pdf": "download, not a page",
    "GET /calendar/<token>.ics": "download (calendar feed)",
    "GET /organizations/search": "JSON for the organization pickers",
    "GET /board/<stage>": "a column's further cards by cursor: the demo's columns fit the board",
    "GET /unsubscribe/<token>": "one-click link from an e-mail",
    "GET /invite/<token>": "one-time link (the demo has no open invitation)",
    "GET /login/oidc/<name>": "single sign-on redirect (no provider configured)",
    "GET /login/oidc/<name>/callback": "single sign-on callback (no provider configured)",
    "GET /login/two-factor": "only between password and code (demo accounts have none)",
    "GET /account/two-factor/disable": "only with two-factor sign-in on (demo accounts: off)",
    "GET /account/two-factor/recovery-codes": "only with two-factor sign-in on",
    "GET /projects/<int:project_id>/updates/<int:update_id>/edit": (
        "only the author within 24 hours (demo updates are older)"
    ),
}


def is_page_route(key: str) -> bool:
    """A GET route of the table that this bench must measure or exclude (not the API)."""
    method, _, rule = key.partition(" ")
    return method == "GET" and not rule.startswith("/api/")


@dataclass
class Page:
    role: str
    path: str
    route: str
    times: list[float] = field(default_factory=list)
    queries: int | None = None
    kib: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.role} {self.path}"


def pages_for(objects: dict[str, int]) -> list[Page]:
    return [
        Page(role, path.format(**objects), route) for route, path, roles in PAGES for role in roles
    ]


# --- the database, as `make run` makes it ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(url: str, instance: Path, port: int) -> dict[str, str]:
    return dict(
        os.environ,
        FLASK_APP="tracker",
        DATABASE_URL=url,
        TRACKER_INSTANCE_PATH=str(instance),
        TRACKER_DEMO_PASSWORD=PASSWORD,
        TRACKER_BASE_URL=f"http://127.0.0.1:{port}",
    )


def prepare(url: str, env: dict[str, str]) -> None:
    """`make run`'s first two steps on a fresh database."""
    if not url.startswith("sqlite:"):
        from bench.generate import drop

        drop(url, create=True)
    for command in (["db", "upgrade"], ["seed-demo", "--if-empty"]):
        started = time.monotonic()
        done = subprocess.run(
            [str(BIN / "flask"), *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stderr[-3000:]}")
        print(f"flask {' '.join(command)}: {time.monotonic() - started:.1f} s", flush=True)


def demo_objects(url: str) -> dict[str, int]:
    """Ids the pages need, read from the seeded demo; adds the member's token and webhook."""
    os.environ["DATABASE_URL"] = url
    import sqlalchemy as sa

    from tracker import create_app
    from tracker.auth.tokens import create_token
    from tracker.extensions import db
    from tracker.models import (
        GateReview,
        Milestone,
        Organization,
        PartnerRequest,
        Project,
        Site,
        StageCriterion,
        Theme,
        User,
    )
    from tracker.webhooks import register

    app = create_app({"TRACKER_WEBHOOK_ALLOW_PRIVATE": True})
    with app.app_context():
        member = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["member"]))
        lingen = db.session.scalar(sa.select(Site).where(Site.slug == "lingen"))
        # The member's organization leads it, at Lingen, open to the network, active, before
        # market, with a milestone (in the demo: "Predictive maintenance for forage harvester
        # fleets", with a gate request pending).
        project = db.session.scalar(
            sa.select(Project.id)
            .where(
                Project.lead_organization_id == member.organization_id,
                Project.site_id == lingen.id,
                Project.visibility == "network",
                Project.status == "active",
                Project.stage != "market",
                Project.id.in_(sa.select(Milestone.project_id)),
            )
            .order_by(Project.id)
        )
        if project is None:
            raise SystemExit("no suitable Krone project in the demo data")
        objects = {
            "project": project,
            "milestone": db.session.scalar(
                sa.select(sa.func.min(Milestone.id)).where(Milestone.project_id == project)
            ),
            "review": db.session.scalar(  # a pending one at Lingen, the project's first
                sa.select(GateReview.id)
                .join(Project, Project.id == GateReview.project_id)
                .where(GateReview.decision == "pending", Project.site_id == lingen.id)
                .order_by(GateReview.project_id != project, GateReview.id)
            ),
            "request": db.session.scalar(
                sa.select(sa.func.min(PartnerRequest.id)).where(PartnerRequest.status == "open")
            ),
            "organization": member.organization_id,
            "user": member.id,
            "site": lingen.id,
            "theme": db.session.scalar(sa.select(Theme.id).where(Theme.slug == "ai")),
            "criterion": db.session.scalar(
                sa.select(sa.func.min(StageCriterion.id)).where(
                    StageCriterion.site_id.is_(None), StageCriterion.active.is_(True)
                )
            ),
        }
        assert db.session.get(Organization, member.organization_id)
        create_token(member, "demo pages")
        webhook, _ = register(member, "http://127.0.0.1:9/demo-pages", ["update.posted"])
        objects["webhook"] = webhook.id
        missing = [name for name, value in objects.items() if value is None]
        if missing:
            raise SystemExit(f"not in the demo data: {', '.join(missing)}")
        db.session.remove()
        db.engine.dispose()
    return objects


# --- measuring ---------------------------------------------------------------------------------


class InProcess:
    """Flask's test client where measure() expects a requests session (--in-process)."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, url: str, **_):
        reply = self.client.get(url)
        return SimpleNamespace(
            status_code=reply.status_code, headers=reply.headers, content=reply.data
        )

    def post(self, url: str, data: dict, **_):
        return self.client.post(url, data=data)


def get(session, url: str, profiler: cProfile.Profile | None = None):
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    reply = session.get(url, allow_redirects=False, timeout=60)
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
    return seconds, reply


def measure(
    base: str,
    pages: list[Page],
    rounds: int,
    warm_up: int,
    max_seconds: float,
    app=None,
    profiles: Path | None = None,
) -> Page:
    """Rounds of every page and /healthz once each, shuffled; returns /healthz's Page.
    app: in-process through Flask's test client instead of HTTP to base; profiles: a folder
    for each page's cProfile statistics (in-process)."""
    new_session = (lambda: InProcess(app)) if app else requests.Session
    sessions = {"anonymous": new_session()}
    for role, email in ACCOUNTS.items():
        sessions[role], _ = sign_in(base, email, PASSWORD, new_session())
    health = Page("anonymous", "/healthz", "GET /healthz")
    everything = [health, *pages]
    shuffler = random.Random(1)
    deadline = time.monotonic() + max_seconds
    profilers: dict[str, cProfile.Profile] = {}
    for number in range(warm_up + rounds):
        profile = profiles is not None and number >= warm_up
        order = everything[:]
        shuffler.shuffle(order)
        wrong = []
        for page in order:
            profiler = profilers.setdefault(page.name, cProfile.Profile()) if profile else None
            seconds, reply = get(sessions[page.role], base + page.path, profiler)
            if number < warm_up:
                if reply.status_code != 200:
                    where = reply.headers.get("Location", "")
                    wrong.append(f"{page.name} answered {reply.status_code} {where}")
                continue
            page.times.append(seconds)
            page.queries = max(page.queries or 0, int(reply.headers.get("X-Query-Count", 0)))
            page.kib = len(reply.content) / 1024
        if wrong:
            raise SystemExit("not 200:\n" + "\n".join(sorted(wrong)))
        if number >= warm_up and time.monotonic() > deadline:
            print(f"stopped after {number + 1 - warm_up} rounds (--max-seconds)", flush=True)
            break
    for name, profiler in profilers.items():
        profiler.dump_stats(profiles / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".prof"))
    return health


def median_ms(page: Page) -> float:
    return statistics.median(page.times) * 1000


def p95_ms(page: Page) -> float:
    ordered = sorted(page.times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def table(health: Page, pages: list[Page], references: list[Page], limit: float) -> list[str]:
    base = median_ms(health)
    lines = [
        f"| role | page | median ms | p95 ms | x /healthz | ≤ {limit:g}x | SQL | KiB |",
        "|---|---|---:|---:|---:|:-:|---:|---:|",
        f"| — | `/healthz` | {base:.1f} | {p95_ms(health):.1f} | 1.0 |  | "
        f"{health.queries} | {health.kib:.1f} |",
    ]
    for page in references:
        lines.append(
            f"| {page.role} | `{page.path}` (reference) | {median_ms(page):.1f} | "
            f"{p95_ms(page):.1f} | {median_ms(page) / base:.1f} |  | {page.queries} | "
            f"{page.kib:.1f} |"
        )
    for page in pages:
        ratio = median_ms(page) / base
        lines.append(
            f"| {page.role} | `{page.path}` | {median_ms(page):.1f} | {p95_ms(page):.1f} | "
            f"{ratio:.1f} | {'✓' if ratio <= limit else '✗'} | {page.queries} | "
            f"{page.kib:.1f} |"
        )
    return lines


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def commit() -> str:
    if os.environ.get("DEMO_PAGES_COMMIT"):  # set by --commit for the clean copy
        return os.environ["DEMO_PAGES_COMMIT"] + " (a clean copy)"
    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return "unknown (not a git checkout)"
    changed = git("status", "--short", "--", "tracker", "templates", "bench")
    return head + (" + uncommitted changes" if changed else "")


def from_clean_copy(ref: str, argv: list[str]) -> int:
    """Run this bench in `git archive REF` unpacked into a temporary directory (catalogs
    compiled, this virtualenv), with the same arguments but --commit; its exit code."""
    sha = git("rev-parse", "--short", f"{ref}^{{commit}}")
    if not sha:
        raise SystemExit(f"no commit {ref!r}")
    copy = Path(tempfile.mkdtemp(prefix="demo-pages-src-"))
    try:
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(copy)], input=archive.stdout, check=True)
        babel = [str(BIN / "pybabel"), "-q", "compile", "-d", "translations"]
        subprocess.run(babel, cwd=copy, check=True)
        rest, skip = [], False
        for arg in argv:
            if skip or arg.startswith("--commit"):
                skip = arg == "--commit"
                continue
            rest.append(arg)
        env = dict(os.environ, DEMO_PAGES_COMMIT=sha)
        command = [sys.executable, "-m", "bench.demo_pages", *rest]
        return subprocess.run(command, cwd=copy, env=env).returncode
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL (name with 'bench'); default SQLite")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warm-up", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=600, help="for the measured rounds")
    parser.add_argument("--limit", type=float, default=LIMIT, help="page median / /healthz's")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", help="comma-separated roles (default: all)")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="no gunicorn: Flask's test client in this process (for causes, not the target)",
    )
    parser.add_argument("--profile", type=Path, help="with --in-process: cProfile files here")
    parser.add_argument(
        "--commit",
        help="measure this commit (e.g. HEAD) from a clean copy (git archive) instead of the "
        "working tree, which others may be editing",
    )
    args = parser.parse_args(argv)
    if args.commit:
        return from_clean_copy(args.commit, sys.argv[1:] if argv is None else argv)
    # Bounded: the whole run, start-up and seeding included.
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(SystemExit("time limit")))
    signal.alarm(int(args.max_seconds) + 600)

    workdir = Path(tempfile.mkdtemp(prefix="demo-pages-"))
    try:
        url = args.database_url or f"sqlite:///{workdir / 'tracker.db'}"
        port = free_port()
        env = environment(url, workdir / "instance", port)
        before = load()
        prepare(url, env)
        objects = demo_objects(url)
        pages = pages_for(objects)
        if args.only:
            roles = set(args.only.split(",")) | {"anonymous"}
            pages = [page for page in pages if page.role in roles]
        references = [Page("member", "/bench/page", "GET /bench/page")]
        options = [
            "--workers", str(args.workers),
            "--threads", str(args.threads),
            "--access-logfile", str(workdir / "access.log"),
            "--error-logfile", str(workdir / "error.log"),
            "bench.wsgi_bench:app",
        ]  # fmt: skip
        overrides = {key: env[key] for key in ("TRACKER_INSTANCE_PATH", "TRACKER_BASE_URL")}
        measured = [*references, *pages]
        started = time.monotonic()
        if args.in_process:
            os.environ.update(overrides)
            from bench.wsgi_bench import app

            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
            health = measure(
                "", measured, args.rounds, args.warm_up, args.max_seconds, app, args.profile
            )
        else:
            with running(url, port, options, overrides) as (_, base):
                health = measure(base, measured, args.rounds, args.warm_up, args.max_seconds)
        seconds = time.monotonic() - started
        after = load()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    serving = (
        "in-process (Flask test client)"
        if args.in_process
        else f"gunicorn {args.workers} workers x {args.threads} threads"
    )
    print(
        f"\n{len(pages)} pages + /healthz, {len(health.times)} interleaved rounds after "
        f"{args.warm_up} warm-up, one client, {serving}, "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}, commit {commit()}, "
        f"{seconds:.0f} s; load average {before} before, {after} after\n"
    )
    print("\n".join(table(health, pages, references, args.limit)))
    misses = [page for page in pages if median_ms(page) / median_ms(health) > args.limit]
    if misses:
        print(f"\n{len(misses)} of {len(pages)} pages above {args.limit:g}x /healthz:")
        for page in sorted(misses, key=median_ms, reverse=True):
            print(f"- {page.name}: {median_ms(page) / median_ms(health):.1f}x")
        return 1
    print(f"\nPASS: every page within {args.limit:g}x /healthz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
