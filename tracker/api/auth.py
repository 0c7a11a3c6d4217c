"""Bearer tokens on every API call (never the session cookie), and a rate limit per token."""

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_babel import refresh
from flask_limiter.util import get_remote_address
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from tracker.api.blueprint import bp
from tracker.auth.tokens import digest, user_for_token
from tracker.extensions import csrf, limiter
from tracker.models import User


def bearer_token() -> str | None:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def api_user() -> User:
    """The user whose token signed this request (set before every API view)."""
    return g.api_user


def _rate_limit_key() -> str:
    # Per token, not per address: many clients share a proxy; one client may hold many tokens.
    token = bearer_token()
    return "token:" + digest(token) if token else "anonymous:" + (get_remote_address() or "")


def _api_limit() -> str:
    return current_app.config["TRACKER_API_LIMIT"]


@bp.before_request
def authenticate() -> None:
    token = bearer_token()
    if token is None:
        raise Unauthorized(
            _("Send an API token as 'Authorization: Bearer <token>'; create one on /account."),
            www_authenticate=WWWAuthenticate("Bearer", {"realm": "tracker"}),
        )
    user = user_for_token(token)
    if user is None:
        raise Unauthorized(
            _("The API token is unknown, revoked, or its account is deactivated."),
            www_authenticate=WWWAuthenticate(
                "Bearer", {"realm": "tracker", "error": "invalid_token"}
            ),
        )
    g.api_user = user
    refresh()  # the token's user may have a language setting (tracker.i18n.select_locale)


# A token in a header cannot be sent by another site's form, so there is no CSRF to guard.
csrf.exempt(bp)
# One allowance per token across every endpoint, not one per endpoint.
limiter.shared_limit(_api_limit, scope="api", key_func=_rate_limit_key)(bp)
