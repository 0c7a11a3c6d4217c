"""A site manager's nudge: a question to a quiet project's lead organization."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow
from tracker.models.user import User


class Nudge(Base):
    """At most one per project per week (the service checks); answered once the project
    shows activity after it (an update, a milestone, a tick, a gate request)."""

    __tablename__ = "nudges"
    __table_args__ = (sa.Index("ix_nudges_project_created", "project_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sent_by: Mapped[User | None] = relationship(lazy="raise")
