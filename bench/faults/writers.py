"""Clients that write (projects with partners, updates, gate requests, edits) and remember
what the server confirmed and what was cut off without an answer; then the checks."""

import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import requests
import sqlalchemy as sa

from bench import checks, load
from bench.load import MANAGER, MEMBER, RUN_ID, Client, Ledger
from tracker.projects.domain import PARTNER_ROLES

PROJECT_URL = re.compile(r"/projects/(\d+)$")
TABLES = ("projects", "updates", "gate_reviews", "audit_events", "stage_events", "participations")


@dataclass
class FaultLedger(Ledger):
    # title -> (lead organization or None for "the member's own", sorted partner ids)
    creates: dict = field(default_factory=dict)
    created_ids: dict = field(default_factory=dict)  # title -> project id from the redirect
    cut: Counter = field(default_factory=Counter)  # requests that got no answer, by kind
    unanswered: list[tuple[str, str]] = field(default_factory=list)  # (kind, marker)


class Writer(Client):
    """A load.Client that only writes, and also creates projects with partners."""

    WEIGHTS = (("create", 3), ("update", 3), ("gate", 2), ("edit", 2))

    def __init__(self, base, email, password, pool, ledger, seed, setup):
        super().__init__(base, email, password, pool, ledger, seed)
        self.email, self.setup = email, setup

    def run(self, deadline: float, write_share: float = 1.0) -> None:
        kinds = [k for k, w in self.WEIGHTS for _ in range(w)]
        while time.monotonic() < deadline:
            self.n += 1
            kind = self.rng.choice(kinds)
            try:
                getattr(self, kind)()
            except requests.RequestException:
                # Cut off by a killed worker: the write may be stored whole, or not at all.
                with self.ledger.lock:
                    self.ledger.cut[kind] += 1
                    self.ledger.unanswered.append((kind, self.marker(kind)))
                self.session.close()  # a fresh connection for the next request

    def create(self) -> None:
        title = self.marker("create")
        orgs = self.rng.sample(self.setup["organizations"], 4)
        lead = None if self.email == MEMBER else orgs[0]
        own = self.setup["member_org"]
        partners = sorted(o for o in orgs[1:] if o != own)[: self.rng.randint(1, 3)]
        data = {
            "title": title,
            "summary": "Fault test project",
            "site_id": self.setup["lingen"],
            "kind": "product",
            "visibility": "network",
            "csrf_token": self.csrf,
        }
        if lead is not None:
            data["lead_organization_id"] = lead
        for i, org in enumerate(partners):
            data[f"partners-{i}-organization_id"] = org
            data[f"partners-{i}-role"] = self.rng.choice(PARTNER_ROLES)
        with self.ledger.lock:
            self.ledger.creates[title] = (lead or own, partners)
        reply = self._post("create", "/projects/new", data)
        if reply.status_code == 302 and (m := PROJECT_URL.search(reply.headers["Location"])):
            with self.ledger.lock:
                self.ledger.created_ids[title] = int(m.group(1))
        elif reply.status_code < 500:
            with self.ledger.lock:
                self.ledger.failures.append(f"create refused: {reply.status_code}")


def setup(url: str) -> dict:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        values = {
            "lingen": conn.scalar(sa.text("SELECT id FROM sites WHERE slug = 'lingen'")),
            "member_org": conn.scalar(
                sa.text("SELECT organization_id FROM users WHERE email = :e"), {"e": MEMBER}
            ),
            "organizations": conn.scalars(sa.text("SELECT id FROM organizations")).all(),
            "baseline": {
                t: conn.scalar(sa.text(f"SELECT coalesce(max(id), 0) FROM {t}")) for t in TABLES
            },
        }
    engine.dispose()
    return values


def start_writers(base: str, url: str, users: int, password: str, ledger: FaultLedger, seed=0):
    roles, values = load.pools(url), setup(url)
    writers = []
    for i in range(users):
        email = MANAGER if i % 2 == 0 else MEMBER
        writers.append(Writer(base, email, password, roles[email], ledger, seed + i, values))
    return writers, values


def run_writers(writers: list[Writer], seconds: float) -> list[threading.Thread]:
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=w.run, args=(deadline,), daemon=True) for w in writers]
    for thread in threads:
        thread.start()
    return threads


