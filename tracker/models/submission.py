"""One-time submit tokens of create forms (design.md §16, "Mistakes can be mended")."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, utcnow


class SubmitToken(Base):
    """A create form's hidden one-time token, claimed by the first POST that carries it.

    The claim is a committed INSERT on the primary key before the view runs, so of two
    concurrent POSTs with the same token exactly one goes on; the other waits for the
    first one's result (``url``, the page its redirect went to) and is sent there."""

    __tablename__ = "submit_tokens"
    __table_args__ = (sa.Index("ix_submit_tokens_created_at", "created_at"),)

    token: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
