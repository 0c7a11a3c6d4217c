"""The security log for admins: sign-ins, lock-outs, role, token and two-factor changes."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import DateField, SearchField, SelectChoice, SelectField
from wtforms.validators import Length, Optional, ValidationError

from tracker import keyset
from tracker.admin.blueprint import bp
from tracker.auth import permissions
from tracker.auth import two_factor_services as two_factor
from tracker.auth.views import require
from tracker.database import text_match
from tracker.extensions import db
from tracker.keyset import Key
from tracker.models import AuditEvent, User

SECURITY_ACTIONS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Sign-in failed"),
    "locked_out": _l("Locked out"),
    "two_factor_failed": _l("Two-factor code refused"),
    "two_factor_enabled": _l("Two-factor turned on"),
    "two_factor_disabled": _l("Two-factor turned off"),
    "recovery_code_used": _l("Recovery code used"),
    "recovery_codes_replaced": _l("Recovery codes replaced"),
    "password_changed": _l("Password changed"),
    "role_changed": _l("Role changed"),
    "api_token_created": _l("API token created"),
    "api_token_revoked": _l("API token revoked"),
    "invite_link_issued": _l("Invitation link issued"),
    "reset_link_issued": _l("Password reset link issued"),
    "user_invited": _l("User invited"),
    "user_deactivated": _l("User deactivated"),
    "user_reactivated": _l("User reactivated"),
    "sso_account_requested": _l("Account requested through single sign-on"),
    "sso_account_approved": _l("Single sign-on account approved"),
    "sso_account_rejected": _l("Single sign-on account rejected"),
    "sso_sign_in_refused": _l("Single sign-on refused"),
}
FILTERS = ("action", "user", "date_from", "date_to")


class SecurityFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form: nothing changes

    action = SelectField(
        _l("Event"),
        choices=[SelectChoice("", _l("Any event"))]
        + [SelectChoice(key, label) for key, label in SECURITY_ACTIONS.items()],
        default="",
    )
    user = SearchField(_l("User's e-mail"), validators=[Optional(), Length(max=254)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("The end date must not be before the start date."))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def security_events(action: str | None, email: str, start: date | None, end: date | None):
    """The security events matching the filters, newest first (a Select to paginate)."""
    query = sa.select(AuditEvent).where(AuditEvent.action.in_(SECURITY_ACTIONS))
    if action in SECURITY_ACTIONS:
        query = query.where(AuditEvent.action == action)
    if email:
        matching = sa.select(User.id).where(text_match(email.strip(), User.email))
        query = query.where(
            sa.or_(
                AuditEvent.actor_id.in_(matching),
                sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id.in_(matching)),
            )
        )
    if start:
        query = query.where(AuditEvent.at >= _day_start(start))
    if end and end < date.max:
        query = query.where(AuditEvent.at < _day_start(end + timedelta(days=1)))
    return query.options(joinedload(AuditEvent.actor)).order_by(
        AuditEvent.at.desc(), AuditEvent.id.desc()
    )


# The log's order, by which it pages (keyset): newest first.
EVENT_KEYS = (
    Key(AuditEvent.at, datetime, descending=True),
    Key(AuditEvent.id, int, descending=True),
)


def subjects_of(events: list[AuditEvent]) -> dict[int, User]:
    """The accounts the events are about, in one query."""
    ids = {e.object_id for e in events if e.object_type == "user" and e.object_id is not None}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


@bp.route("/security")
@login_required
def security_log():
    require(permissions.can_view_security_log(current_user._get_current_object()))
    form = SecurityFilterForm(formdata=request.args)
    form.validate()  # invalid filters are reported beside the field and left out
    valid = {name: not form[name].errors for name in FILTERS}
    query = security_events(
        form.action.data if valid["action"] else None,
        (form.user.data or "") if valid["user"] else "",
        form.date_from.data if valid["date_from"] else None,
        form.date_to.data if valid["date_to"] else None,
    )
    page = keyset.requested_page(query, EVENT_KEYS, current_app.config["PAGE_SIZE"])
    if not isinstance(page, keyset.Page):  # an old numbered link, redirected
        return page
    filters = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template(
        "admin/security.html",
        form=form,
        page=page,
        filters=filters,
        subjects=subjects_of(page.items),
        labels=SECURITY_ACTIONS,
    )


@bp.post("/users/<int:user_id>/two-factor/reset")
@login_required
def reset_two_factor(user_id: int):
    actor = current_user._get_current_object()
    require(permissions.can_manage_users(actor) and actor.id != user_id)
    user = db.get_or_404(User, user_id)
    try:
        two_factor.reset(actor, user)
    except two_factor.TwoFactorError as error:
        flash(str(error), "info")
    else:
        flash(
            _(
                "Two-factor sign-in is off for %(name)s; they are signed out everywhere "
                "and can set it up again on their account page.",
                name=user.display_name,
            ),
            "success",
        )
    return redirect(url_for("admin.edit_user", user_id=user.id))
