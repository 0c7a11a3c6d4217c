"""Webhooks (design §13) against a real HTTP receiver on 127.0.0.1: signed calls through the
outbox, retries on the webhook schedule, auto-disable, the delivery log and redelivery, the
address guard, and only events of projects the owner may see in detail."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from tests.test_api_read import API, bearer
from tracker.extensions import db
from tracker.models import Webhook, WebhookDelivery, utcnow
from tracker.models.outbox import OutboxMessage
from tracker.outbox import worker
from tracker.webhooks import fan_out

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")


@pytest.fixture
def private_allowed(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_WEBHOOK_ALLOW_PRIVATE", True)


class Receiver:
    """A real HTTP server on 127.0.0.1 that records each call and answers as told."""

    def __init__(self):
        self.calls: list[tuple[dict, bytes]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((dict(self.headers), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def register(client, user, url: str, events, status: int = 201, **extra):
    response = client.post(
        f"{API}/webhooks", json={"url": url, "events": events, **extra}, headers=bearer(user)
    )
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def run_worker() -> None:
    db.session.rollback()
    fan_out()
    worker.deliver_due()
    db.session.rollback()


def verified(secret: str, headers: dict, body: bytes) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Tracker-Signature"])


def post_update(client, user, project_id: int, text: str = "Pilot running."):
    response = client.post(
        f"{API}/projects/{project_id}/updates", json={"body": text}, headers=bearer(user)
    )
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_change_arrives_signed_at_the_receiver(client, world, receiver, private_allowed):
    hook = register(client, world.lead_member, receiver.url, ["update.posted", "gate.requested"])
    assert hook["secret"] and hook["active"] is True
    run_worker()
    assert receiver.calls == []  # no "ping" on registration
    post_update(client, world.partner_member, world.network_project.id)
    run_worker()
    assert len(receiver.calls) == 1
    headers, body = receiver.calls[0]
    assert verified(hook["secret"], headers, body)
    document = json.loads(body)
    assert headers["X-Tracker-Event"] == document["event"] == "update.posted"
    assert headers["X-Tracker-Delivery"] == document["id"]
    assert document["data"]["project"]["id"] == world.network_project.id
    assert document["occurred_at"]
    # An event the webhook did not ask for is not sent.
    client.post(
        f"{API}/projects/{world.network_project.id}/milestones",
        json={"title": "Pilot"},
        headers=bearer(world.lead_member),
    )
    run_worker()
    assert len(receiver.calls) == 1
    log = client.get(
        f"{API}/webhooks/{hook['id']}/deliveries", headers=bearer(world.lead_member)
    ).get_json()
    assert [(d["event"], d["state"], d["last_status"]) for d in log["items"]] == [
        ("update.posted", "delivered", 200)
    ]


def test_a_refused_delivery_is_retried_on_the_schedule(client, world, receiver, private_allowed):
    hook = register(client, world.lead_member, receiver.url, ["update.posted"])
    receiver.answers = [500]
    post_update(client, world.lead_member, world.network_project.id)
    before = utcnow()
    run_worker()
    assert len(receiver.calls) == 1
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=50) < wait < timedelta(seconds=70)  # 1 minute
    row = db.session.scalars(sa.select(OutboxMessage)).one()
    assert row.state == "pending" and row.next_attempt_at == delivery.next_attempt_at
    db.session.rollback()
    run_worker()
    assert len(receiver.calls) == 1  # not due yet
    db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    run_worker()
    assert len(receiver.calls) == 2
    assert receiver.calls[0][1] == receiver.calls[1][1]  # the same body, the same id
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    assert (delivery.state, delivery.attempts) == ("delivered", 2)
    assert db.session.get(Webhook, hook["id"]).failures_in_row == 0
    db.session.rollback()


def test_twenty_failures_in_a_row_disable_the_webhook(client, world, receiver, private_allowed):
    hook = register(client, world.lead_member, receiver.url, ["update.posted"])
    db.session.execute(sa.update(Webhook).values(failures_in_row=19))
    db.session.commit()
    receiver.answers = [503]
    post_update(client, world.lead_member, world.network_project.id)
    run_worker()
    webhook = db.session.get(Webhook, hook["id"])
    assert webhook.active is False and webhook.disabled_at is not None
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    assert delivery.state == "failed"
    db.session.rollback()
    post_update(client, world.lead_member, world.network_project.id, "Again.")
    run_worker()
    assert len(receiver.calls) == 1  # a disabled webhook gets nothing


def test_a_delivery_can_be_sent_again(client, world, receiver, private_allowed):
    hook = register(client, world.lead_member, receiver.url, ["update.posted"])
    post_update(client, world.lead_member, world.network_project.id)
    run_worker()
    delivery = client.get(
        f"{API}/webhooks/{hook['id']}/deliveries", headers=bearer(world.lead_member)
    ).get_json()["items"][0]
    url = f"{API}/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver"
    assert client.post(url, headers=bearer(world.partner_member)).status_code == 404
    again = client.post(url, headers=bearer(world.lead_member))
    assert again.status_code == 200 and again.get_json()["state"] == "pending"
    run_worker()
    assert len(receiver.calls) == 2
    assert receiver.calls[1][0]["X-Tracker-Delivery"] == delivery["delivery_id"]


def test_only_events_of_projects_the_owner_may_see_in_detail(
    client, world, receiver, private_allowed
):
    register(client, world.outsider, receiver.url, ["update.posted", "gate.requested"])
    post_update(client, world.lead_member, world.consortium_project.id)  # hidden from them
    post_update(client, world.lead_member, world.network_project.id)  # not their organization's
    run_worker()
    assert receiver.calls == []
    admin_hook = register(client, world.admin, receiver.url, ["update.posted"])
    post_update(client, world.lead_member, world.consortium_project.id, "Secret progress.")
    run_worker()
    assert len(receiver.calls) == 1
    assert verified(admin_hook["secret"], *receiver.calls[0])
    register(client, world.patron, receiver.url, ["update.posted"], status=403)


def test_private_addresses_are_refused_without_the_setting(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_WEBHOOK_ALLOW_PRIVATE", False)
    for url in (
        "http://127.0.0.1:9/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/hook",
        "ftp://example.org/",
    ):
        problem = register(client, world.lead_member, url, ["update.posted"], status=422)
        assert "url" in problem["errors"], url
    register(client, world.lead_member, "http://x.invalid/", ["nope"], status=422)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Webhook)) == 0
    db.session.rollback()


def test_webhooks_belong_to_their_owner_and_need_a_write_token(
    client, world, receiver, private_allowed
):
    hook = register(client, world.lead_member, receiver.url, ["gate.decided"], secret="s" * 20)
    assert hook["secret"] == "s" * 20
    listed = client.get(f"{API}/webhooks", headers=bearer(world.partner_member)).get_json()
    assert listed["items"] == []
    assert (
        client.delete(
            f"{API}/webhooks/{hook['id']}", headers=bearer(world.partner_member)
        ).status_code
        == 404
    )
    read = client.post(
        f"{API}/webhooks",
        json={"url": receiver.url, "events": ["gate.decided"]},
        headers=bearer(world.lead_member, scope="read"),
    )
    assert read.status_code == 403
    assert (
        client.delete(f"{API}/webhooks/{hook['id']}", headers=bearer(world.lead_member)).status_code
        == 204
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_example_receiver_verifies_signatures(client, world, private_allowed, tmp_path):
    import os
    import subprocess
    import sys
    import urllib.error
    import urllib.request
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "examples" / "webhook_receiver.py"
    port = _free_port()
    secret = "example-secret-" + "x" * 16
    process = subprocess.Popen(
        [sys.executable, str(script), "--port", str(port)],
        env={**os.environ, "TRACKER_WEBHOOK_SECRET": secret},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "Listening" in process.stdout.readline()
        url = f"http://127.0.0.1:{port}/"
        register(client, world.lead_member, url, ["update.posted"], secret=secret)
        post_update(client, world.lead_member, world.network_project.id, "Signed and sealed.")
        run_worker()
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        assert (delivery.state, delivery.last_status) == ("delivered", 204)
        db.session.rollback()
        line = process.stdout.readline()
        assert "update.posted" in line and "Open hydrogen forecast" in line
        forged = urllib.request.Request(
            url, data=b"{}", headers={"X-Tracker-Signature": "sha256=00"}, method="POST"
        )
        try:
            urllib.request.urlopen(forged, timeout=5)  # noqa: S310
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == 401
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_the_account_page_registers_lists_and_deletes_webhooks(
    client, world, login, receiver, private_allowed
):
    from tests.conftest import csrf_token_from

    login(world.lead_member)
    page = client.get("/account/webhooks")
    assert page.status_code == 200 and "You have no webhooks" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    refused = client.post(
        "/account/webhooks", data={"csrf_token": token, "url": "ftp://x", "events": []}
    )
    assert refused.status_code == 422
    created = client.post(
        "/account/webhooks",
        data={"csrf_token": token, "url": receiver.url, "events": ["update.posted"]},
    )
    html = created.get_data(as_text=True)
    assert created.status_code == 201 and "shown only this once" in html
    assert created.headers["Cache-Control"] == "no-store"
    hook = db.session.scalars(sa.select(Webhook)).one()
    secret = hook.secret
    db.session.rollback()
    assert secret in html
    post_update(client, world.partner_member, world.network_project.id)
    run_worker()
    log = client.get(f"/account/webhooks/{hook.id}").get_data(as_text=True)
    assert "update.posted" in log and "delivered" in log
    delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
    db.session.rollback()
    again = client.post(
        f"/account/webhooks/{hook.id}/deliveries/{delivery.id}/redeliver",
        data={"csrf_token": token},
    )
    assert again.status_code == 302
    run_worker()
    assert len(receiver.calls) == 2
    deleted = client.post(f"/account/webhooks/{hook.id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Webhook)) == 0
    db.session.rollback()


def test_patrons_have_no_webhook_page(client, world, login):
    login(world.patron)
    assert client.get("/account/webhooks").status_code == 403
