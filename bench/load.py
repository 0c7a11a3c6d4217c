"""Bounded load test on 127.0.0.1: concurrent readers and writers, then check nothing was lost.

    .venv/bin/python -m bench.load --size S [--database-url URL] [--users 50] [--duration 60]

gunicorn with several workers; each client thread signs in (half as the Lingen site manager,
half as a member of the lead organization) and for --duration seconds reads pages and, about
--write-share of the time, writes: progress updates, criteria ticks, gate requests and edits
of a small set of shared projects. Afterwards bench.checks compares every write the server
confirmed with the database, and the gunicorn log is searched for "database is locked".
"""

import argparse
import os
import random
import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
import sqlalchemy as sa

from bench import checks
from bench.forms import form_fields, replace
from bench.generate import DEFAULT_PASSWORD, default_url, normalise
from bench.server import ROOT, gunicorn, sign_in

MEMBER = "bench.member@bench.example"
MANAGER = "bench.manager@bench.example"
READS = ("/board", "/board?site=lingen", "/projects", "/dashboard", "detail")
WRITES = ("update", "tick", "gate", "edit")
HOT = 6  # projects per role that every client edits: edits collide on purpose
# gunicorn closes a keep-alive connection after 2 s idle (--keep-alive); a request sent on it
# just then meets "Connection reset by peer" (reproduced against /bench/bare, no database).
# A client that has been idle this long opens a fresh connection instead of racing the close.
IDLE_RECONNECT = 1.0
RUN_ID = secrets.token_hex(3)  # in every marker, so a second run's rows are told apart


