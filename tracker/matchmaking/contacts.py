"""An organization's contact persons and what it offers and seeks (design §14, directory).

Members, managers and admins see them (the directory is closed to patrons); whoever may edit
the organization's profile edits them.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from tracker.activity import audit
from tracker.auth import permissions
from tracker.database import transaction
from tracker.extensions import db
from tracker.models import Contact, Organization, User

TEXT_LIMIT = 1000
MAX_CONTACTS = 10


class ProfileError(Exception):
    def __init__(self, message: str, field: str | None = None, row: int | None = None):
        super().__init__(message)
        self.message, self.field, self.row = message, field, row


class ProfileForbidden(ProfileError):
    pass


@dataclass
class ContactInput:
    name: str = ""
    role: str = ""
    email: str = ""


def contacts_of(organization_id: int) -> list[Contact]:
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.organization_id == organization_id)
            .order_by(Contact.position, Contact.id)
        )
    )


def contacts_data(user: User, organization_id: int) -> list[dict] | None:
    """The contacts as the API shows them; None for those who may not see contacts."""
    if not permissions.can_view_contacts(user):
        return None
    return [
        {"name": c.name, "role": c.role, "email": c.email} for c in contacts_of(organization_id)
    ]


def _checked(rows: list[ContactInput]) -> list[ContactInput]:
    kept = []
    for row, contact in enumerate(rows):
        name, role = (contact.name or "").strip(), (contact.role or "").strip()
        email = (contact.email or "").strip()
        if not (name or role or email):
            continue  # an empty row of the form
        if not name:
            raise ProfileError(_("Give the contact person's name."), "contacts", row)
        if len(name) > 200 or len(role) > 200:
            raise ProfileError(_("At most %(limit)s characters.", limit=200), "contacts", row)
        if email:
            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError:
                raise ProfileError(_("Enter a valid e-mail address."), "contacts", row) from None
        kept.append(ContactInput(name, role, email))
    if len(kept) > MAX_CONTACTS:
        raise ProfileError(_("At most %(limit)s contact persons.", limit=MAX_CONTACTS), "contacts")
    return kept


@transaction()
def save_profile(
    actor: User, organization: Organization, offer: str, seek: str, rows: list[ContactInput]
) -> None:
    """Replace what the organization offers and seeks and its contact persons."""
    if not permissions.can_edit_organization(actor, organization):
        raise ProfileForbidden(_("You may not edit this organization."))
    offer, seek = (offer or "").strip(), (seek or "").strip()
    for field, text in (("offer", offer), ("seek", seek)):
        if len(text) > TEXT_LIMIT:
            raise ProfileError(_("At most %(limit)s characters.", limit=TEXT_LIMIT), field)
    contacts = _checked(rows)
    before = {
        "offer": organization.offer,
        "seek": organization.seek,
        "contacts": [c.name for c in contacts_of(organization.id)],
    }
    db.session.execute(sa.delete(Contact).where(Contact.organization_id == organization.id))
    db.session.add_all(
        Contact(organization_id=organization.id, name=c.name, role=c.role, email=c.email,
                position=i)
        for i, c in enumerate(contacts)
    )  # fmt: skip
    organization.offer, organization.seek = offer, seek
    after = {"offer": offer, "seek": seek, "contacts": [c.name for c in contacts]}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit(actor, "organization_profile_updated", organization, changes)
