"""Cursor pages: keyset on id ascending, an opaque cursor, `limit` between 1 and 100."""

import base64
import binascii

import marshmallow as ma
import sqlalchemy as sa
from flask_babel import gettext as _

from tracker.extensions import db

DEFAULT_LIMIT = 50
MAX_LIMIT = 100


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a cursor points after; ValueError when it is not one we handed out."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("not a cursor") from error
    if not text.isdigit() or len(text) > 18:
        raise ValueError("not a cursor")
    return int(text)


class Cursor(ma.fields.String):
    """An opaque cursor in a query string, loaded as the last id seen."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return decode_cursor(text)
        except ValueError as error:
            raise ma.ValidationError(
                _("Not a valid cursor: pass the next_cursor of the previous page unchanged.")
            ) from error


class PageArgs(ma.Schema):
    """?limit= and ?cursor=; unknown query parameters are ignored."""

    class Meta:
        unknown = ma.EXCLUDE

    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."},
    )
    cursor = Cursor(
        metadata={"description": "The next_cursor of the previous page; omit for the first."},
    )


def page_of(query: sa.Select, id_column, args: dict) -> dict:
    """One page of query's rows after the cursor, and the cursor of the next page (or None)."""
    limit = args["limit"]
    if args.get("cursor") is not None:
        query = query.where(id_column > args["cursor"])
    rows = list(db.session.scalars(query.order_by(id_column).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].id) if more else None}
