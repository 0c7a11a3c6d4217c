"""Engine set-up per database: SQLite pragmas and IMMEDIATE write transactions."""

import sqlalchemy as sa
from flask import Flask, g, has_app_context, has_request_context, request

from tracker.extensions import db

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
CONNECT_TIMEOUT = 5  # seconds; DATABASE_URL may set its own (?connect_timeout=N)


def engine_options(uri: str) -> dict:
    # Bound values (password hashes, two-factor secrets) stay out of SQL logs and error messages.
    if uri.startswith("sqlite"):
        # Every request thread gets its own connection; the timeout is the busy timeout in s.
        return {
            "connect_args": {"timeout": 15, "check_same_thread": False},
            "hide_parameters": True,
        }
    # JIT compilation costs more than it saves on the short aggregate queries of the pages.
    connect_args: dict = {"options": "-c jit=off"}
    if "connect_timeout" not in sa.make_url(uri).query:
        # A server that does not answer (network down) gives a 503 after this many seconds
        # instead of holding the request until the operating system gives up (minutes).
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    return {"pool_pre_ping": True, "hide_parameters": True, "connect_args": connect_args}


def _wants_write_lock() -> bool:
    """Requests that may write take the lock up front, so no read lock must later upgrade.

    GET requests and work outside a request (tests) begin deferred: a deferred transaction
    whose first statement writes waits on the busy timeout like an immediate one. CLI commands
    that read then write set g.sqlite_immediate.
    """
    if not has_request_context():
        return has_app_context() and g.get("sqlite_immediate", False)
    return request.method not in READ_METHODS or g.get("sqlite_immediate", False)


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Hand transaction control to the "begin" hook below instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write_lock() else "BEGIN")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
