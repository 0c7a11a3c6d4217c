"""Old numbered links (?page=N) of lists that page by cursor (keyset): answered by a redirect
to the same page by cursor when the list has that page, 404 when it has not, 400 when N is not
a page number; never an OFFSET over the whole list on every request, never a 500
(tracker/bounds.py already turns numbers beyond the database's range into 404)."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _

from tracker.extensions import db

MAX_PAGE = 2**31 - 1


def old_page_number() -> int | None:
    """The N of ?page=N, None without one; 400 if it is not a whole number from 1."""
    raw = request.args.get("page")
    if raw is None:
        return None
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        abort(400, description=_("A page number is a whole number from 1."))
    return int(text)


def same_list(**changes: str | None):
    """A redirect to this list with its other arguments, without page, with changes."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [value]
    return redirect(url_for(request.endpoint, **(request.view_args or {}), **args), 302)


def to_cursor(number: int, cursor_of_page) -> object:
    """The redirect for ?page=number: page 1 is the list itself; page N the cursor
    cursor_of_page(N) gives (None: the list has no such page, 404)."""
    if number == 1:
        return same_list()
    cursor = cursor_of_page(number)
    if cursor is None:
        abort(404, description=_("This list has no page %(number)s.", number=number))
    return same_list(after=cursor)


class BadCursor(ValueError):
    """A made-up or mangled page link."""


def encode_cursor(moment: datetime, ident: int, number: int) -> str:
    """A page link's position: a row's time and id (the keyset), and the page's number."""
    raw = json.dumps([moment.isoformat(), ident, number], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime, int, int]:
    """(time, id, page number) of a cursor encode_cursor made; BadCursor otherwise."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        at, ident, number = json.loads(raw)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not all(
            isinstance(n, int) and 0 < n <= MAX_PAGE for n in (ident, number)
        ):
            raise ValueError(at)
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as error:
        raise BadCursor(text) from error
    return moment, ident, number


def beyond(time_column, id_column, moment: datetime, ident: int, later: bool):
    """Rows after (later) or before the position (moment, ident) in (time, id) order, as
    time >= v AND (time > v OR id > i): both databases range-scan a (time, id) index."""
    if later:
        return sa.and_(time_column >= moment, sa.or_(time_column > moment, id_column > ident))
    return sa.and_(time_column <= moment, sa.or_(time_column < moment, id_column < ident))


@dataclass
class KeysetPage:
    """One page of a list newest first by (time, id): its rows (each without the two key
    columns), its number, how many pages and rows the list has, and its neighbours' cursors."""

    items: list
    page: int
    pages: int
    total: int
    previous: str | None = None
    next: str | None = None


def count_of(query: sa.Select, id_column) -> int:
    """How many rows query has (one statement)."""
    ids = query.with_only_columns(id_column).order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ids))


def newest_first(
    query: sa.Select,
    time_column,
    id_column,
    *,
    size: int,
    total: int,
    after: str | None = None,
    before: str | None = None,
) -> KeysetPage:
    """The page after the cursor after (older), before the cursor before (newer), or the
    first, of query in (time, id) order newest first: one statement whatever the page. A
    made-up cursor gives the first page."""
    query = query.add_columns(time_column.label("page_at"), id_column.label("page_id"))
    query = query.limit(size + 1)
    number, backwards = 1, False
    try:
        if after:
            at, ident, number = decode_cursor(after)
            query = query.where(beyond(time_column, id_column, at, ident, later=False))
        elif before:
            at, ident, number = decode_cursor(before)
            query = query.where(beyond(time_column, id_column, at, ident, later=True))
            backwards = True
    except BadCursor:
        number, backwards = 1, False
    ascending = (time_column.asc(), id_column.asc())
    descending = (time_column.desc(), id_column.desc())
    rows = db.session.execute(query.order_by(*(ascending if backwards else descending))).all()
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        if not more:
            number = 1  # back at the newest, whatever the link said
    pages = max(1, -(-total // size), number)
    result = KeysetPage([tuple(row)[:-2] for row in rows], number, pages, total)
    if rows and (backwards or more):
        result.next = encode_cursor(rows[-1].page_at, rows[-1].page_id, number + 1)
    if rows and (more if backwards else number > 1):
        result.previous = encode_cursor(rows[0].page_at, rows[0].page_id, max(1, number - 1))
    return result


def newest_first_cursor(
    query: sa.Select, time_column, id_column, *, size: int, number: int
) -> str | None:
    """The cursor of page number of query newest first (old ?page=N links), None beyond
    the last page: one OFFSET statement, once per old link."""
    if number < 2 or number > MAX_PAGE // size:
        return None
    row = db.session.execute(
        query.with_only_columns(time_column, id_column)
        .order_by(time_column.desc(), id_column.desc())
        .offset((number - 1) * size - 1)
        .limit(1)
    ).first()
    return None if row is None else encode_cursor(row[0], row[1], number)
