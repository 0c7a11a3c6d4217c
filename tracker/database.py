"""Engine set-up per database (SQLite pragmas, IMMEDIATE writes) and the one transaction helper."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask, g, has_app_context, has_request_context, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

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


# --- the one transaction helper ---------------------------------------------------------------

_DEPTH = "tracker.transaction_depth"
_KEPT = "tracker.kept"


@contextmanager
def transaction(conflict: Callable[[Exception], Exception] | None = None) -> Iterator[None]:
    """One commit at the end of a use case; on any error a rollback, so nothing is half-written.

    Works as a `with` block and as a decorator (`@transaction()`) of a service. Blocks inside
    another (a service calling a service) join the outer one, which alone commits.
    conflict turns a refused write (IntegrityError: a unique rule; StaleDataError: a version
    check) into the caller's domain error; it is called after the rollback.
    """
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            _commit_keeping()
    except (IntegrityError, StaleDataError) as error:
        if depth > 0:
            raise
        _rollback()
        if conflict is None:
            raise
        raise conflict(error) from error
    except BaseException:
        if depth == 0:
            _rollback()
        raise
    finally:
        info[_DEPTH] = depth


def keep(*objects, relationships: bool = False) -> None:
    """Keep the objects' values, as the enclosing transaction writes them, over its commit.

    The commit expires every object, so the message or reply a caller builds next would read
    back rows this transaction just wrote. Columns are kept; relationships are expired as
    usual (a write may go around the ORM), unless relationships=True: for objects read but
    not changed, such as the acting user a reply checks permissions with.
    """
    kept = db.session.info.setdefault(_KEPT, [])
    kept.extend((obj, relationships) for obj in objects if obj is not None)


def _commit_keeping() -> None:
    session = db.session
    kept = session.info.pop(_KEPT, [])
    if kept:
        session.flush()
    values = [(obj, _loaded(obj, relationships)) for obj, relationships in kept]
    session.commit()
    for obj, loaded in values:
        for key, value in loaded.items():
            set_committed_value(obj, key, value)


def _loaded(obj, relationships: bool) -> dict:
    state = sa.inspect(obj)
    attrs = state.mapper.attrs if relationships else state.mapper.column_attrs
    loaded = {
        a.key: list(value) if isinstance(value := state.dict[a.key], list) else value
        for a in attrs
        if a.key in state.dict
    }
    # Columns a new row was inserted without (NULL), neither loaded nor expired, read as None.
    for a in state.mapper.column_attrs:
        if a.key not in state.dict and a.key not in state.expired_attributes and not a.deferred:
            loaded[a.key] = None
    return loaded


def _rollback() -> None:
    db.session.info.pop(_KEPT, None)
    db.session.rollback()


def like_pattern(text: str) -> str:
    """A LIKE pattern matching text anywhere, its % _ and \\ taken literally (escape "\\")."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_match(q: str, *columns) -> sa.ColumnElement:
    """Any of the columns contains q, case-insensitively (the one LIKE escaping)."""
    pattern = like_pattern(q)
    return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))
