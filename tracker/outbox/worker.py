"""Sending the outbox: claim one due row at a time, send it, record the outcome.

A claim is one conditional UPDATE (on PostgreSQL over a SELECT … FOR UPDATE SKIP LOCKED) that
moves the row to "sending" with a lease, committed before anything is sent: two workers never
hold the same row. The outcome is committed right after the send. A worker killed in between
leaves the row "sending" until its lease ends; then any worker takes it again (same
Message-ID). Failures are retried with doubling delays until 24 hours after the row was written.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from tracker import outbox
from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.outbox import OutboxMessage

log = logging.getLogger("tracker.outbox")

RETRY_CAP_SECONDS = 3600


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


def _due(now):
    return sa.or_(
        sa.and_(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now),
        sa.and_(OutboxMessage.state == "sending", OutboxMessage.lease_until < now),
    )


def claim(channels: list[str] | None = None) -> OutboxMessage | None:
    """Take the oldest due row of the given channels for this worker, or None; commits."""
    channels = channels if channels is not None else outbox.registered_channels()
    if not channels:
        return None
    now = utcnow()
    lease = timedelta(seconds=_setting("TRACKER_OUTBOX_LEASE_SECONDS", 300))
    pick = (
        sa.select(OutboxMessage.id)
        .where(_due(now), OutboxMessage.channel.in_(channels))
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if db.engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    statement = (
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == pick.scalar_subquery(), _due(now))
        .values(state="sending", lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    try:
        row_id = db.session.execute(statement).scalar()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if row_id is None:
        return None
    return db.session.get(OutboxMessage, row_id, populate_existing=True)


def backoff(attempts: int) -> timedelta:
    """Delay before attempt attempts+1: base, 2 base, 4 base, … at most an hour."""
    base = _setting("TRACKER_OUTBOX_RETRY_SECONDS", 30)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


def send_one(row: OutboxMessage) -> str:
    """Send a claimed row and commit its outcome; returns the new state."""
    sender = outbox.sender_for(row.channel)
    now = utcnow()
    values: dict = {"lease_until": None}
    try:
        if sender is None:
            raise outbox.Keep(f"no sender for {row.channel}")
        sender(row)
    except outbox.Keep as error:
        values |= {"state": "kept", "last_error": str(error)[:300]}
    except outbox.Permanent as error:
        values |= {"state": "failed", "last_error": str(error)[:300]}
    except Exception as error:  # any failure is retried, then given up
        db.session.rollback()
        give_up = (row.retry_from or row.created_at) + timedelta(
            hours=_setting("TRACKER_OUTBOX_GIVE_UP_HOURS", 24)
        )
        retry_at = utcnow() + backoff(row.attempts)
        message = f"{type(error).__name__}: {error}"[:300]
        if retry_at > give_up:
            values |= {"state": "failed", "last_error": message}
        else:
            values |= {"state": "pending", "next_attempt_at": retry_at, "last_error": message}
        log.warning(
            "outbox %s (%s) attempt %s failed: %s", row.id, row.event, row.attempts, message
        )
    else:
        values |= {"state": "sent", "sent_at": now, "last_error": None}
    # Only the claim this worker holds: a row taken over after an expired lease is not touched.
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.state == "sending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return values["state"]


def deliver_due(limit: int = 500) -> int:
    """Send due rows one by one until none is due (or limit); returns how many were sent."""
    sent = 0
    for _ in range(limit):
        row = claim()
        if row is None:
            break
        if send_one(row) == "sent":
            sent += 1
    return sent


def retry(actor, row_id: int) -> bool:
    """Queue a failed or kept row again at once (an admin's request, audited); commits."""
    from tracker import activity

    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.state.in_(("failed", "kept")))
        .values(
            state="pending",
            next_attempt_at=utcnow(),
            attempts=0,
            retry_from=utcnow(),
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        row = db.session.get(OutboxMessage, row_id)
        activity.audit(actor, "delivery_retried", row, {"event": [None, row.event]})
        outbox.mark_written()
    db.session.commit()
    return bool(result.rowcount)
