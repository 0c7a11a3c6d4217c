"""What lets a member's system call the API safely: token scopes, Idempotency-Key on POST,
and entity tags with 304 on every read (design §13).

- A `read` token may only GET (and HEAD); anything else answers 403 read-only-token before
  the body is looked at.
- A POST with `Idempotency-Key: <key>` stores its answer with the change it made (same
  transaction): a repeat with the same key and the same request gets the first answer and
  changes nothing (header `Idempotent-Replayed: true`); the same key with another request
  answers 422; while the first is still running, 409. Keys are kept 24 hours per user.
- Every successful GET carries an ETag, a digest of the body it answers, so it changes with
  anything the reply shows (a project's last activity, partners, withheld fields, a list's
  items and cursor). Projects and organizations put their version first
  (`"<version>-<digest>"`), so the tag sent back as If-Match says which version was read
  (only the version is compared: a write after mere activity is no conflict).
  `If-None-Match` with the tag answers 304 without a body.
"""

import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import Conflict, Forbidden, UnprocessableEntity

from tracker.api.auth import api_user
from tracker.api.blueprint import bp
from tracker.api.problems import typed
from tracker.auth import permissions
from tracker.extensions import db
from tracker.models import IdempotencyKey, utcnow

KEEP_FOR = timedelta(hours=24)
KEY_LIMIT = 200
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
_REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


@bp.before_request
def refuse_writes_with_read_tokens() -> None:
    if request.method in READ_METHODS:
        return
    if not permissions.can_write_with_token(g.get("api_token_scope")):
        raise typed(
            Forbidden(
                _(
                    "This API token may only read (scope read). Create a token with the "
                    "write scope on /account to make changes."
                )
            ),
            "read-only-token",
        )


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.full_path):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _replay(row: IdempotencyKey) -> Response:
    response = Response(row.body or "", status=row.status)
    for name, value in (row.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.before_request
def idempotent_posts() -> Response | None:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or key is None:
        return None
    key = key.strip()
    if not key or len(key) > KEY_LIMIT:
        error = UnprocessableEntity(
            _("Idempotency-Key must be 1 to %(limit)s characters.", limit=KEY_LIMIT)
        )
        error.data = {"messages": {"Idempotency-Key": [error.description]}}
        raise error
    user = api_user()
    request_hash = _request_hash()
    row = db.session.scalar(
        sa.select(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id, IdempotencyKey.key == key
        )
    )
    now = utcnow()
    if row is not None and now - row.created_at <= KEEP_FOR:
        if row.request_hash != request_hash:
            raise typed(
                UnprocessableEntity(
                    _(
                        "This Idempotency-Key was used for another request in the last 24 "
                        "hours; use a new key for a new request."
                    )
                ),
                "idempotency-key-reused",
            )
        if row.status is None:
            raise typed(
                Conflict(
                    _("A request with this Idempotency-Key is still running; try again soon.")
                ),
                "idempotency-in-progress",
            )
        return _replay(row)
    if row is None:
        row = IdempotencyKey(user_id=user.id, key=key)
        db.session.add(row)
    # A fresh key (or one older than 24 hours, reused): written with the request's change.
    row.request_hash, row.status, row.body, row.headers = request_hash, None, None, {}
    row.created_at = now
    g.idempotency_row, g.idempotency_hash = row, request_hash
    return None


@bp.after_request
def remember_the_answer(response: Response) -> Response:
    row = g.pop("idempotency_row", None)
    if row is None:
        return response
    state = sa.inspect(row)
    if state.transient or state.detached:
        return response  # the request was refused and rolled back: nothing to replay
    if response.status_code >= 400:
        if state.pending:
            db.session.expunge(row)  # refused without a rollback: nothing was changed
            return response
        if row.status is not None or row.request_hash != g.get("idempotency_hash"):
            return response  # rolled back to an older use of the key: leave it
    row.status = response.status_code
    row.body = response.get_data(as_text=True)
    row.headers = {
        name: response.headers[name] for name in _REPLAYED_HEADERS if name in response.headers
    }
    db.session.execute(
        sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP_FOR)
    )
    db.session.commit()
    return response


# A view's `ETag: "<version>"` (tracker.api.views.projects.with_etag): completed here.
_VERSION_TAG = re.compile(r'^"(\d{1,10})"$')


def body_digest(response: Response) -> str:
    return hashlib.sha256(response.get_data()).hexdigest()[:20]


@bp.after_request
def entity_tags(response: Response) -> Response:
    if response.status_code not in {200, 201} or not response.is_json:
        return response
    version = _VERSION_TAG.match(response.headers.get("ETag", ""))
    if version is not None:
        response.set_etag(f"{version.group(1)}-{body_digest(response)}")
    if request.method not in {"GET", "HEAD"} or response.status_code != 200:
        return response
    if "ETag" not in response.headers:
        response.set_etag(body_digest(response))
    return response.make_conditional(request)
