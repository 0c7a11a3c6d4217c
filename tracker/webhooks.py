"""Webhooks (design §13): members' systems are told of changes, signed, through the outbox.

- The change itself writes its audit event (same transaction); that is the durable record.
  The worker (tracker/outbox/queue.py) turns new audit events into deliveries: for each
  active webhook, the events it asked for, of projects its owner may see in detail and that
  are theirs (permissions.webhook_projects), after the webhook's cursor. Each delivery is a
  row of webhook_deliveries (the log) and an outbox row (channel "webhook") that the worker
  sends: POST of the JSON body with X-Tracker-Event, X-Tracker-Delivery and
  X-Tracker-Signature: sha256=<HMAC-SHA256 of the raw body with the secret>.
- 2xx is delivered. Otherwise the call is retried after 1 min, 5 min, 30 min, 2 h and 12 h;
  after 20 failures in a row the webhook is disabled. Redirects are not followed; 5 s timeout.
- Addresses on private, loopback or link-local networks are refused (at registration and at
  every call, after resolving the name) unless TRACKER_WEBHOOK_ALLOW_PRIVATE=1.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import secrets
import socket
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from tracker import outbox
from tracker.activity import audit
from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import AuditEvent, Project, Site, User, Webhook, WebhookDelivery, utcnow
from tracker.models.integration import WEBHOOK_EVENTS
from tracker.people import user_names
from tracker.refusal import Refused

log = logging.getLogger("tracker.webhooks")

# audit action -> webhook event
EVENT_OF_ACTION = {
    "project_created": "project.created",
    "project_updated": "project.updated",
    "update_posted": "update.posted",
    "gate_requested": "gate.requested",
    "gate_confirmed": "gate.confirmed",
    "gate_decided": "gate.decided",
    "partner_request_created": "partner_request.created",
}
# project_created / project_updated that add partners also tell partner.added.
SCHEDULE = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_FAILURES_IN_ROW = 20
TIMEOUT_SECONDS = 5


def schedule() -> tuple[timedelta, ...]:
    """The retry delays: SCHEDULE, or with TRACKER_WEBHOOK_RETRY_SECONDS set the first one
    that long and the others in the same proportion (seconds for a test or a demo)."""
    first = current_app.config.get("TRACKER_WEBHOOK_RETRY_SECONDS")
    if first is None:
        first = os.environ.get("TRACKER_WEBHOOK_RETRY_SECONDS")
    if not first:
        return SCHEDULE
    factor = float(first) / SCHEDULE[0].total_seconds()
    return tuple(step * factor for step in SCHEDULE)


MAX_WEBHOOKS_PER_USER = 20
SCAN_LIMIT = 500
URL_LIMIT = 2000


class WebhookError(Refused):
    """A refused webhook registration or change."""


# --- the address guard ------------------------------------------------------------------------


def _private_allowed() -> bool:
    configured = current_app.config.get("TRACKER_WEBHOOK_ALLOW_PRIVATE")
    if configured is None:
        configured = os.environ.get("TRACKER_WEBHOOK_ALLOW_PRIVATE") == "1"
    return bool(configured)


def _forbidden_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str) -> str:
    """The URL if calls to it are allowed; WebhookError (field url) otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if len(url) > URL_LIMIT or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WebhookError(_("Enter a web address that starts with http:// or https://."), "url")
    if parts.username or parts.password:
        raise WebhookError(_("Leave user names and passwords out of the address."), "url")
    if _private_allowed():
        return url
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise WebhookError(_("The address's host name cannot be resolved."), "url") from None
    if any(_forbidden_address(info[4][0]) for info in infos):
        raise WebhookError(
            _("Addresses on private, loopback or link-local networks are not allowed."), "url"
        )
    return url


# --- registration ----------------------------------------------------------------------------


def _checked_events(events) -> list[str]:
    chosen = list(dict.fromkeys(events or []))
    unknown = [event for event in chosen if event not in WEBHOOK_EVENTS]
    if unknown or not chosen:
        raise WebhookError(
            _("Choose one or more of: %(events)s.", events=", ".join(WEBHOOK_EVENTS)), "events"
        )
    return chosen