@dataclass
class Ledger:
    """What the clients were told: replies per status and every confirmed write."""

    statuses: Counter = field(default_factory=Counter)
    operations: Counter = field(default_factory=Counter)
    updates: list[tuple[int, str]] = field(default_factory=list)
    ticks: list[tuple[int, int]] = field(default_factory=list)
    gates: list[tuple[int, str]] = field(default_factory=list)
    edits: list[tuple[int, int, str]] = field(default_factory=list)  # project, version, summary
    failures: list[str] = field(default_factory=list)
    reconnects: int = 0  # fresh connections opened after IDLE_RECONNECT s without a request
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reply(self, kind: str, response: requests.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            self.operations[f"{kind} {response.status_code}"] += 1
            if response.status_code >= 500:
                self.failures.append(f"{kind} {response.request.url} -> {response.status_code}")


def pools(url: str) -> dict[str, dict[str, list[int]]]:
    """Projects each role may write to: all active ones it may contribute to, and a hot few."""
    engine = sa.create_engine(url)
    lingen = "(SELECT id FROM sites WHERE slug = 'lingen')"
    active = "p.status = 'active' AND p.stage <> 'market'"
    with engine.connect() as conn:
        manager = conn.scalars(
            sa.text(f"SELECT p.id FROM projects p WHERE p.site_id = {lingen} AND {active} "
                    "ORDER BY p.id LIMIT 300")
        ).all()  # fmt: skip
        member = conn.scalars(
            sa.text(f"SELECT p.id FROM projects p WHERE p.lead_organization_id = 1 AND {active} "
                    "ORDER BY p.id LIMIT 300")
        ).all()  # fmt: skip
    engine.dispose()
    return {
        MANAGER: {"all": list(manager), "hot": list(manager[:HOT])},
        MEMBER: {"all": list(member), "hot": list(member[:HOT])},
    }


class Client:
    def __init__(self, base: str, email: str, password: str, pool, ledger: Ledger, seed: int):
        self.base, self.pool, self.ledger = base, pool, ledger
        self.rng = random.Random(seed)
        self.session, self.csrf = sign_in(base, email, password)
        self.tag = f"{RUN_ID}-{seed}"
        self.n = 0
        self.last = time.monotonic()

    def run(self, deadline: float, write_share: float) -> None:
        while time.monotonic() < deadline:
            self.n += 1
            kind = self.rng.choice(WRITES) if self.rng.random() < write_share else "read"
            try:
                getattr(self, kind)()
            except requests.RequestException as error:
                # Not confirmed, so not checked; counted as a failure of the run.
                with self.ledger.lock:
                    self.ledger.failures.append(f"connection during {kind}: {error}")

    def _fresh_if_idle(self) -> None:
        if time.monotonic() - self.last >= IDLE_RECONNECT:
            self.session.close()  # the next request opens a new connection; cookies stay
            with self.ledger.lock:
                self.ledger.reconnects += 1

    def _get(self, kind: str, path: str) -> requests.Response:
        self._fresh_if_idle()
        response = self.session.get(self.base + path, allow_redirects=False, timeout=60)
        self.last = time.monotonic()
        self.ledger.reply(kind, response)
        return response

    def _post(self, kind: str, path: str, data) -> requests.Response:
        self._fresh_if_idle()
        response = self.session.post(self.base + path, data=data, allow_redirects=False, timeout=60)
        self.last = time.monotonic()
        self.ledger.reply(kind, response)
        return response

    def read(self) -> None:
        path = self.rng.choice(READS)
        if path == "detail":
            path = f"/projects/{self.rng.choice(self.pool['all'])}"
        self._get("read", path)

    def marker(self, kind: str) -> str:
        return f"load {kind} {self.tag}-{self.n}"

    def update(self) -> None:
        project, body = self.rng.choice(self.pool["all"]), self.marker("update")
        reply = self._post(
            "update", f"/projects/{project}/updates", {"body": body, "csrf_token": self.csrf}
        )
        if reply.status_code == 302:
            with self.ledger.lock:
                self.ledger.updates.append((project, body))

    def tick(self) -> None:
        project = self.rng.choice(self.pool["hot"] + self.pool["all"][:30])
        page = self._get("tick-read", f"/projects/{project}")
        open_ones = checks.TICK_FORM.findall(page.text)
        if not open_ones:
            return
        criterion = int(self.rng.choice(open_ones))
        path = f"/projects/{project}/criteria/{criterion}/tick"
        if self._post("tick", path, {"csrf_token": self.csrf}).status_code == 302:
            with self.ledger.lock:
                self.ledger.ticks.append((project, criterion))

    def gate(self) -> None:
        project, evidence = self.rng.choice(self.pool["all"]), self.marker("gate")
        data = {"evidence": evidence, "csrf_token": self.csrf}
        if self._post("gate", f"/projects/{project}/gate", data).status_code == 302:
            with self.ledger.lock:
                self.ledger.gates.append((project, evidence))

    def edit(self) -> None:
        project = self.rng.choice(self.pool["hot"])
        page = self._get("edit-read", f"/projects/{project}/edit")
        fields = form_fields(page.text)
        version = int(dict(fields).get("version") or 0)
        summary = self.marker("edit")
        reply = self._post("edit", f"/projects/{project}/edit", replace(fields, "summary", summary))
        if reply.status_code == 302:
            with self.ledger.lock:
                self.ledger.edits.append((project, version, summary))


def drive(base: str, args, url: str, ledger: Ledger | None = None, on_start=None) -> Ledger:
    """Sign the clients in, then run them for args.duration; on_start() is called as they start."""
    ledger = ledger if ledger is not None else Ledger()
    roles = pools(url)

    def client(i: int) -> Client | None:
        email = MANAGER if i % 2 == 0 else MEMBER
        try:
            return Client(base, email, args.password, roles[email], ledger, seed=i)
        except (SystemExit, requests.RequestException) as error:
            with ledger.lock:
                ledger.failures.append(f"sign-in of client {i}: {error}")
            return None

    # Sign-ins are not the load under test: two at a time, so they do not queue for minutes.
    with ThreadPoolExecutor(max_workers=2) as pool:
        clients = [c for c in pool.map(client, range(args.users)) if c is not None]
    print(f"{len(clients)} clients signed in; running for {args.duration} s", flush=True)
    deadline = time.monotonic() + args.duration
    if on_start is not None:
        on_start()
    threads = [
        threading.Thread(target=c.run, args=(deadline, args.write_share), daemon=True)
        for c in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Hard bound: a request may take at most its 60 s timeout after the deadline.
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 65)
    if any(t.is_alive() for t in threads):
        ledger.failures.append("a client was still running after the hard time limit")
    return ledger


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", help="the default SQLite file's size label")
    parser.add_argument("--database-url")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--write-share", type=float, default=0.10)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", DEFAULT_PASSWORD))
    args = parser.parse_args(argv)
    url = normalise(args.database_url or os.environ.get("DATABASE_URL") or default_url(args.size))
    backend = sa.make_url(url).get_backend_name()
    log = ROOT / "bench" / "logs" / f"load-{args.size}-{backend}.log"
    log.unlink(missing_ok=True)
    started = time.monotonic()
    with gunicorn(url, args.port, args.workers, log, threads=args.threads) as base:
        ledger = drive(base, args, url)
    elapsed = time.monotonic() - started
    problems = checks.verify(url, ledger, log, RUN_ID)
    print(checks.summary(ledger, problems, backend, args, elapsed))
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
