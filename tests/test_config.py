"""The app factory and its settings: overrides, environment, secret key, cookies, engines."""

import sqlite3
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g

from tracker import database
from tracker.extensions import db


def instance_of(app) -> Path:
    return Path(app.instance_path)


def test_overrides_win_over_environment_and_defaults(fresh_app, monkeypatch):
    monkeypatch.setenv("TRACKER_STALLED_DAYS", "30")
    monkeypatch.setenv("TRACKER_LINK_HOURS", "24")
    app = fresh_app({"TRACKER_STALLED_DAYS": 7, "PAGE_SIZE": 3})
    assert app.config["TRACKER_STALLED_DAYS"] == 7
    assert app.config["PAGE_SIZE"] == 3
    assert app.config["TRACKER_LINK_HOURS"] == 24
    assert app.config["TRACKER_LOCKOUT_THRESHOLD"] == 10


def test_the_default_database_is_sqlite_in_the_instance_folder(fresh_app, tmp_path):
    app = fresh_app()
    path = tmp_path / "instance" / "tracker.db"
    assert instance_of(app) == tmp_path / "instance"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{path}"
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))
    assert path.exists()


def test_database_url_comes_from_the_environment(fresh_app, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    assert fresh_app().config["SQLALCHEMY_DATABASE_URI"].endswith("elsewhere.db")


@pytest.mark.parametrize("given", ["postgres://u:p@db:5432/t", "postgresql://u:p@db:5432/t"])
def test_postgres_urls_use_the_installed_psycopg_driver(fresh_app, monkeypatch, given):
    monkeypatch.setenv("DATABASE_URL", given)
    app = fresh_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db:5432/t"


def test_a_secret_key_is_generated_once_and_reused(fresh_app):
    first = fresh_app()
    key_file = instance_of(first) / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert fresh_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_a_given_secret_key_is_used_and_nothing_is_written(fresh_app, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = fresh_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (instance_of(app) / "secret_key").exists()


def test_production_without_secret_key_stops_start_up(fresh_app, monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set when TRACKER_ENV=production"):
        fresh_app()


def test_production_has_secure_cookies(fresh_app, monkeypatch):
    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "shared-by-every-instance")
    app = fresh_app()
    assert app.config["TRACKER_ENV"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_local_cookies_work_over_plain_http_unless_asked(fresh_app, monkeypatch):
    assert fresh_app().config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("TRACKER_SECURE_COOKIES", "1")
    assert fresh_app().config["SESSION_COOKIE_SECURE"] is True


def test_the_session_cookie_is_httponly_samesite_and_secure_when_asked(fresh_app, monkeypatch):
    monkeypatch.setenv("TRACKER_SECURE_COOKIES", "1")
    client = fresh_app().test_client()
    response = client.get("/login")  # the CSRF token puts something in the session
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax"):
        assert attribute in cookie


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRACKER_ENV", "prod", "TRACKER_ENV must be one of development, production"),
        ("TRACKER_LOCKOUT_THRESHOLD", "ten", "TRACKER_LOCKOUT_THRESHOLD must be a whole number"),
        ("TRACKER_LOGIN_LIMIT", "lots", "TRACKER_LOGIN_LIMIT must be a rate limit"),
    ],
)
def test_a_mistyped_setting_stops_start_up_with_its_name(
    fresh_app, monkeypatch, name, value, message
):
    monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=message):
        fresh_app()


def test_rate_limit_settings_are_read(fresh_app, monkeypatch):
    monkeypatch.setenv("TRACKER_LOGIN_LIMIT", "5 per minute")
    app = fresh_app()
    assert app.config["TRACKER_LOGIN_LIMIT"] == "5 per minute"
    assert app.config["TRACKER_API_LIMIT"] == "600 per minute"


# --- SQLite --------------------------------------------------------------------------------


def pragma(name: str):
    return db.session.execute(sa.text(f"PRAGMA {name}")).scalar()


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(fresh_app):
    with fresh_app().app_context():
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") > 0


def test_requests_that_may_write_take_the_write_lock_up_front(fresh_app):
    app = fresh_app()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        with app.test_request_context("/", method=method):
            assert database._wants_write_lock()
    for method in ("GET", "HEAD", "OPTIONS"):
        with app.test_request_context("/", method=method):
            assert not database._wants_write_lock()
    with app.test_request_context("/"):
        g.sqlite_immediate = True  # a read that is about to write asks for the lock
        assert database._wants_write_lock()


def someone_else_can_write(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


@pytest.mark.parametrize(("method", "holds_lock"), [("POST", True), ("GET", False)])
def test_a_post_holds_the_write_lock_from_its_first_statement(fresh_app, method, holds_lock):
    app = fresh_app()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with app.test_request_context("/", method=method), db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))  # a read, yet a POST has begun IMMEDIATE
        assert someone_else_can_write(path) is not holds_lock
        connection.rollback()
    assert someone_else_can_write(path)


# --- PostgreSQL ----------------------------------------------------------------------------


def test_postgresql_engines_check_connections_before_use(fresh_app):
    assert database.engine_options("postgresql+psycopg://u@db/t")["pool_pre_ping"] is True
    app = fresh_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:9/t"})
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    with app.app_context():
        assert db.engine.pool._pre_ping is True
        assert db.engine.dialect.driver == "psycopg"