def register(actor: User, url: str, events, secret: str | None = None) -> tuple[Webhook, str]:
    """A new webhook of actor; returns it and its secret (shown once). No call is made."""
    if not permissions.can_register_webhook(actor):
        raise WebhookError(_("Your role may not register webhooks."))
    url = check_url(url)
    chosen = _checked_events(events)
    secret = (secret or "").strip() or secrets.token_urlsafe(32)
    if not 16 <= len(secret) <= 200:
        raise WebhookError(_("A secret has 16 to 200 characters."), "secret")
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Webhook).where(Webhook.user_id == actor.id)
    )
    if count >= MAX_WEBHOOKS_PER_USER:
        raise WebhookError(
            _("You have %(count)s webhooks, the most allowed.", count=MAX_WEBHOOKS_PER_USER)
        )
    try:
        cursor = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0)))
        webhook = Webhook(
            user_id=actor.id, url=url, events=chosen, secret=secret, last_audit_id=cursor
        )
        db.session.add(webhook)
        db.session.flush()
        audit(actor, "webhook_created", webhook, {"url": [None, url], "events": [None, chosen]})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return webhook, secret


def owned(user: User, webhook_id: int) -> Webhook | None:
    """The user's own webhook (others' answer None: 404)."""
    return db.session.scalar(
        sa.select(Webhook).where(Webhook.id == webhook_id, Webhook.user_id == user.id)
    )


def delete(actor: User, webhook: Webhook) -> None:
    try:
        audit(actor, "webhook_deleted", webhook, {"url": [webhook.url, None]})
        db.session.delete(webhook)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def redeliver(actor: User, webhook: Webhook, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same body and delivery id), now."""
    if not webhook.active:
        raise WebhookError(_("This webhook is disabled; register it again to use it."))
    try:
        delivery.state, delivery.next_attempt_at = "pending", utcnow()
        outbox.enqueue_webhook(
            webhook.id, delivery.event, {"delivery_id": delivery.id}, delivery.project_id
        )
        audit(actor, "webhook_redelivered", webhook, {"delivery": [None, delivery.uuid]})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return delivery


# --- from audit events to deliveries (the worker) --------------------------------------------


def _events_of(row: AuditEvent) -> list[str]:
    events = []
    event = EVENT_OF_ACTION.get(row.action)
    if event:
        events.append(event)
    partners = (row.changes or {}).get("partners")
    if row.action in {"project_created", "project_updated"} and isinstance(partners, list):
        before, after = [*partners, None, None][:2]
        if len(set(_names(after)) - set(_names(before))) > 0:
            events.append("partner.added")
    return events


def _names(value) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, str) and value:
        return [part.strip() for part in value.split(",")]
    return []


def _body(delivery_id: str, event: str, row: AuditEvent, project, actor_name) -> str:
    data = {
        "project": {"id": project.id, "title": project.title, "site": project.slug}
        if project is not None
        else None,
        "object": {"type": row.object_type, "id": row.object_id},
        "actor": actor_name,
        "changes": row.changes or {},
    }
    document = {
        "id": delivery_id,
        "event": event,
        "occurred_at": row.at.isoformat(),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, default=str)


def fan_out() -> int:
    """Turn audit events after each active webhook's cursor into deliveries; commits.

    Returns the number of deliveries made. Two workers doing this at once: the cursor moves
    with a compare-and-set, so the second one's work is rolled back."""
    made = 0
    webhook_ids = list(
        db.session.scalars(
            sa.select(Webhook.id).where(Webhook.active.is_(True)).order_by(Webhook.id)
        )
    )
    for webhook_id in webhook_ids:
        try:
            made += _fan_out_one(webhook_id)
        except BaseException:
            db.session.rollback()
            raise
    return made


def fan_out_logged() -> int:
    """fan_out for the worker: a failure is logged and retried on the next run, and does not
    keep the e-mails waiting."""
    try:
        return fan_out()
    except Exception:
        log.exception("webhook fan-out failed; retried on the next run")
        return 0


