"""Sign-in, lock-out, throttling, sign-out, sessions, passwords and one-time links."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import csrf_token_from
from tracker.auth import services
from tracker.extensions import db
from tracker.models import OneTimeLink, User, utcnow

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def member(app):
    site = factories.make_site()
    org = factories.make_org(sites=[site])
    return factories.make_user("member", org, email="member@example.org")


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def sign_in(client, email, password=factories.PASSWORD, next_url=None, **kwargs):
    query = {"next": next_url} if next_url is not None else {}
    return client.post(
        "/login", query_string=query, data={"email": email, "password": password}, **kwargs
    )


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# --- signing in ---------------------------------------------------------------------------


def test_sign_in_page_carries_a_csrf_token(client, csrf_on):
    page = client.get("/login")
    assert page.status_code == 200
    assert csrf_token_from(page.get_data(as_text=True))


def test_sign_in_with_csrf_token_goes_home_and_home_renders(client, member, csrf_on):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"email": member.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert member.display_name in home.get_data(as_text=True)


def test_sign_in_post_without_csrf_token_is_refused(client, member, csrf_on):
    response = sign_in(client, member.email)
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # still signed out


def test_email_is_matched_case_insensitively(client, member):
    assert sign_in(client, "  MEMBER@Example.org ").status_code == 302


def test_wrong_password_and_unknown_email_say_the_same(client, member):
    wrong = sign_in(client, member.email, "not the password at all")
    unknown = sign_in(client, "nobody@example.org", factories.PASSWORD)
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        assert str(services.SIGN_IN_FAILED) in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_failed_sign_in_keeps_the_typed_email(client, member):
    page = sign_in(client, member.email, "not the password at all").get_data(as_text=True)
    assert f'value="{member.email}"' in page


def test_inactive_user_cannot_sign_in_and_hears_the_usual_message(client, member):
    member.active = False
    db.session.commit()
    response = sign_in(client, member.email)
    assert response.status_code == 200
    assert str(services.SIGN_IN_FAILED) in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_in_starts_a_fresh_session(client, member):
    with client.session_transaction() as session:
        session["planted"] = "from before sign-in"
    assert sign_in(client, member.email).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{member.id}:")


# --- lock-out and throttling --------------------------------------------------------------


def test_account_locks_after_ten_failures_and_unlocks_when_the_time_is_up(client, member):
    for _ in range(10):
        assert sign_in(client, member.email, "wrong password, again").status_code == 200
    refused = sign_in(client, member.email)
    assert refused.status_code == 200
    # the same answer as for an unknown address (issue 14, finding 10)
    assert str(services.LOCK_HINT) in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302
    user = fresh(member)
    assert user.locked_until > utcnow() + timedelta(minutes=14)

    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(client, member.email).status_code == 302
    assert client.get("/").status_code == 200


def test_a_successful_sign_in_resets_the_failure_count(client, member):
    for _ in range(9):
        sign_in(client, member.email, "wrong password, again")
    assert sign_in(client, member.email).status_code == 302
    assert fresh(member).failed_logins == 0
    client.post("/logout")
    for _ in range(9):
        sign_in(client, member.email, "wrong password, again")
    assert sign_in(client, member.email).status_code == 302


@pytest.fixture
def three_per_minute(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_LOGIN_LIMIT", "3 per minute")


def test_failures_per_address_are_limited_but_successes_and_page_views_are_not(
    app, client, member, three_per_minute
):
    assert sign_in(client, member.email, "wrong password, again").status_code == 200
    assert sign_in(client, member.email, "wrong password, again").status_code == 200
    for _ in range(3):  # successful sign-ins do not use up the allowance
        assert sign_in(client, member.email).status_code == 302
        client.post("/logout")
    assert sign_in(client, member.email, "wrong password, again").status_code == 200
    assert sign_in(client, member.email, "wrong password, again").status_code == 429
    assert sign_in(client, member.email).status_code == 429
    for _ in range(5):
        assert client.get("/login").status_code == 200

    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert sign_in(elsewhere, member.email).status_code == 302


# --- signing out and session invalidation -------------------------------------------------


def test_sign_out_needs_post(client, member):
    sign_in(client, member.email)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200  # still signed in
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, client, member):
    sign_in(client, member.email)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/").status_code == 200  # the copy works while the session lives

    client.post("/logout")
    response = thief.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- next -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
    ],
)
def test_next_pointing_elsewhere_is_ignored(client, member, target):
    response = sign_in(client, member.email, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_on_this_site_is_followed(client, member):
    response = sign_in(client, member.email, next_url="/account")
    assert response.headers["Location"] == "/account"


def test_a_page_that_needs_sign_in_comes_back_after_it(client, member):
    bounce = client.get("/account")
    assert bounce.status_code == 302
    login_url = bounce.headers["Location"]
    response = client.post(login_url, data={"email": member.email, "password": "x" * 3})
    assert response.status_code == 200
    response = client.post(login_url, data={"email": member.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/account"


# --- passwords ------------------------------------------------------------------------------


def change_password(client, current, new, confirm=None):
    return client.post(
        "/account",
        data={"current_password": current, "new_password": new, "confirm": confirm or new},
    )


def test_password_change_signs_out_other_sessions_but_keeps_this_one(app, client, member):
    sign_in(client, member.email)
    other = app.test_client()
    sign_in(other, member.email)
    assert other.get("/").status_code == 200

    response = change_password(client, factories.PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    page = client.get("/account")
    assert page.status_code == 200
    assert "Your password is changed" in page.get_data(as_text=True)
    assert other.get("/").status_code == 302

    client.post("/logout")
    assert sign_in(client, member.email, factories.PASSWORD).status_code == 200
    assert sign_in(client, member.email, NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_current_password(client, member):
    sign_in(client, member.email)
    response = change_password(client, "not my password at all", NEW_PASSWORD)
    assert response.status_code == 200
    assert "The current password is not correct." in response.get_data(as_text=True)
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert sign_in(client, member.email).status_code == 302


def test_a_short_password_is_refused_with_the_reason(client, member):
    sign_in(client, member.email)
    response = change_password(client, factories.PASSWORD, "elevenchars")
    assert response.status_code == 200
    assert "Use at least 12 characters." in response.get_data(as_text=True)
    client.post("/logout")
    assert sign_in(client, member.email).status_code == 302  # old password still works


def test_different_repeated_password_is_refused(client, member):
    sign_in(client, member.email)
    response = change_password(client, factories.PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert "The passwords differ." in response.get_data(as_text=True)


# --- one-time links -------------------------------------------------------------------------


@pytest.fixture
def invited(app):
    org = factories.make_org()
    admin = factories.make_user("admin")
    user = factories.make_user(
        "member", org, email="new@example.org", password_hash=None, active=False
    )
    return user, services.issue_link(user, "invite", admin)


def redeem(client, token, password=NEW_PASSWORD):
    return client.post(
        f"/invite/{token}",
        data={"display_name": "Nina New", "new_password": password, "confirm": password},
    )


def test_an_invitation_sets_the_password_and_signs_in(client, invited):
    user, issued = invited
    page = client.get(f"/invite/{issued.token}")
    assert page.status_code == 200
    assert user.email in page.get_data(as_text=True)

    response = redeem(client, issued.token)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    user = fresh(user)
    assert user.active and user.display_name == "Nina New"
    client.post("/logout")
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_an_invitation_with_a_short_password_is_refused_and_stays_usable(client, invited):
    _, issued = invited
    response = redeem(client, issued.token, "elevenchars")
    assert response.status_code == 200
    assert "Use at least 12 characters." in response.get_data(as_text=True)
    assert client.get(f"/invite/{issued.token}").status_code == 200


def test_a_used_link_answers_404_with_a_clear_message(client, invited):
    _, issued = invited
    redeem(client, issued.token)
    client.post("/logout")
    response = client.get(f"/invite/{issued.token}")
    assert response.status_code == 404
    assert "This link is not valid any more" in response.get_data(as_text=True)
    assert redeem(client, issued.token).status_code == 404


def test_an_expired_link_answers_404(client, invited):
    _, issued = invited
    link = db.session.scalar(sa.select(OneTimeLink).where(OneTimeLink.id == issued.link.id))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/invite/{issued.token}")
    assert response.status_code == 404
    assert "This link is not valid any more" in response.get_data(as_text=True)


def test_an_unknown_link_answers_404(client, app):
    assert client.get("/invite/not-a-token").status_code == 404


def test_a_new_link_replaces_the_older_one(client, invited):
    user, first = invited
    second = services.issue_link(user, "invite", None)
    assert client.get(f"/invite/{first.token}").status_code == 404
    assert client.get(f"/invite/{second.token}").status_code == 200


def test_a_reset_link_sets_a_new_password_and_ends_other_sessions(app, client, member):
    other = app.test_client()
    sign_in(other, member.email)
    issued = services.issue_link(member, "reset", None)
    assert redeem(client, issued.token).status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    client.post("/logout")
    assert sign_in(client, member.email, factories.PASSWORD).status_code == 200
    assert sign_in(client, member.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_of_a_deactivated_account_cannot_be_used(client, member):
    issued = services.issue_link(member, "reset", None)
    member.active = False
    db.session.commit()
    assert client.get(f"/invite/{issued.token}").status_code == 404
    assert redeem(client, issued.token).status_code == 404
    assert fresh(member).password_hash == factories.password_hash()
