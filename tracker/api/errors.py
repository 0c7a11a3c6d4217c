"""Every API error as an application/problem+json document, with the headers it needs."""

import re

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from tracker import http_texts
from tracker.api import problems, ratelimit
from tracker.api.blueprint import bp
from tracker.errors import problem
from tracker.extensions import db

_LOCATIONS = {"query", "json", "form", "headers", "view_args"}
# Field messages of marshmallow (English, fixed) and of the API's own schemas, translated
# here so that `errors` and `detail` follow the caller's language.
_FIELD_MESSAGES = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Invalid value.": _l("Invalid value."),
    "Invalid type.": _l("Invalid type."),
    "Invalid input type.": _l("Invalid input type."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid datetime."),
    "Not a valid email address.": _l("Not a valid email address."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid mapping type."),
    "Not a valid number.": _l("Not a valid number."),
    "Not a valid string.": _l("Not a valid string."),
    "Number too large.": _l("Number too large."),
    "String does not match expected pattern.": _l("String does not match expected pattern."),
    "The body must be a JSON object.": _l("The body must be a JSON object."),
    "Not an ISO 3166-1 alpha-2 country code (such as DE or SE).": _l(
        "Not an ISO 3166-1 alpha-2 country code (such as DE or SE)."
    ),
    "Enter a web address that starts with http:// or https://.": _l(
        "Enter a web address that starts with http:// or https://."
    ),
    "The date cannot be in the future.": _l("The date cannot be in the future."),
    "A conditional go needs at least one condition in the list.": _l(
        "A conditional go needs at least one condition in the list."
    ),
    "Give a condition as a text or as an object with text and due_on.": _l(
        "Give a condition as a text or as an object with text and due_on."
    ),
}
_FIELD_PATTERNS = (
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), _l("Must be one of: %(choices)s.")),
    (
        re.compile(r"^Length must be between (?P<min>\S+) and (?P<max>\S+)\.$"),
        _l("Length must be between %(min)s and %(max)s."),
    ),
    (
        re.compile(r"^Longer than maximum length (?P<max>\S+)\.$"),
        _l("Longer than maximum length %(max)s."),
    ),
    (
        re.compile(r"^Shorter than minimum length (?P<min>\S+)\.$"),
        _l("Shorter than minimum length %(min)s."),
    ),
    (
        re.compile(
            r"^Must be greater than or equal to (?P<min>\S+) "
            r"and less than or equal to (?P<max>\S+)\.$"
        ),
        _l("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    ),
    (
        re.compile(r"^Must be greater than or equal to (?P<min>\S+)\.$"),
        _l("Must be greater than or equal to %(min)s."),
    ),
    (
        re.compile(r"^Must be less than or equal to (?P<max>\S+)\.$"),
        _l("Must be less than or equal to %(max)s."),
    ),
)


def field_message(text: str) -> str:
    """A field's validation message in the caller's language (unknown texts as they are)."""
    known = _FIELD_MESSAGES.get(text)
    if known is not None:
        return str(known)
    for pattern, message in _FIELD_PATTERNS:
        found = pattern.match(text)
        if found:
            return str(message) % found.groupdict()
    return text


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs' {location: {field: [...]}} (nested for bodies) as {"field.sub": [...]}."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        else:
            texts = value if isinstance(value, list) else [value]
            flat[name] = [field_message(str(v)) for v in texts]
    return flat


def _renamed_schema_key(messages: dict) -> dict:
    renamed = {}
    for key, value in messages.items():
        key = "request" if key == "_schema" else key
        renamed[key] = _renamed_schema_key(value) if isinstance(value, dict) else value
    return renamed


def _validation_errors(error: HTTPException) -> dict[str, list[str]] | None:
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    if not messages or not isinstance(messages, dict):
        return None
    # A schema-wide message (marshmallow's "_schema") is about the body as a whole.
    messages = _renamed_schema_key(messages)
    # The first level is the location (query, json, ...): callers know fields, not locations.
    if all(key in _LOCATIONS for key in messages):
        merged: dict = {}
        for found in messages.values():
            # A message about the whole body (not JSON, not an object) has no field name.
            merged.update(found if isinstance(found, dict) else {"request": found})
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
    # Werkzeug's English defaults are replaced; the app's own descriptions are translated.
    return http_texts.detail(error, request.method)


@bp.errorhandler(HTTPException)
def answer_with_problem(error: HTTPException):
    # A refused call writes nothing, whatever a service may have flushed before refusing.
    db.session.rollback()
    error = problems.stale_if_match(error)
    errors = _validation_errors(error) if error.code in {400, 422} else None
    extra = {"errors": errors} if errors else {}
    extra |= (getattr(error, "data", None) or {}).get("problem") or {}
    extra |= problems.members(error, error.code or 500)
    response = problem(error.code or 500, error.name, _detail(error, errors), **extra)
    if error.code == 429:
        response.headers.update(ratelimit.limit_headers())
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
