"""Session lifetime (idle and absolute limits) and the pending second sign-in step."""

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import logout_user, user_logged_in

from tracker.auth.blueprint import bp
from tracker.models import User

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
PENDING = "two_factor_pending"
PENDING_SECONDS = 5 * 60
# Refreshing the last-seen time at most once a minute spares a new cookie on every response.
SEEN_RESOLUTION = 60
EXPIRED = "Your session expired, please sign in again."  # the English text, for tests


def clock() -> float:
    """Seconds since the epoch; tests move it forward."""
    return time.time()


@user_logged_in.connect
def _stamp(sender, user, **extra) -> None:
    # Both times live in the signed session cookie: every copy of it carries its own age.
    now = clock()
    session.setdefault(SIGNED_IN_AT, now)
    session[SEEN_AT] = now


def is_expired(now: float) -> bool:
    """True when the session has been idle too long or is older than its absolute lifetime."""
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int | float) or not isinstance(seen, int | float):
        return True  # a signed-in session without times predates this check
    idle = current_app.config["TRACKER_IDLE_MINUTES"] * 60
    lifetime = current_app.config["TRACKER_SESSION_HOURS"] * 3600
    return now - seen > idle or now - signed_in > lifetime


@bp.before_app_request
def end_expired_session():
    if request.endpoint == "static" or request.blueprint == "api" or "_user_id" not in session:
        return None  # the API signs in with tokens, never with the session
    now = clock()
    if not is_expired(now):
        if now - session[SEEN_AT] >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
        return None
    logout_user()
    session.clear()
    flash(_("Your session expired, please sign in again."), "warning")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def await_second_factor(user: User, next_url: str | None) -> None:
    """Password accepted: remember who is half signed in, briefly, without signing them in."""
    session.clear()
    session[PENDING] = {
        "user_id": user.id,
        "version": user.session_version,
        "expires": clock() + PENDING_SECONDS,
        "next": next_url,
    }


def pending_sign_in() -> dict | None:
    """The pending marker while it is fresh, else None (and the stale marker is dropped)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("expires"), int | float):
        return None
    if pending["expires"] < clock():
        session.pop(PENDING, None)
        return None
    return pending
