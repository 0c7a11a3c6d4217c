"""Every user's API tokens for admins: list, filter by e-mail, revoke."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from tracker import keyset
from tracker.admin.blueprint import bp
from tracker.auth import permissions
from tracker.auth.tokens import revoke_token
from tracker.auth.views import require
from tracker.database import text_match
from tracker.extensions import db
from tracker.keyset import Key
from tracker.models import ApiToken, User

# The list's order, by which it pages (keyset): working tokens first, then newest first.
TOKEN_KEYS = (
    Key(sa.case((ApiToken.revoked_at.is_(None), 0), else_=1), int),
    Key(ApiToken.created_at, datetime, descending=True),
    Key(ApiToken.id, int, descending=True),
)


def token_query(email: str) -> sa.Select:
    """All tokens, working ones first, newest first; narrowed to users whose e-mail matches."""
    query = (
        sa.select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .options(joinedload(ApiToken.user))
        .order_by(*(key.column.desc() if key.descending else key.column for key in TOKEN_KEYS))
    )
    if email:
        query = query.where(text_match(email.lower(), User.email))
    return query


def _email_filter() -> str:
    return (request.values.get("email") or "").strip()[:254]


@bp.get("/tokens")
@login_required
def tokens():
    require(permissions.can_manage_users(current_user))
    email = _email_filter()
    page = keyset.requested_page(token_query(email), TOKEN_KEYS, current_app.config["PAGE_SIZE"])
    if not isinstance(page, keyset.Page):  # an old numbered link, redirected
        return page
    filters = {"email": email} if email else {}
    return render_template("admin/tokens.html", page=page, email=email, filters=filters)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_any_token(token_id: int):
    actor = current_user._get_current_object()
    require(permissions.can_manage_users(actor))
    row = db.get_or_404(ApiToken, token_id)
    if row.revoked_at is not None:
        flash(
            _(
                "The token “%(name)s” of %(email)s was already revoked.",
                name=row.name,
                email=row.user.email,
            ),
            "info",
        )
    else:
        revoke_token(row, actor)
        flash(
            _("Revoked the token “%(name)s” of %(email)s.", name=row.name, email=row.user.email),
            "success",
        )
    email = _email_filter()
    return redirect(url_for("admin.tokens", **({"email": email} if email else {})))
