"""Forms for sites, themes and stage exit criteria."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from tracker.directory.countries import country_choices
from tracker.directory.forms import choices, country_code
from tracker.models import Site, Theme
from tracker.models.base import EXIT_STAGES

SLUG_RULE = Regexp(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    message=_l("Use lower-case letters, digits and single hyphens, such as erlangen-nuernberg."),
)
SITE_KIND_LABELS = {"headquarters": _l("Headquarters"), "satellite": _l("Satellite")}


def _translation(label, length: int) -> StringField:
    """An optional name or title in German or Swedish; empty shows the English one."""
    return StringField(label, validators=[Length(max=length)], filters=[_strip])


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value


class SiteForm(FlaskForm):
    slug = StringField(
        _l("Slug"), validators=[DataRequired(), Length(max=60), SLUG_RULE], filters=[_strip, _lower]
    )
    name = StringField(
        _l("Name in English"), validators=[DataRequired(), Length(max=120)], filters=[_strip]
    )
    name_de = _translation(_l("Name in German"), 120)
    name_sv = _translation(_l("Name in Swedish"), 120)
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)], filters=[_strip])
    country = SelectField(
        _l("Country"),
        # A function: the names are chosen per form, in the reader's language.
        choices=lambda: choices([("", _l("Choose a country…")), *country_choices()]),
        validators=[country_code],
        filters=[_strip, _upper],
        validate_choice=False,
    )
    kind = SelectField(_l("Kind"), choices=choices(SITE_KIND_LABELS.items()), default="satellite")
    focus = TextAreaField(
        _l("Focus"), validators=[Length(max=5000)], filters=[_strip], render_kw={"rows": 5}
    )
    themes = SelectMultipleField(_l("Themes"), coerce=int, validate_choice=False)

    def values(self) -> dict:
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        data["focus"] = data["focus"] or ""
        data["theme_ids"] = data.pop("themes")
        for key in ("name_de", "name_sv"):
            data.pop(key)
        return data | translations(self, ("name_de", "name_sv"))


def site_form(themes: list[Theme], site: Site | None = None) -> SiteForm:
    data = None
    if site is not None:
        keys = ("slug", "city", "country", "kind", "name_de", "name_sv")
        data = {key: getattr(site, key) for key in keys} | {"name": site.name_en}
        data["focus"] = site.focus
        data["themes"] = [theme.id for theme in site.themes]
    form = SiteForm(data=data)
    form.themes.choices = choices((theme.id, theme.name) for theme in themes)
    return form


class RenameThemeForm(FlaskForm):
    name = StringField(
        _l("Name in English"), validators=[DataRequired(), Length(max=120)], filters=[_strip]
    )
    name_de = _translation(_l("Name in German"), 120)
    name_sv = _translation(_l("Name in Swedish"), 120)


class ThemeForm(RenameThemeForm):
    slug = StringField(
        _l("Slug"), validators=[DataRequired(), Length(max=60), SLUG_RULE], filters=[_strip, _lower]
    )


class CriterionForm(FlaskForm):
    stage = HiddenField(
        validators=[
            AnyOf(EXIT_STAGES, message=_l("Only stages a project can leave have exit criteria."))
        ]
    )
    title = StringField(
        _l("New criterion"), validators=[DataRequired(), Length(max=200)], filters=[_strip]
    )
    title_de = _translation(_l("In German"), 200)
    title_sv = _translation(_l("In Swedish"), 200)


class RenameCriterionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    title_de = _translation(_l("In German"), 200)
    title_sv = _translation(_l("In Swedish"), 200)


def translations(form, keys) -> dict:
    """The translations the request sent: a field left out (an older client) is not
    changed, one sent empty is cleared."""
    return {key: form[key].data or None for key in keys if form[key].raw_data}


class MoveCriterionForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(("up", "down"))])


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token is the whole point of the confirmation step."""
