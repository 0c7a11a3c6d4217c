"""Scenario 3: SQLite out of space (a small tmpfs filled up; else a page limit), then freed."""

import contextlib
import errno
import os
import secrets
import sqlite3
import subprocess
from pathlib import Path

import requests
import sqlalchemy as sa

from bench.faults.common import (
    DATA,
    LOGS,
    Result,
    generate,
    integrity,
    load_average,
    log_count,
    serve,
)
from bench.server import sign_in

NOT_SAVED = "your change was not saved"
MOUNT = DATA / "faults-tmpfs"
LIMIT_FILE = DATA / "faults-page-limit"
LEAVE = 256 * 1024  # bytes left free: a few writes go through before the disk is full


def mount() -> bool:
    MOUNT.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(MOUNT)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.returncode == 0


def unmount() -> str:
    done = subprocess.run(["umount", str(MOUNT)], capture_output=True, text=True, timeout=60)
    with contextlib.suppress(OSError):
        MOUNT.rmdir()
    return done.stderr.strip() if done.returncode else ""


def fill(path: Path, leave: int) -> int:
    """Write until the file system says ENOSPC, then give back `leave` bytes; returns the
    size of the filler."""
    written = 0
    with path.open("wb", buffering=0) as filler:
        for chunk in (1 << 20, 1 << 12):
            block = b"\0" * chunk
            while True:
                try:
                    written += filler.write(block)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break
    written -= leave
    os.truncate(path, written)
    return written


def run(args, result: Result) -> None:
    tmpfs = not args.page_limit and mount()
    where = MOUNT if tmpfs else DATA
    path = where / "faults-full.db"
    url = f"sqlite:///{path}"
    LIMIT_FILE.unlink(missing_ok=True)
    try:
        generate(url)
        if tmpfs:
            app, env = "", {}
            result.figures.append("a 16 MB tmpfs holds the database; a filler file fills it")
        else:
            app, env = "bench.faults.wsgi:app", {"FAULTS_PAGE_LIMIT_FILE": str(LIMIT_FILE)}
            result.figures.append(
                "PRAGMA max_page_count through bench.faults.wsgi (--page-limit, or no tmpfs)"
            )
        log = LOGS / "faults-full.log"
        with serve(url, args.port, log, workers=1, threads=2, app=app, env=env) as (_, base):
            _scenario(url, path, base, args, result, tmpfs)
        errors = log_count(log, "Traceback")
        result.check(errors == 0, f"gunicorn log: {errors} tracebacks")
    finally:
        LIMIT_FILE.unlink(missing_ok=True)
        if tmpfs and (trouble := unmount()):
            result.problems.append(f"umount {MOUNT}: {trouble}")
    result.figures.append(f"load average {load_average()}")


def _scenario(url, path: Path, base, args, result: Result, tmpfs: bool) -> None:
    session, csrf = sign_in(base, "bench.manager@bench.example", args.password)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        projects = conn.scalars(
            sa.text(
                "SELECT id FROM projects p WHERE site_id = (SELECT id FROM sites WHERE slug = "
                "'lingen') AND status = 'active' AND stage <> 'market' AND NOT EXISTS ("
                "SELECT 1 FROM gate_reviews g WHERE g.project_id = p.id AND g.decision = "
                "'pending') AND NOT EXISTS (SELECT 1 FROM gate_conditions c WHERE "
                "c.project_id = p.id AND c.done_at IS NULL) ORDER BY id LIMIT 2"
            )
        ).all()
    engine.dispose()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty WAL: writes need new space
    filler = path.with_name("filler")
    if tmpfs:
        size = fill(filler, LEAVE)
        result.figures.append(
            f"filled the file system with {size / 1e6:.1f} MB, leaving {LEAVE // 1024} kB"
        )
    else:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            pages, page_size = conn.execute(
                "SELECT page_count, page_size FROM pragma_page_count, pragma_page_size"
            ).fetchone()
        LIMIT_FILE.write_text(str(pages + LEAVE // page_size))
        result.figures.append(f"page limit: {pages} pages in use + {LEAVE // 1024} kB")

    tag = secrets.token_hex(3)
    confirmed, refused = [], None
    for n in range(300):
        body = f"faults full {tag}-{n} " + "x" * 4000
        reply = session.post(
            f"{base}/projects/{projects[0]}/updates",
            data={"body": body, "csrf_token": csrf},
            allow_redirects=False,
            timeout=30,
        )
        if reply.status_code != 302:
            refused = (body, reply)
            break
        confirmed.append(body)
    if not result.check(refused is not None, "300 updates fitted: the disk never filled"):
        return
    body, reply = refused
    result.check(reply.status_code == 507, f"a write on the full disk → {reply.status_code}")
    result.check(NOT_SAVED in reply.text, "the error page does not say the change was not saved")
    gate = session.post(
        f"{base}/projects/{projects[1]}/gate",
        data={"evidence": f"faults full gate {tag}", "csrf_token": csrf},
        allow_redirects=False,
        timeout=30,
    )
    # A small write may still fit into free room in existing pages (page limit): then whole.
    result.check(gate.status_code in (302, 507), f"a gate request when full → {gate.status_code}")
    reads = {p: _status(session, base + p) for p in ("/projects", "/healthz")}
    check_full = integrity(path)
    result.check(check_full == "ok", f"integrity_check while full: {check_full}")
    stored = _stored(url, tag)
    missing = [b[:30] for b in confirmed if stored.get(b) != 1]
    result.check(not missing, f"confirmed updates not stored once: {missing[:3]}")
    result.check(body not in stored, "the refused update was stored")
    gate_stored = stored.get(f"gate:faults full gate {tag}")
    result.check(
        (gate.status_code == 302) == (gate_stored == 1),
        f"gate request answered {gate.status_code}, stored {gate_stored or 0} times",
    )

    if tmpfs:
        filler.unlink()
    else:
        LIMIT_FILE.unlink()
    again = session.post(
        f"{base}/projects/{projects[0]}/updates",
        data={"body": body, "csrf_token": csrf},
        allow_redirects=False,
        timeout=30,
    )
    result.check(again.status_code == 302, f"after space returned, the write → {again.status_code}")
    result.check(_stored(url, tag).get(body) == 1, "after space returned, the update not stored")
    check_after = integrity(path)
    result.check(check_after == "ok", f"integrity_check after: {check_after}")
    result.figures += [
        f"{len(confirmed)} updates of 4 kB confirmed until the disk was full, all stored; "
        f"the next → {reply.status_code} “…{NOT_SAVED}…”, not stored; a gate request → "
        f"{gate.status_code}, {'stored whole' if gate_stored else 'not stored'}",
        f"while full, reads still answer: /projects {reads['/projects']}, "
        f"/healthz {reads['/healthz']}",
        f"integrity_check while full: {check_full}; after: {check_after}",
        f"space given back: the refused update sent again → {again.status_code}, stored once, "
        "without a restart",
    ]


def _status(session: requests.Session, url: str) -> int | str:
    try:
        return session.get(url, allow_redirects=False, timeout=30).status_code
    except requests.RequestException as error:
        return f"no reply ({error})"


def _stored(url: str, tag: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT body, count(*) FROM updates WHERE body LIKE :t GROUP BY body"),
            {"t": f"faults full {tag}-%"},
        ).all()
        gates = conn.scalars(
            sa.text("SELECT evidence FROM gate_reviews WHERE evidence LIKE :t"),
            {"t": f"faults full gate {tag}%"},
        ).all()
    engine.dispose()
    return dict(rows) | {f"gate:{g}": 1 for g in gates}
