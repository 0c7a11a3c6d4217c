"""The demo shows only what the app really sends, and its homes list waiting and overdue work."""

import sqlalchemy as sa

from tests.test_cli import DEMO_PASSWORD, seed
from tracker.extensions import db
from tracker.models import Notification, Nudge
from tracker.models.outbox import OutboxMessage
from tracker.notifications.display import KINDS

# The kinds tracker.activity writes (design.md §12).
APP_KINDS = {
    "update_posted",
    "gate_requested",
    "gate_confirmed",
    "gate_decided",
    "status_changed",
    "partner_added",
    "due_soon",
    "overdue",
    "nudge",
    "stalled",
    "partner_interest",
}


def test_the_demo_history_is_made_by_the_apps_own_events(runner, monkeypatch):
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", DEMO_PASSWORD)
    seed(runner)
    kinds = set(db.session.scalars(sa.select(Notification.kind).distinct()))
    assert kinds <= APP_KINDS and {"update_posted", "gate_requested", "nudge"} <= kinds
    # every stored text has a form display.py knows (so it shows in each reader's language)
    for kind, message in db.session.execute(sa.select(Notification.kind, Notification.message)):
        assert any(pattern.match(message) for pattern, _show in KINDS[kind]), (kind, message)
    # nothing from the demo's past is mailed
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Nudge.id))) > 0


def test_the_demo_homes_list_waiting_and_overdue_work(runner, client, login, monkeypatch):
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", DEMO_PASSWORD)
    seed(runner)
    seen = {"overdue": 0, "stalled": 0, "nudges": 0}
    for slug in ("berlin", "stockholm", "erlangen", "lingen"):
        assert login(f"manager.{slug}@demo.example", DEMO_PASSWORD).status_code == 302
        html = client.get("/").get_data(as_text=True)
        attention = html[html.index('id="needs-attention"') :]
        assert "Review queue" in html
        seen["overdue"] += "days late" in attention
        seen["stalled"] += "Stalled: no activity" in attention
        seen["nudges"] += "Nudges not answered yet" in attention
        client.post("/logout")
    assert seen == {"overdue": 4, "stalled": 4, "nudges": seen["nudges"]} and seen["nudges"] >= 1

    assert login("member.krone@demo.example", DEMO_PASSWORD).status_code == 302
    html = client.get("/").get_data(as_text=True)
    needs = html[html.index('id="what-needs-you"') :]
    assert "Nothing waits for your organization" not in needs
