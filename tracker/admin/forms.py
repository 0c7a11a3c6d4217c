"""Forms of the user administration: filter, invite and edit."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length

from tracker.auth import permissions
from tracker.directory.picker import OrganizationField, settle_fields
from tracker.extensions import db
from tracker.models import Site, User

ROLE_CHOICES = [
    ("member", _l("Member")),
    ("site_manager", _l("Site manager")),
    ("patron", _l("Patron")),
    ("admin", _l("Admin")),
]
STATUS_CHOICES = [
    ("", _l("Any status")),
    ("active", _l("Active")),
    ("invited", _l("Invited (no password yet)")),
    ("locked", _l("Locked")),
    ("inactive", _l("Inactive")),
]


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _assignable(field: OrganizationField, actor: User) -> None:
    """An organization picker offering (and accepting) the organizations the actor may put
    people into: a search box, not a list of the whole directory (design §16)."""
    field.within = permissions.assignable_organizations(actor)
    field.scope = "assignable"
    settle_fields([field], field.within)


def role_choices(actor: User) -> list[SelectChoice]:
    return choices(
        (value, label)
        for value, label in ROLE_CHOICES
        if permissions.can_invite(actor, None, value)
    )


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form: nothing changes

    q = SearchField(_l("Name or e-mail"), validators=[Length(max=100)])
    role = SelectField(
        _l("Role"), choices=choices([("", _l("Any role")), *ROLE_CHOICES]), default=""
    )
    organization = OrganizationField(_l("Organization"), placeholder=_l("Any organization"))
    status = SelectField(_l("Status"), choices=choices(STATUS_CHOICES), default="")

    def set_choices(self, actor: User) -> "UserFilterForm":
        _assignable(self.organization, actor)
        return self


# Declared before the profile fields so it comes first in the error summary too.
_EMAIL = EmailField(
    _l("E-mail"),
    validators=[
        DataRequired(),
        Length(max=254),
        Email(message=_l("Enter a valid e-mail address, for example name@example.org.")),
    ],
)


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=choices(ROLE_CHOICES), default="member")
    organization = OrganizationField(_l("Organization"))
    managed_sites = SelectMultipleField(_l("Managed sites"), coerce=int)

    def set_choices(self, actor: User) -> "ProfileForm":
        self.role.choices = role_choices(actor)
        _assignable(self.organization, actor)
        if permissions.can_manage_users(actor):
            sites = db.session.scalars(sa.select(Site).order_by(Site.name))
            self.managed_sites.choices = choices((site.id, site.name) for site in sites)
        else:
            del self.managed_sites  # site managers invite members, who manage no site
        return self


class InviteForm(ProfileForm):
    email = _EMAIL
