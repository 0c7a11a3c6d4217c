"""Partner requests and the interest organizations show in them; contact persons."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, choice, utcnow
from tracker.models.directory import Organization, Site, Theme

# The kinds of organization a request may seek, and the role the chosen one joins in.
SOUGHT_KINDS = ("startup", "research_institution", "member_company", "partner")
ROLE_FOR_KIND = {
    "startup": "startup",
    "research_institution": "research_partner",
    "member_company": "partner",
    "partner": "partner",
}
REQUEST_STATUSES = ("open", "filled", "withdrawn")
INTEREST_STATUSES = ("pending", "accepted", "declined")

partner_request_themes = sa.Table(
    "partner_request_themes",
    Base.metadata,
    sa.Column(
        "partner_request_id",
        sa.ForeignKey("partner_requests.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="RESTRICT"), primary_key=True),
)


class PartnerRequest(Base):
    """A project's lead (or its site's managers) looking for a partner of a kind."""

    __tablename__ = "partner_requests"
    __table_args__ = (sa.Index("ix_partner_requests_status_closes", "status", "closes_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(choice("sought_kind", SOUGHT_KINDS))
    role: Mapped[str] = mapped_column(
        choice("sought_role", ("partner", "research_partner", "startup", "pilot_customer"))
    )
    # The site the partner should be at; None: any site.
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    closes_on: Mapped[date]
    status: Mapped[str] = mapped_column(choice("partner_request_status", REQUEST_STATUSES))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site | None] = relationship(lazy="raise")
    themes: Mapped[list[Theme]] = relationship(
        secondary=partner_request_themes, lazy="raise", order_by=Theme.name
    )

    def is_open(self, today: date) -> bool:
        return self.status == "open" and self.closes_on >= today


class PartnerInterest(Base):
    """An organization's answer "interested" to a request, and the requester's decision."""

    __tablename__ = "partner_interests"
    __table_args__ = (
        sa.UniqueConstraint(
            "partner_request_id", "organization_id", name="uq_partner_interests_request_org"
        ),
        sa.Index("ix_partner_interests_org", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partner_requests.id", ondelete="CASCADE")
    )
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(choice("partner_interest_status", INTEREST_STATUSES))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    organization: Mapped[Organization] = relationship(lazy="raise")
    request: Mapped[PartnerRequest] = relationship(lazy="raise")


class Contact(Base):
    """A contact person of an organization (members and managers see them, patrons never)."""

    __tablename__ = "organization_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    position: Mapped[int] = mapped_column(default=0)
