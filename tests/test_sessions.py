"""Session lifetime: idle timeout, absolute lifetime, cookie attributes, no remember-me."""

import time

import pytest

from tests import factories
from tracker.auth import sessions


@pytest.fixture
def member(app):
    org = factories.make_org(sites=[factories.make_site()])
    return factories.make_user("member", org, email="member@example.org")


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves: clock.advance(minutes=...)."""

    class Clock:
        now = time.time()

        def advance(self, minutes: float = 0, hours: float = 0) -> None:
            self.now += minutes * 60 + hours * 3600

    fake = Clock()
    monkeypatch.setattr(sessions, "clock", lambda: fake.now)
    return fake


def assert_sent_to_sign_in(response, next_path: str) -> None:
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={next_path}"


def test_a_session_idle_for_longer_than_30_minutes_ends(client, login, member, clock):
    login(member)
    clock.advance(minutes=29)
    assert client.get("/projects").status_code == 200
    clock.advance(minutes=31)
    assert_sent_to_sign_in(client.get("/projects?stage=test"), "/projects?stage%3Dtest")
    page = client.get("/login").get_data(as_text=True)
    assert sessions.EXPIRED in page
    assert client.get("/").status_code == 302  # signed out, not just redirected once


def test_activity_keeps_the_session_alive(client, login, member, clock):
    login(member)
    for _ in range(4):
        clock.advance(minutes=20)
        assert client.get("/").status_code == 200


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, login, member, clock):
    login(member)
    for _ in range(28):  # 11 h 40 min of steady use
        clock.advance(minutes=25)
        assert client.get("/").status_code == 200
    clock.advance(minutes=25)
    assert_sent_to_sign_in(client.get("/"), "/")


def test_the_limits_are_configurable(app, client, login, member, clock, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_IDLE_MINUTES", 5)
    login(member)
    clock.advance(minutes=6)
    assert_sent_to_sign_in(client.get("/"), "/")
    monkeypatch.setitem(app.config, "TRACKER_IDLE_MINUTES", 600)
    monkeypatch.setitem(app.config, "TRACKER_SESSION_HOURS", 1)
    login(member)
    clock.advance(minutes=61)
    assert_sent_to_sign_in(client.get("/"), "/")


def test_an_expired_post_signs_out_without_a_next(client, login, member, clock):
    login(member)
    clock.advance(hours=1)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_a_signed_in_session_without_times_is_not_accepted(client, login, member):
    login(member)
    with client.session_transaction() as session:
        del session[sessions.SIGNED_IN_AT]
    assert_sent_to_sign_in(client.get("/"), "/")


def test_a_copied_cookie_expires_with_its_own_times(app, client, login, member, clock):
    login(member)
    cookie = client.get_cookie("session").value
    clock.advance(minutes=20)
    client.get("/")  # the original stays alive...
    clock.advance(minutes=20)
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    assert copy.get("/").status_code == 302  # ...the copy carries the older last-seen time
    assert client.get("/").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(client, login, member, clock):
    login(member)
    client.get("/")
    clock.advance(minutes=0.5)
    assert "Set-Cookie" not in client.get("/").headers
    clock.advance(minutes=1)
    assert "Set-Cookie" in client.get("/").headers


def test_sign_in_sets_a_browser_session_cookie_only(client, login, member):
    response = login(member)
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("session=")
    attributes = cookies[0].lower()
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "expires=" not in attributes and "max-age" not in attributes  # no remember-me
