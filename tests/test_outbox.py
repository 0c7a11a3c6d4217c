"""The outbox: rows in the caller's transaction, atomic claims, retries, e-mail through a real
SMTP server (aiosmtpd in its own process), preferences and one-click unsubscribe."""

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from tests.smtp_sink import SmtpSink
from tracker import activity, outbox
from tracker import mail as smtp_module
from tracker.extensions import db
from tracker.models import Notification, Organization
from tracker.models.base import utcnow
from tracker.models.outbox import NotificationPreference, OutboxMessage
from tracker.outbox import mails, preferences, worker


@pytest.fixture
def sink(tmp_path):
    server = SmtpSink(tmp_path / "mail").start()
    yield server
    server.stop()


@pytest.fixture
def smtp(app, sink, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_SMTP_URL", sink.url)
    return sink


def _rows():
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_rows_are_written_in_the_callers_transaction(app, world):
    outbox.enqueue_email(world.lead_member.id, "invitation", "invitation", {"url": "x"})
    db.session.rollback()
    assert _rows() == []
    outbox.enqueue_email(world.lead_member.id, "invitation", "invitation", {"url": "x"})
    db.session.commit()
    [row] = _rows()
    assert (row.state, row.attempts, row.channel) == ("pending", 0, "email")


def test_a_mail_the_server_accepted_is_sent_though_its_quit_goes_unanswered(
    app, world, tmp_path, monkeypatch
):
    """Once the server said 250 to the message, a QUIT that times out changes nothing: sending
    it again would deliver it twice."""
    slow = SmtpSink(tmp_path / "slow", hold_first_quit=5).start()
    try:
        monkeypatch.setitem(app.config, "TRACKER_SMTP_URL", slow.url)
        monkeypatch.setattr(smtp_module, "TIMEOUT_SECONDS", 0.5)
        outbox.enqueue_email(world.lead_member.id, "invitation", "invitation", {"url": "x"})
        db.session.commit()
        assert worker.deliver_due() == 1
        [row] = _rows()
        assert (row.state, row.attempts, row.last_error) == ("sent", 1, None)
        assert len(slow.messages()) == 1
    finally:
        slow.stop()


def test_mail_arrives_once_with_headers_parts_and_language(app, world, smtp):
    world.partner_member.locale = "de"
    db.session.commit()
    outbox.enqueue_email(
        world.partner_member.id,
        "password.reset",
        "password_reset",
        {"url": "http://127.0.0.1:5000/invite/secret-token", "hours": 72},
    )
    db.session.commit()
    assert worker.deliver_due() == 1
    assert worker.deliver_due() == 0
    [message] = smtp.wait_for(1)
    assert message["X-Tracker-Event"] == "password.reset"
    assert message["To"].addresses[0].addr_spec == "partner@example.org"
    assert "Passwort" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "http://127.0.0.1:5000/invite/secret-token" in text
    assert 'href="http://127.0.0.1:5000/invite/secret-token"' in html
    assert "List-Unsubscribe" not in message  # a password reset is not a list mail
    [row] = _rows()
    assert row.state == "sent" and row.sent_at is not None
    assert message["Message-ID"] == mails.message_id(row)
    # The one-time link is not kept once it went out.
    assert "url" not in (row.params or {})


def _events(html: str) -> list[str]:
    return re.findall(r"<code>(ev\d\d)</code>", html)


def _link(html: str, rel: str) -> str:
    return unescape(re.search(rf'href="([^"]+)" rel="{rel}"', html).group(1))


def test_the_deliveries_page_by_cursor_and_old_numbered_links_redirect(
    app, world, client, login, monkeypatch
):
    from tracker.outbox import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    users = (world.lead_member, world.partner_member)
    for n in range(8):
        state = "kept" if n % 2 else "sent"
        row = OutboxMessage(channel="email", event=f"ev{n:02d}", user_id=users[n % 2].id)
        row.state = state
        db.session.add(row)
    db.session.commit()
    login(world.admin)
    seen, url = [], "/admin/deliveries?state=kept"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen.append(_events(page))
        url = _link(page, "next") if 'rel="next"' in page else None
        assert url is None or ("state=kept" in url and "page=" not in url)
    assert seen == [["ev07", "ev05", "ev03"], ["ev01"]]
    moved = client.get("/admin/deliveries?state=kept&page=2")
    assert moved.status_code == 302 and "state=kept" in moved.location
    landed = client.get(moved.location).get_data(as_text=True)
    assert (
        _events(landed) == ["ev01"] and _events(client.get(_link(landed, "prev")).text) == seen[0]
    )
    assert client.get("/admin/deliveries?state=kept&page=3").status_code == 404
    assert client.get("/admin/deliveries?page=abc").status_code == 400
    assert _events(client.get("/admin/deliveries?after=Wy0xLDJd").text)[:1] == ["ev07"]


def test_the_deliveries_page_sends_the_same_queries_for_few_and_many(app, world, client, login):
    from tests import factories
    from tests.querycount import count_queries

    login(world.admin)
    org_id, counts = world.other_org.id, []
    for n in (2, 120):
        org = db.session.get(Organization, org_id)
        for i in range(n):
            user = factories.make_user("member", org, email=f"d{n}-{i}@example.org")
            db.session.add(
                OutboxMessage(channel="email", event=f"ev{i % 100:02d}", user_id=user.id)
            )
        db.session.commit()
        db.session.expunge_all()
        with count_queries() as statements:
            first = client.get("/admin/deliveries").text
        counts.append(len(statements))
        db.session.expunge_all()
        if n > 2:
            with count_queries() as statements:
                assert client.get(_link(first, "next")).status_code == 200
            counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2]


