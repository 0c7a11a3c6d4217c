"""User administration: list, invite, edit, deactivate, one-time links."""

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.extensions import db
from tracker.models import AuditEvent, OneTimeLink, User, utcnow

NEW_PASSWORD = "a brand new passphrase"


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def _link_from(html: str) -> str:
    match = re.search(r'id="one-time-link" type="text" value="([^"]+)"', html)
    assert match, "page shows no one-time link"
    return match.group(1)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _invite(client, **fields):
    data = {"email": "new.person@example.org", "display_name": "New Person", "role": "member"}
    data.update(fields)
    return client.post("/admin/users/new", data=data)


def _redeem(app, url: str, password: str = NEW_PASSWORD):
    """Accept a link in a fresh browser; returns that browser and the POST response."""
    browser = app.test_client()
    response = browser.post(
        _path(url),
        data={"display_name": "New Person", "new_password": password, "confirm": password},
    )
    return browser, response


# --- list -----------------------------------------------------------------------------------


def test_admin_lists_every_user_with_role_organization_and_status(client, world, login):
    login(world.admin)
    page = client.get("/admin/users").get_data(as_text=True)
    for user in (world.admin, world.manager, world.outsider, world.patron):
        assert user.email in page
    assert "Lead Org" in page and "Lingen" in page
    assert "Site manager" in page


def test_user_list_searches_filters_and_pages(client, world, login):
    for n in range(30):
        factories.make_user("member", world.other_org, email=f"bulk{n:02d}@example.org")
    login(world.admin)
    found = client.get("/admin/users?q=LEAD@EX").get_data(as_text=True)
    assert "lead@example.org" in found and "partner@example.org" not in found
    patrons = client.get("/admin/users?role=patron").get_data(as_text=True)
    assert "patron@example.org" in patrons and "lead@example.org" not in patrons
    org = client.get(f"/admin/users?organization={world.partner_org.id}").get_data(as_text=True)
    assert "partner@example.org" in org and "lead@example.org" not in org
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get(_next(first)).get_data(as_text=True)
    assert first.count("@example.org</td>") == 25
    assert second.count("@example.org</td>") == 37 - 25
    assert 'rel="next"' not in second
    assert (
        client.get("/admin/users?page=2", follow_redirects=True)
        .get_data(as_text=True)
        .count("@example.org</td>")
        == 37 - 25
    )


def _next(html: str, rel: str = "next") -> str:
    return unescape(re.search(rf'href="([^"]+)" rel="{rel}"', html).group(1))


def _emails(html: str) -> list[str]:
    return re.findall(r"([^\s<>]+@[^\s<>]+)</td>", html)


