"""Fixtures: an app per database (SQLite always, PostgreSQL when configured), clients, sign-in."""

import copy
import os
import re
import sqlite3

import pytest
import sqlalchemy as sa
from flask import g, request_started
from sqlalchemy.orm import make_transient_to_detached

from tests import factories
from tests.serving import serve
from tests.smtp_sink import SmtpSink
from tracker import create_app
from tracker.database import engine_options
from tracker.extensions import db, limiter
from tracker.matchmaking.network import forget_drawings

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _database_url(backend: str, tmp_path_factory) -> str:
    if backend == "postgresql":
        return PG_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker.db")


# The slowest tests (tens of seconds each in CI). With `make test` (pytest-xdist, --dist
# loadgroup) every worker takes the next test in the collected order as it gets free, so a slow
# test collected last runs alone at the end while the other worker waits: these go first.
SLOW_FIRST = (
    "test_gunicorn_leaves_the_long_url_to_the_app_and_logs_no_link_tokens",
    "test_no_withheld_cell_of_a_random_table_can_be_solved",
    "test_the_default_database_is_sqlite_in_the_instance_folder",
    "test_every_operation_answers_as_documented",
    "test_worker_killed_mid_batch_loses_and_duplicates_nothing",
    "test_smtp_down_for_a_while_then_up_every_mail_once",
    "test_patron_filter_combinations",
    "test_the_demo_network_in_german_and_swedish",
    "test_demo_data_every_patron_surface",
    "test_every_demo_account_signs_in_with_the_password_from_the_environment",
    "test_the_project_workflow_follows_its_links_as_documented",
    "test_krone_finds_it_campus_and_takes_it_as_research_partner",
    "test_a_generated_client_drives_the_whole_journey",
    "test_status_changes_through_the_api_follow_the_page_rules",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests without a database first, then SQLite's, then PostgreSQL's (the session's app per
    backend is built once per worker); the slowest ones first within each of these blocks."""
    blocks = {None: 0, "sqlite": 1, "postgresql": 2}

    def place(item) -> tuple[int, int]:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec else None
        return blocks.get(backend, 3), 0 if getattr(item, "originalname", "") in SLOW_FIRST else 1

    items.sort(key=place)


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
        _track_writes(db.engine)
    _WRITES.clean = True
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(request):
    """Every test starts from empty tables, fresh rate-limit counters and no cached drawings."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        limiter.reset()
        # The network drawing is cached per process under a stamp of the data; a World copied
        # back row for row (same ids, same times) stamps like the last test's and would hit it.
        forget_drawings()
        yield
        db.session.remove()
        _empty_tables()


def _empty_tables() -> None:
    """DELETE, children first: on the few rows a test leaves it is far cheaper than TRUNCATE,
    which on PostgreSQL swaps every table's files (90 ms a test when idle, 0.5 s under load).
    """
    # One script through the driver, in one transaction: one round trip to PostgreSQL instead
    # of one a table, and none of SQLAlchemy's work per statement.
    script = _empty_script(db.engine.dialect)
    raw = db.engine.raw_connection()
    try:
        if db.engine.dialect.name == "postgresql":
            raw.driver_connection.execute(script)
            raw.driver_connection.commit()
        else:
            raw.driver_connection.executescript(f"BEGIN;\n{script}\nCOMMIT;")
    finally:
        raw.close()
    _WRITES.clean = True


_EMPTY_SCRIPTS: dict = {}


def _empty_script(dialect) -> str:
    if dialect.name not in _EMPTY_SCRIPTS:
        quote = dialect.identifier_preparer.quote
        tables = reversed(db.metadata.sorted_tables)
        statements = [f"DELETE FROM {quote(table.name)}" for table in tables]
        if dialect.name == "postgresql":
            # Ids start at 1 again in every test, as on SQLite (what RESTART IDENTITY did).
            statements.append(RESTART_SEQUENCES.strip())
        _EMPTY_SCRIPTS[dialect.name] = ";\n".join(statements) + ";"
    return _EMPTY_SCRIPTS[dialect.name]


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
def world(app, _world_snapshot):
    """A World; from the second test of a database on, its rows are copied back from the first
    one's (one statement on PostgreSQL, SQLite's backup API) instead of built again through
    the factories (15 commits: 30 ms a test on SQLite, 100 ms on PostgreSQL under load)."""
    if _world_snapshot.saved and _WRITES.clean:
        return _world_snapshot.restore()
    into_empty_tables = _WRITES.clean
    world = World()
    if into_empty_tables and not _world_snapshot.tried:
        _world_snapshot.save(world)
    return world


class _Writes:
    """Whether any statement that may write ran since the tables were last emptied: a World
    is copied back only into empty tables, else (a fixture wrote first) it is built anew."""

    clean = False


_WRITES = _Writes()
_READ_ONLY = ("SELECT", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET ")


def _track_writes(engine) -> None:
    @sa.event.listens_for(engine, "before_cursor_execute")
    def _mark(connection, cursor, statement, parameters, context, executemany):
        if _WRITES.clean and not statement.lstrip()[:9].upper().startswith(_READ_ONLY):
            _WRITES.clean = False


class _WorldSnapshot:
    """The rows of the first World built on a database, and how to put them back.

    The copy is exact (every table, the trigger-fed ones too, and the id sequences), and the
    World's objects are handed out as the factories leave them: in the session, expired, so the
    first use reads them from the database.
    """

    def __init__(self, backend: str, pg_schema: str | None):
        self.backend = backend
        self.schema = f"{pg_schema}_world" if pg_schema else None
        self.saved = False
        self.tried = False
        self.objects: dict = {}
        self.values: dict = {}

    def save(self, world: World) -> None:
        self.tried = True
        for name, value in vars(world).items():
            if hasattr(value, "_sa_instance_state"):
                self.objects[name] = (type(value), sa.inspect(value).identity)
            else:
                self.values[name] = copy.deepcopy(value)
        if self.backend == "sqlite":
            self.copy = sqlite3.connect(":memory:", check_same_thread=False)
            raw = db.engine.raw_connection()
            try:
                raw.driver_connection.backup(self.copy)
            finally:
                raw.close()
        elif not self._save_postgresql():
            return
        self.saved = True

    def _save_postgresql(self) -> bool:
        """False when the role may not set session_replication_role (not a superuser): then
        every World is built through the factories."""
        with db.engine.connect() as connection:
            may = connection.exec_driver_sql(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            )
            if not may.scalar():
                return False
        statements = [
            f"DROP SCHEMA IF EXISTS {self.schema} CASCADE",
            f"CREATE SCHEMA {self.schema}",
        ]
        restore = ["SET LOCAL session_replication_role = replica"]
        with db.engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.quote
            for table in db.metadata.sorted_tables:
                if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                    name = quote(table.name)
                    statements.append(f"CREATE TABLE {self.schema}.{name} AS SELECT * FROM {name}")
                    restore.append(f"INSERT INTO {name} SELECT * FROM {self.schema}.{name}")
            for statement in statements:
                connection.exec_driver_sql(statement)
            sequences = connection.execute(sa.text(SEQUENCE_STATES)).all()
        restore += [
            f"SELECT setval('{name}', {value or 1}, {'false' if value is None else 'true'})"
            for name, value in sequences
        ]
        self.restore_sql = ";\n".join(restore)
        return True

    def restore(self) -> World:
        if self.backend == "sqlite":
            raw = db.engine.raw_connection()
            try:
                self.copy.backup(raw.driver_connection)
            finally:
                raw.close()
        else:
            with db.engine.begin() as connection:
                connection.connection.driver_connection.execute(self.restore_sql)
        _WRITES.clean = False
        world = World.__new__(World)
        for name, (model, identity) in self.objects.items():
            instance = sa.inspect(model).class_manager.new_instance()
            for column, key in zip(sa.inspect(model).primary_key, identity, strict=True):
                setattr(instance, column.key, key)
            make_transient_to_detached(instance)
            db.session.add(instance)
            setattr(world, name, instance)
        for name, value in self.values.items():
            setattr(world, name, copy.deepcopy(value))
        return world

    def drop(self) -> None:
        if self.backend == "sqlite":
            if self.saved:
                self.copy.close()
        elif self.saved:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


SEQUENCE_STATES = """
    SELECT c.relname, pg_sequence_last_value(c.oid) FROM pg_class c
    WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace
"""


@pytest.fixture(scope="session")
def _world_snapshot(app, backend, pg_schema):
    snapshot = _WorldSnapshot(backend, pg_schema)
    yield snapshot
    with app.app_context():
        snapshot.drop()


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
def smtp(app, tmp_path, monkeypatch):
    """A local SMTP sink the app mails to (TRACKER_SMTP_URL); yields the sink."""
    sink = SmtpSink(tmp_path / "mail").start()
    monkeypatch.setitem(app.config, "TRACKER_SMTP_URL", sink.url)
    yield sink
    sink.stop()


@pytest.fixture
def live_server(app):
    """The test app on a free local port, one thread per request; yields its base URL."""
    with serve(app) as url:
        yield url


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
