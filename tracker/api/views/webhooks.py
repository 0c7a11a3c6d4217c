"""Webhooks through the API (design §13): register, list, delete, delivery log, redeliver."""

import marshmallow as ma
import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from marshmallow import fields
from marshmallow.validate import Length, OneOf
from werkzeug.exceptions import Forbidden, NotFound

from tracker import webhooks
from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.bodies import Body
from tracker.api.guards import before_body
from tracker.api.operations import operation
from tracker.api.pagination import PageArgs, page_of
from tracker.api.schemas import page_schema
from tracker.api.views import BODY_ERRORS, LOCATION, conflict, documented_errors, invalid
from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import Webhook, WebhookDelivery
from tracker.models.integration import WEBHOOK_EVENTS


class WebhookInputSchema(Body):
    """A new webhook. No call is made when it is registered."""

    url = fields.String(
        required=True,
        validate=Length(min=1, max=webhooks.URL_LIMIT),
        metadata={"description": "http:// or https:// address; not on a private network."},
    )
    events = fields.List(
        fields.String(validate=OneOf(WEBHOOK_EVENTS)),
        required=True,
        validate=Length(min=1, max=len(WEBHOOK_EVENTS)),
        metadata={"description": "The events to receive."},
    )
    secret = fields.String(
        validate=Length(min=16, max=200),
        metadata={"description": "The HMAC key; left out, one is made and shown once."},
    )


class WebhookSchema(ma.Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    events = fields.List(fields.String(metadata={"enum": list(WEBHOOK_EVENTS)}), required=True)
    active = fields.Boolean(
        required=True, metadata={"description": "false after 20 failed calls in a row."}
    )
    failures_in_row = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    disabled_at = fields.DateTime(required=True, allow_none=True)


class NewWebhookSchema(WebhookSchema):
    secret = fields.String(
        required=True,
        metadata={"description": "Shown only now: verify X-Tracker-Signature with it."},
    )


class DeliverySchema(ma.Schema):
    id = fields.Integer(required=True)
    delivery_id = fields.String(required=True, metadata={"description": "X-Tracker-Delivery."})
    event = fields.String(required=True, metadata={"enum": list(WEBHOOK_EVENTS)})
    state = fields.String(required=True, metadata={"enum": ["pending", "delivered", "failed"]})
    attempts = fields.Integer(required=True)
    last_status = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The receiver's HTTP status."}
    )
    last_error = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    delivered_at = fields.DateTime(required=True, allow_none=True)
    next_attempt_at = fields.DateTime(required=True, allow_none=True)
    body = fields.String(required=True, metadata={"description": "The JSON body as sent."})


WebhookPageSchema = page_schema(WebhookSchema, "WebhookPage")
DeliveryPageSchema = page_schema(DeliverySchema, "DeliveryPage")


def webhook_data(webhook: Webhook) -> dict:
    return {
        key: getattr(webhook, key)
        for key in ("id", "url", "events", "active", "failures_in_row", "created_at", "disabled_at")
    }


def delivery_data(delivery: WebhookDelivery) -> dict:
    data = {
        key: getattr(delivery, key)
        for key in (
            "id", "event", "state", "attempts", "last_status", "last_error", "created_at",
            "delivered_at", "next_attempt_at", "body",
        )
    }  # fmt: skip
    return data | {"delivery_id": delivery.uuid}


def _may_register(user) -> None:
    if not permissions.can_register_webhook(user):
        raise Forbidden(_("Your role may not register webhooks."))


def _own(user, webhook_id: int) -> Webhook:
    webhook = webhooks.owned(user, webhook_id)
    if webhook is None:
        raise NotFound(_("You have no webhook with id %(id)s.", id=webhook_id))
    return webhook


@bp.route("/webhooks", tags=["webhooks"])
@operation("listWebhooks")
@bp.arguments(PageArgs, location="query")
@bp.response(200, WebhookPageSchema)
@documented_errors(401, 403, 429)
def list_webhooks(args: dict):
    """List your webhooks"""
    user = api_user()
    _may_register(user)
    page = page_of(sa.select(Webhook).where(Webhook.user_id == user.id), Webhook.id, args)
    page["items"] = [webhook_data(w) for w in page["items"]]
    return page


@bp.route("/webhooks", methods=["POST"], tags=["webhooks"])
@operation("createWebhook")
@before_body(lambda user, **_ignored: _may_register(user))
@bp.arguments(WebhookInputSchema)
@bp.response(201, NewWebhookSchema, headers=LOCATION)
@documented_errors(401, 403, 429, *BODY_ERRORS)
def create_webhook(body: dict):
    """Register a webhook

    Members receive the events of their organization's projects, site managers those of
    their sites' projects, admins all; only of projects they may see in detail. Each call is
    a POST of {"id", "event", "occurred_at", "data"} signed with X-Tracker-Signature:
    sha256=<hex HMAC-SHA256 of the raw body with the secret>. The secret is shown only in
    this answer. No call is made now.
    """
    user = api_user()
    _may_register(user)
    try:
        webhook, secret = webhooks.register(user, body["url"], body["events"], body.get("secret"))
    except webhooks.WebhookError as error:
        if error.field:
            raise invalid(error.field, error.message) from None
        raise conflict(error.message) from None
    data = webhook_data(db.session.get(Webhook, webhook.id)) | {"secret": secret}
    location = url_for("api.list_webhook_deliveries", webhook_id=data["id"])
    return data, 201, {"Location": location}


@bp.route("/webhooks/<id:webhook_id>", methods=["DELETE"], tags=["webhooks"])
@operation("deleteWebhook")
@bp.response(204)
@documented_errors(401, 404, 429)
def delete_webhook(webhook_id: int):
    """Delete one of your webhooks (no more calls; its log goes with it)"""
    user = api_user()
    webhooks.delete(user, _own(user, webhook_id))
    return "", 204


@bp.route("/webhooks/<id:webhook_id>/deliveries", tags=["webhooks"])
@operation("listWebhookDeliveries")
@bp.arguments(PageArgs, location="query")
@bp.response(200, DeliveryPageSchema)
@documented_errors(401, 404, 429)
def list_webhook_deliveries(args: dict, webhook_id: int):
    """List a webhook's deliveries, oldest first, with their state and the body sent"""
    user = api_user()
    _own(user, webhook_id)
    query = sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    page = page_of(query, WebhookDelivery.id, args)
    page["items"] = [delivery_data(d) for d in page["items"]]
    return page


@bp.route(
    "/webhooks/<id:webhook_id>/deliveries/<id:webhook_delivery_id>/redeliver",
    methods=["POST"],
    tags=["webhooks"],
)
@operation("redeliverWebhookDelivery")
@bp.response(200, DeliverySchema)
@documented_errors(401, 404, 409, 429)
def redeliver(webhook_id: int, webhook_delivery_id: int):
    """Send a delivery again, now (same body and delivery id). No body."""
    user = api_user()
    webhook = _own(user, webhook_id)
    delivery = db.session.get(WebhookDelivery, webhook_delivery_id)
    if delivery is None or delivery.webhook_id != webhook.id:
        raise NotFound(_("This webhook has no delivery with id %(id)s.", id=webhook_delivery_id))
    try:
        webhooks.redeliver(user, webhook, delivery)
    except webhooks.WebhookError as error:
        raise conflict(error.message) from None
    return delivery_data(db.session.get(WebhookDelivery, webhook_delivery_id))
