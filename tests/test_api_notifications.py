"""GET /api/v1/notifications (newest first) and POST /api/v1/notifications/<id>/read."""

from datetime import timedelta

import sqlalchemy as sa

from tracker import activity
from tracker.auth.tokens import create_token
from tracker.extensions import db
from tracker.models import Notification, utcnow


def _headers(user) -> dict:
    token, _row = create_token(user, "notifications")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _tell(user, message: str, project=None, days_ago: int = 0) -> int:
    activity.notify([user.id], "update_posted", message, project)
    db.session.commit()
    note = db.session.scalars(sa.select(Notification).where(Notification.message == message)).one()
    note.created_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    note_id = note.id
    db.session.commit()  # no read transaction of the test's left open under the request's
    return note_id


def test_the_list_is_newest_first_with_every_field(client, world):
    older = _tell(
        world.partner_member, "Ann Lee posted an update on “A”.", world.network_project, 3
    )
    newer = _tell(world.partner_member, "Ann Lee posted an update on “B”.", None, 1)
    _tell(world.lead_member, "Someone else's.", None, 0)

    answer = client.get("/api/v1/notifications", headers=_headers(world.partner_member))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "private, no-cache"
    body = answer.get_json()
    assert [item["id"] for item in body["items"]] == [newer, older]
    first = body["items"][1]
    assert set(first) == {"id", "kind", "text", "project_id", "created_at", "read_at"}
    assert first["kind"] == "update_posted" and first["project_id"] == world.network_project.id
    assert first["text"] == "Ann Lee posted an update on “A”." and first["read_at"] is None
    assert body["next_cursor"] is None


def test_the_text_is_in_the_users_language(client, world):
    world.partner_member.locale = "de"
    db.session.commit()
    _tell(world.partner_member, "Ann Lee posted an update on “A”.")
    body = client.get("/api/v1/notifications", headers=_headers(world.partner_member)).get_json()
    assert body["items"][0]["text"] == "Ann Lee hat ein Update zu „A“ veröffentlicht."


def test_pages_follow_the_cursor_and_unread_filters(client, world):
    notes = [_tell(world.partner_member, f"Note {i}", None, 10 - i) for i in range(5)]
    headers = _headers(world.partner_member)
    first = client.get("/api/v1/notifications?limit=3", headers=headers).get_json()
    assert [i["text"] for i in first["items"]] == ["Note 4", "Note 3", "Note 2"]
    rest = client.get(
        f"/api/v1/notifications?limit=3&cursor={first['next_cursor']}", headers=headers
    ).get_json()
    assert [i["text"] for i in rest["items"]] == ["Note 1", "Note 0"] and rest[
        "next_cursor"
    ] is None

    answer = client.post(f"/api/v1/notifications/{notes[4]}/read", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["read_at"] is not None
    unread = client.get("/api/v1/notifications?unread=true", headers=headers).get_json()
    assert [i["text"] for i in unread["items"]] == ["Note 3", "Note 2", "Note 1", "Note 0"]


def test_marking_read_twice_keeps_the_first_time_and_others_get_404(client, world):
    note = _tell(world.partner_member, "Mine.")
    headers = _headers(world.partner_member)
    first = client.post(f"/api/v1/notifications/{note}/read", headers=headers).get_json()
    again = client.post(f"/api/v1/notifications/{note}/read", headers=headers).get_json()
    assert first["read_at"] == again["read_at"] is not None

    other = client.post(f"/api/v1/notifications/{note}/read", headers=_headers(world.outsider))
    assert other.status_code == 404
    assert other.headers["Content-Type"].startswith("application/problem+json")


def test_the_operations_are_documented_with_stable_ids(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    listing = spec["paths"]["/api/v1/notifications"]["get"]
    marking = spec["paths"]["/api/v1/notifications/{notification_id}/read"]["post"]
    assert listing["operationId"] == "listNotifications"
    assert marking["operationId"] == "markNotificationRead"
    item = spec["components"]["schemas"]["Notification"]
    assert set(item["properties"]) == {"id", "kind", "text", "project_id", "created_at", "read_at"}


def test_a_cursor_that_was_not_handed_out_is_refused(client, world):
    answer = client.get(
        "/api/v1/notifications?cursor=bm90LWEtY3Vyc29y", headers=_headers(world.partner_member)
    )
    assert answer.status_code == 422
    assert "cursor" in answer.get_data(as_text=True)
