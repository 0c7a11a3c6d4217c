"""Single sign-on through a real OpenID provider process (oidc-provider-mock) on 127.0.0.1.

The app runs on a live port too; a requests session plays the browser, following the redirects
between the two servers, and the provider's consent form is submitted as a person would.
"""

import re
import socket
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
import requests
import sqlalchemy as sa

from tests.serving import serve
from tests.sso_support import authorize_as, query_of, running_provider, s256
from tracker.extensions import db
from tracker.models import AuditEvent, User, utcnow


@pytest.fixture
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def live(app, provider, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", {"corp": provider.settings()})
    with serve(app) as url:
        yield url


@pytest.fixture
def domain(world):
    world.lead_org.email_domains = ["lead.example"]
    db.session.commit()
    return "lead.example"


def start(http: requests.Session, live: str, provider) -> requests.Response:
    """Press the provider's button on /login; ends on the provider's consent form."""
    form = http.get(f"{live}/login/oidc/corp", timeout=10)
    assert form.status_code == 200 and form.url.startswith(provider.url + "/oauth2/authorize")
    return form


def sign_in_through_provider(live, provider, sub, http=None) -> requests.Response:
    http = http or requests.Session()
    return authorize_as(http, start(http, live, provider), sub)


def signed_in_as(http: requests.Session, live: str) -> str | None:
    page = http.get(f"{live}/account", timeout=10, allow_redirects=False)
    if page.status_code != 200:
        return None
    match = re.search(r"[\w.+-]+@[\w.-]+\.\w+", page.text.split('id="main"', 1)[1])
    return match.group(0) if match else None


def settle() -> None:
    """End the transaction the test client's requests left open in the test's own session
    (requests share the test's app context), so the live server can write."""
    db.session.rollback()


def user_by_email(email: str) -> User | None:
    settle()
    return db.session.scalar(sa.select(User).where(User.email == email))


def actions_on(user_id: int) -> list[str]:
    settle()
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == user_id)
            .order_by(AuditEvent.id)
        )
    )


def test_login_page_has_a_button_per_provider(app, client, monkeypatch, provider):
    providers = {"corp": provider.settings(), "lab": provider.settings(label="Lab Keycloak")}
    monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", providers)
    page = client.get("/login?next=/board").get_data(as_text=True)
    assert 'href="/login/oidc/corp?next=/board"' in page and "Sign in with Corp ID" in page
    assert 'href="/login/oidc/lab?next=/board"' in page and "Sign in with Lab Keycloak" in page
    assert client.get("/login/oidc/nobody").status_code == 404


def test_no_provider_no_button(client):
    assert "/login/oidc/" not in client.get("/login").get_data(as_text=True)


def test_existing_account_signs_in_with_code_pkce_state_and_nonce(live, provider, world):
    provider.add_user("lead", email="Lead@Example.org", email_verified=True, name="Lea")
    http = requests.Session()
    form = start(http, live, provider)
    asked = query_of(form.url)
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert asked["state"] and asked["nonce"] and "email" in asked["scope"].split()
    home = authorize_as(http, form, "lead")
    assert home.status_code == 200 and home.url == f"{live}/"
    assert signed_in_as(http, live) == "lead@example.org"
    # The code went back with the verifier whose S256 digest the authorization request carried.
    [exchange] = provider.token_requests
    assert s256(exchange["code_verifier"]) == asked["code_challenge"]
    assert "sign_in" in actions_on(world.lead_member.id)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "sign_in"))
    assert event.changes["provider"] == "corp" and event.changes["method"] == "sso"


def test_next_page_is_kept_through_the_provider(live, provider, world):
    provider.add_user("lead", email="lead@example.org", email_verified=True)
    http = requests.Session()
    form = http.get(f"{live}/login/oidc/corp?next=/board", timeout=10)
    assert authorize_as(http, form, "lead").url == f"{live}/board"


