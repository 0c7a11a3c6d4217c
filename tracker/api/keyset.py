"""Cursor pages in another order than by id: keyset on (a timestamp column, id).

The cursor is opaque to callers (base64url of "<iso time>|<id>"); a cursor of the plain id
order (tracker.api.pagination) is refused with 422 when it does not fit the order asked for.
"""

import base64
import binascii
from datetime import datetime

import sqlalchemy as sa

from tracker.api.pagination import decode_cursor, encode_cursor
from tracker.extensions import db


def encode(value: datetime, row_id: int) -> str:
    text = f"{value.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
        when, _bar, row_id = text.partition("|")
        if not row_id.isdigit() or len(row_id) > 18:
            raise ValueError("not a cursor")
        return datetime.fromisoformat(when), int(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("not a cursor") from error


def bad_cursor():
    from flask_babel import gettext as _

    from tracker.api.views import invalid

    return invalid(
        "cursor", _("Not a valid cursor: pass the next_cursor of the previous page unchanged.")
    )


def page(
    query: sa.Select,
    key,
    id_column,
    cursor: str | None,
    limit: int,
    descending: bool = False,
    key_of=None,
) -> dict:
    """One page of query ordered by (key, id), ascending or descending, after cursor.

    key None orders by id alone (the plain cursor of tracker.api.pagination). key_of(row)
    gives a row's key value (default: the attribute of the key column's name)."""
    if key is None:
        if cursor is not None:
            try:
                last = decode_cursor(cursor)
            except ValueError:
                raise bad_cursor() from None
            query = query.where(id_column < last if descending else id_column > last)
        order = id_column.desc() if descending else id_column.asc()
        rows = list(db.session.scalars(query.order_by(order).limit(limit + 1)).unique())
        more = len(rows) > limit
        rows = rows[:limit]
        return {"items": rows, "next_cursor": encode_cursor(rows[-1].id) if more else None}
    if cursor is not None:
        try:
            value, last = decode(cursor)
        except ValueError:
            raise bad_cursor() from None
        query = query.where(
            sa.or_(
                key < value if descending else key > value,
                sa.and_(key == value, id_column < last if descending else id_column > last),
            )
        )
    order = (key.desc(), id_column.desc()) if descending else (key.asc(), id_column.asc())
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    if not more:
        return {"items": rows, "next_cursor": None}
    last_row = rows[-1]
    value = key_of(last_row) if key_of else getattr(last_row, key.key)
    return {"items": rows, "next_cursor": encode(value, last_row.id)}
