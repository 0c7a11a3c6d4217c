"""In-app notifications: who is told what, the list, the unread count, marking read."""

import html
import re
from datetime import timedelta

import sqlalchemy as sa

from tracker import activity
from tracker.extensions import db
from tracker.models import Notification, utcnow
from tracker.reviews import services

EVIDENCE = "Pilot done; partners agree."


def notifications_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def test_a_gate_request_tells_the_host_site_managers(world, signed_in):
    pid = world.network_project.id
    signed_in(world.lead_member).post(f"/projects/{pid}/gate", data={"evidence": EVIDENCE})

    [note] = notifications_of(world.manager)
    assert note.kind == "gate_requested" and note.project_id == pid
    assert world.network_project.title in note.message
    assert notifications_of(world.other_manager) == []
    assert notifications_of(world.admin) == []

    page = signed_in(world.manager).get("/notifications").get_data(as_text=True)
    assert note.message in page
    assert "Notifications, 1 unread" in page


def test_a_decision_tells_the_participating_organizations_members(world, signed_in):
    review = services.request_gate(world.lead_member, world.network_project, EVIDENCE)
    signed_in(world.manager).post(
        f"/reviews/{review.id}/decide", data={"decision": "recycle", "reason": "Show more data."}
    )

    [note] = notifications_of(world.lead_member)
    assert note.kind == "gate_decided" and "Recycle" in note.message
    assert "Show more data." in note.message
    # The partner was asked to confirm the request, then told of the decision.
    assert [n.kind for n in notifications_of(world.partner_member)] == [
        "gate_requested",
        "gate_decided",
    ]

    page = signed_in(world.lead_member).get("/notifications").get_data(as_text=True)
    assert "Show more data." in page and "fw-semibold" in page
    assert "Notifications, 1 unread" in page


def test_the_list_is_newest_first_and_links_only_visible_projects(world, signed_in, app):
    outsider = world.outsider
    activity.notify(
        [outsider.id], "gate_decided", "Older about the network project", world.network_project
    )
    # activity.notify tells no one who may not see the project's details; a notification of a
    # project the user no longer sees (their organization left it) is written directly.
    db.session.add(
        Notification(
            user_id=outsider.id,
            kind="gate_decided",
            message="Newer about a secret project",
            project_id=world.consortium_project.id,
        )
    )
    db.session.commit()
    older, _newer = notifications_of(outsider)
    older.created_at = utcnow() - timedelta(days=2)
    db.session.commit()

    html = signed_in(outsider).get("/notifications").get_data(as_text=True)
    assert html.index("Newer about a secret project") < html.index(
        "Older about the network project"
    )
    if "projects.detail" in app.view_functions:
        assert f'/projects/{world.network_project.id}"' in html
    assert f'/projects/{world.consortium_project.id}"' not in html  # hidden: message only


def test_marking_one_and_all_as_read(world, signed_in):
    user = world.lead_member
    activity.notify([user.id], "partner_added", "One", world.network_project)
    activity.notify([user.id], "partner_added", "Two", world.network_project)
    activity.notify([user.id], "partner_added", "Three", world.network_project)
    db.session.commit()
    first = notifications_of(user)[0].id
    client = signed_in(user)
    assert "Notifications, 3 unread" in client.get("/notifications").get_data(as_text=True)

    assert client.post(f"/notifications/{first}/read").status_code == 302
    assert [n.read_at is not None for n in notifications_of(user)] == [True, False, False]
    assert "Notifications, 2 unread" in client.get("/").get_data(as_text=True)

    answer = client.post("/notifications/read-all", follow_redirects=True)
    assert "2 notifications marked as read." in answer.get_data(as_text=True)
    assert all(n.read_at is not None for n in notifications_of(user))
    assert "Notifications, 0 unread" in answer.get_data(as_text=True)


def test_another_users_notification_answers_404(world, signed_in):
    activity.notify([world.manager.id], "gate_requested", "For the manager only")
    db.session.commit()
    theirs = notifications_of(world.manager)[0].id
    client = signed_in(world.lead_member)

    assert client.post(f"/notifications/{theirs}/read").status_code == 404
    assert notifications_of(world.manager)[0].read_at is None
    assert "For the manager only" not in client.get("/notifications").get_data(as_text=True)
    assert client.post("/notifications/999999/read").status_code == 404


def test_long_lists_page(world, signed_in):
    user = world.partner_member
    activity.notify([user.id], "x", "placeholder")
    for n in range(30):
        db.session.add(Notification(user_id=user.id, kind="x", message=f"Message {n:02d}"))
    db.session.commit()
    client = signed_in(user)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Message 29" in first
    older = re.search(r'href="([^"]+)" rel="next"', first).group(1)
    assert "after=" in older and "page=" not in older
    second = client.get(html.unescape(older)).get_data(as_text=True)
    assert "Page 2 of 2" in second and "placeholder" in second and "Message 29" not in second
    assert 'rel="next"' not in second
    newer = html.unescape(re.search(r'href="([^"]+)" rel="prev"', second).group(1))
    back = client.get(newer).get_data(as_text=True)
    assert "Page 1 of 2" in back and "Message 29" in back and "placeholder" not in back


def test_a_page_number_just_beyond_a_full_last_page_is_404(world, signed_in):
    """Two full pages: page 3 would start after the last row, so it does not exist."""
    from tracker.notifications.services import PAGE_SIZE

    user = world.partner_member
    for n in range(2 * PAGE_SIZE):
        db.session.add(Notification(user_id=user.id, kind="x", message=f"Message {n:02d}"))
    db.session.commit()
    client = signed_in(user)
    assert client.get("/notifications?page=2").status_code == 302
    assert client.get("/notifications?page=3").status_code == 404


def test_old_numbered_links_redirect_to_the_page_by_cursor(world, signed_in):
    user = world.partner_member
    for n in range(30):
        db.session.add(Notification(user_id=user.id, kind="x", message=f"Message {n:02d}"))
    db.session.commit()
    client = signed_in(user)
    moved = client.get("/notifications?page=2")
    assert moved.status_code == 302 and "after=" in moved.location
    assert "Page 2 of 2" in client.get(moved.location).get_data(as_text=True)
    assert client.get("/notifications?page=1").status_code == 302
    assert client.get("/notifications?page=3").status_code == 404
    assert client.get("/notifications?page=abc").status_code == 400
    assert client.get(f"/notifications?page={10**30}").status_code == 404
    # a made-up cursor is the first page, not an error
    for made_up in ("x", "W10", "bm90LWEtY3Vyc29y"):
        assert "Page 1 of 2" in client.get(f"/notifications?after={made_up}").get_data(as_text=True)


def test_an_empty_list_says_what_comes_here(world, signed_in):
    html = signed_in(world.patron).get("/notifications").get_data(as_text=True)
    assert "No notifications yet" in html and "Notifications, 0 unread" in html


def test_signed_out_people_see_no_bell_and_no_list(client):
    assert client.get("/notifications").status_code == 302
    assert "unread" not in client.get("/login").get_data(as_text=True)
