"""User administration use cases: invite, edit, (de)activate, issue links; one commit each."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from tracker import mail
from tracker.activity import audit, members_of, notify
from tracker.auth import permissions
from tracker.auth.services import (
    IssuedLink,
    find_user_by_email,
    issue_link,
    normalise_email,
    security_log,
)
from tracker.database import transaction
from tracker.extensions import db
from tracker.keyset import Key
from tracker.models import AuditEvent, OneTimeLink, Organization, Site, User, utcnow
from tracker.models.base import ROLES
from tracker.models.user import ApiToken
from tracker.refusal import Refused

RECENT_EVENTS = 20


class AdminError(Refused):
    """A refused administration step, with a message that is safe to show."""


@dataclass
class Profile:
    """What an administrator sets on an account."""

    display_name: str
    role: str
    organization_id: int | None = None
    site_ids: list[int] = field(default_factory=list)


def _organization(organization_id: int | None) -> Organization | None:
    if organization_id is None:
        return None
    organization = db.session.scalar(
        sa.select(Organization)
        .where(Organization.id == organization_id)
        .options(selectinload(Organization.sites))
    )
    if organization is None:
        raise AdminError(_("That organization does not exist (any more)."), "organization")
    return organization


def _sites(profile: Profile) -> list[Site]:
    # Managed sites belong to site managers only; any others are dropped, not refused.
    if not permissions.role_manages_sites(profile.role):
        return []
    ids = sorted(set(profile.site_ids))
    sites = list(db.session.scalars(sa.select(Site).where(Site.id.in_(ids)).order_by(Site.name)))
    if not sites:
        raise AdminError(_("Choose at least one site for a site manager."), "managed_sites")
    if len(sites) != len(ids):
        raise AdminError(_("One of the chosen sites does not exist (any more)."), "managed_sites")
    return sites


def _check_profile(profile: Profile) -> tuple[Organization | None, list[Site]]:
    if profile.role not in ROLES:
        raise AdminError(_("Choose one of the roles offered."), "role")
    if not profile.display_name.strip():
        raise AdminError(_("Enter a display name."), "display_name")
    organization = _organization(profile.organization_id)
    if permissions.role_needs_organization(profile.role) and organization is None:
        raise AdminError(_("A member needs an organization."), "organization")
    if permissions.has_no_organization(profile.role) and organization is not None:
        raise AdminError(
            _("A patron belongs to no organization (patrons see aggregates only): clear it."),
            "organization",
        )
    return organization, _sites(profile)


def invite_user(actor: User, email: str, profile: Profile) -> tuple[User, IssuedLink]:
    """Create an account without a password and an invitation link for it."""
    organization, sites = _check_profile(profile)
    if not permissions.can_invite(actor, organization, profile.role):
        raise AdminError(_("You may invite only members of organizations at your sites."), "role")
    address = normalise_email(email)
    if find_user_by_email(address) is not None:
        raise AdminError(_("An account for %(address)s exists already.", address=address), "email")
    taken = _("An account for %(address)s exists already.", address=address)
    # A concurrent invitation for the same address breaks the unique rule: the same refusal.
    with transaction(conflict=lambda _error: AdminError(taken, "email")):
        user = User(
            email=address,
            display_name=profile.display_name.strip(),
            role=profile.role,
            organization_id=organization.id if organization else None,
            password_hash=None,
            active=True,
        )
        user.managed_sites = sites
        db.session.add(user)
        db.session.flush()
        audit(actor, "user_invited", user, _describe(None, None, [], user, organization, sites))
        link = issue_link(user, "invite", actor)
        if organization is not None:
            # Its people hear of every new account in their organization (an invitation is a
            # way into their consortium projects): design §11, issue 14 finding 4.
            notify(
                members_of([organization.id]),
                "member_invited",
                _(
                    "%(actor)s invited %(name)s <%(address)s> to join %(organization)s as "
                    "%(role)s.",
                    actor=actor.display_name,
                    name=user.display_name,
                    address=address,
                    organization=organization.name,
                    role=profile.role,
                ),
                skip=user,
                mail=False,
            )
    security_log.info("user_invited user_id=%s by=%s", user.id, actor.id)
    return user, link


def _describe(old_role, old_org, old_sites, user: User, organization, sites) -> dict:
    """Field -> [old, new] in readable terms (names and slugs, not ids)."""
    changes = {}
    if old_role != user.role:
        changes["role"] = [old_role, user.role]
    new_org = organization.name if organization else None
    if old_org != new_org:
        changes["organization"] = [old_org, new_org]
    new_sites = [site.slug for site in sites]
    if old_sites != new_sites:
        changes["managed_sites"] = [old_sites, new_sites]
    return changes


def update_user(actor: User, user: User, profile: Profile) -> list[str]:
    """Apply role, organization, sites and name; returns the names of the changed fields."""
    organization, sites = _check_profile(profile)
    if user.id == actor.id and profile.role != user.role:
        raise AdminError(_("You cannot change your own role. Ask another admin."), "role")
    old_org = user.organization.name if user.organization else None
    old_sites = [site.slug for site in user.managed_sites]
    old_role, old_name = user.role, user.display_name
    with transaction():
        user.role = profile.role
        user.organization_id = organization.id if organization else None
        user.organization = organization
        user.managed_sites = sites
        user.display_name = profile.display_name.strip()
        changes = _describe(old_role, old_org, old_sites, user, organization, sites)
        role_change = changes.pop("role", None)
        if role_change:
            audit(actor, "role_changed", user, {"role": role_change})
            user.session_version += 1  # the new role applies from a fresh sign-in
        if old_name != user.display_name:
            changes["display_name"] = [old_name, user.display_name]
        if changes:
            audit(actor, "user_updated", user, changes)
    return (["role"] if role_change else []) + sorted(changes)


def deactivate_user(actor: User, user: User) -> None:
    """Switch the account off, end its sessions and void its open links."""
    if user.id == actor.id:
        raise AdminError(_("You cannot deactivate your own account. Ask another admin."))
    if not user.active:
        raise AdminError(_("%(display_name)s is inactive already.", display_name=user.display_name))
    with transaction():
        user.active = False
        user.session_version += 1
        db.session.execute(
            sa.update(OneTimeLink)
            .where(OneTimeLink.user_id == user.id, OneTimeLink.used_at.is_(None))
            .values(used_at=utcnow())
        )
        # API tokens die with the account: a reactivated account starts without them
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        audit(actor, "user_deactivated", user, {"active": [True, False]})


def reactivate_user(actor: User, user: User) -> None:
    if user.active:
        raise AdminError(_("%(display_name)s is active already.", display_name=user.display_name))
    with transaction():
        user.active = True
        user.failed_logins = 0
        user.locked_until = None
        audit(actor, "user_reactivated", user, {"active": [False, True]})


def issue_access_link(actor: User, user: User) -> IssuedLink:
    """A password-reset link; a fresh invitation while the account has no password yet.

    A reset link for an account that has a password is a way into it: with an e-mail server it
    goes only to the owner (permissions.reset_link_shown), without one only an admin may make
    it. The owner is told in any case (a notification they see at their next sign-in), and the
    security log records it."""
    if not permissions.can_issue_link(actor, user):
        raise AdminError(_("You may issue links only for members of organizations at your sites."))
    if not user.active:
        raise AdminError(_("The account is inactive. Reactivate it first."))
    kind = "invite" if user.password_hash is None else "reset"
    if kind == "reset" and not permissions.can_make_reset_link(actor, mail.mail_configured()):
        raise AdminError(
            _(
                "Without an e-mail server only an administrator can make a reset link for an "
                "account in use. Ask an administrator."
            )
        )
    issued = issue_link(user, kind, actor)
    if kind == "reset":
        with transaction():
            notify(
                [user.id],
                "account_reset_link",
                _(
                    "%(actor)s made a password reset link for your account. If you did not ask "
                    "for it, tell an administrator.",
                    actor=actor.display_name,
                ),
                mail=False,
            )
    security_log.info("%s_link_issued user_id=%s by=%s", kind, user.id, actor.id)
    return issued


def unlock_user(actor: User, user: User) -> None:
    """End a lock-out early (an admin who knows it is the owner who failed)."""
    if not permissions.can_manage_users(actor):
        raise AdminError(_("Only administrators can unlock accounts."))
    with transaction():
        user.failed_logins = 0
        user.locked_until = None
        audit(actor, "account_unlocked", user, {"locked": [True, False]})
    security_log.info("account_unlocked user_id=%s by=%s", user.id, actor.id)


# The same mutually exclusive states the list shows in its status column.
STATUSES = {
    "active": lambda now: sa.and_(
        User.active.is_(True),
        User.password_hash.is_not(None),
        sa.or_(User.locked_until.is_(None), User.locked_until <= now),
    ),
    "invited": lambda now: sa.and_(User.active.is_(True), User.password_hash.is_(None)),
    "locked": lambda now: sa.and_(
        User.active.is_(True), User.password_hash.is_not(None), User.locked_until > now
    ),
    "inactive": lambda now: User.active.is_(False),
}


def user_status(user: User, now=None) -> str:
    if not user.active:
        return "inactive"
    if user.password_hash is None:
        return "invited"
    if user.locked_until and user.locked_until > (now or utcnow()):
        return "locked"
    return "active"


# The user list's order, by which it pages (keyset): display name without case, then id.
USER_KEYS = (Key(sa.func.lower(User.display_name), str), Key(User.id, int))


def user_query(
    actor: User,
    q: str = "",
    role: str | None = None,
    organization_id: int | None = None,
    status: str | None = None,
) -> sa.Select:
    """The users actor may list, filtered, with what each row shows loaded up front."""
    query = permissions.visible_users(actor).options(
        joinedload(User.organization).selectinload(Organization.sites),
        selectinload(User.managed_sites),
    )
    if q.strip():
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            sa.or_(User.email.ilike(pattern), sa.func.lower(User.display_name).like(pattern))
        )
    if role in ROLES:
        query = query.where(User.role == role)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if status in STATUSES:
        query = query.where(STATUSES[status](utcnow()))
    return query.order_by(*(key.column for key in USER_KEYS))


def recent_events(user: User) -> list[AuditEvent]:
    """The latest audit events on the account or by its owner, with their actors."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                sa.or_(
                    sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id == user.id),
                    AuditEvent.actor_id == user.id,
                )
            )
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(RECENT_EVENTS)
        )
    )
