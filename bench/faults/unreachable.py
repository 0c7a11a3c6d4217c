"""Scenario 2: PostgreSQL unreachable behind a proxy we cut, then back, without a restart."""

import secrets
import time

import requests
import sqlalchemy as sa

from bench.faults.common import LOGS, Result, load_average, log_count, serve, workers
from bench.faults.proxy import Proxy
from bench.server import sign_in

DOWN_TEXT = "not answering"
CONNECT_TIMEOUT = 3  # seconds, in the app's DATABASE_URL (?connect_timeout=3)
BOUND = 10.0  # seconds a reply may take while the database is away


def via(url: str, proxy: Proxy) -> str:
    parsed = sa.make_url(url)
    query = dict(parsed.query) | {"connect_timeout": str(CONNECT_TIMEOUT)}
    return parsed.set(host="127.0.0.1", port=proxy.port, query=query).render_as_string(
        hide_password=False
    )


def run(url: str, args, result: Result) -> None:
    direct = sa.make_url(url)
    proxy = Proxy((direct.host or "127.0.0.1", direct.port or 5432))
    proxy.up()
    log = LOGS / "faults-unreachable.log"
    try:
        with serve(via(url, proxy), args.port, log, workers=2, threads=2) as (master, base):
            _phases(url, base, master, proxy, args, result)
    finally:
        proxy.close()
    errors = log_count(log, "Traceback")
    result.check(errors == 0, f"gunicorn log: {errors} tracebacks")
    result.figures.append(f"load average {load_average()}")


def _timed(session: requests.Session, method: str, url: str, **kw):
    started = time.monotonic()
    try:
        reply = session.request(method, url, allow_redirects=False, timeout=30, **kw)
    except requests.RequestException as error:
        return None, time.monotonic() - started, str(error)
    return reply, time.monotonic() - started, ""


def _phases(url, base, master, proxy: Proxy, args, result: Result) -> None:
    session, csrf = sign_in(base, "bench.manager@bench.example", args.password)
    project = _a_lingen_project(url)
    pids = sorted(workers(master))
    for path in ("/projects", "/healthz"):
        reply, _, _ = _timed(session, "GET", base + path)
        result.check(reply is not None and reply.status_code == 200, f"before the cut {path}")

    for mode in ("down", "silent"):
        getattr(proxy, mode)()
        label = {"down": "cut (connections closed, new ones refused)",
                 "silent": "silent (connections accepted, nothing answers)"}[mode]  # fmt: skip
        marker = f"faults unreachable {mode} {secrets.token_hex(4)}"
        statuses, times = [], []
        # Several rounds, so both workers and every pooled connection meet the fault.
        for _ in range(3):
            for method, path, data in (
                ("GET", "/projects", None),
                ("GET", "/board", None),
                ("POST", f"/projects/{project}/updates", {"body": marker, "csrf_token": csrf}),
                ("GET", "/healthz", None),
            ):
                reply, took, error = _timed(session, method, base + path, data=data)
                times.append(took)
                if reply is None:
                    statuses.append("no reply")
                    result.problems.append(f"{mode}: {method} {path}: no reply ({error})")
                    continue
                statuses.append(reply.status_code)
                result.check(reply.status_code == 503, f"{mode}: {path} → {reply.status_code}")
                if path == "/healthz":
                    body = reply.json() if reply.status_code == 503 else {}
                    result.check(body.get("status") == "unavailable", f"{mode}: healthz {body}")
                else:
                    result.check(DOWN_TEXT in reply.text, f"{mode}: {path} page lacks the message")
                result.check(took < BOUND, f"{mode}: {path} took {took:.1f} s")
        recovery = _recover(session, base, proxy)
        result.check(recovery is not None, f"after {mode}: /healthz not 200 within 30 s")
        reply, _, _ = _timed(session, "GET", base + "/projects")
        result.check(reply is not None and reply.status_code == 200, f"after {mode}: list")
        saved = f"faults unreachable after {mode} {secrets.token_hex(4)}"
        reply, _, _ = _timed(
            session,
            "POST",
            base + f"/projects/{project}/updates",
            data={"body": saved, "csrf_token": csrf},
        )
        result.check(reply is not None and reply.status_code == 302, f"after {mode}: write")
        stored = _stored(url, (marker, saved))
        result.check(stored[marker] == 0, f"{mode}: the refused update was stored")
        result.check(
            stored[saved] == 1, f"after {mode}: the update is stored {stored[saved]} times"
        )
        counts = {s: statuses.count(s) for s in sorted(set(statuses), key=str)}
        result.figures.append(
            f"{label}: {len(statuses)} requests (pages, a write, /healthz) → {counts}, "
            f"slowest {max(times):.1f} s, pages say “{DOWN_TEXT}”, healthz "
            f'{{"status": "unavailable"}}; back up: /healthz 200 after '
            + (f"{recovery:.1f} s" if recovery is not None else "— (never)")
            + ", pages 200, a write 302 and stored; the refused write absent"
        )
    same = sorted(workers(master)) == pids
    result.check(same, f"workers changed: {pids} → {sorted(workers(master))}")
    result.figures.append(f"gunicorn workers the same processes throughout (no restart): {same}")


def _recover(session, base, proxy: Proxy) -> float | None:
    proxy.up()
    started = time.monotonic()
    while time.monotonic() - started < 30:
        reply, _, _ = _timed(session, "GET", base + "/healthz")
        if reply is not None and reply.status_code == 200:
            # The other worker too: every pooled connection must have been replaced.
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def _a_lingen_project(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        project = conn.scalar(
            sa.text(
                "SELECT id FROM projects WHERE site_id = (SELECT id FROM sites WHERE slug = "
                "'lingen') AND status = 'active' ORDER BY id LIMIT 1"
            )
        )
    engine.dispose()
    return project


def _stored(url: str, bodies) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {
            b: conn.scalar(sa.text("SELECT count(*) FROM updates WHERE body = :b"), {"b": b})
            for b in bodies
        }
    engine.dispose()
    return found
