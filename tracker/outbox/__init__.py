"""The outbox: every e-mail and webhook call is a row written in the transaction of the change
that caused it (no commit here), then claimed and sent by a worker (tracker/outbox/worker.py).

    enqueue_email(user_id, event, template, params, project_id=None) -> OutboxMessage
    enqueue_webhook(webhook_id, event, body, project_id=None)     -> OutboxMessage
    register_sender(channel, fn)   # the worker calls fn(row) for each claimed row of channel

A sender returns normally when the message went out (optionally a dict of outbox columns to
write with the outcome, e.g. {"params": ...}); it only reads the database. It raises Keep to
leave the row kept (nothing to send it with), Permanent to give up at once, anything else to
retry with backoff.
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.models.outbox import OutboxMessage

Sender = Callable[[OutboxMessage], dict | None]
_senders: dict[str, Sender] = {}
_waker: Callable[[], None] | None = None

# Set on the session when it wrote outbox rows: after its commit the worker is woken.
WROTE = "tracker.outbox.wrote"


class Keep(Exception):
    """The message cannot be sent here (no SMTP configured): keep it, shown to admins."""


class Permanent(Exception):
    """The message can never be sent (recipient gone, refused for good): no more retries."""


def register_sender(channel: str, fn: Sender) -> None:
    """Register the function that sends a claimed row of channel ("email", "webhook").

    Register at import time of a module that create_app imports, so the worker has it too."""
    _senders[channel] = fn


def register_waker(fn: Callable[[], None]) -> None:
    """Register what wakes a worker after a commit that wrote rows (tracker/outbox/wiring.py
    installs the task queue's; this module must not import the queue, which imports the
    worker, which imports this module)."""
    global _waker
    _waker = fn


def sender_for(channel: str) -> Sender | None:
    return _senders.get(channel)


def registered_channels() -> list[str]:
    return sorted(_senders)


def enqueue_email(
    user_id: int,
    event: str,
    template: str,
    params: dict[str, Any] | None = None,
    project_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    """Add an e-mail to user_id (rendered in their language when sent) in the caller's
    transaction; no commit. event is the X-Tracker-Event value ("invitation", "digest", ...),
    template names a mail of tracker/outbox/mails.py."""
    row = OutboxMessage(
        channel="email",
        event=event,
        user_id=user_id,
        template=template,
        params=params or {},
        project_id=project_id,
        dedupe_key=dedupe_key,
    )
    db.session.add(row)
    mark_written()
    return row


def enqueue_webhook(
    webhook_id: int, event: str, body: dict[str, Any], project_id: int | None = None
) -> OutboxMessage:
    """Add a webhook call (body as JSON in params) in the caller's transaction; no commit."""
    row = OutboxMessage(
        channel="webhook",
        event=event,
        target_id=webhook_id,
        template="webhook",
        params=body,
        project_id=project_id,
    )
    db.session.add(row)
    mark_written()
    return row


def mark_written() -> None:
    """Rows went in (also by INSERT … SELECT): wake the worker once this transaction commits."""
    db.session.info[WROTE] = True


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:  # pragma: no cover - wiring, exercised by the worker tests
    wrote = session.info.pop(WROTE, False)
    if wrote and _waker is not None and current_app.config.get("TRACKER_OUTBOX_WAKE", True):
        _waker()


@sa.event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(WROTE, None)


def mail_link(user_id: int, kind: str, url: str, hours: int) -> None:
    """Queue the mail of an invitation ("invite") or password-reset link just issued; commits.

    The link is made (and committed) by the auth service first: a mail lost between the two
    leaves the link on the admin's page, which is where it is shown anyway."""
    from flask_babel import get_locale

    from tracker.database import transaction

    invite = kind == "invite"
    # A new person has no language yet: the mail is then in the language of whoever invited.
    locale = str(get_locale() or "") or None
    with transaction():
        enqueue_email(
            user_id,
            "invitation" if invite else "password.reset",
            "invitation" if invite else "password_reset",
            {"url": url, "hours": hours, "locale": locale},
        )
