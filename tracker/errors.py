"""Error pages for people, problem documents for API callers, and error ids in the log."""

import logging
import uuid

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from tracker import http_texts
from tracker.extensions import db, login_manager

log = logging.getLogger("tracker.errors")
SQLITE_FULL = 13  # "database or disk is full" (also PRAGMA max_page_count reached)
POSTGRES_DISK_FULL = "53100"


class InsufficientStorage(HTTPException):
    """507: the write was refused because the database has no space left."""

    code = 507
    description = "The database has no space left."


def storage_full(error: DBAPIError) -> bool:
    """Is this the database refusing a write for lack of space (SQLite or PostgreSQL)?"""
    code = getattr(error.orig, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == SQLITE_FULL:
        return True
    return getattr(error.orig, "sqlstate", None) == POSTGRES_DISK_FULL


def _end_failed_transaction() -> None:
    """The error page may read (the signed-in user); a failed transaction must end first."""
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone: the session starts afresh next time
        log.warning("rollback after a database error failed too", exc_info=True)


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def problem(status: int, title: str, detail: str, **extra) -> tuple:
    """An application/problem+json reply (RFC 9457)."""
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _render(error: HTTPException, error_id: str | None = None):
    status = error.code or 500
    if wants_json():
        extra = {"error_id": error_id} if error_id else {}
        if request.path.startswith("/api/"):
            from tracker.api import problems

            extra |= problems.members(error, status)
        # title: the fixed English reason phrase; detail: in the reader's language.
        response = problem(status, error.name, http_texts.detail(error, request.method), **extra)
    else:
        template = (
            f"errors/{status}.html" if status in {403, 404, 500, 503} else "errors/generic.html"
        )
        page = render_template(
            template,
            error=error,
            error_id=error_id,
            title=http_texts.title(error),
            detail=http_texts.detail(error, request.method),
        )
        response = make_response(page, status)
    # Keep what the status promises: Allow on 405, Retry-After on 429/503, WWW-Authenticate.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        return _render(error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_down(error: DBAPIError):
        error_id = uuid.uuid4().hex[:12]
        _end_failed_transaction()
        if storage_full(error):
            log.error("database full %s: %s", error_id, error.orig)
            message = _(
                "The database has no space left, so your change was not saved. "
                "Please tell the administrator and try again later."
            )
            return _render(InsufficientStorage(message), error_id)
        log.error("database error %s: %s", error_id, error.orig)
        # The page must not need the database: otherwise the language choice asks for the
        # signed-in user again, that fails again inside this handler, and the reply is a 500.
        g._login_user = login_manager.anonymous_user()
        if request.endpoint == "main.healthz":  # monitors get the view's own JSON
            return jsonify(status="unavailable", detail="The database does not answer."), 503
        return _render(
            ServiceUnavailable(
                _("The database is not answering right now. Please try again soon.")
            ),
            error_id,
        )

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        error_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", error_id, request.method, request.path)
        # A failed flush leaves the session unusable (PendingRollbackError) until rolled back,
        # and the error page reads the signed-in user.
        _end_failed_transaction()
        return _render(
            InternalServerError(
                _("Something went wrong on our side. Error id: %(error_id)s.", error_id=error_id)
            ),
            error_id,
        )
