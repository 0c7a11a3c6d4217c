"""Problem types: a stable `type` URI per error kind, so programs branch on it, not on words.

Every API problem document carries `type` (`<host>/api/v1/problems/<kind>`, an absolute
URI on the host that was called, RFC 9457; compare it as a string, or its path) and
`instance` (the path that failed). The kinds are listed in the OpenAPI document's
description and in PROBLEM_KINDS; each type URI is a page that says what the kind means
(tracker.api.docs: HTML, or JSON when asked for).
"""

import re

from flask import current_app, has_app_context, has_request_context, request
from werkzeug.exceptions import HTTPException

PREFIX = "/api/v1/problems/"

# kind -> what it means (the OpenAPI document lists them).
PROBLEM_KINDS = {
    "bad-request": "400: the body is not JSON, or a value holds a NUL character.",
    "unauthorized": "401: no token, or an unknown or revoked one.",
    "forbidden": "403: the token's user may not do this.",
    "read-only-token": "403: the token has the read scope; writing needs a write token.",
    "not-found": "404: no such object, or one the token's user may not see.",
    "method-not-allowed": "405: the path does not take this method.",
    "stale-version": "409 (a stale `version` in the body) or 412 (a stale If-Match): someone "
    "changed the object since you read it; nothing was changed. Read it again.",
    "gate-pending": "409: the project already has a pending gate request.",
    "conditions-open": "409: conditions of the last conditional go are still open.",
    "already-decided": "409: the gate request was already decided.",
    "already-confirmed": "409: your organization already confirmed this gate request.",
    "wrong-state": "409: the object's state does not allow this now; nothing was changed.",
    "idempotency-in-progress": "409: a request with this Idempotency-Key is still running.",
    "too-large": "413: the request body is larger than the limit.",
    "unsupported-media-type": "415: send request bodies as JSON.",
    "validation": "422: invalid input; `errors` names each field with its messages.",
    "idempotency-key-reused": "422: this Idempotency-Key was used with another request.",
    "version-required": "428: send the version you read (`version` or If-Match).",
    "rate-limited": "429: too many requests with this token; see Retry-After.",
    "server-error": "500: an error on our side; `error_id` names it in the log.",
    "unavailable": "503: the database does not answer; try again soon.",
    "storage-full": "507: the database has no space left.",
}
_BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "wrong-state",
    412: "stale-version",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    428: "version-required",
    429: "rate-limited",
    500: "server-error",
    503: "unavailable",
    507: "storage-full",
}


def base_url() -> str:
    """Scheme and host the type URIs live on: the request's own (as `servers` in the
    document; behind a proxy with TRACKER_PROXY_FIX its forwarded host), outside a request
    TRACKER_BASE_URL."""
    if has_request_context():
        return request.host_url.rstrip("/")
    if has_app_context():
        return str(current_app.config.get("TRACKER_BASE_URL") or "").rstrip("/")
    return ""


def type_uri(kind: str) -> str:
    """The absolute type URI of a problem kind (also the address of its page)."""
    return base_url() + PREFIX + kind


def kind_statuses(kind: str) -> list[int]:
    """The HTTP statuses a kind answers with, from the start of its description."""
    head = PROBLEM_KINDS[kind].split(":", 1)[0]
    return [int(code) for code in re.findall(r"\b[45]\d\d\b", head)]


def kind_title(kind: str) -> str:
    return kind.replace("-", " ").capitalize()


def typed(error: HTTPException, kind: str) -> HTTPException:
    """Give an error its problem kind (kept in error.data, where the API's handler reads it)."""
    data = getattr(error, "data", None) or {}
    error.data = {**data, "problem_kind": kind}
    return error


def members(error: HTTPException | None, status: int) -> dict:
    """`type` and `instance` of the problem document answering error."""
    kind = ((getattr(error, "data", None) or {}).get("problem_kind")) if error else None
    kind = kind or _BY_STATUS.get(status)
    body = {"type": type_uri(kind) if kind else "about:blank"}
    body["instance"] = request.path
    return body


def gate_conflict_kind(message: str) -> str:
    """The problem kind of a refused gate or status change (409), from the service's message
    (the same texts, translated the same way in this request)."""
    from flask_babel import gettext as _

    from tracker.reviews.base import CHANGED_MEANWHILE
    from tracker.reviews.services import ALREADY_CONFIRMED, ALREADY_DECIDED

    open_conditions = _(
        "Open conditions from the last conditional go must be closed first: %(listed)s",
        listed="",
    )
    if message == _("A gate request is already pending."):
        return "gate-pending"
    if open_conditions and message.startswith(open_conditions):
        return "conditions-open"
    if message == str(ALREADY_DECIDED):
        return "already-decided"
    if message == str(ALREADY_CONFIRMED):
        return "already-confirmed"
    if message == str(CHANGED_MEANWHILE):
        return "stale-version"
    return "wrong-state"


def stale_if_match(error: HTTPException) -> HTTPException:
    """A stale version sent as If-Match answers 412 (RFC 9110), one sent in the body 409.

    tracker.api.views.project_writes.expected_version notes where the version came from."""
    from flask import g
    from werkzeug.exceptions import PreconditionFailed

    data = getattr(error, "data", None) or {}
    if error.code != 409 or data.get("problem_kind") != "stale-version":
        return error
    if not g.get("version_from_if_match"):
        return error
    failed = PreconditionFailed(error.description)
    failed.data = data
    return failed
