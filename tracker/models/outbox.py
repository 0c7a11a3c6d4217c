"""The outbox (every e-mail and webhook call, written in the transaction of its cause), e-mail
preferences per user and event group, and the reminders already given."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, choice, utcnow

CHANNELS = ("email", "webhook")
# pending: waits for (another) attempt; sending: claimed by a worker until lease_until;
# sent; failed: gave up (24 h of retries, or a permanent refusal); kept: no SMTP configured.
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "kept")
EMAIL_CHOICES = ("now", "digest", "never")
DIGEST_RHYTHMS = ("daily", "weekly")


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_state_next", "state", "next_attempt_at"),
        sa.Index("ix_outbox_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(choice("outbox_channel", CHANNELS))
    # The X-Tracker-Event value: gate.requested, digest, invitation, ...
    event: Mapped[str] = mapped_column(sa.String(40))
    # E-mail: the recipient (address read when sending). Webhook: the webhook's id.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int | None]
    project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="SET NULL")
    )
    # The in-app notification an "at once" e-mail repeats (its text is rendered when sending).
    notification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("notifications.id", ondelete="SET NULL"), index=True
    )
    template: Mapped[str] = mapped_column(sa.String(60), default="")
    params: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, default=dict)
    # Only one row per key (digests per user and period): a second worker's copy is refused.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    state: Mapped[str] = mapped_column(choice("outbox_state", OUTBOX_STATES), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An admin's retry starts another 24 hours of attempts from here.
    retry_from: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(300))


class NotificationPreference(Base):
    """A user's choice for one event group; without a row the role's default applies."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    event_group: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    email: Mapped[str] = mapped_column(choice("email_choice", EMAIL_CHOICES))


class NotificationSettings(Base):
    """Digest rhythm and time zone, the last digest, and the calendar feed's secret."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(choice("digest_rhythm", DIGEST_RHYTHMS), default="daily")
    time_zone: Mapped[str] = mapped_column(sa.String(60), default="Europe/Berlin")
    # Random; the feed's token is this plus an HMAC under SECRET_KEY (tracker/outbox/calendar.py).
    calendar_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)


class ReminderSent(Base):
    """A due or overdue reminder already given (one per object, kind and due date)."""

    __tablename__ = "reminders_sent"

    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    object_type: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    object_id: Mapped[int] = mapped_column(primary_key=True)
    due_on: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
