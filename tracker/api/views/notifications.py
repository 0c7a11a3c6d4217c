"""The token's user's notifications: list them (newest first) and mark one read (design §13)."""

import base64
import binascii
from contextlib import nullcontext
from datetime import datetime

import marshmallow as ma
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from marshmallow import fields
from werkzeug.exceptions import NotFound

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.operations import operation
from tracker.api.pagination import PageArgs
from tracker.api.schemas import page_schema
from tracker.api.views import documented_errors, invalid
from tracker.extensions import db
from tracker.models import Notification
from tracker.notifications import services
from tracker.notifications.display import notification_text


class NotificationArgs(PageArgs):
    unread = fields.Boolean(
        load_default=False,
        metadata={"description": "true: only the notifications not read yet."},
    )
    cursor = fields.String(
        validate=ma.validate.Length(max=200),
        metadata={"description": "The next_cursor of the previous page; omit for the first."},
    )


class NotificationSchema(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(
        required=True,
        metadata={
            "description": "update_posted, gate_requested, gate_confirmed, gate_decided, "
            "status_changed, partner_added, due_soon, overdue, nudge, stalled, partner_interest"
        },
    )
    text = fields.String(
        required=True, metadata={"description": "The notification in the user's language."}
    )
    project_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True, required=True)


NotificationPageSchema = page_schema(NotificationSchema, "NotificationPage")


def _data(locale: str | None, notification: Notification) -> dict:
    with force_locale(locale) if locale else nullcontext():
        text = notification_text(notification)
    return {
        "id": notification.id,
        "kind": notification.kind,
        "text": text,
        "project_id": notification.project_id,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@bp.route("/notifications", tags=["account"])
@operation("listNotifications")
@bp.arguments(NotificationArgs, location="query")
@bp.response(200, NotificationPageSchema)
@documented_errors(401, 422, 429)
def list_notifications(args: dict):
    """List the token's user's notifications, newest first

    The same as the /notifications page: `text` in the user's language (their account's
    language, else the request's), `read_at` null while unread; `unread=true` for only those.
    """
    user = api_user()
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if args["unread"]:
        query = query.where(Notification.read_at.is_(None))
    if args.get("cursor"):
        try:
            when, last = _decode(args["cursor"])
        except ValueError:
            raise invalid(
                "cursor",
                _("Not a valid cursor: pass the next_cursor of the previous page unchanged."),
            ) from None
        newer = sa.and_(Notification.created_at == when, Notification.id < last)
        query = query.where(sa.or_(Notification.created_at < when, newer))
    order = (Notification.created_at.desc(), Notification.id.desc())
    rows = list(db.session.scalars(query.order_by(*order).limit(args["limit"] + 1)))
    shown = rows[: args["limit"]]
    more = len(rows) > len(shown)
    return {
        "items": [_data(user.locale, item) for item in shown],
        "next_cursor": _encode(shown[-1]) if more else None,
    }


def _encode(notification: Notification) -> str:
    text = f"{notification.created_at.isoformat()}|{notification.id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    """(created_at, id) of the last notification of the previous page; ValueError if it is
    not a cursor this API handed out."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("not a cursor") from error
    when, _bar, last = text.partition("|")
    if not last.isdigit() or len(last) > 18:
        raise ValueError("not a cursor")
    return datetime.fromisoformat(when), int(last)


@bp.route("/notifications/<id:notification_id>/read", methods=["POST"], tags=["account"])
@operation("markNotificationRead")
@bp.response(200, NotificationSchema)
@documented_errors(401, 404, 429)
def mark_notification_read(notification_id: int):
    """Mark one of the token's user's notifications read

    Repeating it changes nothing (the first `read_at` stays). 404 for another user's.
    """
    user = api_user()
    locale = user.locale  # read before the commit expires the user
    notification = services.read_one(user, notification_id)
    if notification is None:
        raise NotFound(_("There is no notification with id %(id)s of yours.", id=notification_id))
    return _data(locale, notification)
