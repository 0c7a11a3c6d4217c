"""Shared by the fault scenarios: a fresh database, gunicorn with known workers, results."""

import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.server import ROOT, answers, running, wait_until

DATA = ROOT / "bench" / "data"
LOGS = ROOT / "bench" / "logs"


@dataclass
class Result:
    name: str
    figures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.problems

    def check(self, ok: bool, problem: str) -> bool:
        if not ok:
            self.problems.append(problem)
        return ok


def sqlite_url(name: str) -> str:
    return f"sqlite:///{DATA / name}"


def pg_url(base: str, suffix: str) -> str:
    """BENCH_PG (…/tracker_bench) + _faults_<suffix>: the generator only drops *bench* names."""
    return f"{base}_faults_{suffix}"


def generate(url: str, size: str = "S") -> None:
    """A fresh generated database (dropped and rebuilt), through the bench generator."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--size", size, "--database-url", url, "--reset"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if out.returncode:
        raise RuntimeError(f"bench.generate failed:\n{out.stderr[-2000:]}")


def backend(url: str) -> str:
    return sa.make_url(url).get_backend_name()


def sqlite_path(url: str) -> Path:
    return Path(sa.make_url(url).database or "")


def integrity(path: Path) -> str:
    """PRAGMA integrity_check and foreign_key_check of a SQLite file ("ok" when both pass)."""
    connection = sqlite3.connect(path, timeout=30)
    try:
        result = "; ".join(r[0] for r in connection.execute("PRAGMA integrity_check"))
        orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    if orphans:
        result += f"; {len(orphans)} rows fail the foreign key check, e.g. {orphans[:3]}"
    return result


@contextmanager
def serve(
    url: str, port: int, log: Path, workers: int = 2, threads: int = 2, app: str = "", env=None
):
    """gunicorn on 127.0.0.1:port; yields (master process, base URL). Workers time out at 30 s."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    options = [
        "--workers", str(workers),
        "--threads", str(threads),
        "--timeout", "30",
        "--graceful-timeout", "5",
        "--error-logfile", str(log),
        "--capture-output",
        app or "bench.wsgi_bench:app",
    ]  # fmt: skip
    with running(url, port, options, env) as (process, base):
        yield process, base


def workers(master: subprocess.Popen) -> list[int]:
    """The worker processes gunicorn's master runs right now."""
    path = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except FileNotFoundError:
        return []


def wait_for_workers(master: subprocess.Popen, count: int, base: str, limit: float = 60) -> None:
    def back() -> bool:
        return len(workers(master)) >= count and answers(f"{base}/bench/bare", timeout=5)

    if not wait_until(back, limit):
        raise RuntimeError(f"gunicorn did not get back to {count} workers within {limit:.0f} s")


def log_count(log: Path, needle: str) -> int:
    text = log.read_text(errors="replace") if log.exists() else ""
    return text.lower().count(needle.lower())


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}"
