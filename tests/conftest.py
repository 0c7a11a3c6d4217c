"""Fixtures: an app per database (SQLite always, PostgreSQL when configured), clients, sign-in."""

import os
import re

import pytest
import sqlalchemy as sa
from flask import g, request_started

from tests import factories
from tracker import create_app
from tracker.database import engine_options
from tracker.extensions import db, limiter

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _database_url(backend: str, tmp_path_factory) -> str:
    if backend == "postgresql":
        return PG_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker.db")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def pg_schema(backend):
    """On PostgreSQL each test run gets a schema of its own, so parallel runs do not collide."""
    if backend != "postgresql":
        yield None
        return
    schema = f"test_run_{os.getpid()}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield schema
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(backend, pg_schema, tmp_path_factory):
    overrides = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": _database_url(backend, tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    if pg_schema:
        # The app's own connection settings plus the schema. Tests need no durable commits: not
        # waiting for the WAL flush makes a commit 0.1 ms instead of 5 (factories commit a lot).
        connect_args = dict(engine_options(PG_URL)["connect_args"])
        own = f"-c search_path={pg_schema} -c synchronous_commit=off"
        connect_args["options"] = f"{connect_args.get('options', '')} {own}".strip()
        overrides["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": connect_args}
    app = create_app(overrides)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(request):
    """Every test starts from empty tables and fresh rate-limit counters."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        limiter.reset()
        yield
        db.session.remove()
        _empty_tables()


def _empty_tables() -> None:
    """DELETE, children first: on the few rows a test leaves it is far cheaper than TRUNCATE,
    which on PostgreSQL swaps every table's files (90 ms a test when idle, 0.5 s under load).
    """
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            # Ids start at 1 again in every test, as on SQLite (what RESTART IDENTITY did).
            connection.execute(sa.text(RESTART_SEQUENCES))


RESTART_SEQUENCES = """
    SELECT setval(c.oid, 1, false) FROM pg_class c
    WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace
"""


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """Sign a user in through the real form; returns the response of the POST."""

    def sign_in(user_or_email, password: str = factories.PASSWORD, test_client=None):
        email = getattr(user_or_email, "email", user_or_email)
        return (test_client or client).post(
            "/login", data={"email": email, "password": password}, follow_redirects=False
        )

    return sign_in


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no csrf_token field"
    return match.group(1)


class World:
    """A small network: two sites, four organizations, users of every role, two projects."""

    def __init__(self):
        f = factories
        self.lingen = f.make_site("lingen", name="Lingen")
        self.berlin = f.make_site("berlin", name="Berlin", kind="headquarters")
        self.ai = f.make_theme("ai", "Artificial intelligence")
        self.lead_org = f.make_org("Lead Org", sites=[self.lingen])
        self.partner_org = f.make_org("Partner Org", kind="startup", sites=[self.lingen])
        self.other_org = f.make_org("Other Org", sites=[self.berlin])
        self.admin = f.make_user("admin", email="admin@example.org")
        self.manager = f.make_user("site_manager", sites=[self.lingen], email="mgr@example.org")
        self.other_manager = f.make_user(
            "site_manager", sites=[self.berlin], email="mgr.berlin@example.org"
        )
        self.lead_member = f.make_user("member", self.lead_org, email="lead@example.org")
        self.partner_member = f.make_user("member", self.partner_org, email="partner@example.org")
        self.outsider = f.make_user("member", self.other_org, email="outsider@example.org")
        self.patron = f.make_user("patron", email="patron@example.org")
        self.network_project = f.make_project(
            self.lingen,
            self.lead_org,
            [(self.partner_org, "startup")],
            [self.ai],
            title="Open hydrogen forecast",
            visibility="network",
        )
        self.consortium_project = f.make_project(
            self.lingen,
            self.lead_org,
            [(self.partner_org, "startup")],
            [self.ai],
            title="Secret electrolyser twin",
            visibility="consortium",
        )

    def user(self, who: str):
        return getattr(self, who)


@pytest.fixture
def world(app):
    return World()


@pytest.fixture(autouse=True)
def _fresh_g_per_request():
    """Requests reuse the test's app context; give each a fresh `g` as in production.

    Without this, Flask-Login's cached user (g._login_user) leaks from one request, or one
    test client, into the next, and sign-out or session-version checks pass by accident.
    """

    def clear_g(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear_g, weak=False)
    yield
    request_started.disconnect(clear_g)


@pytest.fixture
def signed_in(client, login):
    """signed_in(user): the client, signed out of whoever was signed in and into user."""

    def sign_in(user):
        client.post("/logout")
        assert login(user).status_code == 302
        return client

    return sign_in


@pytest.fixture
def session_ends_before_each_request():
    """Each request starts without an open transaction, as with production's fresh session.

    The test client shares the test's session; without this a transaction left open by one
    request (or by the test) holds SQLite's lock while the next request authenticates. Modules
    that need it say `pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")`.
    """

    def end_transaction(sender, **extra):
        db.session.rollback()

    request_started.connect(end_transaction, weak=False)
    yield
    request_started.disconnect(end_transaction)


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    """Build extra apps with create_app(overrides) in a private instance folder.

    The environment starts clean of the settings tests vary; the engines are closed after.
    """
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    for name in ("DATABASE_URL", "SECRET_KEY", "TRACKER_ENV", "TRACKER_SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    built = []

    def build(overrides: dict | None = None):
        built.append(create_app({"RATELIMIT_STORAGE_URI": "memory://", **(overrides or {})}))
        return built[-1]

    yield build
    for extra_app in built:
        with extra_app.app_context():
            db.session.remove()
            db.engine.dispose()
