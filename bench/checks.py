"""After a load run: does the database hold exactly what the clients were told succeeded?"""

import itertools
import os
import re
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

from tracker.models.base import Base

TICK_FORM = re.compile(r'action="/projects/\d+/criteria/(\d+)/tick"')
T = Base.metadata.tables


def verify(url: str, ledger, log: Path, run_id: str) -> list[str]:
    problems = list(ledger.failures)
    text = log.read_text(errors="replace") if log.exists() else ""
    for needle in ("database is locked", "Traceback"):
        if found := text.lower().count(needle.lower()):
            problems.append(f"gunicorn log: {found} times {needle!r}")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        problems += _updates(conn, ledger.updates, run_id)
        problems += _ticks(conn, ledger.ticks)
        problems += _gates(conn, ledger.gates, run_id)
        problems += _edits(conn, ledger.edits)
    engine.dispose()
    return problems


def _updates(conn, confirmed, run_id) -> list[str]:
    table = T["updates"]
    return _stored_once(
        conn,
        table.c.body,
        table.c.project_id,
        f"load update {run_id}-%",
        confirmed,
        "update {text!r} confirmed on project {project}, stored {stored}",
    )


def _stored_once(conn, text_column, project_column, pattern, confirmed, message) -> list[str]:
    """Each confirmed (project, text) pair, the text unique to the run, is stored exactly once,
    on that project; a problem worded by `message` for each one that is not."""
    rows = conn.execute(
        sa.select(text_column, project_column).where(text_column.like(pattern))
    ).all()
    stored = defaultdict(list)
    for text, project in rows:
        stored[text].append(project)
    return [
        message.format(text=text, project=project, stored=stored.get(text))
        for project, text in confirmed
        if stored.get(text) != [project]
    ]


def _ticks(conn, confirmed) -> list[str]:
    if not confirmed:
        return []
    table = T["criterion_ticks"]
    projects = sorted({p for p, _ in confirmed})
    stored = set(
        conn.execute(
            sa.select(table.c.project_id, table.c.criterion_id).where(
                table.c.project_id.in_(projects)
            )
        ).tuples()
    )
    return [f"tick {pair} confirmed but missing" for pair in set(confirmed) - stored]


def _gates(conn, confirmed, run_id) -> list[str]:
    table = T["gate_reviews"]
    problems = _stored_once(
        conn,
        table.c.evidence,
        table.c.project_id,
        f"load gate {run_id}-%",
        confirmed,
        "gate request {text!r} confirmed on {project}, stored {stored}",
    )
    pending = conn.execute(
        sa.select(table.c.project_id, sa.func.count())
        .where(table.c.decision == "pending")
        .group_by(table.c.project_id)
        .having(sa.func.count() > 1)
    ).all()
    return problems + [f"project {p} has {n} pending gate requests" for p, n in pending]


def _edits(conn, confirmed) -> list[str]:
    """Each confirmed edit saved over a distinct version, is in the audit trail, and the
    trail of summaries is an unbroken chain ending in the value the project holds."""
    problems = []
    by_project = defaultdict(list)
    for project, version, summary in confirmed:
        by_project[project].append((version, summary))
    audit, projects = T["audit_events"], T["projects"]
    for project, edits in by_project.items():
        versions = [v for v, _ in edits]
        if len(set(versions)) != len(versions):
            problems.append(f"lost update: two edits of project {project} saved over one version")
        trail = conn.execute(
            sa.select(audit.c.changes).where(
                audit.c.project_id == project, audit.c.action == "project_updated"
            )
        ).scalars()
        chain = sorted(
            (c["version"][0], c["summary"]) for c in trail if "summary" in c and "version" in c
        )
        saved = {(v, pair[1]) for v, pair in chain}
        problems += [
            f"edit of project {project} over version {v} confirmed but not in the audit trail"
            for v, s in edits
            if (v, s) not in saved
        ]
        for (_, before), (_, after) in itertools.pairwise(chain):
            if after[0] != before[1]:
                problems.append(f"project {project}: an edit overwrote {before[1]!r} unseen")
        held = conn.scalar(sa.select(projects.c.summary).where(projects.c.id == project))
        if chain and held != chain[-1][1][1]:
            problems.append(f"project {project} holds {held!r}, its last saved edit differs")
    return problems


def by_status(ledger) -> str:
    """The replies counted by HTTP status, for a report: "200: 1,234, 302: 56"."""
    return ", ".join(f"{s}: {n:,}" for s, n in sorted(ledger.statuses.items()))


def server_errors(ledger) -> int:
    return sum(n for s, n in ledger.statuses.items() if s >= 500)


def confirmed_writes(ledger) -> str:
    """A report's line of the writes the server confirmed."""
    return (
        f"- confirmed writes: {len(ledger.updates)} updates, {len(ledger.ticks)} ticks, "
        f"{len(ledger.gates)} gate requests, {len(ledger.edits)} edits"
    )


def summary(ledger, problems: list[str], backend: str, args, elapsed: float) -> str:
    total = sum(ledger.statuses.values())
    lines = [
        f"### Load test: {backend}, {args.users} clients, {args.duration:.0f} s, "
        f"{args.workers} workers x {args.threads} threads",
        "",
        f"- requests: {total:,} ({total / args.duration:.0f}/s); replies by status: "
        + by_status(ledger),
        "- operations: " + ", ".join(f"{k}: {n:,}" for k, n in sorted(ledger.operations.items())),
        confirmed_writes(ledger),
        f"- 5xx: {server_errors(ledger)}; problems found by the checks: {len(problems)}",
        f"- fresh connections after a client was idle ≥ 1 s (instead of racing gunicorn's "
        f"keep-alive close): {ledger.reconnects}",
        f"- wall time including start-up and sign-ins: {elapsed:.0f} s; "
        f"machine load average afterwards: {os.getloadavg()[0]:.1f}",
    ]
    lines += [f"  - {p}" for p in problems[:20]]
    return "\n".join(lines)
