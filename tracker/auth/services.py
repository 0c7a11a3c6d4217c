"""Sign-in checks, lock-out, session invalidation, one-time links; each use case commits once."""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.auth.passwords import hash_password, policy_problem, verify_password
from tracker.database import transaction
from tracker.extensions import db
from tracker.models import AuditEvent, OneTimeLink, User, utcnow


class AuthError(Exception):
    """A refusal with a message that is safe to show."""


SIGN_IN_FAILED = _l("The e-mail address or password is not correct.")
LOCK_HINT = _l("After too many failed attempts an account is locked for a while.")
LOCKED = _l("Too many failed sign-ins. The account is locked for a while; try again later.")

# One line per sign-in event: user id and address only, never what was typed.
security_log = logging.getLogger("tracker.security")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == normalise_email(email))
    )


def _audit(actor: User | None, action: str, user: User, **changes) -> None:
    db.session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            action=action,
            object_type="user",
            object_id=user.id,
            changes=changes,
        )
    )


def authenticate(email: str, password: str, ip: str | None = None) -> User:
    """Return the user for good credentials; count failures and lock after the threshold.

    For a user with two-factor sign-in the password is only the first step: the sign-in is
    recorded, and the failure count reset, by record_sign_in once the code is accepted.
    """
    user = find_user_by_email(email)
    known = user is not None and user.active
    locked = known and is_locked(user)
    stored_hash = user.password_hash if known else None
    # End the transaction before the deliberately slow hash check: on SQLite a POST's
    # transaction holds the write lock, and every other writer would queue behind it.
    db.session.commit()
    # One answer, after the same password-hash work, whether the address is unknown, the
    # password wrong or the account locked: the reply tells nothing about which accounts exist.
    refused = AuthError(f"{SIGN_IN_FAILED} {LOCK_HINT}")
    if not known:
        verify_password(None, password)
        security_log.info("sign_in_failed user=unknown ip=%r", ip)
        raise refused
    if locked:
        verify_password(stored_hash, password)
        security_log.info("sign_in_refused user_id=%s ip=%r (locked)", user.id, ip)
        raise refused
    if not verify_password(stored_hash, password):
        record_failure(user, ip)
        raise refused
    if not user.two_factor_enabled:
        record_sign_in(user, ip)
    return user


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def record_sign_in(user: User, ip: str | None, **details: str) -> None:
    """A completed sign-in: reset the failure count, audit it with the address. Commits."""
    with transaction():
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = utcnow()
        _audit(user, "sign_in", user, ip=ip, **details)
    security_log.info("sign_in user_id=%s ip=%r", user.id, ip)


def record_failure(user: User, ip: str | None, action: str = "sign_in_failed") -> None:
    """A wrong password or code: count it, lock the account at the threshold. Commits."""
    with transaction():
        # Counted in SQL so concurrent failures on several workers all add up.
        db.session.execute(
            sa.update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
        )
        db.session.refresh(user)
        threshold = current_app.config["TRACKER_LOCKOUT_THRESHOLD"]
        if user.failed_logins >= threshold:
            user.locked_until = utcnow() + timedelta(
                minutes=current_app.config["TRACKER_LOCKOUT_MINUTES"]
            )
            user.failed_logins = 0
            _audit(None, "locked_out", user, ip=ip)
            security_log.warning("locked_out user_id=%s ip=%r", user.id, ip)
        _audit(None, action, user, ip=ip)
    security_log.info("%s user_id=%s ip=%r", action, user.id, ip)


def end_all_sessions(user: User) -> None:
    """Invalidate every copy of the user's session cookie."""
    with transaction():
        db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(session_version=User.session_version + 1)
        )


def check_current_password(user: User, password: str, ip: str | None, action: str) -> None:
    """Re-authentication of a signed-in user (password change, two-factor set-up): refused
    while the account is locked, and a wrong password counts toward the lock like a failed
    sign-in (a stolen session cannot guess on without limit)."""
    if is_locked(user):
        security_log.info("%s user_id=%s ip=%r (locked)", action, user.id, ip)
        raise AuthError(LOCKED)
    db.session.commit()  # the hash check runs outside any transaction (see authenticate)
    if not verify_password(user.password_hash, password or ""):
        record_failure(user, ip, action)
        if is_locked(user):
            raise AuthError(LOCKED)
        raise AuthError(_("The current password is not correct."))


def change_password(user: User, current: str, new: str, ip: str | None = None) -> None:
    check_current_password(user, current, ip, "password_check_failed")
    set_password(user, new, actor=user)


def set_password(user: User, new: str, actor: User | None) -> None:
    problem = policy_problem(new)
    if problem:
        raise AuthError(problem)
    with transaction():
        user.password_hash = hash_password(new)
        user.session_version = user.session_version + 1
        user.failed_logins = 0
        user.locked_until = None
        _audit(actor, "password_changed", user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class IssuedLink:
    token: str
    link: OneTimeLink


def issue_link(user: User, kind: str, actor: User | None) -> IssuedLink:
    """A one-time invitation or reset link; older open links of the same kind stop working."""
    with transaction():
        now = utcnow()
        db.session.execute(
            sa.update(OneTimeLink)
            .where(OneTimeLink.user_id == user.id, OneTimeLink.used_at.is_(None))
            .values(used_at=now)
        )
        token = secrets.token_urlsafe(32)
        hours = current_app.config["TRACKER_LINK_HOURS"]
        link = OneTimeLink(
            kind=kind,
            user_id=user.id,
            token_hash=_digest(token),
            created_by_id=actor.id if actor else None,
            expires_at=now + timedelta(hours=hours),
        )
        db.session.add(link)
        _audit(actor, f"{kind}_link_issued", user)
    return IssuedLink(token=token, link=link)


def open_link(token: str) -> OneTimeLink:
    link = db.session.scalar(sa.select(OneTimeLink).where(OneTimeLink.token_hash == _digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise AuthError(_("This link is not valid any more. Ask for a new one."))
    if link.kind == "reset" and not link.user.active:
        # A deactivated account must not be able to set a password (invitations activate).
        raise AuthError(_("This link is not valid any more. Ask for a new one."))
    return link


def redeem_link(token: str, password: str, display_name: str | None = None) -> User:
    """Set the password through a one-time link. The link is claimed by a conditional UPDATE
    (still unused, not expired) in the same transaction as the new password, so of several
    requests racing with one link exactly one succeeds, on SQLite and PostgreSQL alike."""
    problem = policy_problem(password)
    if problem:  # before the claim: a refused password leaves the link usable
        raise AuthError(problem)
    new_hash = hash_password(password)  # the slow part, outside the transaction
    link = open_link(token)
    user = link.user
    with transaction():
        now = utcnow()
        claimed = db.session.execute(
            sa.update(OneTimeLink)
            .where(
                OneTimeLink.id == link.id,
                OneTimeLink.used_at.is_(None),
                OneTimeLink.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            raise AuthError(_("This link is not valid any more. Ask for a new one."))
        if display_name:
            user.display_name = display_name.strip()
        if link.kind == "invite":
            user.active = True
        user.password_hash = new_hash
        user.session_version = user.session_version + 1
        user.failed_logins = 0
        user.locked_until = None
        _audit(user, "password_changed", user)
    return user