def _fan_out_one(webhook_id: int) -> int:
    webhook = db.session.get(Webhook, webhook_id, populate_existing=True)
    owner = db.session.get(User, webhook.user_id)
    if webhook is None or owner is None or not owner.active:
        db.session.rollback()
        return 0
    start = webhook.last_audit_id
    top = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(AuditEvent.id), start)).where(AuditEvent.id > start)
    )
    actions = sorted(EVENT_OF_ACTION)
    covered = permissions.webhook_projects(owner)
    rows = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.id > start,
                AuditEvent.id <= top,
                AuditEvent.action.in_(actions),
                AuditEvent.project_id.in_(covered),
            )
            .order_by(AuditEvent.id)
            .limit(SCAN_LIMIT)
        )
    )
    cursor = rows[-1].id if len(rows) == SCAN_LIMIT else top
    project_ids = {row.project_id for row in rows}
    projects = {
        p.id: p
        for p in db.session.execute(
            sa.select(Project.id, Project.title, Site.slug)
            .join(Site, Site.id == Project.site_id)
            .where(Project.id.in_(project_ids))
        )
    }
    actors = user_names(row.actor_id for row in rows)
    made = 0
    for row in rows:
        for event in _events_of(row):
            if event not in webhook.events:
                continue
            delivery_id = str(uuid.uuid4())
            delivery = WebhookDelivery(
                uuid=delivery_id,
                webhook_id=webhook.id,
                event=event,
                audit_event_id=row.id,
                project_id=row.project_id,
                body=_body(
                    delivery_id, event, row, projects.get(row.project_id), actors.get(row.actor_id)
                ),
                state="pending",
                next_attempt_at=utcnow(),
            )
            db.session.add(delivery)
            db.session.flush()
            outbox.enqueue_webhook(webhook.id, event, {"delivery_id": delivery.id}, row.project_id)
            made += 1
    moved = db.session.execute(
        sa.update(Webhook)
        .where(Webhook.id == webhook.id, Webhook.last_audit_id == start)
        .values(last_audit_id=cursor)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:  # another worker did it meanwhile
        db.session.rollback()
        return 0
    db.session.commit()
    return made


# --- sending (the outbox's sender for channel "webhook") --------------------------------------


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer like any other non-2xx: not delivered


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def send(row) -> dict | None:
    """Call the webhook of an outbox row and record the outcome in the delivery log."""
    delivery_id = (row.params or {}).get("delivery_id")
    delivery = db.session.get(WebhookDelivery, delivery_id) if delivery_id else None
    if delivery is None:
        raise outbox.Permanent("the delivery no longer exists")
    webhook = db.session.get(Webhook, delivery.webhook_id)
    if webhook is None or not webhook.active:
        _record(delivery.id, None, {"state": "failed", "last_error": "webhook disabled"})
        raise outbox.Permanent("the webhook is disabled or deleted")
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "InnovationTracker-Webhooks/1",
        "X-Tracker-Event": delivery.event,
        "X-Tracker-Delivery": delivery.uuid,
        "X-Tracker-Signature": signature(webhook.secret, body),
    }
    status, error = None, ""
    try:
        check_url(webhook.url)  # again: the name may now point elsewhere
        status = _post(webhook.url, body, headers)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except WebhookError as refused:
        error = str(refused)
    except (OSError, ValueError) as failed:
        error = f"{type(failed).__name__}: {failed}"[:300]
    attempts = delivery.attempts + 1
    now = utcnow()
    if not error:
        _record(
            delivery.id,
            webhook.id,
            {
                "state": "delivered",
                "attempts": attempts,
                "last_status": status,
                "last_error": "",
                "delivered_at": now,
                "next_attempt_at": None,
            },
            failures=0,
        )
        return None
    failures = webhook.failures_in_row + 1
    disable = failures >= MAX_FAILURES_IN_ROW
    delays = schedule()
    retry = not disable and attempts <= len(delays)
    next_at = now + delays[attempts - 1] if retry else None
    _record(
        delivery.id,
        webhook.id,
        {
            "state": "pending" if retry else "failed",
            "attempts": attempts,
            "last_status": status,
            "last_error": error[:500],
            "next_attempt_at": next_at,
        },
        failures=failures,
        disable=disable,
    )
    if retry:  # the outbox row waits for the webhook schedule, not the e-mail backoff
        return {
            "state": "pending",
            "next_attempt_at": next_at,
            "sent_at": None,
            "last_error": error,
        }
    return {"state": "failed", "sent_at": None, "last_error": error[:300]}


def _record(
    delivery_id: int,
    webhook_id: int | None,
    values: dict,
    failures: int | None = None,
    disable: bool = False,
) -> None:
    """Write the outcome on a connection of its own (the worker's session only reads)."""
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values)
        )
        if webhook_id is not None and failures is not None:
            changes: dict = {"failures_in_row": failures}
            if disable:
                changes |= {"active": False, "disabled_at": utcnow()}
            connection.execute(sa.update(Webhook).where(Webhook.id == webhook_id).values(**changes))


outbox.register_sender("webhook", send)


# --- waking the worker when a change may interest a webhook ------------------------------------


@sa.event.listens_for(Session, "before_flush")
def _wake_for_events(session, _context, _instances) -> None:
    """A change whose audit event webhooks may want: wake the worker after the commit (no
    statement is added to the request)."""
    for obj in session.new:
        if isinstance(obj, AuditEvent) and obj.action in EVENT_OF_ACTION:
            session.info[outbox.WROTE] = True
            return
