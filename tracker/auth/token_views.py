"""API tokens on the account page: create (shown once), list and revoke one's own."""

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from tracker.auth.blueprint import bp
from tracker.auth.tokens import create_token, revoke_token
from tracker.extensions import db
from tracker.models import ApiToken, User

MAX_LISTED = 100


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[
            DataRequired(_l("Name the token, for example after the program that will use it.")),
            Length(max=100),
        ],
        filters=[_strip],
        id="token-name",  # the account page holds other forms too
    )
    scope = RadioField(
        _l("What the token may do"),
        choices=[
            SelectChoice("write", _l("Read and change (everything you may do)")),
            SelectChoice("read", _l("Only read")),
        ],
        default="write",
        id="token-scope",
    )


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
            .limit(MAX_LISTED)
        )
    )


@bp.app_template_global()
def account_tokens() -> list[ApiToken]:
    """For the account page's token list (templates/auth/_tokens.html)."""
    return tokens_of(current_user) if current_user.is_authenticated else []


@bp.app_template_global()
def new_token_form() -> TokenForm:
    return TokenForm(formdata=None)


def _user() -> User:
    return current_user._get_current_object()


@bp.post("/account/tokens")
@login_required
def create_api_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return render_template("auth/tokens.html", token_form=form), 422
    token, row = create_token(_user(), form.name.data, scope=form.scope.data or "write")
    # The clear token exists only in this response: never in a flash, a URL or a cache.
    response = make_response(
        render_template(
            "auth/tokens.html", token_form=TokenForm(formdata=None), new_token=token, new_row=row
        ),
        201,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    user = _user()
    # Only one's own tokens; another user's token answers 404 like one that does not exist.
    row = db.first_or_404(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if row.revoked_at is not None:
        flash(_("The token “%(name)s” was already revoked.", name=row.name), "info")
    else:
        revoke_token(row, user)
        flash(
            _("Token “%(name)s” revoked: programs using it can no longer sign in.", name=row.name),
            "success",
        )
    return redirect(url_for("auth.account", _anchor="api-tokens"))
