"""E-mail from the events of design §12: the fan-out by preference inside activity's one
INSERT … SELECT, digests, the calendar feed, and seeding that mails nothing."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from icalendar import Calendar

from tests import factories as f
from tracker import activity
from tracker.extensions import db
from tracker.models import Milestone, Notification
from tracker.models.outbox import NotificationPreference, OutboxMessage
from tracker.outbox import digests, preferences, worker

EVIDENCE = "Pilot done; partners agree."


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_gate_request_mails_managers_and_partners_at_once_never_the_actor(
    app, world, client, login, smtp
):
    patron_in_partner = f.make_user("patron", world.partner_org, email="pp@example.org")
    colleague = f.make_user("member", world.partner_org, email="quiet@example.org")
    db.session.add(
        NotificationPreference(user_id=colleague.id, event_group="gate_requests", email="never")
    )
    db.session.commit()
    login(world.lead_member)
    pid = world.network_project.id
    assert client.post(f"/projects/{pid}/gate", data={"evidence": EVIDENCE}).status_code == 302
    rows = _outbox()
    assert {row.user_id for row in rows} == {world.manager.id, world.partner_member.id}
    assert {row.event for row in rows} == {"gate.requested"}
    assert patron_in_partner.id not in {row.user_id for row in rows}
    assert worker.deliver_due() == 2
    messages = smtp.wait_for(2)
    to = {m["To"].addresses[0].addr_spec for m in messages}
    assert to == {"mgr@example.org", "partner@example.org"}
    for message in messages:
        assert message["X-Tracker-Event"] == "gate.requested"
        assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    for path in smtp.out.glob("*.eml"):  # as received: one plain <URL>, not encoded words
        raw = path.read_bytes().decode()
        assert "\nList-Unsubscribe: <http://127.0.0.1:5000/unsubscribe/" in raw.replace("\r", "")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert f"/projects/{pid}" in message.get_body(("plain",)).get_content()


def test_digest_groups_are_not_mailed_at_once_but_in_the_digest(app, world, smtp):
    project = world.network_project
    now = datetime.now(UTC)
    # The first run only starts everybody's digests (nothing from before is mailed).
    assert digests.queue_digests(now - timedelta(days=1)) == 0
    activity.tell_update_posted(world.lead_member, project)
    activity.notify([world.partner_member.id], "update_posted", "Old news.", project, mail=False)
    db.session.commit()
    assert _outbox() == []  # updates: digest by default
    # Tomorrow 06:59 in Berlin: not yet; 07:05: once, however often the job runs.
    tomorrow = (now + timedelta(days=1)).date()
    before = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 5, 59, tzinfo=UTC)
    after = before + timedelta(minutes=6)
    assert digests.queue_digests(before) == 0
    digests.queue_digests(after)
    digests.queue_digests(after + timedelta(minutes=5))
    rows = [row for row in _outbox() if row.user_id == world.partner_member.id]
    assert [row.event for row in rows] == ["digest"]
    assert worker.deliver_due() >= 1
    mails = {m["To"].addresses[0].addr_spec: m for m in smtp.wait_for(1)}
    message = mails["partner@example.org"]
    assert message["X-Tracker-Event"] == "digest"
    body = message.get_body(("plain",)).get_content()
    assert "Open hydrogen forecast" in body and "Old news." not in body  # no demo history
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_site_managers_digest_lists_waiting_reviews(app, world, client, login, smtp):
    login(world.lead_member)
    pid = world.network_project.id
    digests.queue_digests(datetime.now(UTC) - timedelta(days=1))  # digests start
    client.post(f"/projects/{pid}/gate", data={"evidence": EVIDENCE})
    # Tomorrow 07:05 in Berlin. (Now plus 32 hours, as this said before, is before 07:00 of the
    # day after tomorrow whenever the test ran after 15:00 UTC: no digest was due, and it failed.)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    digests.queue_digests(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 6, 5, tzinfo=UTC))
    worker.deliver_due()
    smtp.wait_for(3)  # the two gate-request mails and the manager's digest
    digest = [
        m
        for m in smtp.messages()
        if m["X-Tracker-Event"] == "digest" and "mgr@example.org" in str(m["To"])
    ]
    assert len(digest) == 1
    body = digest[0].get_body(("plain",)).get_content()
    assert "Open hydrogen forecast" in body and "waiting" in body.lower()


def test_weekly_digest_periods(app):
    monday_6 = datetime(2026, 12, 7, 6, 5, tzinfo=UTC)  # Monday 07:05 in Berlin
    assert digests.period_of("weekly", "Europe/Berlin", monday_6)[0] == "W2026-50"
    assert digests.period_of("weekly", "Europe/Berlin", monday_6 - timedelta(minutes=10)) is None
    assert digests.period_of("daily", "Asia/Tokyo", monday_6)[0] == "2026-12-07"
    assert digests.period_of("daily", "Not/AZone", monday_6)[0] == "2026-12-07"


def test_calendar_feed_made_shown_and_revoked(app, world, client, login):
    project = world.network_project
    db.session.add(Milestone(project_id=project.id, title="Pilot report", due_on=date(2027, 1, 15)))
    db.session.commit()
    login(world.partner_member)
    assert client.post("/account/notifications/calendar").status_code == 302
    page = client.get("/account/notifications")
    url = preferences.settings_of(world.partner_member)
    from tracker.outbox import calendar

    db.session.expire_all()
    with app.test_request_context(base_url="http://localhost"):
        feed_url = calendar.feed_url(world.partner_member)
    assert feed_url and feed_url in page.text  # stays visible to its owner
    path = feed_url.removeprefix("http://localhost")
    anonymous = app.test_client()
    answer = anonymous.get(path)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/calendar")
    assert answer.headers["Cache-Control"] == "no-store"
    cal = Calendar.from_ical(answer.data)
    summaries = [str(event["SUMMARY"]) for event in cal.walk("VEVENT")]
    assert "Open hydrogen forecast: Pilot report" in summaries
    # An outsider's calendar does not show the consortium project's dates.
    assert anonymous.get(path[:-8] + "0" * 8 + ".ics").status_code == 404
    assert client.post("/account/notifications/calendar/revoke").status_code == 302
    assert anonymous.get(path).status_code == 404
    assert url is not None


def test_seeding_the_demo_writes_no_outbox_rows(app, runner):
    result = runner.invoke(args=["seed-demo", "--password", "demo-password-for-tests"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_due_and_overdue_reminders_are_told_and_mailed_once(app, world):
    project = world.network_project
    today = date(2026, 12, 7)
    db.session.add_all(
        [
            Milestone(project_id=project.id, title="Soon", due_on=today + timedelta(days=6)),
            Milestone(project_id=project.id, title="Late", due_on=today - timedelta(days=1)),
            Milestone(project_id=project.id, title="Ancient", due_on=today - timedelta(days=90)),
        ]
    )
    db.session.commit()
    digests.queue_reminders(today)
    digests.queue_reminders(today)  # again: nobody is told twice
    kinds = [(n.kind, n.user_id) for n in db.session.scalars(sa.select(Notification))]
    assert sorted(kinds) == [("due_soon", world.lead_member.id), ("overdue", world.lead_member.id)]
    assert sorted(row.event for row in _outbox()) == ["due.soon", "overdue"]
