"""HTTP errors in the reader's language: status titles for pages, details for everyone.

Werkzeug's own titles and descriptions are English. Pages show a translated title; problem
documents keep `title` as the fixed English reason phrase (RFC 9457 asks for the status
phrase with type about:blank, and programs may compare it), and their `detail` is translated.
"""

from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

TITLES = {
    400: _l("Bad request"),
    401: _l("Not signed in"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    412: _l("Precondition failed"),
    413: _l("Request too large"),
    415: _l("Unsupported media type"),
    422: _l("Input not accepted"),
    428: _l("Precondition required"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Temporarily unavailable"),
    507: _l("Out of storage space"),
}
# Used instead of Werkzeug's English default description of the status.
DETAILS = {
    400: _l("The request could not be understood. Check what was sent and try again."),
    401: _l("Sign in first."),
    403: _l("You may not do this."),
    404: _l("There is nothing here, or you may not see it."),
    405: _l("This address does not accept the request method %(method)s."),
    409: _l("The request conflicts with a change made meanwhile. Reload and try again."),
    412: _l("The version sent is no longer current. Reload and try again."),
    413: _l("The request is larger than allowed."),
    415: _l("The request's content type is not accepted."),
    422: _l("The request's content could not be used."),
    428: _l("Send the version you read (the version field or an If-Match header)."),
    429: _l("Too many requests. Wait a moment and try again."),
    500: _l("Something went wrong on our side."),
    503: _l("The service is temporarily unavailable. Please try again soon."),
    507: _l("The database has no space left."),
}
# Flask-WTF's CSRF refusals (400), shown when a form was open too long or came from elsewhere.
CSRF_DETAILS = {
    "The CSRF token is missing.": _l("The form's security token is missing. Reload the page."),
    "The CSRF session token is missing.": _l(
        "Your session has no security token (cookies off or expired). Reload the page."
    ),
    "The CSRF token has expired.": _l(
        "The form was open too long and its security token expired. Reload the page."
    ),
    "The CSRF token is invalid.": _l("The form's security token is invalid. Reload the page."),
    "The CSRF tokens do not match.": _l(
        "The form's security token does not match your session. Reload the page."
    ),
    "The referrer header is missing.": _l("The request came without a Referer header."),
    "The referrer does not match the host.": _l("The request came from another site."),
}


def title(error: HTTPException) -> str:
    """The status title in the reader's language (Werkzeug's English name when unknown)."""
    text = TITLES.get(error.code or 500)
    return str(text) if text is not None else error.name


def detail(error: HTTPException, method: str = "") -> str:
    """The error's description in the reader's language.

    Descriptions the app wrote are already translated (str() turns lazy ones into text);
    Werkzeug's and Flask-WTF's English defaults are replaced by the texts above.
    """
    description = error.description
    if isinstance(error, RateLimitExceeded) and not error.limit.error_message:
        return str(DETAILS[429])  # its description is the bare limit, such as "100 per 15 minute"
    if description is None or description == type(error).description:
        text = DETAILS.get(error.code or 500)
        if text is None:
            return str(description or error.name)
        return str(text) % {"method": method} if error.code == 405 else str(text)
    description = str(description)
    csrf = CSRF_DETAILS.get(description)
    return str(csrf) if csrf is not None else description
