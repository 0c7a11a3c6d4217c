"""Every API error as an application/problem+json document, with the headers it needs."""

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from tracker.api import bp
from tracker.errors import problem
from tracker.extensions import db

_LOCATIONS = {"query", "json", "form", "headers", "view_args"}


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs' {location: {field: [...]}} (nested for bodies) as {"field.sub": [...]}."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        else:
            flat[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return flat


def _validation_errors(error: HTTPException) -> dict[str, list[str]] | None:
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    if not messages or not isinstance(messages, dict):
        return None
    # The first level is the location (query, json, ...): callers know fields, not locations.
    if all(key in _LOCATIONS for key in messages):
        merged: dict = {}
        for found in messages.values():
            # A message about the whole body (not JSON, not an object) has no field name.
            merged.update(found if isinstance(found, dict) else {"_schema": found})
        messages = merged
    return _flatten(messages)


def _detail(error: HTTPException, errors: dict[str, list[str]] | None) -> str:
    if errors:
        problems = (
            f"{name}: {' '.join(texts).rstrip('.')}" for name, texts in sorted(errors.items())
        )
        return _("Invalid input. %(problems)s.", problems="; ".join(problems))
    if error.code == 429:
        return _(
            "Too many requests with this token (limit: %(limit)s). "
            "Wait for the number of seconds in the Retry-After header.",
            limit=error.description,
        )
    # str(): descriptions may be lazily translated text, and the document must be JSON.
    return str(error.description or error.name)


@bp.errorhandler(HTTPException)
def answer_with_problem(error: HTTPException):
    # A refused call writes nothing, whatever a service may have flushed before refusing.
    db.session.rollback()
    errors = _validation_errors(error) if error.code in {400, 422} else None
    extra = {"errors": errors} if errors else {}
    extra |= (getattr(error, "data", None) or {}).get("problem") or {}
    response = problem(error.code or 500, error.name, _detail(error, errors), **extra)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers.add(name, value)
    for name, value in ((getattr(error, "data", None) or {}).get("headers") or {}).items():
        response.headers[name] = value
    return response


@bp.before_app_request
def refuse_large_bodies() -> None:
    # Refuse by the announced length before routing answers 405, so callers learn the limit.
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if (
        limit
        and request.path.startswith(bp.url_prefix + "/")
        and (request.content_length or 0) > limit
    ):
        raise RequestEntityTooLarge(
            _("The request body is larger than the limit of %(kb)s KB.", kb=limit // 1024)
        )


@bp.before_request
def require_json_bodies() -> None:
    # Without this a form-encoded body would be read as "no fields at all" and refused
    # field by field, which hides the real mistake.
    if request.content_length and not request.is_json:
        raise UnsupportedMediaType(
            _("Send request bodies as JSON with 'Content-Type: application/json'.")
        )
