"""Users, their managed sites, one-time links and API tokens."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import ROLES, TOKEN_SCOPES, Base, choice, utcnow
from tracker.models.directory import Organization, Site

site_managers = sa.Table(
    "site_managers",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_site_managers_site_id", "site_id"),
)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # E-mail is stored lower-cased; the index on lower() also guards rows written by hand.
        sa.Index("uq_users_email_lower", sa.text("lower(email)"), unique=True),
        sa.CheckConstraint(
            "role <> 'member' OR organization_id IS NOT NULL", name="member_has_organization"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(choice("user_role", ROLES), default="member")
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Encrypted (tracker/auth/two_factor_crypto.py): never the base32 secret itself.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    # The time step of the last accepted code: a code is refused once used (replay).
    totp_last_counter: Mapped[int | None]
    # The single sign-on provider whose sign-in created the account (it has no password).
    sso_provider: Mapped[str | None] = mapped_column(sa.String(40))
    # Set while an account made by single sign-on waits for a site manager's approval.
    approval_requested_at: Mapped[datetime | None]

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    managed_sites: Mapped[list[Site]] = relationship(
        secondary=site_managers, lazy="selectin", order_by=Site.name
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        # The session version rides in the session cookie, so bumping it logs out every copy.
        return f"{self.id}:{self.session_version}"

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret is not None

    @property
    def managed_site_ids(self) -> set[int]:
        return {site.id for site in self.managed_sites}

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class OneTimeLink(Base):
    """An invitation or password-reset link; only the SHA-256 of its token is stored."""

    __tablename__ = "one_time_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(choice("link_kind", ("invite", "reset")))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class RecoveryCode(Base):
    """A one-time two-factor recovery code; only the SHA-256 of the code is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # read: GET only; write: everything the user may do (design §13).
    scope: Mapped[str] = mapped_column(
        choice("token_scope", TOKEN_SCOPES), default="write", server_default="write"
    )

    user: Mapped[User] = relationship(lazy="joined")
