"""Project, partner-row, update and milestone forms."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.directory.picker import OrganizationField, settle_fields
from tracker.i18n import PROJECT_KIND_NAMES
from tracker.models.base import PROJECT_KINDS
from tracker.projects.services import PARTNER_ROLES, PartnerInput, ProjectData
from tracker.vocabulary import PARTICIPATION_ROLE_LABELS

KIND_CHOICES = [SelectChoice(k, PROJECT_KIND_NAMES[k]) for k in PROJECT_KINDS]
VISIBILITY_LABELS = {
    "network": _l("Network — every signed-in member sees it"),
    "consortium": _l("Consortium — only participating organizations and the site's managers"),
}
ROLE_LABELS = PARTICIPATION_ROLE_LABELS
MIN_PARTNER_ROWS = 5
SPARE_PARTNER_ROWS = 3


class PartnerRowForm(Form):
    organization_id = OrganizationField(_l("Organization"))
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r, ROLE_LABELS[r]) for r in PARTNER_ROLES],
        default="partner",
    )
    remove = BooleanField(_l("Remove"))


class ProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    site_id = SelectField(_l("Host site"), coerce=int)
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="product")
    visibility = SelectField(
        _l("Visibility"),
        choices=[SelectChoice(*item) for item in VISIBILITY_LABELS.items()],
        default="network",
    )
    theme_ids = SelectMultipleField(_l("Themes"), coerce=int, render_kw={"size": 8})
    target_test_on = DateField(_l("Target date for test"), validators=[Optional()])
    target_market_on = DateField(_l("Target date for market"), validators=[Optional()])
    lead_organization_id = OrganizationField(_l("Lead organization"))
    partners = FieldList(FormField(PartnerRowForm), min_entries=MIN_PARTNER_ROWS, max_entries=60)
    confirm_removal = BooleanField(_l("Yes, remove these partners"))
    version = HiddenField()

    def validate_target_market_on(self, field):
        test = self.target_test_on.data
        if field.data and test and field.data < test:
            raise ValidationError(_("The market date cannot be before the test date."))

    def setup(self, sites, themes, choose_lead: bool) -> "ProjectForm":
        """Fill the choices, settle the organization pickers (one query); drop the lead field
        for users who may not choose the lead."""
        self.site_id.choices = [SelectChoice(s.id, s.name) for s in sites]
        self.theme_ids.choices = [SelectChoice(t.id, t.name) for t in themes]
        if not choose_lead:
            del self.lead_organization_id
        while len(self.partners) < MIN_PARTNER_ROWS:
            self.partners.append_entry()
        pickers = [row.organization_id for row in self.partners]
        if "lead_organization_id" in self:
            pickers.append(self.lead_organization_id)
        settle_fields(pickers)
        return self

    def add_spare_rows(self) -> None:
        filled = sum(1 for row in self.partners if row.organization_id.data)
        while len(self.partners) < max(MIN_PARTNER_ROWS, filled + SPARE_PARTNER_ROWS):
            self.partners.append_entry()

    def partner_rows(self) -> tuple[list[PartnerInput], list[int]]:
        """Filled rows not marked for removal, and the index of each among the form rows."""
        partners, rows = [], []
        for index, row in enumerate(self.partners):
            if row.organization_id.data is None or row.remove.data:
                continue
            partners.append(PartnerInput(row.organization_id.data, row.role.data))
            rows.append(index)
        return partners, rows

    def to_data(self) -> tuple[ProjectData, list[int]]:
        partners, rows = self.partner_rows()
        lead = self.lead_organization_id.data if "lead_organization_id" in self else None
        data = ProjectData(
            title=self.title.data or "",
            site_id=self.site_id.data,
            summary=self.summary.data or "",
            description=self.description.data or "",
            kind=self.kind.data,
            visibility=self.visibility.data,
            theme_ids=list(self.theme_ids.data or []),
            target_test_on=self.target_test_on.data,
            target_market_on=self.target_market_on.data,
            lead_organization_id=lead,
            partners=partners,
        )
        return data, rows

    def show_error(self, error, rows: list[int]) -> None:
        """Put a service's ProjectError next to the field (or partner row) it names."""
        if error.field == "partners" and error.row is not None and error.row < len(rows):
            target = self.partners[rows[error.row]].organization_id
            target.errors = [*target.errors, error.message]
        elif error.field and error.field in self and error.field != "partners":
            self[error.field].errors = [*self[error.field].errors, error.message]
        else:
            self.form_errors.append(error.message)


class UpdateForm(FlaskForm):
    body = TextAreaField(
        _l("What happened?"),
        validators=[DataRequired(_l("Write what happened.")), Length(max=5000)],
    )


class MilestoneForm(FlaskForm):
    title = StringField(
        _l("Milestone"), validators=[DataRequired(_l("Name the milestone.")), Length(max=200)]
    )
    due_on = DateField(_l("Due"), validators=[Optional()])


class MilestoneEditForm(MilestoneForm):
    done = BooleanField(_l("Done"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("A reason is required.")), Length(max=5000)]
    )
    confirm = BooleanField(
        _l("Yes, withdraw this project"),
        validators=[DataRequired(_l("Tick to confirm that the project is withdrawn."))],
    )
