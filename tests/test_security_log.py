"""Security log: sign-in events with the address, the admin page and its filters, no secrets
in any log."""

import html
import json
import logging
import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from tests import factories
from tests.querycount import count_queries
from tracker.auth import tokens
from tracker.extensions import db
from tracker.models import AuditEvent, Organization, User, utcnow

KNOWN_PASSWORD = "Sesame opens 4 the 9 thieves!"


@pytest.fixture
def member(app):
    org = factories.make_org(sites=[factories.make_site()])
    return factories.make_user("member", org, email="member@example.org")


@pytest.fixture
def admin(app):
    return factories.make_user("admin", email="admin@example.org")


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def add_events(user: User, count: int, action: str = "sign_in", days_ago: int = 0) -> None:
    at = utcnow() - timedelta(days=days_ago)
    db.session.add_all(
        AuditEvent(action=action, object_type="user", object_id=user.id, actor_id=user.id, at=at)
        for _ in range(count)
    )
    db.session.commit()


def rows_of(page) -> int:
    return page.get_data(as_text=True).count('<td class="small">')


# --- recording ------------------------------------------------------------------------------


def test_sign_in_success_and_failure_are_recorded_with_the_address(client, login, member):
    login(member, "wrong password here")
    login(member)
    failed, succeeded = events("sign_in_failed"), events("sign_in")
    assert len(failed) == len(succeeded) == 1
    assert failed[0].changes == {"ip": "127.0.0.1"}
    assert succeeded[0].changes == {"ip": "127.0.0.1"}
    assert succeeded[0].object_id == member.id


