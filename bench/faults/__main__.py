"""Fault tests (make faults): each scenario bounded in time, PASS/FAIL with figures.

    .venv/bin/python -m bench.faults [--only kill,unreachable,full,backup] [--db sqlite,postgresql]

1. kill: gunicorn workers killed with SIGKILL in the middle of writes (projects with partners,
   updates, gate requests, edits): every confirmed write stored whole, nothing half-written.
2. unreachable: a proxy between gunicorn and PostgreSQL is cut (then made silent): pages and
   /healthz answer 503 in bounded time; the app answers again once it is back, no restart.
3. full: SQLite on a small tmpfs (else a page limit) filled up: 507 "not saved", nothing
   partial, integrity_check ok; writes work again once space returns.
4. backup: `flask --app tracker backup` (SQLite) or pg_dump/pg_restore (PostgreSQL) during a
   load: the copy passes integrity_check, opens with the app and holds every write confirmed
   before the backup began.

Databases: bench/data/faults-*.db and PostgreSQL databases BENCH_PG_faults_* (dropped and
generated afresh at size S).
"""

import argparse
import os
import signal
import sys
import time
import traceback

from bench.faults import backup, full, kill, unreachable
from bench.faults.common import Result, generate, pg_url, sqlite_url
from bench.generate import DEFAULT_PASSWORD

SCENARIOS = ("kill", "unreachable", "full", "backup")
LIMITS = {"kill": 240, "unreachable": 240, "full": 180, "backup": 300}  # seconds, hard


class OutOfTime(Exception):
    pass


def _alarm(_signum, _frame):
    raise OutOfTime


def plan(args) -> list[tuple[str, str, object]]:
    """(scenario, database, callable) in order."""
    steps = []
    dbs = args.db.split(",")
    for name in args.only.split(","):
        for db in dbs:
            if name == "unreachable" and db != "postgresql":
                continue
            if name == "full" and db != "sqlite":
                continue
            steps.append((name, db))
    return steps


def run_one(name: str, db: str, args) -> Result:
    result = Result(f"{name} [{db}]")
    url = (
        sqlite_url(f"faults-{name}.db") if db == "sqlite" else pg_url(args.pg, name)
    )  # fmt: skip
    signal.alarm(LIMITS[name])
    started = time.monotonic()
    try:
        if name != "full":
            generate(url)
        if name == "kill":
            kill.run(url, args, result)
        elif name == "unreachable":
            unreachable.run(url, args, result)
        elif name == "full":
            full.run(args, result)
        elif name == "backup":
            backup.run(url, args.pg, args, result)
    except OutOfTime:
        result.problems.append(f"did not finish within its limit of {LIMITS[name]} s")
    except Exception as error:  # a scenario that breaks is a failure, reported with its cause
        result.problems.append(f"{type(error).__name__}: {error}")
        traceback.print_exc()
    finally:
        signal.alarm(0)
    result.seconds = time.monotonic() - started
    return result


def report(result: Result) -> str:
    verdict = "PASS" if result.passed else "FAIL"
    lines = [f"{verdict} {result.name} ({result.seconds:.0f} s)"]
    lines += [f"    - {f}" for f in result.figures]
    lines += [f"    ! {p}" for p in result.problems[:20]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench"
        ),
        help="PostgreSQL URL prefix; databases PREFIX_faults_* are dropped and rebuilt",
    )
    parser.add_argument("--users", type=int, default=8, help="writing clients")
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument(
        "--page-limit",
        action="store_true",
        help="full: use PRAGMA max_page_count even where a tmpfs can be mounted",
    )
    parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", DEFAULT_PASSWORD))
    args = parser.parse_args(argv)
    if "_faults" in args.pg or "bench" not in sa_database(args.pg):
        raise SystemExit("--pg must be a prefix such as …/tracker_bench (it gets _faults_*)")
    signal.signal(signal.SIGALRM, _alarm)
    print(f"load average at the start: {os.getloadavg()[0]:.1f}", flush=True)
    results = []
    for name, db in plan(args):
        print(f"--- {name} [{db}] (at most {LIMITS[name]} s)", flush=True)
        results.append(run_one(name, db, args))
        print(report(results[-1]), flush=True)
    print("\n## Summary")
    for result in results:
        print(f"{'PASS' if result.passed else 'FAIL'} {result.name}")
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed; load average {os.getloadavg()[0]:.1f}")
    sys.exit(1 if failed else 0)


def sa_database(url: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).database or ""


if __name__ == "__main__":
    main()
