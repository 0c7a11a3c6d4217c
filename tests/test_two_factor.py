"""Two-factor sign-in: set-up with a QR code, codes at sign-in, recovery codes, turning it off."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from tests import factories
from tracker.auth import sessions
from tracker.auth import two_factor_services as tfs
from tracker.auth.two_factor_crypto import SecretUnreadable, reveal, seal
from tracker.extensions import db
from tracker.models import AuditEvent, RecoveryCode, User


@pytest.fixture
def member(app):
    org = factories.make_org(sites=[factories.make_site()])
    return factories.make_user("member", org, email="member@example.org")


def with_two_factor(user: User) -> str:
    """Turn two-factor on directly in the database; returns the secret."""
    secret = pyotp.random_base32()
    user.totp_secret = seal(user.id, secret)
    db.session.commit()
    return secret


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def secret_of(user: User) -> str:
    """The stored secret, decrypted."""
    return reveal(user.id, fresh(user).totp_secret)


def actions(user: User) -> list[str]:
    db.session.expire_all()
    query = sa.select(AuditEvent.action).where(AuditEvent.object_id == user.id)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


# One moment for the server's TOTP clock and the codes the tests compute: with the real clock a
# test running across a 30-second boundary could see its code fall out of the accepted window.
NOW = time.time()


@pytest.fixture(autouse=True)
def frozen_totp_clock(monkeypatch):
    monkeypatch.setattr(tfs, "clock", lambda: NOW)


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(NOW + 30 * offset_steps)


def setup_secret(client) -> str:
    with client.session_transaction() as session:
        return session["two_factor_setup"]


def enable_through_pages(client, login, user) -> tuple[str, str]:
    """Sign in, set up two-factor on the pages; returns the secret and the codes page."""
    login(user)
    client.get("/account/two-factor/setup")
    secret = setup_secret(client)
    page = client.post(
        "/account/two-factor/setup",
        data={"code": code_at(secret), "password": factories.PASSWORD},
    )
    return secret, page.get_data(as_text=True)


# --- set-up --------------------------------------------------------------------------------


def test_setup_shows_a_qr_code_as_svg_and_the_key_but_stores_nothing_yet(client, login, member):
    login(member)
    page = client.get("/account/two-factor/setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<svg class="qr-code"' in html or "<svg " in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg and "<script" not in svg
    secret = setup_secret(client)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert fresh(member).totp_secret is None


def test_reloading_setup_keeps_the_same_key(client, login, member):
    login(member)
    client.get("/account/two-factor/setup")
    first = setup_secret(client)
    client.get("/account/two-factor/setup")
    assert setup_secret(client) == first


def test_a_correct_code_turns_it_on_and_shows_ten_recovery_codes_once(client, login, member):
    secret, html = enable_through_pages(client, login, member)
    codes = re.findall(r"<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</li>", html)
    assert len(codes) == 10
    assert secret_of(member) == secret
    stored = list(db.session.scalars(sa.select(RecoveryCode.code_hash)))
    assert len(stored) == 10
    assert not set(stored) & {c.replace("-", "") for c in codes}  # hashes only
    assert "two_factor_enabled" in actions(member)
    account = client.get("/account").get_data(as_text=True)
    assert "10 of 10 recovery codes left" in account
    assert codes[0] not in account


def test_a_wrong_code_at_setup_is_refused_and_nothing_is_stored(client, login, member):
    login(member)
    client.get("/account/two-factor/setup")
    page = client.post(
        "/account/two-factor/setup", data={"code": "000000", "password": factories.PASSWORD}
    )
    assert page.status_code == 200
    assert str(tfs.WRONG_CODE) in page.get_data(as_text=True)
    assert fresh(member).totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


def test_turning_it_on_signs_out_other_sessions_but_keeps_this_one(app, client, login, member):
    other = app.test_client()
    login(member, test_client=other)
    enable_through_pages(client, login, member)
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_setup_needs_sign_in(client, member):
    assert client.get("/account/two-factor/setup").status_code == 302


# --- signing in ----------------------------------------------------------------------------


def test_password_alone_does_not_sign_in_a_two_factor_user(client, login, member):
    with_two_factor(member)
    response = login(member)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get("/").status_code == 302
    assert "sign_in" not in actions(member)


def test_a_current_code_completes_the_sign_in_and_follows_next(client, member):
    secret = with_two_factor(member)
    client.post(
        "/login",
        query_string={"next": "/account"},
        data={"email": member.email, "password": factories.PASSWORD},
    )
    response = client.post("/login/two-factor", data={"code": code_at(secret)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert actions(member)[-1] == "sign_in"


def test_a_code_of_the_previous_step_is_accepted(client, login, member):
    secret = with_two_factor(member)
    login(member)
    assert client.post("/login/two-factor", data={"code": code_at(secret, -1)}).status_code == 302


def test_a_code_is_refused_the_second_time(app, client, login, member):
    secret = with_two_factor(member)
    code = code_at(secret)
    login(member)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    other = app.test_client()
    login(member, test_client=other)
    again = other.post("/login/two-factor", data={"code": code})
    assert again.status_code == 200
    assert str(tfs.WRONG_CODE) in again.get_data(as_text=True)
    assert other.get("/").status_code == 302
    assert actions(member)[-1] == "two_factor_failed"


def test_a_recovery_code_signs_in_once(app, client, login, member):
    _, html = enable_through_pages(client, login, member)
    code = re.findall(r"<li>([a-z0-9-]{19})</li>", html)[0]
    client.post("/logout")
    login(member)
    assert client.post("/login/two-factor", data={"code": code.upper()}).status_code == 302
    assert "recovery_code_used" in actions(member)
    other = app.test_client()
    login(member, test_client=other)
    assert other.post("/login/two-factor", data={"code": code}).status_code == 200
    assert client.get("/account").get_data(as_text=True).count("9 of 10 recovery codes left")


def test_wrong_codes_count_toward_the_lock_out(app, client, login, member, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_LOCKOUT_THRESHOLD", 3)
    secret = with_two_factor(member)
    login(member)
    for _ in range(2):
        assert client.post("/login/two-factor", data={"code": "123456"}).status_code == 200
    locked = client.post("/login/two-factor", data={"code": "654321"})
    assert locked.status_code == 302
    assert locked.headers["Location"] == "/login"
    assert fresh(member).locked_until is not None
    assert "locked_out" in actions(member)
    # The pending step is over; even a good code needs a new sign-in, which the lock refuses.
    assert client.post("/login/two-factor", data={"code": code_at(secret)}).status_code == 302
    assert client.get("/").status_code == 302


def test_the_code_step_expires_after_five_minutes(client, login, member, monkeypatch):
    secret = with_two_factor(member)
    login(member)
    later = time.time() + sessions.PENDING_SECONDS + 1
    monkeypatch.setattr(sessions, "clock", lambda: later)
    response = client.post("/login/two-factor", data={"code": code_at(secret)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_the_code_page_without_a_password_first_sends_to_sign_in(client, member):
    with_two_factor(member)
    response = client.post("/login/two-factor", data={"code": "123456"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


# --- turning it off, new recovery codes -----------------------------------------------------


def test_turning_it_off_needs_password_and_code(client, login, member, monkeypatch):
    secret, _ = enable_through_pages(client, login, member)
    # The code used at set-up is spent; take the next time step.
    monkeypatch.setattr(tfs, "clock", lambda: NOW + 30)
    refused = client.post(
        "/account/two-factor/disable", data={"password": "not my password", "code": "1"}
    )
    assert refused.status_code == 200
    assert secret_of(member) == secret
    done = client.post(
        "/account/two-factor/disable",
        data={"password": factories.PASSWORD, "code": code_at(secret, 1)},
    )
    assert done.status_code == 302
    assert fresh(member).totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    assert "two_factor_disabled" in actions(member)
    assert client.get("/account").status_code == 200  # still signed in


def test_new_recovery_codes_replace_the_old_ones(client, login, member):
    _, html = enable_through_pages(client, login, member)
    old = re.findall(r"<li>([a-z0-9-]{19})</li>", html)
    page = client.post(
        "/account/two-factor/recovery-codes",
        data={"password": factories.PASSWORD, "code": old[0]},
    )
    new = re.findall(r"<li>([a-z0-9-]{19})</li>", page.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 10


# --- required for admins and site managers ----------------------------------------------------


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_REQUIRE_2FA", True)


def test_a_required_admin_without_two_factor_can_only_set_it_up(client, login, required):
    admin = factories.make_user("admin", email="boss@example.org")
    assert login(admin).status_code == 302
    for path in ("/", "/account", "/admin/users", "/projects"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-factor/setup"
    assert client.get("/account/two-factor/setup").status_code == 200
    secret = setup_secret(client)
    client.post(
        "/account/two-factor/setup", data={"code": code_at(secret), "password": factories.PASSWORD}
    )
    assert client.get("/").status_code == 200


def test_a_member_is_not_required_to_set_it_up(client, login, member, required):
    login(member)
    assert client.get("/").status_code == 200


def test_a_required_site_manager_cannot_turn_it_off(client, login, required, monkeypatch):
    manager = factories.make_user("site_manager", email="mgr@example.org")
    secret = with_two_factor(manager)
    login(manager)
    client.post("/login/two-factor", data={"code": code_at(secret)})
    monkeypatch.setattr(tfs, "clock", lambda: NOW + 30)
    page = client.post(
        "/account/two-factor/disable",
        data={"password": factories.PASSWORD, "code": code_at(secret, 1)},
    )
    assert page.status_code == 200
    assert str(tfs.REQUIRED) in page.get_data(as_text=True) or "cannot be turned off" in (
        page.get_data(as_text=True)
    )
    assert secret_of(manager) == secret
    assert "Turn off" not in client.get("/account").get_data(as_text=True)


# --- an admin helps someone who lost their phone ----------------------------------------------


def test_an_admin_can_turn_it_off_for_someone_who_lost_their_phone(app, client, login, member):
    with_two_factor(member)
    member_client = app.test_client()
    secret = secret_of(member)
    login(member, test_client=member_client)
    member_client.post("/login/two-factor", data={"code": code_at(secret)})
    admin = factories.make_user("admin", email="boss@example.org")
    login(admin)
    assert "Turn off two-factor sign-in" in client.get(f"/admin/users/{member.id}").get_data(
        as_text=True
    )
    response = client.post(f"/admin/users/{member.id}/two-factor/reset")
    assert response.status_code == 302
    assert fresh(member).totp_secret is None
    assert member_client.get("/").status_code == 302  # signed out everywhere
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "two_factor_disabled")
    ).one()
    assert event.actor_id == admin.id and event.changes == {"by_admin": True}


def test_only_admins_turn_it_off_for_others_and_not_for_themselves(client, login, member):
    with_two_factor(member)
    manager = factories.make_user("site_manager", email="mgr@example.org")
    login(manager)
    assert client.post(f"/admin/users/{member.id}/two-factor/reset").status_code == 403
    admin = factories.make_user("admin", email="boss@example.org")
    with_two_factor(admin)
    login(admin)
    client.post("/login/two-factor", data={"code": code_at(secret_of(admin))})
    assert client.post(f"/admin/users/{admin.id}/two-factor/reset").status_code == 403
    assert fresh(member).totp_secret is not None


# --- the secret at rest -----------------------------------------------------------------------


def stored_value(user: User) -> str:
    """The users.totp_secret column as the database holds it."""
    query = sa.text("SELECT totp_secret FROM users WHERE id = :id")
    return db.session.execute(query, {"id": user.id}).scalar_one()


def test_the_stored_column_never_contains_the_secret(client, login, member):
    secret, _ = enable_through_pages(client, login, member)
    stored = stored_value(member)
    assert stored and len(stored) == 64
    assert secret not in stored and secret.lower() not in stored.lower()
    assert secret_of(member) == secret  # and it decrypts back


def test_a_totp_code_signs_in_after_setting_it_up_on_the_pages(client, login, member):
    secret, _ = enable_through_pages(client, login, member)
    client.post("/logout")
    assert login(member).headers["Location"] == "/login/two-factor"
    response = client.post("/login/two-factor", data={"code": code_at(secret, 1)})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_a_stored_secret_copied_to_another_account_does_not_decrypt(app, member):
    with_two_factor(member)
    other = factories.make_user("member", member.organization, email="other@example.org")
    with pytest.raises(SecretUnreadable):
        reveal(other.id, stored_value(member))


def test_a_changed_secret_key_says_two_factor_cannot_be_checked(
    app, client, login, member, monkeypatch
):
    secret = with_two_factor(member)
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-different-secret-key")
    assert login(member).headers["Location"] == "/login/two-factor"
    response = client.post("/login/two-factor", data={"code": code_at(secret)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Two-factor sign-in cannot be checked for this account" in html
    assert "ask an administrator to reset your two-factor sign-in" in html
    assert client.get("/").status_code == 302  # not signed in
    assert actions(member)[-1] == "two_factor_failed"


def test_with_a_changed_secret_key_a_recovery_code_still_signs_in(
    app, client, login, member, monkeypatch
):
    _, html = enable_through_pages(client, login, member)
    code = re.findall(r"<li>([a-z0-9-]{19})</li>", html)[0]
    client.post("/logout")
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-different-secret-key")
    login(member)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    assert client.get("/account").status_code == 200


def test_an_admin_resets_an_unreadable_secret_and_the_user_signs_in_again(
    app, client, login, member, monkeypatch
):
    with_two_factor(member)
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-different-secret-key")
    admin = factories.make_user("admin", email="boss@example.org")
    login(admin)
    assert client.post(f"/admin/users/{member.id}/two-factor/reset").status_code == 302
    assert fresh(member).totp_secret is None
    log = client.get("/admin/security?action=two_factor_disabled").get_data(as_text=True)
    assert member.email in log
    client.post("/logout")
    assert login(member).headers["Location"] != "/login/two-factor"
    assert client.get("/account").status_code == 200
