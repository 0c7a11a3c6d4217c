"""Sites, themes and organizations: the network's directory."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import (
    ORG_KINDS,
    SITE_KINDS,
    Base,
    choice,
    localized,
    localized_column,
    utcnow,
)

site_themes = sa.Table(
    "site_themes",
    Base.metadata,
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)
organization_sites = sa.Table(
    "organization_sites",
    Base.metadata,
    sa.Column(
        "organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_organization_sites_site_id", "site_id"),
)
organization_themes = sa.Table(
    "organization_themes",
    Base.metadata,
    sa.Column(
        "organization_id", sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_organization_themes_theme_id", "theme_id"),
)


class LocalizedName:
    """A name kept in English (name_en, column "name"), German and Swedish (name_de, name_sv)."""

    @hybrid_property
    def name(self) -> str:
        """The name in the reader's language, English when none is given; in SQL the English."""
        return localized(self, "name")

    @name.inplace.setter
    def _name_setter(self, value: str) -> None:
        self.name_en = value

    @name.inplace.expression
    @classmethod
    def _name_expression(cls):
        return localized_column(cls, "name")


class Theme(LocalizedName, Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    # The English name in column "name"; name_de/name_sv when an admin gave them.
    name_en: Mapped[str] = mapped_column("name", sa.String(120))
    name_de: Mapped[str | None] = mapped_column(sa.String(120))
    name_sv: Mapped[str | None] = mapped_column(sa.String(120))

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"


class Site(LocalizedName, Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name_en: Mapped[str] = mapped_column("name", sa.String(120))  # as Theme's
    name_de: Mapped[str | None] = mapped_column(sa.String(120))
    name_sv: Mapped[str | None] = mapped_column(sa.String(120))
    city: Mapped[str] = mapped_column(sa.String(120))
    country: Mapped[str] = mapped_column(sa.String(2))
    kind: Mapped[str] = mapped_column(choice("site_kind", SITE_KINDS), default="satellite")
    focus: Mapped[str] = mapped_column(sa.Text, default="")
    themes: Mapped[list[Theme]] = relationship(
        secondary=site_themes, lazy="raise", order_by=Theme.name
    )

    def __repr__(self) -> str:
        return f"<Site {self.slug}>"


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (
        sa.Index("uq_organizations_name_lower", sa.text("lower(name)"), unique=True),
        sa.CheckConstraint("length(country) = 2", name="country_alpha2"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(choice("organization_kind", ORG_KINDS), index=True)
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    member_since: Mapped[date | None]
    # Lower-case domains (admins set them): a verified single sign-on address at one of them may
    # ask to join as a member of this organization, approved by a manager of one of its sites.
    email_domains: Mapped[list[str]] = mapped_column(
        sa.JSON, default=list, server_default=sa.text("'[]'")
    )
    # What the organization offers and seeks (short public texts of the directory).
    offer: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    seek: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Optimistic locking: every UPDATE checks and bumps it (version_id_col below); the server
    # default covers rows inserted without the ORM (bench data, the migration's backfill).
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    sites: Mapped[list[Site]] = relationship(
        secondary=organization_sites, lazy="raise", order_by=Site.name
    )
    themes: Mapped[list[Theme]] = relationship(
        secondary=organization_themes, lazy="raise", order_by=Theme.name
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_member(self) -> bool:
        return self.member_since is not None

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"
