"""Error pages for people, problem documents for API callers, and error ids in the log."""

import logging
import uuid

from flask import Flask, jsonify, make_response, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger("tracker.errors")


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
        response = problem(status, error.name, error.description or error.name, **extra)
    else:
        template = (
            f"errors/{status}.html" if status in {403, 404, 500, 503} else "errors/generic.html"
        )
        response = make_response(render_template(template, error=error, error_id=error_id), status)
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
    def handle_database_down(error: OperationalError):
        error_id = uuid.uuid4().hex[:12]
        log.error("database error %s: %s", error_id, error.orig)
        return _render(
            ServiceUnavailable("The database is not answering right now. Please try again soon."),
            error_id,
        )

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        error_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", error_id, request.method, request.path)
        return _render(
            InternalServerError(f"Something went wrong on our side. Error id: {error_id}."),
            error_id,
        )
