"""Scenario 4: a backup taken during the load test restores, passes the checks and opens."""

import copy
import os
import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from bench import checks, load
from bench.faults.common import (
    DATA,
    LOGS,
    Result,
    backend,
    integrity,
    load_average,
    serve,
    sqlite_path,
)
from bench.generate import drop
from bench.server import BIN, ROOT, server_env

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def snapshot(ledger: load.Ledger) -> load.Ledger:
    """The writes confirmed so far (a copy; the clients go on writing)."""
    with ledger.lock:
        copied = load.Ledger(
            updates=list(ledger.updates),
            ticks=list(ledger.ticks),
            gates=list(ledger.gates),
            edits=list(ledger.edits),
        )
        copied.statuses = copy.copy(ledger.statuses)
    return copied


def run(url: str, pg_base: str, args, result: Result) -> None:
    kind = backend(url)
    log = LOGS / f"faults-backup-{kind}.log"
    ledger = load.Ledger()
    roles = load.pools(url)
    taken: dict = {}
    with serve(url, args.port, log, workers=4, threads=4) as (_, base):

        def client(i: int) -> load.Client:
            email = load.MANAGER if i % 2 == 0 else load.MEMBER
            return load.Client(base, email, args.password, roles[email], ledger, seed=i)

        with ThreadPoolExecutor(max_workers=2) as pool:
            clients = list(pool.map(client, range(args.users)))
        deadline = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=c.run, args=(deadline, 0.3), daemon=True) for c in clients
        ]
        for thread in threads:
            thread.start()
        time.sleep(min(10, args.duration / 3))
        taken["before"] = snapshot(ledger)
        started = time.monotonic()
        taken["target"], taken["output"], taken["rc"] = _backup(url, pg_base, kind)
        taken["seconds"] = time.monotonic() - started
        taken["during"] = sum(ledger.statuses.values()) - sum(taken["before"].statuses.values())
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + 65)
        if any(t.is_alive() for t in threads):
            ledger.failures.append("a client was still running after the hard time limit")
    live = checks.verify(url, ledger, log, load.RUN_ID)
    result.check(not live, f"the live database after the load: {live[:5]}")
    result.check(taken["rc"] == 0, f"backup exit code {taken['rc']}: {taken['output'][-500:]}")
    if taken["rc"]:
        return
    restored = taken["target"]
    if kind == "sqlite":
        check = integrity(sqlite_path(restored))
        result.check(check == "ok", f"integrity_check of the copy: {check}")
        steps = taken["output"].count("copied ")
        how = (
            f"`flask --app tracker backup` in {taken['seconds']:.1f} s (start-up included, "
            f"copy steps of up to 1,024 pages: {steps}; a write by another connection restarts "
            f"the copy); "
            f"integrity_check {check}"
        )
    else:
        how = f"pg_dump + pg_restore in {taken['seconds']:.1f} s (exit 0)"
    before = taken["before"]
    held = checks.verify(restored, before, LOGS / "nonexistent.log", load.RUN_ID)
    result.check(not held, f"the copy lacks confirmed writes: {held[:5]}")
    opened = _open_with_app(restored, args.password)
    result.check(opened == [200, 302, 200], f"the copy opened with the app: {opened}")
    fives = sum(n for s, n in ledger.statuses.items() if s >= 500)
    result.check(fives == 0, f"{fives} replies 5xx during the load")
    result.figures += [
        f"load: {len(clients)} clients, {args.duration:.0f} s, 30 % writes, "
        f"{sum(ledger.statuses.values())} requests "
        f"({', '.join(f'{s}: {n}' for s, n in sorted(ledger.statuses.items()))}); "
        f"{taken['during']} requests answered while the backup ran",
        f"backup: {how}",
        f"confirmed before the backup began: {len(before.updates)} updates, {len(before.ticks)} "
        f"ticks, {len(before.gates)} gate requests, {len(before.edits)} edits — in the copy: "
        f"{'all' if not held else f'{len(held)} problems'}",
        f"the copy opens with the app: /healthz, sign-in, /projects → {opened}; the live "
        f"database after the load: {len(live)} problems; load average {load_average()}",
    ]


def _backup(url: str, pg_base: str, kind: str) -> tuple[str, str, int]:
    if kind == "sqlite":
        target = DATA / "faults-backup-copy.db"
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "tracker", "backup", str(target), "--force"],
            cwd=ROOT,
            env=server_env(url),
            capture_output=True,
            text=True,
            timeout=120,
        )
        return f"sqlite:///{target}", done.stdout + done.stderr, done.returncode
    dump = DATA / "faults-backup.dump"
    source = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(dump), source],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode:
        return "", done.stderr, done.returncode
    target = f"{pg_base}_faults_restore"
    drop(target, create=True)
    plain = sa.make_url(target).set(drivername="postgresql")
    restore = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
         plain.render_as_string(hide_password=False), str(dump)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    dump.unlink(missing_ok=True)
    return target, restore.stderr, restore.returncode


def _open_with_app(url: str, password: str) -> list[int]:
    """The restored copy served by the app (in-process): /healthz, sign-in, the list."""
    from tracker import create_app
    from tracker.extensions import db

    os.environ.setdefault("TRACKER_INSTANCE_PATH", str(DATA / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "faults-backup-check"})
    client = app.test_client()
    statuses = [client.get("/healthz").status_code]
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    reply = client.post(
        "/login",
        data={"email": load.MANAGER, "password": password, "csrf_token": token.group(1)},
    )
    statuses += [reply.status_code, client.get("/projects").status_code]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return statuses