def test_new_person_waits_until_a_manager_of_the_organizations_site_approves(
    live, provider, world, domain, client, login
):
    provider.add_user("newcomer", email="nina@lead.example", email_verified=True, name="Nina N")
    waiting = sign_in_through_provider(live, provider, "newcomer")
    assert waiting.status_code == 200 and "waiting for approval" in waiting.text
    assert "Lead Org" in waiting.text
    nina = user_by_email("nina@lead.example")
    assert nina.organization_id == world.lead_org.id and nina.role == "member"
    assert not nina.active and nina.approval_requested_at and nina.sso_provider == "corp"
    assert nina.password_hash is None and nina.display_name == "Nina N"
    # Asking again changes nothing and makes no second account.
    again = sign_in_through_provider(live, provider, "newcomer")
    assert "waiting for approval" in again.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 8

    # A manager of another site neither sees nor decides it.
    login(world.other_manager)
    assert "nina@lead.example" not in client.get("/admin/users?pending=1").get_data(as_text=True)
    assert client.post(f"/admin/users/{nina.id}/approve").status_code == 404
    client.post("/logout")

    login(world.manager)
    assert "nina@lead.example" in client.get("/").get_data(as_text=True)  # on the home
    listing = client.get("/admin/users?pending=1").get_data(as_text=True)
    assert "nina@lead.example" in listing and f"/admin/users/{nina.id}/approve" in listing
    approved = client.post(f"/admin/users/{nina.id}/approve", follow_redirects=True)
    assert "is now a member of Lead Org" in approved.get_data(as_text=True)
    assert user_by_email("nina@lead.example").active

    http = requests.Session()
    assert sign_in_through_provider(live, provider, "newcomer", http).url == f"{live}/"
    assert signed_in_as(http, live) == "nina@lead.example"
    assert actions_on(nina.id)[:3] == ["sso_account_requested", "sso_account_approved", "sign_in"]


def test_a_rejected_request_keeps_the_account_off(live, provider, world, domain, client, login):
    provider.add_user("newcomer", email="nina@lead.example", email_verified=True)
    sign_in_through_provider(live, provider, "newcomer")
    nina = user_by_email("nina@lead.example")
    login(world.admin)
    client.post(f"/admin/users/{nina.id}/reject")
    nina = user_by_email("nina@lead.example")
    assert not nina.active and nina.approval_requested_at is None
    refused = sign_in_through_provider(live, provider, "newcomer")
    assert refused.status_code == 403 and "switched off" in refused.text
    assert client.post(f"/admin/users/{nina.id}/approve", follow_redirects=True).status_code == 200
    assert not user_by_email("nina@lead.example").active  # nothing to approve any more


def test_a_forged_state_is_refused(live, provider, world):
    provider.add_user("lead", email="lead@example.org", email_verified=True)
    http = requests.Session()
    back = http.post(start(http, live, provider).url, data={"sub": "lead"}, allow_redirects=False)
    callback = back.headers["Location"]
    forged = _with_query(callback, state="forged-by-someone-else")
    refused = http.get(forged, timeout=10)
    assert refused.status_code == 400 and "could not be completed" in refused.text
    assert provider.token_requests == []  # the code was never even exchanged
    assert signed_in_as(http, live) is None


def test_a_replayed_code_is_refused(live, provider, world):
    provider.add_user("lead", email="lead@example.org", email_verified=True)
    http = requests.Session()
    back = http.post(start(http, live, provider).url, data={"sub": "lead"}, allow_redirects=False)
    callback = back.headers["Location"]
    assert http.get(callback, timeout=10).url == f"{live}/"
    # The same answer again in the same browser: its state is used up.
    assert http.get(callback, timeout=10).status_code == 400
    # An attacker with the code and a flow of their own: the provider refuses the used code.
    thief = requests.Session()
    thief_state = query_of(start(thief, live, provider).url)["state"]
    stolen = _with_query(callback, state=thief_state)
    refused = thief.get(stolen, timeout=10)
    assert refused.status_code == 400 and "could not be completed" in refused.text
    assert [r["code"] for r in provider.token_requests] == [query_of(callback)["code"]] * 2
    assert signed_in_as(thief, live) is None


def test_an_unverified_email_is_refused(live, provider, world, domain):
    provider.add_user("lead", email="lead@example.org", email_verified=False)
    provider.add_user("newcomer", email="nina@lead.example")  # no email_verified claim at all
    for sub in ("lead", "newcomer"):
        http = requests.Session()
        refused = sign_in_through_provider(live, provider, sub, http)
        assert refused.status_code == 403 and "did not confirm" in refused.text
        assert signed_in_as(http, live) is None
    assert user_by_email("nina@lead.example") is None


def test_an_unknown_domain_gets_no_account(live, provider, world, domain):
    provider.add_user("stranger", email="sam@elsewhere.example", email_verified=True)
    refused = sign_in_through_provider(live, provider, "stranger")
    assert refused.status_code == 403
    assert "no account for sam@elsewhere.example" in refused.text
    assert "elsewhere.example is not the e-mail domain of a member organization" in refused.text
    assert user_by_email("sam@elsewhere.example") is None


def test_a_deactivated_account_is_refused(live, provider, world):
    world.lead_member.active = False
    db.session.commit()
    provider.add_user("lead", email="lead@example.org", email_verified=True)
    http = requests.Session()
    refused = sign_in_through_provider(live, provider, "lead", http)
    assert refused.status_code == 403 and "switched off" in refused.text
    assert signed_in_as(http, live) is None
    assert actions_on(world.lead_member.id) == ["sso_sign_in_refused"]


