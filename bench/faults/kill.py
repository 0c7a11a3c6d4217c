"""Scenario 1: gunicorn workers killed with SIGKILL in the middle of writes."""

import contextlib
import os
import random
import signal
import threading
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

from bench.faults import writers
from bench.faults.common import (
    LOGS,
    Result,
    backend,
    integrity,
    load_average,
    log_count,
    serve,
    sqlite_path,
    wait_for_workers,
    workers,
)


def run(url: str, args, result: Result) -> None:
    workers_n, threads_n = 3, 2
    log = LOGS / f"faults-kill-{backend(url)}.log"
    ledger = writers.FaultLedger()
    rng = random.Random(7)
    kills: list[float] = []
    in_write = 0
    with serve(url, args.port, log, workers=workers_n, threads=threads_n) as (master, base):
        wait_for_workers(master, workers_n, base)
        clients, values = writers.start_writers(base, url, args.users, args.password, ledger)
        started = time.monotonic()
        threads = writers.run_writers(clients, args.duration)
        deadline = started + args.duration
        time.sleep(3)  # writes under way before the first kill
        while time.monotonic() < deadline - 3 and len(kills) < args.kills:
            alive = workers(master)
            if len(alive) < workers_n:  # the master is still replacing the last one
                time.sleep(0.2)
                continue
            # Kill the worker inside a write transaction when one can be seen, else any.
            writer = writing_worker(url, alive)
            os.kill(writer or rng.choice(alive), signal.SIGKILL)
            kills.append(time.monotonic() - started)
            in_write += writer is not None
            time.sleep(rng.uniform(1.5, 3.0))
        writers.join(threads, ledger)
        replaced = len(workers(master))
        threading.Event().wait(0.5)
    confirmed = (
        len(ledger.created_ids),
        len(ledger.updates),
        len(ledger.gates),
        len(ledger.edits),
    )
    outcome = writers.unanswered_outcome(url, ledger)
    problems = writers.verify(url, ledger, values["baseline"])
    result.problems += problems
    result.check(len(kills) >= min(3, args.kills), f"only {len(kills)} kills happened")
    result.check(replaced == workers_n, f"{replaced} workers after the run, not {workers_n}")
    fives = sum(n for s, n in ledger.statuses.items() if s >= 500)
    result.check(fives == 0, f"{fives} replies 5xx")
    locked = log_count(log, "database is locked")
    result.check(locked == 0, f'gunicorn log: {locked} times "database is locked"')
    if backend(url) == "sqlite":
        check = integrity(sqlite_path(url))
        result.check(check == "ok", f"integrity_check: {check}")
        result.figures.append(f"integrity_check and foreign_key_check: {check}")
    result.figures += [
        f"{workers_n} workers x {threads_n} threads, {len(clients)} writing clients, "
        f"{args.duration:.0f} s; {len(kills)} workers killed (SIGKILL) at "
        + ", ".join(f"{k:.0f}" for k in kills)
        + f" s, {in_write} of them inside an open write transaction; gunicorn replaced each",
        f"requests answered: {sum(ledger.statuses.values())} "
        f"({', '.join(f'{s}: {n}' for s, n in sorted(ledger.statuses.items()))})",
        "confirmed writes: {} projects with partners, {} updates, {} gate requests, "
        "{} edits".format(*confirmed),
        f"cut off by the kills without an answer: {sum(ledger.cut.values())} "
        f"({', '.join(f'{k} {n}' for k, n in sorted(ledger.cut.items()))}); of those "
        f"stored whole: {outcome['stored']}, absent: {outcome['absent']}, "
        f"half-written: {sum(1 for p in problems if ' x ' in p)}",
        f"checks: every confirmed write present and whole, every row since the start with "
        f"its companions, every project with its lead and its last stage event: "
        f"{len(problems)} problems; load average {load_average()}",
    ]


# --- finding a worker inside a write transaction ---------------------------------------------

WAL_WRITE_LOCK = 120  # byte of the -shm file SQLite locks for the one writer in WAL mode


def writing_worker(url: str, candidates: list[int], limit: float = 2.0) -> int | None:
    """A worker that holds an open write transaction right now (polled for up to limit s)."""
    find = _sqlite_writer if backend(url) == "sqlite" else _postgres_writer
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        pid = find(url, candidates)
        if pid is not None:
            return pid
        time.sleep(0.01)
    return None


def _sqlite_writer(url: str, candidates: list[int]) -> int | None:
    try:
        inode = os.stat(f"{sqlite_path(url)}-shm").st_ino
    except FileNotFoundError:
        return None
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        # "1: POSIX  ADVISORY  WRITE 1234 fe:00:5678 120 120"
        if len(parts) >= 8 and parts[1] == "POSIX" and parts[3] == "WRITE":
            pid, where, start = int(parts[4]), parts[5], parts[6]
            if where.endswith(f":{inode}") and start == str(WAL_WRITE_LOCK) and pid in candidates:
                return pid
    return None


def _postgres_writer(url: str, candidates: list[int]) -> int | None:
    """The worker owning the client socket of a backend whose transaction has written."""
    dsn = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        ports = {
            row[0]
            for row in conn.execute(
                "SELECT client_port FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
        }
    if not ports:
        return None
    inodes = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            port = int(fields[1].rsplit(":", 1)[1], 16)
            if port in ports:
                inodes[f"socket:[{fields[9]}]"] = port
    for pid in candidates:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        return pid
        except FileNotFoundError:
            continue
    return None
