"""One-time submit tokens against double submits of create forms (design.md §16).

Every create form renders ``{{ submit_token_field() }}``: a hidden field with a fresh random
token. The first POST that carries a token claims it (a committed INSERT on the token, the
primary key, before the view runs); when the view answers with a redirect, the page it
redirects to is kept with the token. A second POST with the same token (a double click, Back
and resubmit) creates nothing: it is sent to that page. Two POSTs at the same time: the
unique key lets one claim the token, the other waits for its result. When the first POST did
not create anything (a form error, a refusal), its claim is dropped, so the form can be sent
again. A POST without a token is processed as before.
"""

import re
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, abort, current_app, flash, g, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from tracker.database import keep, transaction
from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.models.submission import SubmitToken

FIELD = "submit_token"
WAIT_SECONDS = 10.0  # how long a concurrent duplicate waits for the first POST's result
KEEP_FOR = timedelta(days=2)  # claims older than this are removed when the user claims a new one
_VALID = re.compile(r"[A-Za-z0-9_-]{16,64}")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def field() -> Markup:
    """The hidden input of a create form (a Jinja global: ``{{ submit_token_field() }}``)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, new_token())


def _token_of_request() -> str | None:
    if request.method != "POST" or request.mimetype not in _FORM_TYPES:
        return None
    token = request.form.get(FIELD, "")
    return token if _VALID.fullmatch(token) else None


def _claim(user_id: int, token: str) -> bool:
    """Insert the claim; False when the token is claimed already."""
    try:
        with transaction():
            db.session.execute(
                sa.delete(SubmitToken).where(
                    SubmitToken.user_id == user_id, SubmitToken.created_at < utcnow() - KEEP_FOR
                )
            )
            db.session.execute(
                sa.insert(SubmitToken).values(token=token, user_id=user_id, created_at=utcnow())
            )
            keep(current_user._get_current_object(), relationships=True)
    except IntegrityError:
        return False
    return True


def _before_request():
    token = _token_of_request()
    if token is None or not current_user.is_authenticated:
        return None
    user_id = current_user.id
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if _claim(user_id, token):
            g.submit_token = token
            return None
        row = db.session.execute(
            sa.select(SubmitToken.user_id, SubmitToken.url).where(SubmitToken.token == token)
        ).first()
        db.session.rollback()  # no transaction (and, on SQLite, no write lock) while waiting
        if row is None:
            continue  # the first POST created nothing and let the token go: this one may go on
        if row.user_id != user_id:
            abort(400)
        if row.url:
            flash(_("This form was sent already; nothing was added a second time."), "info")
            return redirect(row.url, 303)
        if time.monotonic() > deadline:
            abort(409)
        time.sleep(0.1)


def _after_request(response):
    token = g.pop("submit_token", None)
    if token is None:
        return response
    location = (
        response.headers.get("Location") if response.status_code in (301, 302, 303, 307) else None
    )
    try:
        db.session.rollback()  # the view committed what it made; nothing else may ride along
        with transaction():
            claim = sa.update if location else sa.delete
            statement = claim(SubmitToken).where(SubmitToken.token == token)
            if location:
                statement = statement.values(url=location[:500])
            db.session.execute(statement)
    except Exception:  # never turn a finished request into an error page
        db.session.rollback()
        current_app.logger.exception("could not keep the result of submit token")
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["submit_token_field"] = field
    app.before_request(_before_request)
    app.after_request(_after_request)
