"""API tokens: created on /account and shown once, listed, revoked by owners and admins."""

import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from tests import factories
from tracker.auth.tokens import create_token
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, Organization, utcnow

TOKEN = re.compile(r'id="new-token"[^>]*value="(trk_[^"]+)"')


def api_status(client, token: str) -> int:
    # Requests here share the test's session: end the transaction a refused POST left open, as
    # the end of a real request would, before the API records the token's use on its own.
    db.session.rollback()
    return client.get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"}).status_code


def create(client, name: str = "Reporting script"):
    return client.post("/account/tokens", data={"name": name})


def token_row(name: str) -> ApiToken:
    db.session.expire_all()
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.name == name))


def test_a_new_token_is_shown_once_and_works_against_the_api(app, client, world, login):
    login(world.lead_member)
    response = create(client)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = TOKEN.search(html).group(1)
    assert "shown only this once" in html and "Reporting script" in html
    assert token not in response.headers.get("Location", "")
    assert api_status(app.test_client(), token) == 200
    account = client.get("/account").get_data(as_text=True)
    assert "Reporting script" in account and token not in account
    assert token_row("Reporting script").token_hash != token  # only the digest is stored


def test_the_account_page_lists_name_created_and_last_use(app, client, world, login):
    token, row = create_token(world.lead_member, "Nightly sync")
    create_token(world.lead_member, "Spare token")
    row.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    assert api_status(app.test_client(), token) == 200
    login(world.lead_member)
    html = client.get("/account").get_data(as_text=True)
    listing = html.split('id="token-list"', 1)[1].split("</table>", 1)[0]
    nightly = listing.split("Nightly sync", 1)[1].split("</tr>", 1)[0]
    assert "3 days ago" in nightly and "just now" in nightly  # created, last used
    spare = listing.split("Spare token", 1)[1].split("</tr>", 1)[0]
    assert "never" in spare
    assert 'data-confirm="Revoke the token' in listing


def test_a_token_needs_a_name(client, world, login):
    login(world.lead_member)
    response = create(client, "   ")
    assert response.status_code == 422
    assert "Name the token" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_a_revoked_token_gets_401(app, client, world, login):
    token, row = create_token(world.lead_member, "Old script")
    login(world.lead_member)
    response = client.post(f"/account/tokens/{row.id}/revoke")
    assert response.status_code == 302
    assert "Old script" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert token_row("Old script").revoked_at is not None
    assert api_status(app.test_client(), token) == 401
    assert "Old script" not in client.get("/account").get_data(as_text=True)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "api_token_created" in actions and "api_token_revoked" in actions


def test_another_users_token_cannot_be_revoked_there(app, client, world, login):
    token, row = create_token(world.partner_member, "Partner script")
    login(world.lead_member)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert token_row("Partner script").revoked_at is None
    assert api_status(app.test_client(), token) == 200


def test_a_deactivated_users_tokens_get_401(app, client, world):
    token, _row = create_token(world.partner_member, "Script")
    assert api_status(app.test_client(), token) == 200
    world.partner_member.active = False
    db.session.commit()
    assert api_status(app.test_client(), token) == 401


def test_signed_out_visitors_cannot_create_tokens(client, world):
    response = create(client)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


# --- administration -------------------------------------------------------------------------


def test_admins_list_every_token_and_filter_by_email(client, world, login):
    create_token(world.lead_member, "Lead sync")
    create_token(world.partner_member, "Partner export")
    login(world.admin)
    html = client.get("/admin/tokens").get_data(as_text=True)
    assert "Lead sync" in html and "Partner export" in html and "lead@example.org" in html
    html = client.get("/admin/tokens?email=PARTNER@").get_data(as_text=True)
    assert "Partner export" in html and "Lead sync" not in html