def join(threads: list[threading.Thread], ledger: Ledger, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        ledger.failures.append("a client was still running after the hard time limit")


# --- checks -------------------------------------------------------------------------------


def verify(url: str, ledger: FaultLedger, baseline: dict) -> list[str]:
    """Confirmed writes stored whole (bench.checks plus created projects); every row written
    since the baseline whole; global invariants over every project."""
    problems = checks.verify(url, ledger, log=load.ROOT / "nonexistent.log", run_id=RUN_ID)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        problems += _creates(conn, ledger)
        problems += _whole_since(conn, baseline)
        problems += _global(conn)
    engine.dispose()
    return problems


def _creates(conn, ledger: FaultLedger) -> list[str]:
    problems = []
    rows = conn.execute(
        sa.text("SELECT id, title, lead_organization_id FROM projects WHERE title LIKE :t"),
        {"t": f"load create {RUN_ID}-%"},
    ).all()
    stored = defaultdict(list)
    for pid, title, lead in rows:
        stored[title].append((pid, lead))
    for title, pid in ledger.created_ids.items():
        if [p for p, _ in stored.get(title, [])] != [pid]:
            problems.append(
                f"created project {title!r} confirmed as {pid}, stored {stored.get(title)}"
            )
    unanswered = {m for k, m in ledger.unanswered if k == "create"}
    for title, found in stored.items():
        if title not in ledger.created_ids and title not in unanswered:
            problems.append(f"project {title!r} stored although never confirmed nor cut off")
        for pid, lead in found:
            want_lead, partners = ledger.creates.get(title, (None, []))
            parts = conn.execute(
                sa.text("SELECT organization_id, role FROM participations WHERE project_id = :p"),
                {"p": pid},
            ).all()
            got_partners = sorted(o for o, r in parts if r != "lead")
            leads = [o for o, r in parts if r == "lead"]
            if leads != [lead] or lead != want_lead or got_partners != partners:
                problems.append(
                    f"project {pid}: lead {lead}/{leads} partners {got_partners}, "
                    f"sent lead {want_lead} partners {partners}"
                )
    return problems


def _whole_since(conn, baseline: dict) -> list[str]:
    """Every row written in the run comes with its companions, and no companion is alone."""
    queries = {
        "update without its audit event": """
            SELECT u.id FROM updates u WHERE u.id > :updates AND NOT EXISTS (
              SELECT 1 FROM audit_events a WHERE a.action = 'update_posted'
              AND a.object_id = u.id)""",
        "update_posted audit event without its update": """
            SELECT a.id FROM audit_events a WHERE a.id > :audit_events
            AND a.action = 'update_posted'
            AND NOT EXISTS (SELECT 1 FROM updates u WHERE u.id = a.object_id)""",
        "gate request without its audit event": """
            SELECT g.id FROM gate_reviews g WHERE g.id > :gate_reviews AND NOT EXISTS (
              SELECT 1 FROM audit_events a WHERE a.action = 'gate_requested'
              AND a.object_id = g.id)""",
        "gate_requested audit event without its request": """
            SELECT a.id FROM audit_events a WHERE a.id > :audit_events
            AND a.action = 'gate_requested'
            AND NOT EXISTS (SELECT 1 FROM gate_reviews g WHERE g.id = a.object_id)""",
        "new project without its creation stage event": """
            SELECT p.id FROM projects p WHERE p.id > :projects AND NOT EXISTS (
              SELECT 1 FROM stage_events s WHERE s.project_id = p.id
              AND s.note = 'Project created')""",
        "new project without its project_created audit event": """
            SELECT p.id FROM projects p WHERE p.id > :projects AND NOT EXISTS (
              SELECT 1 FROM audit_events a WHERE a.action = 'project_created'
              AND a.project_id = p.id)""",
        "project_created audit event without its project": """
            SELECT a.id FROM audit_events a WHERE a.id > :audit_events
            AND a.action = 'project_created'
            AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = a.project_id)""",
        "participation without its project": """
            SELECT x.id FROM participations x WHERE x.id > :participations
            AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = x.project_id)""",
    }
    problems = []
    for what, query in queries.items():
        ids = conn.scalars(sa.text(query), baseline).all()
        if ids:
            problems.append(f"{len(ids)} x {what}, e.g. {ids[:5]}")
    return problems


def _global(conn) -> list[str]:
    queries = {
        "project without participations": """
            SELECT p.id FROM projects p
            WHERE NOT EXISTS (SELECT 1 FROM participations x WHERE x.project_id = p.id)""",
        "project whose lead is not exactly one lead participation": """
            SELECT p.id FROM projects p WHERE (SELECT count(*) FROM participations x
              WHERE x.project_id = p.id AND x.role = 'lead'
              AND x.organization_id = p.lead_organization_id) <> 1""",
        "project whose stage is not its last stage event's": """
            SELECT p.id FROM projects p WHERE p.stage <> coalesce((SELECT s.to_stage
              FROM stage_events s WHERE s.project_id = p.id
              ORDER BY s.at DESC, s.id DESC LIMIT 1), 'none')""",
        "gate review of a missing project": """
            SELECT g.id FROM gate_reviews g
            WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = g.project_id)""",
    }
    problems = []
    for what, query in queries.items():
        ids = conn.scalars(sa.text(query)).all()
        if ids:
            problems.append(f"{len(ids)} x {what}, e.g. {ids[:5]}")
    return problems


def unanswered_outcome(url: str, ledger: FaultLedger) -> Counter:
    """Of the writes cut off without an answer: how many are stored (whole) and how many not."""
    engine = sa.create_engine(url)
    outcome = Counter()
    lookups = {
        "create": "SELECT count(*) FROM projects WHERE title = :m",
        "update": "SELECT count(*) FROM updates WHERE body = :m",
        "gate": "SELECT count(*) FROM gate_reviews WHERE evidence = :m",
        "edit": "SELECT count(*) FROM audit_events WHERE action = 'project_updated' "
        "AND CAST(changes AS TEXT) LIKE '%\"' || :m || '\"%'",
    }
    with engine.connect() as conn:
        for kind, marker in ledger.unanswered:
            if kind not in lookups:
                continue
            found = conn.scalar(sa.text(lookups[kind]), {"m": marker})
            outcome["stored" if found else "absent"] += 1
    engine.dispose()
    return outcome
