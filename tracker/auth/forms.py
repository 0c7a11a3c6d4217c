"""Sign-in, password and one-time-link forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from tracker.auth.passwords import MAX_LENGTH, policy_problem


def _policy(form, field):
    problem = policy_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField(_l("Sign in"))


class NewPasswordMixin:
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), _policy])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField(_l("Change password"))


class RedeemLinkForm(NewPasswordMixin, FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    submit = SubmitField(_l("Save and sign in"))
