"""The security review of commit ab61bde (issue 14): each finding as a test that failed before.

Finding numbers follow the issue. The small-count rule (findings 1 and 13, counts) is proven in
tests/test_disclosure.py; the rest is here.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.test_api_read import bearer

# --- 13: the patron's summary page, and 403 for details of a project the patron sees ---------


def test_patron_sees_the_summary_of_a_network_project_and_nothing_more(client, login, world):
    login(world.patron)
    page = client.get(f"/projects/{world.network_project.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Open hydrogen forecast" in html and world.network_project.summary in html
    assert "Lingen" in html  # site, stage, themes, days in stage
    for detail in ("Partner Org", "Lead Org", "History", "Milestones", "Updates"):
        assert detail not in html, detail
    assert client.get(f"/projects/{world.network_project.id}?tab=history").status_code == 200
    assert "History" not in client.get(
        f"/projects/{world.network_project.id}?tab=history"
    ).get_data(as_text=True)
    assert client.get(f"/projects/{world.consortium_project.id}").status_code == 404


def test_patron_gets_403_for_the_history_of_a_network_project_404_for_consortium(client, world):
    token = bearer(world.patron)
    url = "/api/v1/projects/{}/history"
    response = client.get(url.format(world.network_project.id), headers=token)
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert client.get(url.format(world.consortium_project.id), headers=token).status_code == 404


# --- 5: patrons filter by site, theme and period only -----------------------------------------


@pytest.mark.parametrize(
    "query", ["organization={org}", "q=hydrogen", "stage=develop", "status=active", "mine=true"]
)
def test_patron_api_filters_other_than_site_theme_period_are_refused(client, world, query):
    token = bearer(world.patron)
    response = client.get(
        "/api/v1/projects?" + query.format(org=world.partner_org.id), headers=token
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "site, theme and period" in response.get_json()["detail"]
    member = bearer(world.lead_member)
    assert (
        client.get("/api/v1/projects?" + query.format(org=world.partner_org.id), headers=member)
    ).status_code == 200


def test_patron_board_ignores_the_organization_filter(client, login, world):
    """Before: /board?org=<partner> listed exactly the network projects the partner is in."""
    other = f.make_project(world.berlin, world.other_org, title="Berlin only", visibility="network")
    login(world.patron)
    everything = client.get("/board").get_data(as_text=True)
    filtered = client.get(f"/board?org={world.partner_org.id}").get_data(as_text=True)
    assert other.title in everything and other.title in filtered
    filtered = client.get(f"/board?org={world.other_org.id}&q=zzz&kind=product&status=stopped")
    assert "Open hydrogen forecast" in filtered.get_data(as_text=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["site", "theme", "period", "org", "organization", "kind", "status", "q", "stage",
             "mine", "needs_review", "stalled", "cursor", "limit"]
        ),
        st.sampled_from(["lingen", "berlin", "ai", "1", "2", "develop", "active", "stopped",
                         "true", "1' OR 1=1", "", "x" * 300, "2026-Q1", "this_year"]),
        max_size=5,
    )
)  # fmt: skip
def test_patron_filter_combinations(app, client, login, world, params):
    """Whatever a patron sends: pages answer 200 and never name a consortium project or a
    partner; the API answers 200 with network summaries, or 400 naming a refused filter."""
    from urllib.parse import urlencode

    login(world.patron)
    query = urlencode(params)
    for path in ("/board", "/dashboard", "/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, params)
        html = response.get_data(as_text=True)
        assert "Secret electrolyser twin" not in html
        assert "Partner Org" not in html
    api = client.get(f"/api/v1/projects?{query}", headers=_patron_token(world))
    assert api.status_code in (200, 400, 422), (params, api.get_data(as_text=True))
    if api.status_code == 200:
        for item in api.get_json()["items"]:
            assert item["visibility"] == "network" and not item.get("partners")
    refused = {"organization", "q", "stage", "status", "mine"} & {k for k, v in params.items() if v}
    if refused and api.status_code != 422:
        assert api.status_code == 400


_TOKENS: dict = {}


def _patron_token(world) -> dict:
    """One token per world (hypothesis runs many examples on one); keyed by the world object
    itself, not the patron's id, which the next test's world (another database) reuses."""
    if world not in _TOKENS:
        _TOKENS.clear()
        _TOKENS[world] = bearer(world.patron)
    return _TOKENS[world]


# --- 11: Cache-Control ------------------------------------------------------------------------


def test_downloads_are_not_stored_and_api_json_is_private(client, login, world):
    login(world.admin)
    for path in ("/dashboard/report.csv", "/dashboard/report.pdf", "/projects/export.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    token = bearer(world.admin)
    response = client.get(f"/api/v1/projects/{world.network_project.id}", headers=token)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers.get("ETag")
    missing = client.get("/api/v1/projects/999999", headers=token)
    assert missing.headers["Cache-Control"] == "private, no-cache"


# --- 3: patrons without organization; notifications only to who may see the details ----------


def test_a_patron_cannot_be_given_an_organization(app, world, runner):
    from tracker.admin import services as admin

    with pytest.raises(admin.AdminError) as refused:
        admin.update_user(
            world.admin,
            world.lead_member,
            admin.Profile("Demoted", "patron", organization_id=world.lead_org.id),
        )
    assert refused.value.field == "organization"
    with pytest.raises(admin.AdminError):
        admin.invite_user(
            world.admin,
            "new.patron@example.org",
            admin.Profile("New patron", "patron", organization_id=world.lead_org.id),
        )
    result = runner.invoke(
        args=["create-user", "p2@example.org", "--role", "patron", "--organization", "Lead Org",
              "--password", "a-long-enough-password-1"]
    )  # fmt: skip
    assert result.exit_code != 0 and "no organization" in result.output


def test_notifications_reach_only_users_who_may_see_the_details(app, world):
    """Before: a patron with an organization (set earlier, or kept on demotion) was told of
    consortium projects, titles and reasons included."""
    import sqlalchemy as sa

    from tracker import activity
    from tracker.extensions import db
    from tracker.models import Notification

    world.patron.organization_id = world.lead_org.id  # as the old admin form allowed
    db.session.commit()
    project = world.consortium_project
    activity.notify(
        activity.members_of([world.lead_org.id, world.other_org.id]), "test", "x", project
    )
    activity.notify(
        [world.patron.id, world.outsider.id, world.lead_member.id, world.manager.id,
         world.other_manager.id, world.admin.id], "test2", "y", project,
    )  # fmt: skip
    db.session.commit()
    told = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(Notification.project_id == project.id)
        )
    )
    assert world.patron.id not in told and world.outsider.id not in told
    assert world.other_manager.id not in told
    assert {world.lead_member.id, world.manager.id, world.admin.id} <= told


# --- 12: tokens die with deactivation; look-alike names; 403 for another site -------------------


def test_deactivation_revokes_api_tokens_for_good(client, world):
    from tracker.admin import services as admin

    token = bearer(world.lead_member)
    assert client.get("/api/v1/projects", headers=token).status_code == 200
    admin.deactivate_user(world.admin, world.lead_member)
    assert client.get("/api/v1/projects", headers=token).status_code == 401
    admin.reactivate_user(world.admin, world.lead_member)
    assert client.get("/api/v1/projects", headers=token).status_code == 401


@pytest.mark.parametrize(
    "name",
    ["Lead Org", "LEAD ORG", "Lead\u00a0Org", "Lead\u200b Org", "L\u0435ad \u041erg",
     "Lead Org\u200d", "\uff2c\uff45\uff41\uff44 Org", "Lead  Org"],
)  # fmt: skip
def test_look_alike_organization_names_are_the_same_name(client, world, name):
    token = bearer(world.admin)
    body = {"name": name, "kind": "member_company", "country": "DE", "sites": ["lingen"]}
    response = client.post("/api/v1/organizations", json=body, headers=token)
    assert response.status_code == 422, (name, response.get_data(as_text=True))


def test_site_manager_creating_a_project_at_another_site_gets_403(client, world):
    token = bearer(world.manager)
    body = {"title": "Elsewhere", "summary": "s", "site": "berlin", "kind": "product",
            "visibility": "network", "lead_organization_id": world.lead_org.id}  # fmt: skip
    response = client.post("/api/v1/projects", json=body, headers=token)
    assert response.status_code == 403, response.get_data(as_text=True)
    body["site"] = "lingen"
    assert client.post("/api/v1/projects", json=body, headers=token).status_code == 201


# --- 6: a one-time link is claimed once, however many requests race with it --------------------


def test_a_reset_link_is_redeemed_once_under_parallel_requests(app, world):
    """Before, on PostgreSQL one reset link was redeemed six times in parallel (six
    password_changed). Six clients post the same link at once; exactly one succeeds."""
    import threading

    import sqlalchemy as sa

    from tracker.auth import services
    from tracker.extensions import db
    from tracker.models import AuditEvent

    issued = services.issue_link(world.lead_member, "reset", world.admin)
    db.session.commit()
    barrier = threading.Barrier(6)
    results = []

    def redeem(n: int):
        client = app.test_client()
        password = f"a brand-new password {n}"
        barrier.wait()
        response = client.post(
            f"/invite/{issued.token}",
            data={"display_name": "Lead", "new_password": password, "confirm": password},
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=redeem, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()
    assert sorted(results).count(302) == 1, results
    changed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "password_changed", AuditEvent.object_id == world.lead_member.id
        )
    )
    assert changed == 1


# --- 7 and 9: password checks of a signed-in user count toward the lock and the address limit --


def _change(client, current):
    return client.post(
        "/account",
        data={"current_password": current, "new_password": "another long password 1",
              "confirm": "another long password 1"},
    )  # fmt: skip


def test_guessing_the_current_password_locks_the_account(app, client, login, world):
    """Before: 15 wrong current passwords on /account, then the right one was accepted and
    failed_logins stayed 0."""
    from tracker.extensions import db

    login(world.lead_member)
    threshold = app.config["TRACKER_LOCKOUT_THRESHOLD"]
    for _ in range(threshold):
        assert _change(client, "not my password").status_code == 200
    db.session.refresh(world.lead_member)
    assert world.lead_member.locked_until is not None
    page = _change(client, f.PASSWORD)
    assert page.status_code == 200 and "locked" in page.get_data(as_text=True)


def test_two_factor_setup_needs_the_password_and_wrong_ones_count(app, client, login, world):
    import pyotp

    from tracker.extensions import db

    login(world.lead_member)
    client.get("/account/two-factor/setup")
    with client.session_transaction() as session:
        secret = session["two_factor_setup"]
    code = pyotp.TOTP(secret).now()
    page = client.post("/account/two-factor/setup", data={"code": code})
    assert page.status_code == 200 and "recovery" not in page.get_data(as_text=True).lower()
    page = client.post("/account/two-factor/setup", data={"code": code, "password": "wrong"})
    assert "not correct" in page.get_data(as_text=True)
    db.session.refresh(world.lead_member)
    assert world.lead_member.failed_logins == 1 and not world.lead_member.two_factor_enabled
    page = client.post("/account/two-factor/setup", data={"code": code, "password": f.PASSWORD})
    db.session.refresh(world.lead_member)
    assert world.lead_member.two_factor_enabled


def test_password_checks_share_the_address_limit_with_sign_in(app, client, login, world,
                                                             monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "TRACKER_LOGIN_LIMIT", "3 per minute")
    login(world.lead_member)
    for _ in range(3):
        assert _change(client, "not my password").status_code == 200
    assert _change(client, "not my password").status_code == 429
    client.post("/logout")
    response = client.post("/login", data={"email": world.partner_member.email, "password": "x"})
    assert response.status_code == 429


# --- 8: every id, page and version bounded; JSON depth and lone surrogates; 414/431 -----------

HUGE = "9" * 30


def test_huge_ids_and_page_numbers_answer_4xx_not_500(client, login, world):
    login(world.admin)
    paths = [
        f"/projects/{HUGE}", "/projects/3000000000", f"/reviews/{HUGE}",
        f"/lessons?page={HUGE}", f"/organizations?page={HUGE}", f"/admin/users?page={HUGE}",
        f"/board?org={HUGE}", f"/projects?page={HUGE}", f"/organizations/{HUGE}",
        f"/projects/{HUGE}/edit", f"/notifications?page={HUGE}", "/projects?page=3000000000",
    ]  # fmt: skip
    for path in paths:
        status = client.get(path).status_code
        assert 400 <= status < 500, (path, status)
    token = bearer(world.admin)
    api = (f"/api/v1/projects/{HUGE}", "/api/v1/projects/3000000000",
           f"/api/v1/projects?organization={HUGE}", f"/api/v1/organizations/{HUGE}")  # fmt: skip
    for path in api:
        response = client.get(path, headers=token)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert response.mimetype == "application/problem+json"


def test_a_huge_version_is_a_stale_edit_not_a_500(client, login, world):
    login(world.admin)
    project = world.network_project
    response = client.post(
        f"/projects/{project.id}/edit",
        data={"title": "T", "summary": "S", "version": "9" * 5000, "site_id": world.lingen.id,
              "kind": "product", "visibility": "network"},
    )  # fmt: skip
    assert response.status_code < 500
    response = client.patch(
        f"/api/v1/projects/{project.id}",
        data='{"title": "x", "version": ' + "9" * 5000 + "}",
        headers=bearer(world.admin) | {"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500


def test_deep_json_and_lone_surrogates_are_400_and_the_next_request_works(client, world):
    token = bearer(world.admin) | {"Content-Type": "application/json"}
    deep = "[" * 50000 + "]" * 50000
    response = client.post("/api/v1/projects", data=deep, headers=token)
    assert response.status_code == 400 and "nested" in response.get_json()["detail"]
    response = client.patch(
        f"/api/v1/projects/{world.network_project.id}",
        data='{"title": "\\ud800", "version": 1}',
        headers=token,
    )
    assert response.status_code == 400 and "surrogate" in response.get_json()["detail"]
    assert client.get("/api/v1/projects", headers=token).status_code == 200


def test_over_long_urls_and_headers_get_problem_documents_on_the_api(client, world):
    token = bearer(world.admin)
    response = client.get("/api/v1/sites?q=" + "a" * 9000, headers=token)
    assert response.status_code == 414 and response.mimetype == "application/problem+json"
    response = client.get("/api/v1/sites", headers=token | {"X-Padding": "b" * 9000})
    assert response.status_code == 431 and response.mimetype == "application/problem+json"


def test_gunicorn_leaves_the_long_url_to_the_app_and_logs_no_link_tokens(tmp_path):
    """A real gunicorn with the project's gunicorn.conf.py: a 6,000-character request line
    (gunicorn's default limit is 4,094) gets the app's 414 problem document, and the access
    log shows /invite/… without the token."""
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import requests

    root = Path(__file__).resolve().parent.parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "access.log"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'g.db'}",
               SECRET_KEY="x" * 64, TRACKER_INSTANCE_PATH=str(tmp_path))  # fmt: skip
    subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "tracker", "db", "upgrade"],
        cwd=root, env=env, check=True, capture_output=True,
    )  # fmt: skip
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "wsgi:app"],
        cwd=root, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        secret = "Zm9vYmFyLXNlY3JldC10b2tlbi12YWx1ZQ"
        assert requests.get(f"{base}/invite/{secret}", timeout=5).status_code == 404
        long = requests.get(f"{base}/api/v1/sites?q=" + "a" * 9000, timeout=5)
        assert long.status_code == 414
        assert long.headers["Content-Type"].startswith("application/problem+json")
    finally:
        server.terminate()
        server.wait(timeout=20)
    text = log.read_text()
    assert "/invite/" in text and secret not in text


# --- 10: one answer and one cost for known, unknown and locked addresses ----------------------


def test_lockout_answers_like_an_unknown_address_after_the_same_hash_work(
    app, client, world, monkeypatch
):
    """Before: a locked known address answered another text in ~10 ms, an unknown one the usual
    text in ~240 ms. Now the same text after the same password-hash work."""
    import re
    import time

    from tracker.auth.passwords import hash_password
    from tracker.extensions import db

    monkeypatch.setitem(app.config, "TRACKER_LOCKOUT_THRESHOLD", 3)
    world.lead_member.password_hash = hash_password(f.PASSWORD)  # the real, slow hash
    db.session.commit()

    def answer(email):
        page = client.post("/login", data={"email": email, "password": "wrong password!"})
        html = page.get_data(as_text=True)
        return re.search(r'class="alert[^"]*"[^>]*>\s*(.*?)\s*<', html).group(1)

    answer("warm-up@example.org")  # the dummy hash is made once
    for _ in range(app.config["TRACKER_LOCKOUT_THRESHOLD"]):
        answer(world.lead_member.email)
    timings = {"locked": [], "unknown": []}
    texts = set()
    for _ in range(2):
        for kind, email in (("locked", world.lead_member.email), ("unknown", "nobody@x.org")):
            started = time.perf_counter()
            texts.add(answer(email))
            timings[kind].append(time.perf_counter() - started)
    assert len(texts) == 1 and "locked" in texts.pop()
    locked, unknown = min(timings["locked"]), min(timings["unknown"])
    assert unknown / 2 < locked < unknown * 2, timings


# --- 4: account takeover through links and invitations --------------------------------------


def _notified(user, kind):
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import Notification

    return db.session.scalars(
        sa.select(Notification.message).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    ).all()


def test_without_smtp_only_admins_make_reset_links_and_the_owner_is_told(client, login, world):
    """Before: a site manager could make a reset link for a member of an organization shared
    with another site, read it and sign in as them; the owner was not told."""
    login(world.manager)
    response = client.post(f"/admin/users/{world.partner_member.id}/reset-link")
    assert response.status_code == 302
    assert "/invite/" not in client.get(response.headers["Location"]).get_data(as_text=True)
    client.post("/logout")
    login(world.admin)
    page = client.post(f"/admin/users/{world.partner_member.id}/reset-link")
    assert page.status_code == 200 and "/invite/" in page.get_data(as_text=True)
    assert _notified(world.partner_member, "account_reset_link")


def test_with_smtp_a_reset_link_goes_to_the_owner_only(client, login, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_SMTP_URL", "smtp://127.0.0.1:2525")
    login(world.admin)
    response = client.post(f"/admin/users/{world.partner_member.id}/reset-link")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "/invite/" not in page and "sent to" in page
    assert _notified(world.partner_member, "account_reset_link")


def test_an_invitation_into_an_organization_is_told_to_its_members(client, login, world):
    login(world.manager)
    response = client.post(
        "/admin/users/new",
        data={"email": "newcomer@example.org", "display_name": "Newcomer", "role": "member",
              "organization": world.partner_org.id},
    )  # fmt: skip
    assert response.status_code == 200, response.status_code
    told = _notified(world.partner_member, "member_invited")
    assert told and "newcomer@example.org" in told[0]


def test_an_admin_unlocks_an_account_early(client, login, world, app):
    from datetime import timedelta

    from tracker.extensions import db
    from tracker.models import utcnow

    world.lead_member.locked_until = utcnow() + timedelta(minutes=15)
    db.session.commit()
    login(world.admin)
    page = client.get(f"/admin/users/{world.lead_member.id}").get_data(as_text=True)
    assert "Unlock account" in page
    client.post(f"/admin/users/{world.lead_member.id}/unlock")
    db.session.refresh(world.lead_member)
    assert world.lead_member.locked_until is None
    other = app.test_client()
    assert login(world.lead_member, test_client=other).status_code == 302
