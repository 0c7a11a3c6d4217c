"""Faults of the database: out of space → 507 and nothing saved; unreachable → a bounded 503.

The fault scenarios against gunicorn (SIGKILL, a cut proxy, a full file system, a backup under
load) are in bench/faults.py (`make faults`); these are the app's side of them, in-process.
"""

import socket
import sqlite3
import time

import pytest
import sqlalchemy as sa

from tests import factories
from tracker import database
from tracker.extensions import db
from tracker.models import Update

NOT_SAVED = "your change was not saved"


@pytest.fixture
def small_disk(fresh_app, tmp_path):
    """A file database whose connections may not grow it past a page limit (set in `limit`)."""
    path = tmp_path / "full.db"
    app = fresh_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "WTF_CSRF_ENABLED": False})
    limit = {"pages": 1_000_000}
    with app.app_context():
        db.create_all()

        @sa.event.listens_for(db.engine, "checkout")
        def cap(dbapi_connection, _record, _proxy):
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

        site = factories.make_site("lingen", name="Lingen")
        org = factories.make_org("Lead Org", sites=[site])
        user = factories.make_user("member", org, email="lead@example.org")
        project = factories.make_project(site, org, title="Filling the disk")
        ids = {"project": project.id, "email": user.email}
        db.session.remove()
    return app, path, limit, ids


def stored_bodies(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(sa.select(Update.body)))


def integrity(path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def fill_to(app, client, ids, limit, headers=None):
    """Sign in, leave two pages of space, post updates until the database refuses one.

    Returns the confirmed bodies, the refused body and its reply."""
    assert client.post("/login", data={"email": ids["email"], "password": factories.PASSWORD})
    with app.app_context():
        limit["pages"] = db.session.execute(sa.text("PRAGMA page_count")).scalar() + 2
        db.session.remove()
    confirmed = []
    for n in range(200):  # each update takes about a page: full well before 200
        body = f"update {n} " + "x" * 1900
        reply = client.post(
            f"/projects/{ids['project']}/updates", data={"body": body}, headers=headers
        )
        if reply.status_code != 302:
            return confirmed, body, reply
        confirmed.append(body)
    raise AssertionError(f"the database never filled up (limit {limit['pages']} pages)")


def test_a_full_database_refuses_the_write_with_507_and_keeps_nothing_of_it(small_disk):
    app, path, limit, ids = small_disk
    client = app.test_client()
    confirmed, body, reply = fill_to(app, client, ids, limit)
    assert reply.status_code == 507
    page = reply.get_data(as_text=True)
    assert NOT_SAVED in page
    assert "Traceback" not in page and "database or disk is full" not in page
    bodies = stored_bodies(app)
    assert set(confirmed) <= bodies and body not in bodies
    assert integrity(path) == "ok"

    limit["pages"] = 1_000_000  # space returns: the same write now goes through
    assert (
        client.post(f"/projects/{ids['project']}/updates", data={"body": body}).status_code == 302
    )
    assert body in stored_bodies(app)


def test_a_full_database_answers_json_callers_with_a_problem_document(small_disk):
    app, _path, limit, ids = small_disk
    json = {"Accept": "application/json"}
    confirmed, body, reply = fill_to(app, app.test_client(), ids, limit, headers=json)
    assert confirmed  # it was the space, not the request, that failed
    assert reply.status_code == 507
    assert reply.mimetype == "application/problem+json"
    assert NOT_SAVED in reply.get_json()["detail"]
    assert body not in stored_bodies(app)


@pytest.fixture
def silent_server():
    """A TCP port that accepts into its backlog and never says a word, like a dead host."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield server.getsockname()[1]
    server.close()


def test_a_postgresql_server_that_does_not_answer_gives_503_within_the_connect_timeout(
    fresh_app, silent_server
):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/x?connect_timeout=1"
    app = fresh_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    started = time.monotonic()
    health = client.get("/healthz")
    page = client.post("/login", data={"email": "a@example.org", "password": "x"})
    elapsed = time.monotonic() - started
    assert health.status_code == 503
    assert page.status_code == 503
    assert "not answering" in page.get_data(as_text=True)
    assert elapsed < 10, f"took {elapsed:.1f} s"


def test_a_refused_postgresql_connection_answers_503_not_500(fresh_app):
    url = "postgresql+psycopg://postgres@127.0.0.1:9/x"  # nothing listens on port 9
    app = fresh_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    reply = app.test_client().post("/login", data={"email": "a@example.org", "password": "x"})
    assert reply.status_code == 503
    assert "temporarily unavailable" in reply.get_data(as_text=True)


def test_postgresql_connections_time_out_unless_the_url_says_otherwise():
    default = database.engine_options("postgresql+psycopg://u@db/t")["connect_args"]
    assert default["connect_timeout"] == database.CONNECT_TIMEOUT
    assert "jit=off" in default["options"]
    own = database.engine_options("postgresql+psycopg://u@db/t?connect_timeout=30")
    assert "connect_timeout" not in own["connect_args"]  # the URL's value reaches psycopg


def test_a_signed_in_person_gets_503_not_500_when_the_database_goes_away(fresh_app, tmp_path):
    """Loading the signed-in user fails too; the error page must not ask for it again."""
    settings = {"SECRET_KEY": "same-key-for-both", "WTF_CSRF_ENABLED": False}
    working = fresh_app({**settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}"})
    with working.app_context():
        db.create_all()
        factories.make_user("admin", email="admin@example.org")
        db.session.remove()
    client = working.test_client()
    data = {"email": "admin@example.org", "password": factories.PASSWORD}
    assert client.post("/login", data=data).status_code == 302
    name = working.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name).value

    gone = tmp_path / "no-such-folder" / "a.db"
    broken = fresh_app({**settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{gone}"})
    visitor = broken.test_client()
    visitor.set_cookie(name, cookie)
    page = visitor.get("/projects")
    assert page.status_code == 503
    assert "not answering" in page.get_data(as_text=True)
    health = visitor.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "detail": "The database does not answer."}
    api = visitor.get("/api/v1/projects", headers={"Authorization": "Bearer some-token"})
    assert api.status_code == 503
    assert api.mimetype == "application/problem+json"
