"""Gate request, decision and status-change forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.reviews import rules


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class GateRequestForm(FlaskForm):
    evidence = TextAreaField(
        _l("Evidence"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Describe what shows the project is ready for the next stage.")),
            Length(max=rules.MAX_EVIDENCE),
        ],
        render_kw={"rows": 8},
    )
    submit = SubmitField(_l("Request the gate"))


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(key, label) for key, label in rules.DECISION_LABELS.items()],
        validators=[DataRequired(_l("Choose a decision."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        filters=[_strip],
        validators=[DataRequired(_l("A reason is required.")), Length(max=rules.MAX_REASON)],
        render_kw={"rows": 5},
    )
    conditions = TextAreaField(
        _l("Conditions (conditional go only, one per line)"),
        validators=[Optional(), Length(max=rules.MAX_REASON)],
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Record the decision"))

    def condition_lines(self) -> list[str]:
        return [line.strip() for line in (self.conditions.data or "").splitlines() if line.strip()]


class StatusForm(FlaskForm):
    action = SelectField(
        _l("Change"),
        choices=[SelectChoice(key, rule.label) for key, rule in rules.STATUS_ACTIONS.items()],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reason"),
        filters=[_strip],
        validators=[DataRequired(_l("A reason is required.")), Length(max=rules.MAX_REASON)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Save"))


class NudgeForm(FlaskForm):
    message = TextAreaField(
        _l("Your question to the lead organization"),
        filters=[_strip],
        validators=[Length(max=1000)],
        render_kw={"rows": 3, "maxlength": 1000},
    )
    submit = SubmitField(_l("Send the nudge"))
