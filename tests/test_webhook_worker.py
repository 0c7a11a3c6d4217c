"""A webhook end to end (design §13, issue 16 "done when"): a change made through the API, the
outbox worker as `make worker` runs it (Huey's consumer, a process of its own) and a real HTTP
receiver on 127.0.0.1 that verifies the signature and refuses the first call on purpose: the
call arrives signed within seconds and is retried after the refusal."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from huey import SqliteHuey

from tests.test_outbox_worker import Worker, _wait, worker_env  # noqa: F401
from tests.test_webhooks import (  # noqa: F401
    bearer,
    private_allowed,
    register,
)
from tracker.extensions import db
from tracker.models import WebhookDelivery
from tracker.outbox import queue

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")


class SigningReceiver:
    """Records each call with whether its signature verified; refuses the first `refuse`."""

    def __init__(self, refuse: int = 1):
        self.secret = ""
        self.calls: list[dict] = []
        self.refuse = refuse
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = (
                    "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                )
                signed = hmac.compare_digest(expected, self.headers["X-Tracker-Signature"] or "")
                refused = len(receiver.calls) < receiver.refuse
                receiver.calls.append(
                    {
                        "at": time.monotonic(),
                        "signed": signed,
                        "event": self.headers["X-Tracker-Event"],
                        "delivery": self.headers["X-Tracker-Delivery"],
                        "body": json.loads(body),
                    }
                )
                self.send_response(503 if refused else (204 if signed else 401))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _ready(env: dict) -> bool:
    """The worker has run a task, so its app is built."""
    log = Path(env["TRACKER_INSTANCE_PATH"]) / "worker.log"
    return log.exists() and "executed in" in log.read_text()


def _wake(env: dict) -> None:
    """What the web does after a commit: enqueue the delivery task, on the worker's queue."""
    path = Path(env["TRACKER_INSTANCE_PATH"]) / "huey.db"
    task = queue.deliver.s()
    workers = SqliteHuey("tracker", filename=str(path), results=False)
    workers.storage.enqueue(queue.huey.serialize_task(task), task.priority)


def test_a_change_reaches_the_receiver_through_the_worker_signed_and_retried(
    client,
    world,
    worker_env,  # noqa: F811
    private_allowed,  # noqa: F811
):
    receiver = SigningReceiver(refuse=1)
    worker_env |= {"TRACKER_WEBHOOK_ALLOW_PRIVATE": "1", "TRACKER_WEBHOOK_RETRY_SECONDS": "1"}
    # Everything this test writes through its own session is written before the worker starts:
    # the worker writes at start (its periodic folds), and a read transaction of this session
    # that turns into a write after another process committed fails at once with "database is
    # locked" on SQLite (its snapshot is stale; no busy wait helps).
    partner = bearer(world.partner_member)
    hook = register(client, world.lead_member, receiver.url, ["update.posted"])
    receiver.secret = hook["secret"]
    db.session.rollback()  # no read transaction open here: it would lock out the worker
    consumer = Worker(worker_env).start()
    try:
        _wake(worker_env)  # nothing to send yet: the worker builds its app once
        assert _wait(lambda: _ready(worker_env), 90)
        start = time.monotonic()
        posted = client.post(
            f"/api/v1/projects/{world.network_project.id}/updates",
            json={"body": "Pilot rack running."},
            headers=partner,
        )
        assert posted.status_code == 201, posted.get_data(as_text=True)
        db.session.rollback()
        _wake(worker_env)
        assert _wait(lambda: len(receiver.calls) >= 2, 30), receiver.calls
        first, second = receiver.calls[:2]
        assert first["signed"] and second["signed"]
        assert first["event"] == second["event"] == "update.posted"
        assert first["delivery"] == second["delivery"] == first["body"]["id"]  # a retry
        assert first["body"]["data"]["project"]["id"] == world.network_project.id
        assert first["at"] - start < 5  # within seconds of the change
        assert second["at"] - first["at"] >= 0.9  # after the (shortened) first delay

        def delivered():
            db.session.rollback()
            row = db.session.scalars(sa.select(WebhookDelivery)).one()
            return row if row.state == "delivered" else None

        assert _wait(delivered, 5)
        row = delivered()
        assert (row.attempts, row.last_status) == (2, 204)
        time.sleep(1.5)
        assert len(receiver.calls) == 2  # nothing more once delivered
    finally:
        consumer.stop()
        receiver.close()
        db.session.rollback()
