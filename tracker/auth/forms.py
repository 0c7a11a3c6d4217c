"""Sign-in, password and one-time-link forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from tracker.auth.passwords import MAX_LENGTH, policy_problem


def _policy(form, field):
    problem = policy_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Sign in")


class NewPasswordMixin:
    new_password = PasswordField("New password", validators=[DataRequired(), _policy])
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", message="The passwords differ.")],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField("Change password")


class RedeemLinkForm(NewPasswordMixin, FlaskForm):
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    submit = SubmitField("Save and sign in")