def test_sign_in_events_go_to_the_security_logger_without_the_email(client, login, member, caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")
    login(member, "wrong password here")
    login("nobody@example.org")
    login(member)
    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.security"]
    assert lines == [
        f"sign_in_failed user_id={member.id} ip='127.0.0.1'",
        "sign_in_failed user=unknown ip='127.0.0.1'",
        f"sign_in user_id={member.id} ip='127.0.0.1'",
    ]


def test_a_lock_out_is_recorded(app, client, login, member, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_LOCKOUT_THRESHOLD", 2)
    login(member, "wrong password one")
    login(member, "wrong password two")
    assert len(events("locked_out")) == 1


# --- the page -------------------------------------------------------------------------------


def test_admins_see_security_events_but_not_other_audit_events(client, login, admin, member):
    login(member, "wrong password here")
    add_events(member, 1, action="project_updated")
    login(admin)
    page = client.get("/admin/security")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sign-in failed" in html and "127.0.0.1" in html and member.email in html
    assert "project_updated" not in html


def test_role_changes_name_the_roles_in_the_readers_language(client, login, admin, member):
    db.session.add(
        AuditEvent(
            action="role_changed",
            object_type="user",
            object_id=member.id,
            actor_id=admin.id,
            changes={"role": ["member", "site_manager"]},
        )
    )
    db.session.commit()
    login(admin)
    english = client.get("/admin/security").get_data(as_text=True)
    assert "Member → Site manager" in english
    german = client.get("/admin/security", headers={"Accept-Language": "de"})
    assert "Mitglied → Standortleitung" in german.get_data(as_text=True)


def test_the_user_list_links_admins_to_the_security_log(client, login, admin):
    login(admin)
    assert 'href="/admin/security"' in client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("role", ["site_manager", "member", "patron"])
def test_only_admins_may_open_the_security_log(client, login, role):
    org = factories.make_org() if role == "member" else None
    login(factories.make_user(role, org))
    assert client.get("/admin/security").status_code == 403


def test_the_log_needs_sign_in(client, app):
    assert client.get("/admin/security").status_code == 302


def test_filters_by_event_user_and_dates(client, login, admin, member):
    add_events(member, 2, "sign_in_failed", days_ago=10)
    add_events(member, 3, "sign_in", days_ago=1)
    add_events(admin, 4, "role_changed", days_ago=1)
    login(admin)  # one more sign_in, by the admin, today
    assert rows_of(client.get("/admin/security?action=sign_in_failed")) == 2
    assert rows_of(client.get("/admin/security?user=MEMBER@example")) == 5
    today = utcnow().date()
    since = (today - timedelta(days=2)).isoformat()
    assert rows_of(client.get(f"/admin/security?date_from={since}")) == 8
    until = (today - timedelta(days=5)).isoformat()
    assert rows_of(client.get(f"/admin/security?date_to={until}")) == 2
    assert rows_of(client.get(f"/admin/security?user=member&date_from={since}")) == 3


def test_bad_filters_are_reported_and_left_out(client, login, admin):
    login(admin)
    page = client.get("/admin/security?date_from=2025-05-01&date_to=2025-04-01&action=nope")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The end date must not be before the start date." in html
    assert "Not a valid choice" in html
    assert rows_of(page) == 1  # the admin's own sign-in: the bad filters did not apply
    extreme = client.get("/admin/security?date_from=0001-01-01&date_to=9999-12-31&user=%25_")
    assert extreme.status_code == 200


def test_the_log_pages_with_a_fixed_number_of_queries(client, login, admin, member):
    organization_id = member.organization_id
    login(admin)
    client.get("/admin/security")
    add_events(member, 5)
    db.session.expunge_all()
    with count_queries() as few:
        client.get("/admin/security")
    organization = db.session.get(Organization, organization_id)
    others = [factories.make_user("member", organization) for _ in range(5)]
    for user in others:
        add_events(user, 6)
    db.session.expunge_all()
    with count_queries() as many:
        page = client.get("/admin/security")
    assert len(many) == len(few)
    assert rows_of(page) == 25
    assert "page 1 of 2" in page.get_data(as_text=True)
    following = link_of(page, "next")
    assert "after=" in following and "page=" not in following
    db.session.expunge_all()
    with count_queries() as by_cursor:
        second = client.get(following)
    assert len(by_cursor) == len(few)
    assert rows_of(second) == 1 + 5 + 30 - 25 and 'rel="next"' not in second.get_data(as_text=True)
    assert rows_of(client.get("/admin/security?page=2", follow_redirects=True)) == 1 + 5 + 30 - 25


def link_of(page, rel: str) -> str:
    text = page.get_data(as_text=True)
    return html.unescape(re.search(rf'href="([^"]+)" rel="{rel}"', text).group(1))


def test_the_log_pages_by_cursor_and_old_numbered_links_redirect(
    app, client, login, admin, member, monkeypatch
):
    """Events at the same moment page by id; the filters travel with every link."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    login(admin)
    add_events(member, 7)
    add_events(member, 3, days_ago=2)
    seen, url = [], "/admin/security?user=member"
    while url:
        page = client.get(url)
        seen.append(rows_of(page))
        url = link_of(page, "next") if 'rel="next"' in page.get_data(as_text=True) else None
        assert url is None or "user=member" in url
    assert seen == [4, 4, 2]
    moved = client.get("/admin/security?user=member&page=3")
    assert (
        moved.status_code == 302 and "after=" in moved.location and "user=member" in moved.location
    )
    landed = client.get(moved.location)
    assert rows_of(landed) == 2 and "page 3 of 3" in landed.get_data(as_text=True)
    assert rows_of(client.get(link_of(landed, "prev"))) == 4
    assert client.get("/admin/security?user=member&page=4").status_code == 404
    assert client.get("/admin/security?page=1.5").status_code == 400
    mangled = client.get("/admin/security?after=WzEsMl0")  # [1,2]: no time, too short
    assert mangled.status_code == 200 and "not valid any more" in mangled.get_data(as_text=True)


# --- nothing secret in any log ----------------------------------------------------------------


def test_no_password_cookie_token_or_code_reaches_any_log(app, client, login, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "flask_limiter", "tracker", "alembic", "sqlalchemy"):
        caplog.set_level(logging.DEBUG, logger=name)  # even those that keep to WARNING by default
    # SQL statements and their (hidden) parameters; DEBUG would print result rows, a dump of the
    # database itself that only a developer turns on.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    user = factories.make_user("admin", email="secret.keeper@example.org")
    user.password_hash = factories.generate_password_hash(KNOWN_PASSWORD, method="scrypt:1024:8:1")
    db.session.commit()

    login(user, KNOWN_PASSWORD + "x")  # a near miss
    assert login(user, KNOWN_PASSWORD).status_code == 302
    cookie = client.get_cookie("session").value
    client.get("/admin/security")
    token, _ = tokens.create_token(user, "log test")
    assert client.get("/api/v1/sites", headers={"Authorization": f"Bearer {token}"}).status_code
    db.session.rollback()  # test requests share the session; end the API call's read snapshot
    client.get("/account/two-factor/setup")
    with client.session_transaction() as session:
        secret = session["two_factor_setup"]
    page = client.post(
        "/account/two-factor/setup",
        data={"code": pyotp.TOTP(secret).now(), "password": KNOWN_PASSWORD},
    )
    codes = re.findall(r"<li>([a-z0-9-]{19})</li>", page.get_data(as_text=True))
    assert len(codes) == 10, page.get_data(as_text=True)[-3000:]

    db.session.expire_all()
    audit_json = json.dumps([e.changes for e in db.session.scalars(sa.select(AuditEvent))])
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert "sign_in" in audit_json or events("sign_in")
    assert caplog.records, "nothing was logged: the test would prove nothing"
    for secret_value in [KNOWN_PASSWORD, cookie, token, secret, *codes]:
        assert secret_value not in logged
        assert secret_value not in audit_json