def test_user_list_pages_by_cursor_and_old_numbered_links_redirect(
    client, world, login, app, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    for n in range(9):
        factories.make_user("member", world.other_org, email=f"bulk{n:02d}@example.org")
    login(world.admin)
    seen, url = [], "/admin/users?role=member"
    for _ in range(20):
        page = client.get(url).get_data(as_text=True)
        seen.append(_emails(page))
        if 'rel="next"' not in page:
            break
        url = _next(page)
        assert "role=member" in url and "after=" in url and "page=" not in url
    members = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == "member"))
    assert sum(len(rows) for rows in seen) == members and len(seen) == -(-members // 5)
    moved = client.get(f"/admin/users?role=member&page={len(seen)}")
    assert (
        moved.status_code == 302 and "after=" in moved.location and "role=member" in moved.location
    )
    assert _emails(client.get(moved.location).get_data(as_text=True)) == seen[-1]
    assert client.get(f"/admin/users?role=member&page={len(seen) + 1}").status_code == 404
    assert client.get("/admin/users?page=two").status_code == 400
    assert client.get("/admin/users?page=1").location.endswith("/admin/users")
    back = client.get(_next(client.get(moved.location).get_data(as_text=True), "prev"))
    assert _emails(back.get_data(as_text=True)) == seen[-2]
    mangled = client.get("/admin/users?after=WyJ4Iiwi").get_data(as_text=True)
    assert "not valid any more" in mangled and _emails(mangled)


def test_page_links_carry_only_the_known_filters(client, world, login):
    for n in range(30):
        factories.make_user("member", world.other_org, email=f"bulk{n:02d}@example.org")
    login(world.admin)
    page = client.get("/admin/users?role=member&_scheme=javascript&_external=1").get_data(
        as_text=True
    )
    assert re.search(r'href="/admin/users\?after=[\w-]+&amp;role=member" rel="next"', page)
    assert "javascript" not in page


def test_user_list_filters_inactive_and_invited_accounts(client, world, login):
    factories.make_user("member", world.lead_org, email="gone@example.org", active=False)
    factories.make_user("member", world.lead_org, email="pending@example.org", password_hash=None)
    login(world.admin)
    inactive = client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "gone@example.org" in inactive and "lead@example.org" not in inactive
    invited = client.get("/admin/users?status=invited").get_data(as_text=True)
    assert "pending@example.org" in invited and "gone@example.org" not in invited
    active = client.get("/admin/users?status=active").get_data(as_text=True)
    assert "lead@example.org" in active and "pending@example.org" not in active


def test_user_list_says_what_to_do_when_nothing_matches(client, world, login):
    login(world.admin)
    page = client.get("/admin/users?q=nobody-here").get_data(as_text=True)
    assert "No user matches these filters" in page


def test_user_list_query_count_does_not_grow_with_users(client, world, login, app):
    login(world.admin)
    org, site = world.partner_org, world.lingen
    counts = []
    for extra in (30, 30):  # both above one page, so both runs count the total
        for _ in range(extra):
            factories.make_user("site_manager", org, sites=[site])
        db.session.expunge_all()  # measure cold, as a fresh request would
        with _count_queries(app) as statements:
            first = client.get("/admin/users")
        counts.append(len(statements))
        db.session.expunge_all()
        with _count_queries(app) as statements:  # the second page, by cursor
            assert client.get(_next(first.get_data(as_text=True))).status_code == 200
        counts.append(len(statements))
        org, site = db.session.merge(org), db.session.merge(site)
    assert counts[:2] == counts[2:]


def test_site_manager_sees_only_users_of_their_sites_organizations(client, world, login):
    login(world.manager)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "lead@example.org" in page and "partner@example.org" in page
    assert "outsider@example.org" not in page
    assert "admin@example.org" not in page and "patron@example.org" not in page


@pytest.mark.parametrize("who", ["lead_member", "patron"])
def test_members_and_patrons_may_not_open_the_administration(client, world, login, who):
    login(world.user(who))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.get(f"/admin/users/{world.outsider.id}").status_code == 403


def test_user_administration_needs_sign_in(client, world):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- invitations ----------------------------------------------------------------------------


def test_invitation_creates_a_user_without_password_and_shows_the_link_once(
    client, world, login, app
):
    login(world.admin)
    response = _invite(client, email="New.Person@Example.org", organization=world.lead_org.id)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    url = _link_from(html)
    assert url.startswith("http://localhost/invite/")
    assert "72 hours" in html
    assert response.headers["Cache-Control"] == "no-store"
    user = _user("new.person@example.org")
    assert user.password_hash is None and user.active and user.organization_id == world.lead_org.id
    assert db.session.scalar(sa.select(OneTimeLink).where(OneTimeLink.user_id == user.id)).kind == (
        "invite"
    )
    # Until the link is used, nobody can sign in to the new account.
    stranger = app.test_client()
    assert login("new.person@example.org", NEW_PASSWORD, test_client=stranger).status_code == 200


def test_invitation_link_sets_the_password_signs_in_and_works_once(client, world, login, app):
    login(world.admin)
    url = _link_from(_invite(client, organization=world.lead_org.id).get_data(as_text=True))
    browser, response = _redeem(app, url)
    assert response.status_code == 302
    assert "Your organization" in browser.get("/").get_data(as_text=True)
    again = app.test_client().get(_path(url))
    assert again.status_code == 404
    assert login(
        "new.person@example.org", NEW_PASSWORD, test_client=app.test_client()
    ).status_code == (302)


def test_an_expired_invitation_link_is_refused(client, world, login, app):
    login(world.admin)
    url = _link_from(_invite(client, organization=world.lead_org.id).get_data(as_text=True))
    link = db.session.scalar(sa.select(OneTimeLink))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    _, response = _redeem(app, url)
    assert response.status_code == 404
    assert _user("new.person@example.org").password_hash is None


def test_an_e_mail_address_in_use_is_refused_and_nothing_is_created(client, world, login):
    login(world.admin)
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = _invite(client, email="LEAD@example.org", organization=world.lead_org.id)
    assert response.status_code == 200
    assert "An account for lead@example.org exists already." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before
    assert db.session.scalar(sa.select(sa.func.count(OneTimeLink.id))) == 0


def test_a_member_invitation_needs_an_organization(client, world, login):
    login(world.admin)
    response = _invite(client, organization="")
    assert "A member needs an organization." in response.get_data(as_text=True)
    assert _user("new.person@example.org") is None


def test_admin_invites_a_site_manager_with_managed_sites(client, world, login):
    login(world.admin)
    response = _invite(client, role="site_manager", managed_sites=[world.berlin.id])
    assert response.status_code == 200
    user = _user("new.person@example.org")
    assert user.role == "site_manager" and user.managed_site_ids == {world.berlin.id}


def test_site_manager_invites_a_member_of_their_sites_organization(client, world, login):
    login(world.manager)
    response = _invite(client, organization=world.partner_org.id)
    assert response.status_code == 200 and "/invite/" in response.get_data(as_text=True)
    assert _user("new.person@example.org").organization_id == world.partner_org.id


@pytest.mark.parametrize("fields", [{"role": "admin"}, {"organization": "other"}])
def test_site_manager_cannot_invite_an_admin_or_into_another_sites_organization(
    client, world, login, fields
):
    login(world.manager)
    data = {"organization": world.lead_org.id, **fields}
    if data["organization"] == "other":
        data["organization"] = world.other_org.id
    response = _invite(client, **data)
    html = response.get_data(as_text=True)
    assert "Not a valid choice" in html or "cannot be chosen here" in html
    assert _user("new.person@example.org") is None


def test_invitations_are_mailed_when_smtp_is_configured(client, world, login, app, tmp_path):
    """Through the outbox: the worker sends it to a real SMTP server (aiosmtpd process)."""
    from tests.smtp_sink import SmtpSink
    from tracker.outbox import worker

    sink = SmtpSink(tmp_path / "mail").start()
    try:
        app.config["TRACKER_SMTP_URL"] = sink.url
        login(world.admin)
        html = _invite(client, organization=world.lead_org.id).get_data(as_text=True)
        assert "also being e-mailed" in html
        assert worker.deliver_due() == 1
        [message] = sink.wait_for(1)
    finally:
        app.config["TRACKER_SMTP_URL"] = None
        sink.stop()
    assert message["To"].addresses[0].addr_spec == "new.person@example.org"
    assert message["X-Tracker-Event"] == "invitation"
    assert _link_from(html) in message.get_body(("plain",)).get_content()


def test_a_mail_failure_is_logged_without_secrets_and_the_link_still_shows(
    client, world, login, app, monkeypatch, caplog
):
    from tracker.models.outbox import OutboxMessage
    from tracker.outbox import worker

    # Nobody listens on port 9 of this machine: the connection is refused.
    monkeypatch.setitem(app.config, "TRACKER_SMTP_URL", "smtps://mailer:s3cr3t@127.0.0.1:9")
    login(world.admin)
    html = _invite(client, organization=world.lead_org.id).get_data(as_text=True)
    assert "/invite/" in html
    assert worker.deliver_due() == 0
    row = db.session.scalar(sa.select(OutboxMessage))
    assert row.state == "pending" and row.attempts == 1  # retried later
    assert "s3cr3t" not in (row.last_error or "") and "s3cr3t" not in caplog.text


# --- editing --------------------------------------------------------------------------------


def test_role_change_is_audited_and_signs_the_user_out(client, world, login, app):
    theirs = app.test_client()
    login(world.lead_member, test_client=theirs)
    assert theirs.get("/").status_code == 200
    login(world.admin)
    response = client.post(
        f"/admin/users/{world.lead_member.id}",
        data={
            "display_name": "Lead Person",
            "role": "site_manager",
            "organization": world.lead_org.id,
            "managed_sites": [world.lingen.id],
        },
    )
    assert response.status_code == 302
    events = {e.action: e for e in db.session.scalars(sa.select(AuditEvent))}
    assert events["role_changed"].changes == {"role": ["member", "site_manager"]}
    assert events["role_changed"].actor_id == world.admin.id
    assert events["user_updated"].changes["managed_sites"] == [[], ["lingen"]]
    assert _user("lead@example.org").role == "site_manager"
    after = theirs.get("/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    page = client.get(f"/admin/users/{world.lead_member.id}").get_data(as_text=True)
    assert "Role changed" in page and "Saved role" in page


def test_organization_change_is_audited_with_old_and_new_names(client, world, login):
    login(world.admin)
    client.post(
        f"/admin/users/{world.outsider.id}",
        data={"display_name": "Outsider", "role": "member", "organization": world.lead_org.id},
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user_updated"))
    assert event.changes["organization"] == ["Other Org", "Lead Org"]
    assert not db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "role_changed"))


def test_managed_sites_are_cleared_when_a_site_manager_becomes_a_patron(client, world, login):
    login(world.admin)
    client.post(
        f"/admin/users/{world.manager.id}",
        data={"display_name": "M", "role": "patron", "managed_sites": [world.lingen.id]},
    )
    assert _user("mgr@example.org").managed_sites == []


def test_edit_refuses_a_member_without_organization_and_changes_nothing(client, world, login):
    login(world.admin)
    response = client.post(
        f"/admin/users/{world.patron.id}",
        data={"display_name": "P", "role": "member", "organization": ""},
    )
    assert "A member needs an organization." in response.get_data(as_text=True)
    assert _user("patron@example.org").role == "patron"
    assert not db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action.in_(["role_changed", "user_updated"]))
    )