def test_message_ids_are_unique(app, world, smtp):
    for _ in range(3):
        outbox.enqueue_email(world.lead_member.id, "invitation", "invitation", {"url": "u"})
    db.session.commit()
    assert worker.deliver_due() == 3
    ids = [m["Message-ID"] for m in smtp.wait_for(3)]
    assert len(set(ids)) == 3


def test_without_smtp_mails_are_kept_and_an_admin_retries(app, world, client, login):
    outbox.enqueue_email(world.lead_member.id, "invitation", "invitation", {"url": "u"})
    db.session.commit()
    assert worker.deliver_due() == 0
    [row] = _rows()
    assert row.state == "kept"
    login(world.admin)
    page = client.get("/admin/deliveries")
    assert page.status_code == 200
    assert "lead@example.org" in page.text and "invitation" in page.text
    assert client.post(f"/admin/deliveries/{row.id}/retry").status_code == 302
    [row] = _rows()
    assert row.state == "pending"
    member = app.test_client()
    login(world.lead_member, test_client=member)
    assert member.get("/admin/deliveries").status_code == 403
    assert member.post(f"/admin/deliveries/{row.id}/retry").status_code == 403


def test_a_failure_is_retried_with_backoff_then_given_up(app, world, monkeypatch):
    # A port nobody listens on: connection refused.
    monkeypatch.setitem(app.config, "TRACKER_SMTP_URL", "smtp://127.0.0.1:9")
    outbox.enqueue_email(world.lead_member.id, "invitation", "invitation", {"url": "u"})
    db.session.commit()
    worker.deliver_due()
    [row] = _rows()
    assert row.state == "pending" and row.attempts == 1
    assert row.next_attempt_at - utcnow() > timedelta(seconds=20)
    assert "ConnectionRefusedError" in row.last_error
    assert worker.deliver_due() == 0  # not due yet
    assert _rows()[0].attempts == 1
    # 24 hours after it was written, a failure is the last.
    row.created_at = utcnow() - timedelta(hours=24)
    row.next_attempt_at = utcnow()
    db.session.commit()
    worker.deliver_due()
    [row] = _rows()
    assert (row.state, row.attempts) == ("failed", 2)


def test_backoff_doubles_up_to_an_hour(app):
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert worker.backoff(20).total_seconds() == 3600


def test_a_claim_is_atomic_and_an_expired_lease_is_taken_again(app, world):
    outbox.register_sender("test", lambda row: None)
    try:
        db.session.add(OutboxMessage(channel="email", event="x", template="t", user_id=None))
        db.session.commit()
        first = worker.claim(["email"])
        assert first is not None and first.state == "sending"
        assert worker.claim(["email"]) is None  # held by the first claim
        db.session.execute(
            sa.update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        again = worker.claim(["email"])
        assert again is not None and again.id == first.id and again.attempts == 2
    finally:
        outbox._senders.pop("test", None)


def test_notify_writes_the_at_once_mails_by_preference_in_the_same_statement(app, world, smtp):
    """The notifications INSERT … SELECT is the only statement: a trigger adds the outbox
    rows of those whose choice for the kind's group is "now"."""
    from tests.querycount import count_queries

    # Lead member: "now" by default for gate requests; partner member chose "never".
    db.session.add(
        NotificationPreference(
            user_id=world.partner_member.id, event_group="gate_requests", email="never"
        )
    )
    db.session.commit()
    project = world.network_project
    assert project.id  # loaded before counting
    users = activity.members_of([world.lead_org.id, world.partner_org.id])
    text = "Somebody requests the gate Develop → Test for “Open hydrogen forecast”."
    with count_queries() as statements:
        activity.notify(users, "gate_requested", text, project)
    assert len(statements) == 1
    told = sa.select(sa.func.count()).select_from(Notification)
    assert db.session.scalar(told) == 2
    activity.notify(users, "update_posted", "New update on “Open hydrogen forecast”.", project)
    activity.notify(users, "gate_requested", text, project, mail=False)
    db.session.commit()
    [row] = _rows()  # update_posted: digest by default; mail=False: none
    assert (row.user_id, row.event) == (world.lead_member.id, "gate.requested")
    assert worker.deliver_due() == 1
    [message] = smtp.wait_for(1)
    assert message["X-Tracker-Event"] == "gate.requested"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_body(("plain",)).get_content()
    assert f"http://127.0.0.1:5000/projects/{project.id}" in body
    assert "Open hydrogen forecast" in message["Subject"]


def test_one_click_unsubscribe_without_sign_in(app, world, client):
    token = mails.unsubscribe_token(world.lead_member.id, "gate_requests")
    assert client.get(f"/unsubscribe/{token}").status_code == 200
    assert preferences.choices_of(world.lead_member)["gate_requests"] == "now"
    # RFC 8058: a POST with List-Unsubscribe=One-Click, no cookie, no CSRF token.
    answer = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    db.session.expire_all()
    assert preferences.choices_of(world.lead_member)["gate_requests"] == "never"
    assert client.post("/unsubscribe/forged-token").status_code == 404


def test_settings_page_saves_choices(app, world, client, login):
    login(world.partner_member)
    page = client.get("/account/notifications")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    data = {f"group_{group}": "digest" for group in preferences.GROUPS}
    data |= {"digest": "weekly", "time_zone": "Europe/Stockholm"}
    assert client.post("/account/notifications", data=data).status_code == 302
    db.session.expire_all()
    assert set(preferences.choices_of(world.partner_member).values()) == {"digest"}
    settings = preferences.settings_of(world.partner_member)
    assert (settings.digest, settings.time_zone) == ("weekly", "Europe/Stockholm")
    data["time_zone"] = "Mars/Olympus"
    assert client.post("/account/notifications", data=data).status_code == 400
