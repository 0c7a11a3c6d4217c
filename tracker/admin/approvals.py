"""Accounts made by single sign-on that wait for a site manager: list, approve, reject."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from tracker.activity import audit
from tracker.admin.services import AdminError, user_status
from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Organization, User


def pending_query(actor: User) -> sa.Select:
    """The waiting accounts actor may decide on, the longest waiting first."""
    return (
        permissions.visible_users(actor)
        .where(User.approval_requested_at.is_not(None), User.active.is_(False))
        .options(joinedload(User.organization).selectinload(Organization.sites))
        .order_by(User.approval_requested_at, User.id)
    )


def pending_accounts(actor: User, limit: int | None = None) -> list[User]:
    if not permissions.can_view_users(actor):
        return []
    query = pending_query(actor)
    return list(db.session.scalars(query.limit(limit) if limit else query).unique())


def status_of(user: User) -> str:
    """The list's status, with "pending" for an account waiting for approval."""
    if user.approval_requested_at is not None and not user.active:
        return "pending"
    status = user_status(user)
    # An account made by single sign-on has no password by design: it is not "invited".
    return "active" if status == "invited" and user.sso_provider else status


def load_pending(actor: User, user_id: int) -> User:
    """A waiting account actor may see (404 otherwise, like every user page)."""
    query = permissions.visible_users(actor).where(User.id == user_id)
    return db.first_or_404(
        query.options(
            joinedload(User.organization).selectinload(Organization.sites),
            selectinload(User.managed_sites),
        )
    )


def approve(actor: User, user: User) -> None:
    """The account becomes an active member account; its owner signs in with the provider."""
    if not permissions.can_approve_account(actor, user):
        raise AdminError(_("This account is not waiting for your approval (any more)."))
    user.active = True
    user.approval_requested_at = None
    audit(actor, "sso_account_approved", user, {"active": [False, True]})
    db.session.commit()


def reject(actor: User, user: User) -> None:
    """The request ends; the account stays switched off (an admin may reactivate it later)."""
    if not permissions.can_approve_account(actor, user):
        raise AdminError(_("This account is not waiting for your approval (any more)."))
    user.approval_requested_at = None
    audit(actor, "sso_account_rejected", user, {"organization": user.organization.name})
    db.session.commit()