def test_a_locked_account_stays_locked(live, provider, world):
    world.lead_member.locked_until = utcnow().replace(year=utcnow().year + 1)
    db.session.commit()
    provider.add_user("lead", email="lead@example.org", email_verified=True)
    refused = sign_in_through_provider(live, provider, "lead")
    assert refused.status_code == 403 and "locked" in refused.text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_provider_that_does_not_answer_gets_a_clear_page(app, world, monkeypatch):
    down = {"issuer": f"http://127.0.0.1:{_closed_port()}", "client_id": "x", "client_secret": "y"}
    settings = {"corp": down | {"label": "Corp ID", "mfa": False}}
    monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", settings)
    with serve(app) as live:
        page = requests.get(f"{live}/login/oidc/corp", timeout=30)
    assert page.status_code == 503
    assert (
        "Corp ID does not answer right now" in page.text
        and "sign in with your password" in page.text
    )


def test_a_provider_going_down_mid_sign_in_gets_a_clear_page(app, world, monkeypatch):
    http = requests.Session()
    with serve(app) as live:
        with running_provider() as provider:
            settings = {"corp": provider.settings()}
            monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", settings)
            provider.add_user("lead", email="lead@example.org", email_verified=True)
            form = start(http, live, provider)
            back = http.post(form.url, data={"sub": "lead"}, allow_redirects=False)
        page = http.get(back.headers["Location"], timeout=30)
    assert page.status_code == 503 and "does not answer right now" in page.text


def test_sign_out_ends_the_session_and_offers_the_providers_sign_out(live, provider, world):
    provider.add_user("lead", email="lead@example.org", email_verified=True)
    http = requests.Session()
    sign_in_through_provider(live, provider, "lead", http)
    copy = requests.Session()
    copy.cookies.update(http.cookies)
    page = http.post(f"{live}/logout", timeout=10)
    assert page.status_code == 200 and "You are signed out" in page.text
    assert signed_in_as(http, live) is None and signed_in_as(copy, live) is None
    link = re.search(r'href="([^"]+)" id="provider-sign-out"', page.text)
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith(f"{provider.url}/oauth2/end_session?")
    asked = query_of(url)
    assert asked["id_token_hint"] and asked["post_logout_redirect_uri"] == f"{live}/login"
    confirm = http.get(url, timeout=10)
    action = re.search(r'<form[^>]*action="([^"]+)"', confirm.text).group(1)
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', confirm.text))
    back = http.post(provider.url + action, data=fields, timeout=10)
    assert urlsplit(back.url).path == "/login" and back.url.startswith(live)


def test_password_sign_out_stays_a_redirect(client, login, world):
    login(world.lead_member)
    answer = client.post("/logout")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


@pytest.mark.parametrize("mfa", [True, False])
def test_a_provider_with_mfa_satisfies_required_two_factor(
    app, live, provider, world, monkeypatch, mfa
):
    monkeypatch.setitem(app.config, "TRACKER_REQUIRE_2FA", True)
    monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", {"corp": provider.settings(mfa=mfa)})
    provider.add_user("mgr", email="mgr@example.org", email_verified=True)
    home = sign_in_through_provider(live, provider, "mgr")
    if mfa:
        assert home.url == f"{live}/" and "Review queue" in home.text
    else:
        assert home.url == f"{live}/account/two-factor/setup"


def test_providers_come_from_the_environment(fresh_app, monkeypatch):
    monkeypatch.setenv("TRACKER_OIDC_PROVIDERS", "entra, google")
    for name, issuer in (
        ("ENTRA", "https://login.microsoftonline.com/t/v2.0"),
        ("GOOGLE", "https://accounts.google.com"),
    ):
        monkeypatch.setenv(f"TRACKER_OIDC_{name}_ISSUER", issuer)
        monkeypatch.setenv(f"TRACKER_OIDC_{name}_CLIENT_ID", f"{name}-id")
        monkeypatch.setenv(f"TRACKER_OIDC_{name}_CLIENT_SECRET", f"{name}-secret")
    monkeypatch.setenv("TRACKER_OIDC_ENTRA_LABEL", "Microsoft")
    monkeypatch.setenv("TRACKER_OIDC_ENTRA_MFA", "1")
    providers = fresh_app().config["TRACKER_OIDC_PROVIDERS"]
    assert list(providers) == ["entra", "google"]
    assert providers["entra"]["label"] == "Microsoft" and providers["entra"]["mfa"] is True
    assert providers["google"]["label"] == "Google" and providers["google"]["mfa"] is False
    assert providers["google"]["client_secret"] == "GOOGLE-secret"
    monkeypatch.delenv("TRACKER_OIDC_GOOGLE_CLIENT_SECRET")
    with pytest.raises(RuntimeError, match="TRACKER_OIDC_GOOGLE_CLIENT_SECRET must be set"):
        fresh_app()


