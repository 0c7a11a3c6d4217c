"""The partner-request and interest forms."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from tracker.models import utcnow
from tracker.models.matchmaking import SOUGHT_KINDS
from tracker.projects.domain import PARTNER_ROLES

SOUGHT_KIND_LABELS = {
    "startup": _l("Start-up"),
    "research_institution": _l("Research institution"),
    "member_company": _l("Member company"),
    "partner": _l("Partner"),
}
ROLE_LABELS = {
    "partner": _l("Partner"),
    "research_partner": _l("Research partner"),
    "startup": _l("Start-up"),
    "pilot_customer": _l("Pilot customer"),
}
assert set(SOUGHT_KIND_LABELS) == set(SOUGHT_KINDS)
assert set(ROLE_LABELS) == set(PARTNER_ROLES)
INTEREST_STATUS_LABELS = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
}
REQUEST_STATUS_LABELS = {
    "open": _l("Open"),
    "filled": _l("Filled"),
    "withdrawn": _l("Withdrawn"),
    "closed": _l("Closed"),
}


def request_status_label(status: str) -> str:
    """A partner request's state; 'Open' with a context, as the bare word is the verb elsewhere."""
    if status == "open":
        return pgettext("partner request status", "Open")
    return str(REQUEST_STATUS_LABELS.get(status, status))


class PartnerRequestForm(FlaskForm):
    kind = SelectField(_l("Kind of organization sought"), validators=[DataRequired()])
    role = SelectField(_l("Role in the project"), validators=[Optional()])
    theme_ids = SelectMultipleField(_l("Themes"), coerce=int, validators=[Optional()])
    site_id = SelectField(_l("Site"), validators=[Optional()])
    description = TextAreaField(
        _l("What you are looking for (public)"), validators=[DataRequired(), Length(max=2000)]
    )
    closes_on = DateField(_l("Closes on"), validators=[DataRequired()])

    def fill_choices(self, themes, sites) -> None:
        self.kind.choices = [(k, str(label)) for k, label in SOUGHT_KIND_LABELS.items()]
        self.role.choices = [("", str(_l("As the kind suggests")))] + [
            (r, str(label)) for r, label in ROLE_LABELS.items()
        ]
        self.theme_ids.choices = [(t.id, t.name) for t in themes]
        self.site_id.choices = [("", str(_l("Any site")))] + [(str(s.id), s.name) for s in sites]
        if self.closes_on.data is None and not self.is_submitted():
            self.closes_on.data = (utcnow() + timedelta(days=60)).date()

    def values(self) -> dict:
        return {
            "kind": self.kind.data,
            "role": self.role.data or None,
            "theme_ids": list(self.theme_ids.data or []),
            "site_id": int(self.site_id.data) if self.site_id.data else None,
            "description": self.description.data,
            "closes_on": self.closes_on.data,
        }


class InterestForm(FlaskForm):
    message = TextAreaField(
        _l("Why your organization fits"), validators=[DataRequired(), Length(max=2000)]
    )


class ContactForm(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = StringField(_l("Role"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])


class ProfileForm(FlaskForm):
    offer = TextAreaField(_l("What we offer"), validators=[Optional(), Length(max=1000)])
    seek = TextAreaField(_l("What we seek"), validators=[Optional(), Length(max=1000)])
    contacts = FieldList(FormField(ContactForm), min_entries=3, max_entries=10)