def test_the_admin_list_pages(client, world, login, app):
    for n in range(app.config["PAGE_SIZE"] + 2):
        create_token(world.lead_member, f"Token {n:02d}")
    login(world.admin)
    first = client.get("/admin/tokens").get_data(as_text=True)
    assert "page 1 of 2" in first
    second = client.get(_link(first, "next")).get_data(as_text=True)
    assert "Token 00" in second and "Token 00" not in first and "page 2 of 2" in second


def _link(html: str, rel: str) -> str:
    return unescape(re.search(rf'href="([^"]+)" rel="{rel}"', html).group(1))


def _names(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="fw-normal">(Token \d\d)</th>', html)


def test_the_admin_list_pages_by_cursor_and_old_numbered_links_redirect(
    client, world, login, app, monkeypatch
):
    """Working tokens first, newest first, revoked ones after them; ?page=N by cursor."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    rows = [create_token(world.lead_member, f"Token {n:02d}")[1] for n in range(8)]
    now = utcnow()
    for n, row in enumerate(rows):
        row.created_at = now - timedelta(minutes=n % 3)  # ties on the time: the id decides
        row.revoked_at = now if n in (1, 6) else None
    db.session.commit()
    login(world.admin)
    seen, url = [], "/admin/tokens?email=lead"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen.append(_names(page))
        url = _link(page, "next") if 'rel="next"' in page else None
        assert url is None or ("email=lead" in url and "page=" not in url)
    order = ["Token 03", "Token 00", "Token 07", "Token 04", "Token 05", "Token 02"]
    assert [name for names in seen for name in names] == [*order, "Token 06", "Token 01"]
    moved = client.get("/admin/tokens?email=lead&page=3")
    assert moved.status_code == 302 and "email=lead" in moved.location
    assert _names(client.get(moved.location).get_data(as_text=True)) == seen[2]
    back = client.get(_link(client.get(moved.location).get_data(as_text=True), "prev"))
    assert _names(back.get_data(as_text=True)) == seen[1]
    assert client.get(f"/admin/tokens?email=lead&page={len(seen) + 1}").status_code == 404
    assert client.get("/admin/tokens?page=-1").status_code == 400
    mangled = client.get("/admin/tokens?before=eyJ4Ijox").get_data(as_text=True)
    assert "not valid any more" in mangled and _names(mangled) == seen[0]


def test_the_admin_list_sends_the_same_queries_for_few_and_many(client, world, login, app):
    from tests.querycount import count_queries

    login(world.admin)
    org_id, counts = world.other_org.id, []
    for n in (2, 40):
        org = db.session.get(Organization, org_id)
        for i in range(n):
            user = factories.make_user("member", org, email=f"t{n}-{i}@example.org")
            create_token(user, f"Token {i:02d}")
        db.session.expunge_all()
        with count_queries() as statements:
            first = client.get("/admin/tokens").get_data(as_text=True)
        counts.append(len(statements))
        if 'rel="next"' in first:
            db.session.expunge_all()
            with count_queries() as statements:
                assert client.get(_link(first, "next")).status_code == 200
            counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] == counts[2]


def test_an_admin_revokes_any_token(app, client, world, login):
    token, row = create_token(world.partner_member, "Leaked token")
    login(world.admin)
    response = client.post(f"/admin/tokens/{row.id}/revoke", data={"email": "partner"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/tokens?email=partner")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Revoked the token “Leaked token” of partner@example.org." in page
    assert api_status(app.test_client(), token) == 401
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api_token_revoked"))
    assert event.actor_id == world.admin.id


def test_only_admins_see_or_revoke_other_peoples_tokens(app, client, world, login):
    token, row = create_token(world.partner_member, "Partner script")
    for user in (world.manager, world.lead_member, world.patron):
        other = app.test_client()
        login(user, test_client=other)
        assert other.get("/admin/tokens").status_code == 403
        assert other.post(f"/admin/tokens/{row.id}/revoke").status_code == 403
    assert api_status(app.test_client(), token) == 200


def test_revoking_a_missing_token_is_404(client, world, login):
    login(world.admin)
    assert client.post("/admin/tokens/999999/revoke").status_code == 404