def _with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = query_of(url) | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_cancelling_at_the_provider_signs_nobody_in(live, provider, world):
    provider.add_user("lead", email="lead@example.org", email_verified=True)
    http = requests.Session()
    form = start(http, live, provider)
    back = http.post(form.url, data={"sub": "lead", "action": "deny"}, timeout=10)
    assert back.status_code == 400 and "could not be completed" in back.text
    assert provider.token_requests == [] and signed_in_as(http, live) is None


@pytest.mark.parametrize(
    ("language", "button", "refusal"),
    [
        ("de", "Mit Corp ID anmelden", "antwortet gerade nicht"),
        ("sv", "Logga in med Corp ID", "svarar inte just nu"),
    ],
)
def test_sign_in_pages_speak_the_readers_language(
    app, client, monkeypatch, language, button, refusal
):
    down = {"issuer": f"http://127.0.0.1:{_closed_port()}", "client_id": "x", "client_secret": "y"}
    settings = {"corp": down | {"label": "Corp ID", "mfa": False}}
    monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", settings)
    headers = {"Accept-Language": language}
    assert button in client.get("/login", headers=headers).get_data(as_text=True)
    page = client.get("/login/oidc/corp", headers=headers)
    assert page.status_code == 503 and refusal in page.get_data(as_text=True)


def test_the_user_list_shows_waiting_and_approved_provider_accounts(client, login, world):
    from tracker.admin.approvals import status_of

    waiting = User(email="w@lead.example", display_name="W", role="member", active=False)
    waiting.organization_id, waiting.sso_provider = world.lead_org.id, "corp"
    waiting.approval_requested_at = utcnow()
    approved = User(email="a@lead.example", display_name="A", role="member", sso_provider="corp")
    approved.organization_id = world.lead_org.id
    db.session.add_all([waiting, approved])
    db.session.commit()
    assert status_of(waiting) == "pending" and status_of(approved) == "active"
    login(world.admin)
    page = client.get("/admin/users?q=lead.example").get_data(as_text=True)
    assert "Waiting for approval" in page


@pytest.mark.parametrize("mfa", [False, True])
def test_a_user_with_two_factor_still_enters_the_code_unless_the_provider_checked_one(
    app, live, provider, world, monkeypatch, mfa
):
    world.lead_member.totp_secret = "stored-encrypted-secret"  # only its presence counts here
    db.session.commit()
    monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", {"corp": provider.settings(mfa=mfa)})
    provider.add_user("lead", email="lead@example.org", email_verified=True)
    http = requests.Session()
    answer = sign_in_through_provider(live, provider, "lead", http)
    if mfa:
        assert answer.url == f"{live}/" and signed_in_as(http, live) == "lead@example.org"
    else:
        assert answer.url == f"{live}/login/two-factor" and signed_in_as(http, live) is None
        assert "sign_in" not in actions_on(world.lead_member.id)  # recorded after the code


def test_a_provider_vouches_only_for_its_own_domains(
    app, live, provider, world, domain, monkeypatch
):
    settings = provider.settings(domains=["lead.example"])
    monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", {"corp": settings})
    # The member organization's identity provider claims the network office's admin address.
    provider.add_user("forged", email="admin@example.org", email_verified=True)
    http = requests.Session()
    refused = sign_in_through_provider(live, provider, "forged", http)
    assert refused.status_code == 403 and "may not sign in admin@example.org" in refused.text
    assert signed_in_as(http, live) is None
    provider.add_user("nina", email="nina@lead.example", email_verified=True)
    assert "waiting for approval" in sign_in_through_provider(live, provider, "nina").text


def test_provider_domains_come_from_the_environment(fresh_app, monkeypatch):
    monkeypatch.setenv("TRACKER_OIDC_PROVIDERS", "krone")
    monkeypatch.setenv("TRACKER_OIDC_KRONE_ISSUER", "https://login.microsoftonline.com/t/v2.0")
    monkeypatch.setenv("TRACKER_OIDC_KRONE_CLIENT_ID", "id")
    monkeypatch.setenv("TRACKER_OIDC_KRONE_CLIENT_SECRET", "secret")
    monkeypatch.setenv("TRACKER_OIDC_KRONE_DOMAINS", "Krone.de, @krone-group.com")
    krone = fresh_app().config["TRACKER_OIDC_PROVIDERS"]["krone"]
    assert krone["domains"] == ["krone.de", "krone-group.com"]
