"""The quarterly report's own records: each site's highlight text and the published quarters.

A quarter is written "YYYY-Qn" (design.md §15). A highlight can be edited by its site's
manager (or an admin) until an admin publishes the quarter; publishing stores the content of
every edition as JSON, so a published report is shown from that snapshot and stays the same
however the data changes later.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, utcnow


class ReportHighlight(Base):
    __tablename__ = "report_highlights"
    __table_args__ = (sa.UniqueConstraint("quarter", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(sa.String(7))
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    site = relationship("Site")
    updated_by = relationship("User")


class ReportPublication(Base):
    __tablename__ = "report_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(sa.String(7), unique=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # {"<scope: network or a site slug>": {"patron": {...}, "full": {...}}}
    snapshot: Mapped[str] = mapped_column(sa.Text)

    published_by = relationship("User")
