"""API endpoints, one module per resource, all on the api blueprint."""

from tracker.api import bp
from tracker.api.schemas import PROBLEM_JSON, ProblemSchema

_MEANINGS = {
    401: "No token, or an unknown or revoked one.",
    403: "The token's user may not do this.",
    404: "No such object, or one the token's user may not see.",
    429: "Too many requests with this token; see Retry-After.",
}


def documented_errors(*codes: int):
    """Document the problem documents a view may answer with, besides 422 from its arguments."""

    def decorate(view):
        for code in codes:
            view = bp.alt_response(
                code, schema=ProblemSchema, content_type=PROBLEM_JSON, description=_MEANINGS[code]
            )(view)
        return view

    return decorate
