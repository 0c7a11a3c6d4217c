"""Gate reviews, partner confirmations, conditions, and the append-only stage history."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import ALL_STATUSES, DECISIONS, STAGES, Base, choice, utcnow
from tracker.models.directory import Organization
from tracker.models.project import Project
from tracker.models.user import User


class GateReview(Base):
    __tablename__ = "gate_reviews"
    __table_args__ = (
        # One pending request per project at a time, enforced by the database too.
        sa.Index(
            "uq_gate_reviews_one_pending",
            "project_id",
            unique=True,
            sqlite_where=sa.text("decision = 'pending'"),
            postgresql_where=sa.text("decision = 'pending'"),
        ),
        sa.Index("ix_gate_reviews_decision_requested", "decision", "requested_at"),
        sa.Index("ix_gate_reviews_project_requested", "project_id", "requested_at"),
        sa.CheckConstraint("from_stage <> to_stage", name="moves"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    from_stage: Mapped[str] = mapped_column(choice("gate_from_stage", STAGES))
    to_stage: Mapped[str] = mapped_column(choice("gate_to_stage", STAGES))
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    decision: Mapped[str] = mapped_column(choice("gate_decision", DECISIONS), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    project: Mapped[Project] = relationship(lazy="raise")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id], lazy="raise")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="raise")


class GateConfirmation(Base):
    __tablename__ = "gate_confirmations"
    __table_args__ = (
        sa.UniqueConstraint(
            "gate_review_id", "organization_id", name="uq_gate_confirmations_review_org"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gate_review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("gate_reviews.id", ondelete="CASCADE")
    )
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="raise")


class GateCondition(Base):
    """A condition attached to a conditional go; open ones block the next gate request."""

    __tablename__ = "gate_conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    gate_review_id: Mapped[int] = mapped_column(
        sa.ForeignKey("gate_reviews.id", ondelete="CASCADE")
    )
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.String(500))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class StageEvent(Base):
    """Append-only record of every stage or status change; time-in-stage comes from here."""

    __tablename__ = "stage_events"
    __table_args__ = (
        sa.Index("ix_stage_events_project_at", "project_id", "at"),
        sa.Index("ix_stage_events_to_stage_at", "to_stage", "at"),
        # the quarterly report's stops of a quarter, first rows by date
        sa.Index("ix_stage_events_to_status_at", "to_status", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(choice("event_from_stage", STAGES))
    to_stage: Mapped[str] = mapped_column(choice("event_to_stage", STAGES))
    from_status: Mapped[str | None] = mapped_column(choice("event_from_status", ALL_STATUSES))
    to_status: Mapped[str] = mapped_column(choice("event_to_status", ALL_STATUSES))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    gate_review_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("gate_reviews.id", ondelete="SET NULL")
    )

    actor: Mapped[User | None] = relationship(lazy="raise")
