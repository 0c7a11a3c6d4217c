"""Cooperation projects, their participants, themes and exit-criterion ticks."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import (
    ALL_STATUSES,
    PARTICIPATION_ROLES,
    PROJECT_KINDS,
    STAGES,
    STATUSES,
    VISIBILITIES,
    Base,
    choice,
    localized,
    localized_column,
    utcnow,
)
from tracker.models.directory import Organization, Site, Theme

project_themes = sa.Table(
    "project_themes",
    Base.metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id", ondelete="RESTRICT"), primary_key=True),
    sa.Index("ix_project_themes_theme_id", "theme_id"),
)


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        # Board columns ("most recently active first" within a stage) and their counts, read
        # from the index alone: the filters' columns ride along.
        sa.Index(
            "ix_projects_board",
            "stage",
            "last_activity_at",
            "id",
            "status",
            "visibility",
            "site_id",
        ),
        # The board's column counts: an index-only scan.
        sa.Index(
            "ix_projects_stage_status_visibility_site", "stage", "status", "visibility", "site_id"
        ),
        # The project list's default order (most recent activity first) at 100,000 projects.
        sa.Index("ix_projects_last_activity_id", "last_activity_at", "id"),
        # The list's other sorts (keyset pages on sort key, id).
        sa.Index("ix_projects_created_id", "created_at", "id"),
        sa.Index("ix_projects_stage_entered_id", "stage_entered_at", "id"),
        sa.Index("ix_projects_title_lower_id", sa.text("lower(title)"), "id"),
        # A site's board column counts read from the index alone on SQLite (1.3 -> 0.2 ms at
        # 10,000 projects), and the site's projects by stage.
        sa.Index(
            "ix_projects_site_stage_status_visibility", "site_id", "stage", "status", "visibility"
        ),
        sa.Index("ix_projects_status_stage", "status", "stage"),
        # The dashboard's live stalled count: a range, not every project of the scope.
        sa.Index("ix_projects_stalled", "status", "stage", "last_activity_at", "site_id"),
        sa.CheckConstraint("version > 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="RESTRICT"))
    lead_organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(choice("project_kind", PROJECT_KINDS), default="product")
    stage: Mapped[str] = mapped_column(choice("stage", STAGES), default="develop")
    status: Mapped[str] = mapped_column(choice("status", ALL_STATUSES), default="active")
    visibility: Mapped[str] = mapped_column(
        choice("visibility", VISIBILITIES), default="network", index=True
    )
    target_test_on: Mapped[date | None]
    target_market_on: Mapped[date | None]
    launched_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    site: Mapped[Site] = relationship(lazy="raise")
    lead_organization: Mapped[Organization] = relationship(lazy="raise")
    themes: Mapped[list[Theme]] = relationship(
        secondary=project_themes, lazy="raise", order_by=Theme.name
    )
    participations: Mapped[list["Participation"]] = relationship(
        back_populates="project", lazy="raise", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def participating_organization_ids(self) -> set[int]:
        return {p.organization_id for p in self.participations}

    @classmethod
    def counted(cls) -> sa.ColumnElement[bool]:
        """WHERE condition of the projects every count, home page and "what needs me" list
        includes: withdrawn ones leave them all (design §16) and stay reachable by address."""
        return cls.status.in_(STATUSES)

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.title!r}>"


class Participation(Base):
    __tablename__ = "participations"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "organization_id", name="uq_participations_project_org"),
        # At most one lead per project; the service writes the lead row with the project.
        sa.Index(
            "uq_participations_one_lead",
            "project_id",
            unique=True,
            sqlite_where=sa.text("role = 'lead'"),
            postgresql_where=sa.text("role = 'lead'"),
        ),
        sa.Index("ix_participations_org_project", "organization_id", "project_id"),
        # the quarterly report's new cooperations of a quarter, first rows by date
        sa.Index("ix_participations_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    role: Mapped[str] = mapped_column(choice("participation_role", PARTICIPATION_ROLES))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="participations", lazy="raise")
    organization: Mapped[Organization] = relationship(lazy="raise")


class StageCriterion(Base):
    """An exit criterion of a stage: network default (site_id NULL) or a site's own."""

    __tablename__ = "stage_criteria"
    __table_args__ = (sa.Index("ix_stage_criteria_stage_site", "stage", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(choice("criterion_stage", STAGES))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="CASCADE"))
    # The English title in column "title"; title_de/title_sv when an admin gave them.
    title_en: Mapped[str] = mapped_column("title", sa.String(200))
    title_de: Mapped[str | None] = mapped_column(sa.String(200))
    title_sv: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @hybrid_property
    def title(self) -> str:
        """The title in the reader's language, English when none is given; in SQL the English."""
        return localized(self, "title")

    @title.inplace.setter
    def _title_setter(self, value: str) -> None:
        self.title_en = value

    @title.inplace.expression
    @classmethod
    def _title_expression(cls):
        return localized_column(cls, "title")


class CriterionTick(Base):
    __tablename__ = "criterion_ticks"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "criterion_id", name="uq_criterion_ticks_project_crit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stage_criteria.id", ondelete="CASCADE"), index=True
    )
    ticked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    ticked_at: Mapped[datetime] = mapped_column(default=utcnow)
