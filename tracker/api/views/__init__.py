"""API endpoints, one module per resource, all on the api blueprint; shared error helpers."""

from werkzeug.exceptions import Conflict, HTTPException, UnprocessableEntity

from tracker.api.blueprint import bp
from tracker.api.schemas import PROBLEM_JSON, ProblemSchema

_MEANINGS = {
    400: "The body is not valid JSON, or the request holds a NUL character (\\0), "
    "which no field accepts.",
    401: "No token, or an unknown or revoked one.",
    403: "The token's user may not do this.",
    404: "No such object, or one the token's user may not see.",
    409: "The object's state does not allow this now (`type` says why, e.g. "
    "/api/v1/problems/stale-version for a stale `version` in the body); nothing was changed.",
    412: "The If-Match version is stale: someone changed the object since you read it "
    "(type /api/v1/problems/stale-version); nothing was changed.",
    413: "The request body is larger than 1 MB.",
    422: "Invalid input: `errors` names each field with its messages; nothing was changed.",
    428: "Send the version you read: a `version` field in the body or an If-Match header.",
    429: "Too many requests with this token; see Retry-After.",
}
# Headers of answers that carry one object: its version, and where a new one lives.
ETAG = {
    "ETag": {
        "description": (
            'The object\'s version and a digest of the reply, "<version>-<digest>": it changes '
            "whenever the reply does; send it back as If-Match on PATCH (its version counts)."
        ),
        "schema": {"type": "string"},
    }
}
LOCATION = {"Location": {"description": "The new object's address.", "schema": {"type": "string"}}}
# Every endpoint with a JSON body may also answer these.
BODY_ERRORS = (400, 413, 422)


def documented_errors(*codes: int):
    """Document the problem documents a view may answer with, besides 422 from its arguments."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(
                code, schema=ProblemSchema, content_type=PROBLEM_JSON, description=_MEANINGS[code]
            )(view)
        return view

    return decorate


def invalid(field: str | None, message: str) -> UnprocessableEntity:
    """A 422 whose problem document names field (when known) with message."""
    message = str(message)  # services may hand over lazily translated text
    error = UnprocessableEntity(message)
    if field:
        error.data = {"messages": {field: [message]}}
    return error


def conflict(detail: str, **members) -> HTTPException:
    """A 409 problem document; members (e.g. current_version) are added to it."""
    error = Conflict(str(detail))
    error.data = {"problem": members}
    if "current_version" in members:  # a stale version: a kind of its own to branch on
        error.data["problem_kind"] = "stale-version"
    return error
