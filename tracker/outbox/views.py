"""E-mail settings (/account/notifications), one-click unsubscribe, the calendar feed and the
admins' list of deliveries (/admin/deliveries)."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField
from wtforms.validators import AnyOf

from tracker import keyset, outbox
from tracker.auth import permissions
from tracker.extensions import csrf, db
from tracker.keyset import Key
from tracker.models import User
from tracker.models.outbox import OUTBOX_STATES, OutboxMessage
from tracker.outbox import calendar, mails, preferences, worker

bp = Blueprint("outbox", __name__)

STATE_NAMES = {
    "pending": _l("waiting"),
    "sending": _l("being sent"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "kept": _l("kept (no SMTP server)"),
}
PAGE_SIZE = 50
DELIVERY_KEYS = (Key(OutboxMessage.id, int, descending=True),)  # newest first, by keyset


class SettingsForm(FlaskForm):
    digest = SelectField(
        _l("Digest"),
        choices=[SelectChoice(k, v) for k, v in preferences.DIGEST_NAMES.items()],
        validators=[AnyOf(list(preferences.DIGEST_NAMES))],
    )
    time_zone = SelectField(_l("Time zone"))
    submit = SubmitField(_l("Save e-mail settings"))


for _group in preferences.GROUPS:
    setattr(
        SettingsForm,
        f"group_{_group}",
        SelectField(
            preferences.GROUP_NAMES[_group],
            choices=[SelectChoice(k, v) for k, v in preferences.CHOICE_NAMES.items()],
        ),
    )


def _user() -> User:
    return current_user._get_current_object()


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    user = _user()
    form = SettingsForm()
    form.time_zone.choices = [SelectChoice(zone, zone) for zone in preferences.time_zones()]
    if form.validate_on_submit():
        choices = {group: form[f"group_{group}"].data for group in preferences.GROUPS}
        preferences.save(user, choices, form.digest.data, form.time_zone.data)
        flash(_("Your e-mail settings were saved."), "success")
        return redirect(url_for("outbox.notification_settings"))
    if request.method == "GET":
        settings = preferences.settings_of(user)
        for group, choice in preferences.choices_of(user).items():
            form[f"group_{group}"].data = choice
        form.digest.data = settings.digest
        form.time_zone.data = settings.time_zone
    settings = preferences.settings_of(user)
    feed_url = calendar.feed_url(user, settings)
    response = make_response(
        render_template(
            "outbox/settings.html",
            form=form,
            groups=preferences.GROUPS,
            feed_url=feed_url,
            status=400 if request.method == "POST" else 200,
        ),
        400 if request.method == "POST" else 200,
    )
    # The page shows the calendar feed's secret address.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/notifications/calendar")
@login_required
def make_calendar():
    user = _user()
    had = preferences.settings_of(user).calendar_key is not None
    calendar.make_feed(user)
    flash(
        _("A new calendar address was made; the old one no longer works.")
        if had
        else _("Your calendar address was made."),
        "success",
    )
    return redirect(url_for("outbox.notification_settings") + "#calendar")


@bp.post("/account/notifications/calendar/revoke")
@login_required
def revoke_calendar():
    calendar.revoke_feed(_user())
    flash(_("Your calendar address was revoked; calendars using it get nothing more."), "success")
    return redirect(url_for("outbox.notification_settings") + "#calendar")


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    user = calendar.user_for(token)
    if user is None:
        abort(404)
    response = make_response(calendar.feed(user))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="innovation-tracker.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- one-click unsubscribe (RFC 8058): no sign-in, the token is the authority -------------------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    found = mails.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    user_id, group = found
    name = mails._group_name(group)
    if request.method == "POST":
        if not preferences.unsubscribe(user_id, group):
            abort(404)
        return render_template("outbox/unsubscribed.html", group_name=name)
    return render_template("outbox/unsubscribe.html", group_name=name, token=token)


# --- admins: deliveries --------------------------------------------------------------------------


@bp.get("/admin/deliveries")
@login_required
def deliveries():
    if not permissions.is_admin(_user()):
        abort(403)
    state = request.args.get("state") or None
    if state not in (None, *OUTBOX_STATES):
        state = None
    query = sa.select(OutboxMessage, User.email).outerjoin(User, User.id == OutboxMessage.user_id)
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
        ).all()
    )
    if state:
        query = query.where(OutboxMessage.state == state)
    page = keyset.requested_page(query, DELIVERY_KEYS, PAGE_SIZE)
    if not isinstance(page, keyset.Page):  # an old numbered link, redirected
        return page
    return render_template(
        "outbox/deliveries.html",
        rows=page.items,
        page=page,
        state=state,
        counts=counts,
        states=OUTBOX_STATES,
        state_names=STATE_NAMES,
        smtp_configured=bool(outbox_smtp()),
    )


def outbox_smtp() -> bool:
    from tracker import mail

    return mail.mail_configured()


@bp.post("/admin/deliveries/<int:delivery_id>/retry")
@login_required
def retry_delivery(delivery_id: int):
    if not permissions.is_admin(_user()):
        abort(403)
    if db.session.get(OutboxMessage, delivery_id) is None:
        abort(404)
    if worker.retry(_user(), delivery_id):
        flash(_("The delivery is queued again."), "success")
    else:
        flash(_("Only a failed or kept delivery can be retried."), "warning")
    return redirect(url_for("outbox.deliveries", state=request.form.get("state") or None))


outbox.register_sender("email", mails.send_email)
