"""Bulk onboarding: accounts from a CSV file, every row checked first, then all made or none.

Each new account gets a one-time invitation link, mailed through the outbox in the same
transaction (without SMTP the outbox keeps the mails and the page lists the links to copy).
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from tracker import outbox
from tracker.activity import audit
from tracker.auth import permissions
from tracker.auth.services import normalise_email
from tracker.database import transaction
from tracker.exports.csvfile import read_csv
from tracker.extensions import db
from tracker.models import OneTimeLink, Organization, Site, User, utcnow
from tracker.models.base import ROLES

COLUMNS = ("email", "name", "role", "organization", "sites")
NAME_LENGTH = 120
ROLE_ALIASES = {"site manager": "site_manager", "site-manager": "site_manager"}


class ImportRefused(Exception):
    """Nothing was imported; the message is for the user."""


@dataclass
class RowProblem:
    row: int
    column: str
    message: str
    email: str = ""


@dataclass
class NewAccount:
    row: int
    email: str
    name: str
    role: str
    organization: Organization | None
    sites: list[Site]


@dataclass
class UserImportCheck:
    accounts: list[NewAccount] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rows_with_problems(self) -> int:
        return len({problem.row for problem in self.problems})


@dataclass
class Invitation:
    email: str
    name: str
    url: str


class _Catalogue:
    """What rows are checked against, read once: organizations, sites, taken addresses."""

    def __init__(self, emails: list[str]):
        organizations = db.session.scalars(
            sa.select(Organization).options(sa.orm.selectinload(Organization.sites))
        )
        self.organizations = {o.name.strip().lower(): o for o in organizations}
        self.sites = {}
        for site in db.session.scalars(sa.select(Site)):
            self.sites[site.slug.lower()] = site
            for name in (site.name_en, site.name_de, site.name_sv):  # any language's name
                if name:
                    self.sites.setdefault(name.strip().lower(), site)
        wanted = sorted({e for e in emails if e})
        self.taken = (
            set(
                db.session.scalars(
                    sa.select(sa.func.lower(User.email)).where(
                        sa.func.lower(User.email).in_(wanted)
                    )
                )
            )
            if wanted
            else set()
        )
        self.seen: dict[str, int] = {}


def check_user_import(actor: User, filename: str, data: bytes) -> UserImportCheck:
    """Every row checked (raises CsvError for an unreadable file, ImportRefused)."""
    if not permissions.can_import_users(actor):
        raise ImportRefused(_("You may not invite people."))
    rows = read_csv(filename, data, COLUMNS)
    if not rows:
        raise ImportRefused(_("The file has no rows below the header row."))
    catalogue = _Catalogue([normalise_email(row.values["email"]) for row in rows])
    check = UserImportCheck()
    for row in rows:
        problems, account = _check_row(actor, row.number, row.values, catalogue)
        if row.extra_cells:
            problems.append(RowProblem(row.number, "", _("The row has more cells than columns.")))
        for problem in problems:
            problem.email = row.values.get("email", "").strip()
        check.problems.extend(problems)
        if not problems:
            check.accounts.append(account)
    return check


def _check_row(actor, number: int, values: dict, catalogue: _Catalogue):
    problems: list[RowProblem] = []

    def problem(column: str, message: str) -> None:
        problems.append(RowProblem(number, column, message))

    email = _email(values["email"], problem, catalogue, number)
    name = " ".join(values["name"].split())
    if not name:
        problem("name", _("Enter the person's name."))
    elif len(name) > NAME_LENGTH:
        problem("name", _("At most %(count)s characters.", count=NAME_LENGTH))
    role = ROLE_ALIASES.get(values["role"].strip().lower(), values["role"].strip().lower())
    if role not in ROLES:
        problem("role", _("Use one of: %(roles)s.", roles=", ".join(ROLES)))
    organization = _organization(values["organization"], role, problem, catalogue)
    sites = _sites(values["sites"], role, problem, catalogue)
    if role in ROLES and not problems and not permissions.can_invite(actor, organization, role):
        problem("organization", _("You may invite only members of organizations at your sites."))
    return problems, NewAccount(number, email, name, role, organization, sites)


def _email(raw: str, problem, catalogue: _Catalogue, number: int) -> str:
    email = normalise_email(raw)
    if not email:
        problem("email", _("Enter an e-mail address."))
        return email
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        problem("email", _("%(address)s is not a valid e-mail address.", address=email))
        return email
    if email in catalogue.taken:
        problem("email", _("An account for %(address)s exists already.", address=email))
    elif email in catalogue.seen:
        first = catalogue.seen[email]
        problem("email", _("%(address)s is also in row %(row)s.", address=email, row=first))
    else:
        catalogue.seen[email] = number
    return email


def _organization(raw: str, role: str, problem, catalogue: _Catalogue) -> Organization | None:
    name = raw.strip()
    if not name:
        if permissions.role_needs_organization(role):
            problem("organization", _("A member needs an organization."))
        return None
    if permissions.has_no_organization(role):
        problem("organization", _("A patron belongs to no organization; leave it empty."))
        return None
    organization = catalogue.organizations.get(name.lower())
    if organization is None:
        problem("organization", _("There is no organization named %(name)s.", name=name))
    return organization


def _sites(raw: str, role: str, problem, catalogue: _Catalogue) -> list[Site]:
    names = [part.strip() for part in raw.replace(",", ";").split(";") if part.strip()]
    if not permissions.role_manages_sites(role):
        if names:
            problem("sites", _("Only site managers manage sites; leave it empty."))
        return []
    if not names:
        problem("sites", _("A site manager needs at least one site."))
    sites = []
    for name in names:
        site = catalogue.sites.get(name.lower())
        if site is None:
            problem("sites", _("There is no site %(name)s.", name=name))
        elif site not in sites:
            sites.append(site)
    return sites


def import_users(
    actor: User, filename: str, data: bytes, link_for: Callable[[str], str]
) -> tuple[UserImportCheck, list[Invitation]]:
    """Check again, then make every account with its invitation in one transaction."""
    check = check_user_import(actor, filename, data)
    if check.problems:
        return check, []
    hours = current_app.config["TRACKER_LINK_HOURS"]
    invitations = []
    with transaction(conflict=_changed_meanwhile):
        users = [_new_user(account) for account in check.accounts]
        db.session.add_all(users)
        db.session.flush()
        expires = utcnow() + timedelta(hours=hours)
        for account, user in zip(check.accounts, users, strict=True):
            token = secrets.token_urlsafe(32)
            db.session.add(_invite_link(user, token, actor, expires))
            url = link_for(token)
            outbox.enqueue_email(user.id, "invitation", "invitation", {"url": url, "hours": hours})
            audit(actor, "user_invited", user, _changes(account, filename))
            audit(actor, "invite_link_issued", user)
            invitations.append(Invitation(account.email, account.name, url))
    return check, invitations


def _changed_meanwhile(error: Exception) -> Exception:
    if isinstance(error, IntegrityError):
        return ImportRefused(
            _("An account for one of the addresses was made meanwhile. Check the file again.")
        )
    return error


def _new_user(account: NewAccount) -> User:
    user = User(
        email=account.email,
        display_name=account.name,
        role=account.role,
        organization_id=account.organization.id if account.organization else None,
        password_hash=None,
        active=True,
    )
    user.managed_sites = list(account.sites)
    return user


def _invite_link(user: User, token: str, actor: User, expires) -> OneTimeLink:
    # Stored as the SHA-256 of the token only, as tracker.auth.services.issue_link does.
    return OneTimeLink(
        kind="invite",
        user_id=user.id,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        created_by_id=actor.id,
        expires_at=expires,
    )


def _changes(account: NewAccount, filename: str) -> dict:
    changes = {"role": [None, account.role], "import": [None, filename]}
    if account.organization:
        changes["organization"] = [None, account.organization.name]
    if account.sites:
        changes["managed_sites"] = [[], [site.slug for site in account.sites]]
    return changes
