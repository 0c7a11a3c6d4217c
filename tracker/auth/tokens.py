"""API tokens: random, shown once, stored only as SHA-256 digests looked up by index."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import joinedload

from tracker.database import transaction
from tracker.extensions import db
from tracker.models import ApiToken, User, utcnow
from tracker.models.base import TOKEN_SCOPES

TOKEN_BYTES = 32
# Writing last_used_at on every call would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    user: User, name: str, actor: User | None = None, scope: str = "write"
) -> tuple[str, ApiToken]:
    """Create a token for user; returns the clear token (shown once) and its row. Commits.

    scope: "write" (all the user may do) or "read" (GET only)."""
    if scope not in TOKEN_SCOPES:
        raise ValueError(f"unknown token scope {scope!r}")
    from tracker.activity import audit

    token = "trk_" + secrets.token_urlsafe(TOKEN_BYTES)
    with transaction():
        row = ApiToken(
            user_id=user.id,
            name=(name or "API token").strip()[:100],
            token_hash=digest(token),
            scope=scope,
        )
        db.session.add(row)
        db.session.flush()
        audit(
            actor or user,
            "api_token_created",
            row,
            {"name": [None, row.name], "user_id": [None, user.id], "scope": [None, scope]},
        )
    return token, row


def user_for_token(token: str) -> User | None:
    """The active user owning an unrevoked token, or None."""
    if not token:
        return None
    # Read and record last use on short connections of their own, before the request's session
    # begins: on SQLite a write beside an open session transaction waits on its lock (write
    # requests begin IMMEDIATE) or leaves the session's snapshot stale.
    columns = (
        ApiToken.id,
        ApiToken.user_id,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        ApiToken.scope,
    )
    with db.engine.connect() as connection:
        row = connection.execute(
            sa.select(*columns).where(ApiToken.token_hash == digest(token))
        ).first()
    if row is None or row.revoked_at is not None:
        return None
    if has_request_context():
        g.api_token_scope = row.scope  # tracker.api.integration refuses writes of read tokens
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        with db.engine.begin() as connection:
            connection.execute(
                sa.update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
            )
    # managed_sites in the same statement, as the page user loader does: saves a query a call.
    user = db.session.get(User, row.user_id, options=[joinedload(User.managed_sites)])
    return user if user is not None and user.active else None


def revoke_token(token_row: ApiToken, actor: User) -> None:
    from tracker.activity import audit

    if token_row.revoked_at is None:
        with transaction():
            token_row.revoked_at = utcnow()
            audit(actor, "api_token_revoked", token_row, {"name": [token_row.name, token_row.name]})