def test_site_manager_may_not_edit_users(client, world, login):
    login(world.manager)
    response = client.post(
        f"/admin/users/{world.lead_member.id}",
        data={"display_name": "X", "role": "admin", "organization": world.lead_org.id},
    )
    assert response.status_code == 403
    assert _user("lead@example.org").role == "member"


# --- deactivation ---------------------------------------------------------------------------


def test_deactivation_ends_sessions_and_blocks_sign_in(client, world, login, app):
    theirs = app.test_client()
    login(world.partner_member, test_client=theirs)
    login(world.admin)
    response = client.post(f"/admin/users/{world.partner_member.id}/deactivate")
    assert response.status_code == 302
    assert "is deactivated" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/login" in theirs.get("/").headers["Location"]
    assert login(world.partner_member, test_client=app.test_client()).status_code == 200
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user_deactivated"))
    client.post(f"/admin/users/{world.partner_member.id}/reactivate")
    assert "/login" in theirs.get("/").headers["Location"]  # old sessions stay ended
    assert login(world.partner_member, test_client=app.test_client()).status_code == 302


def test_admin_cannot_deactivate_themself(client, world, login):
    login(world.admin)
    response = client.post(f"/admin/users/{world.admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    assert _user("admin@example.org").active


def test_site_manager_may_not_deactivate(client, world, login):
    login(world.manager)
    assert client.post(f"/admin/users/{world.lead_member.id}/deactivate").status_code == 403
    assert _user("lead@example.org").active


# --- reset links ----------------------------------------------------------------------------


def test_reset_link_sets_a_new_password_and_the_old_one_stops_working(client, world, login, app):
    login(world.admin)
    response = client.post(f"/admin/users/{world.lead_member.id}/reset-link")
    assert response.status_code == 200
    _, redeemed = _redeem(app, _link_from(response.get_data(as_text=True)))
    assert redeemed.status_code == 302
    assert login(world.lead_member, test_client=app.test_client()).status_code == 200
    fresh = app.test_client()
    assert login(world.lead_member, NEW_PASSWORD, test_client=fresh).status_code == 302


def test_site_manager_issues_reset_links_for_their_sites_members_only(
    client, world, login, app, monkeypatch
):
    # With an e-mail server (the link goes to its owner only; issue 14, finding 4)
    monkeypatch.setitem(app.config, "TRACKER_SMTP_URL", "smtp://127.0.0.1:2525")
    login(world.manager)
    assert client.post(f"/admin/users/{world.lead_member.id}/reset-link").status_code == 302
    assert client.post(f"/admin/users/{world.outsider.id}/reset-link").status_code == 404
    assert client.post(f"/admin/users/{world.admin.id}/reset-link").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(OneTimeLink.id))) == 1


def test_member_may_not_issue_reset_links(client, world, login):
    login(world.lead_member)
    assert client.post(f"/admin/users/{world.partner_member.id}/reset-link").status_code == 403


# --- helpers --------------------------------------------------------------------------------


class _count_queries:
    def __init__(self, app):
        self.app = app
        self.statements = []

    def _record(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._record)
        return self.statements

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._record)
