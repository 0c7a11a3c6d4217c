"""Organization form, its field checks, and labels shared by the directory pages."""

from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.directory.countries import COUNTRIES, country_choices
from tracker.directory.email_domains import split as split_domains
from tracker.models import Organization, Site, Theme, utcnow
from tracker.models.base import ORG_KINDS
from tracker.vocabulary import ORG_KIND_LABELS

assert set(ORG_KIND_LABELS) == set(ORG_KINDS)


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def country_code(form, field) -> None:
    if field.data not in COUNTRIES:
        raise ValidationError(_("Choose a country (a two-letter ISO code such as DE or SE)."))


def web_address(form, field) -> None:
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in {"http", "https"} or not parts.netloc or " " in field.data:
        raise ValidationError(_("Enter a web address that starts with http:// or https://."))


def not_in_future(form, field) -> None:
    if field.data and field.data > utcnow().date():
        raise ValidationError(_("The date cannot be in the future."))


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    kind = SelectField(_l("Kind"), choices=choices(ORG_KIND_LABELS.items()))
    country = SelectField(
        _l("Country"),
        # A function: the names are chosen per form, in the reader's language.
        choices=lambda: choices([("", _l("Choose a country…")), *country_choices()]),
        validators=[country_code],
        filters=[_strip, _upper],
        validate_choice=False,
    )
    city = StringField(_l("City"), validators=[Length(max=120)], filters=[_strip])
    website = StringField(
        _l("Website"), validators=[Length(max=300), web_address], filters=[_strip]
    )
    description = TextAreaField(
        _l("Description"), validators=[Length(max=5000)], filters=[_strip], render_kw={"rows": 6}
    )
    member_since = DateField(_l("Member since"), validators=[Optional(), not_in_future])
    # Choices are checked by the service, which explains a refused site better than WTForms.
    sites = SelectMultipleField(_l("Sites"), coerce=int, validate_choice=False)
    themes = SelectMultipleField(_l("Expertise themes"), coerce=int, validate_choice=False)
    # Admins only (organization_form leaves it out for others): single sign-on joins (§13).
    email_domains = StringField(_l("E-mail domains"), validators=[Length(max=2000)])
    # The version the editor read; a save on an older one is refused (optimistic locking).
    version = HiddenField()

    def values(self) -> dict:
        """The submitted values in the shape the services take."""
        skipped = {"csrf_token", "version"}
        data = {name: field.data for name, field in self._fields.items() if name not in skipped}
        for name in ("city", "website", "description"):
            data[name] = data[name] or ""
        if "sites" in data:
            data["site_ids"] = data.pop("sites")
        data["theme_ids"] = data.pop("themes")
        if "email_domains" in data:
            data["email_domains"] = split_domains(data["email_domains"] or "")
        return data

    def read_version(self) -> int:
        """The version sent back by the page; 0 (never current) when missing or mangled."""
        # raw_data, not data: a field missing from the post keeps the current version as data.
        text = (self.version.raw_data or [""])[0]
        return int(text) if text.isdigit() and len(text) <= 10 else 0


def organization_form(
    sites: list[Site],
    themes: list[Theme],
    standing: bool,
    organization: Organization | None = None,
    email_domains: bool = False,
) -> OrganizationForm:
    """The form with choices set; without standing, kind, membership and sites are left out."""
    data = None
    if organization is not None:
        data = {
            key: getattr(organization, key)
            for key in ("name", "kind", "country", "city", "website", "description")
        }
        data["member_since"] = organization.member_since
        data["sites"] = [site.id for site in organization.sites]
        data["themes"] = [theme.id for theme in organization.themes]
        data["version"] = str(organization.version)
        data["email_domains"] = ", ".join(organization.email_domains or [])
    form = OrganizationForm(data=data)
    form.themes.choices = choices((theme.id, theme.name) for theme in themes)
    if standing:
        form.sites.choices = choices((site.id, site.name) for site in sites)
    else:
        del form.kind
        del form.member_since
        del form.sites
    if not email_domains:
        del form.email_domains
    return form
