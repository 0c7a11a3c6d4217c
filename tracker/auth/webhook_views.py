"""/account/webhooks: register, list and delete one's webhooks, read their delivery log and
send a delivery again (design §13; the API offers the same)."""

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Length, Optional

from tracker import webhooks
from tracker.auth import permissions
from tracker.auth.blueprint import bp
from tracker.auth.views import require
from tracker.extensions import db
from tracker.models import Webhook, WebhookDelivery
from tracker.models.integration import WEBHOOK_EVENTS

DELIVERIES_SHOWN = 50


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class WebhookForm(FlaskForm):
    url = StringField(
        _l("Address"),
        validators=[DataRequired(_l("Enter the address to call.")), Length(max=2000)],
        filters=[_strip],
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(event, event) for event in WEBHOOK_EVENTS],
        validators=[DataRequired(_l("Choose at least one event."))],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    secret = StringField(
        _l("Secret (optional)"),
        validators=[Optional(), Length(min=16, max=200)],
        filters=[_strip],
    )


def _user():
    user = current_user._get_current_object()
    require(permissions.can_register_webhook(user))
    return user


def _page(form: WebhookForm, status: int = 200, **extra):
    user = current_user._get_current_object()
    hooks = db.session.scalars(
        sa.select(Webhook).where(Webhook.user_id == user.id).order_by(Webhook.id)
    ).all()
    page = render_template("auth/webhooks.html", form=form, hooks=hooks, **extra)
    response = make_response(page, status)
    if "new_secret" in extra:
        response.headers["Cache-Control"] = "no-store"  # the secret is shown only here
    return response


@bp.get("/account/webhooks")
@login_required
def webhooks_page():
    _user()
    return _page(WebhookForm(formdata=None))


@bp.post("/account/webhooks")
@login_required
def create_webhook():
    user = _user()
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        hook, secret = webhooks.register(user, form.url.data, form.events.data, form.secret.data)
    except webhooks.WebhookError as error:
        field = getattr(form, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            flash(error.message, "danger")
        return _page(form, 422)
    return _page(WebhookForm(formdata=None), 201, new_secret=secret, new_hook=hook.url)


def _own(user, webhook_id: int) -> Webhook:
    hook = webhooks.owned(user, webhook_id)
    if hook is None:
        abort(404)
    return hook


@bp.post("/account/webhooks/<int:webhook_id>/delete")
@login_required
def delete_webhook(webhook_id: int):
    user = _user()
    hook = _own(user, webhook_id)
    url = hook.url
    webhooks.delete(user, hook)
    flash(_("Webhook to %(url)s deleted: it is called no more.", url=url), "success")
    return redirect(url_for("auth.webhooks_page"))


@bp.get("/account/webhooks/<int:webhook_id>")
@login_required
def webhook_deliveries(webhook_id: int):
    user = _user()
    hook = _own(user, webhook_id)
    deliveries = db.session.scalars(
        sa.select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(DELIVERIES_SHOWN)
    ).all()
    return render_template("auth/webhook_deliveries.html", hook=hook, deliveries=deliveries)


@bp.post("/account/webhooks/<int:webhook_id>/deliveries/<int:webhook_delivery_id>/redeliver")
@login_required
def redeliver_webhook(webhook_id: int, webhook_delivery_id: int):
    user = _user()
    hook = _own(user, webhook_id)
    delivery = db.session.get(WebhookDelivery, webhook_delivery_id)
    if delivery is None or delivery.webhook_id != hook.id:
        abort(404)
    try:
        webhooks.redeliver(user, hook, delivery)
    except webhooks.WebhookError as error:
        flash(error.message, "danger")
    else:
        flash(_("The delivery is sent again."), "success")
    return redirect(url_for("auth.webhook_deliveries", webhook_id=webhook_id))
