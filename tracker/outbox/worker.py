"""Sending the outbox: claim one due row at a time, send it, record the outcome.

A claim is one conditional UPDATE (on PostgreSQL over a SELECT … FOR UPDATE SKIP LOCKED) that
moves the row to "sending" with a lease, committed before anything is sent: two workers never
hold the same row. The outcome is committed right after the send. A worker killed in between
leaves the row "sending" until its lease ends; then any worker takes it again (same
Message-ID). Failures are retried with doubling delays until 24 hours after the row was written.
"""

import logging
import time
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
    # The claim must begin its transaction (SQLite: a read transaction left open could not
    # become a write once another worker committed). The worker has nothing pending here.
    db.session.rollback()
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
    """Send a claimed row and commit its outcome; returns the new state.

    The sender only reads; the outcome is written in a transaction of its own that starts
    with the UPDATE (on SQLite a read transaction left open over the send could not be
    turned into a write once another worker has committed)."""
    sender = outbox.sender_for(row.channel)
    row_id, event, attempts = row.id, row.event, row.attempts
    started = row.retry_from or row.created_at
    values: dict = {"lease_until": None}
    try:
        if sender is None:
            raise outbox.Keep(f"no sender for {row.channel}")
        extra = sender(row)
    except outbox.Keep as error:
        values |= {"state": "kept", "last_error": str(error)[:300]}
    except outbox.Permanent as error:
        values |= {"state": "failed", "last_error": str(error)[:300]}
    except Exception as error:  # any failure is retried, then given up
        give_up = started + timedelta(hours=_setting("TRACKER_OUTBOX_GIVE_UP_HOURS", 24))
        retry_at = utcnow() + backoff(attempts)
        message = f"{type(error).__name__}: {error}"[:300]
        if retry_at > give_up:
            values |= {"state": "failed", "last_error": message}
        else:
            values |= {"state": "pending", "next_attempt_at": retry_at, "last_error": message}
        log.warning("outbox %s (%s) attempt %s failed: %s", row_id, event, attempts, message)
    else:
        values |= {"state": "sent", "sent_at": utcnow(), "last_error": None, **(extra or {})}
    db.session.rollback()
    _record(row_id, values)
    return values["state"]


def _record(row_id: int, values: dict, tries: int = 5) -> None:
    """Write the outcome; a row taken over after an expired lease is not touched. Retried a
    few times: an outcome not written means the message is sent again after the lease."""
    statement = (
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.state == "sending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    for attempt in range(tries):
        try:
            db.session.execute(statement)
            db.session.commit()
            return
        except sa.exc.OperationalError:
            db.session.rollback()
            if attempt == tries - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


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


def seconds_to_next_retry() -> float | None:
    """Seconds until the earliest waiting retry (or expiring lease), None when none waits."""
    now = utcnow()
    soonest = db.session.scalar(
        sa.select(
            sa.func.min(
                sa.case(
                    (OutboxMessage.state == "sending", OutboxMessage.lease_until),
                    else_=OutboxMessage.next_attempt_at,
                )
            )
        ).where(
            OutboxMessage.state.in_(("pending", "sending")),
            OutboxMessage.channel.in_(outbox.registered_channels()),
        )
    )
    if soonest is None:
        return None
    if soonest.tzinfo is None:
        soonest = soonest.replace(tzinfo=now.tzinfo)
    return max((soonest - now).total_seconds(), 0.0)
