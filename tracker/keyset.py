"""Keyset pages of any list in a fixed order (design §17): a page is the rows after (or before)
a cursor, the key values of a row and the page's number, so a deep page costs what the first one
does. Old numbered links (?page=N) are redirected to the same page by cursor (tracker/paging.py).
The lists with orders of their own (projects, notifications, the review queue) keep theirs."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import flash, request
from flask_babel import gettext as _
from sqlalchemy.orm import lazyload

from tracker import paging
from tracker.extensions import db


@dataclass(frozen=True)
class Key:
    """One column (or SQL expression) of a list's order, the type of its values and its
    direction; a list's last key is unique (the id), so the order has no ties."""

    column: Any
    kind: type
    descending: bool = False


@dataclass
class Page:
    """One page: its rows (an entity, or a tuple when the list selects more than one), the
    number of matches, its number, and its neighbours' cursors (?before= / ?after=)."""

    items: list
    total: int
    page: int
    pages: int
    previous: str | None = None
    next: str | None = None


def encode(values: tuple, number: int) -> str:
    raw = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    text = json.dumps([*raw, number], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(text: str, keys: tuple[Key, ...]) -> tuple[tuple, int]:
    """(key values, page number) of a cursor encode made for these keys; BadCursor otherwise,
    before any value reaches the database (a string compared with a time column is a 500)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys) + 1:
            raise ValueError(text)
        *values, number = raw
        values = [_value(v, key.kind) for v, key in zip(values, keys, strict=True)]
        if type(number) is not int or not 0 < number <= paging.MAX_PAGE:
            raise ValueError(number)
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as error:
        raise paging.BadCursor(text) from error
    return tuple(values), number


def _value(raw, kind: type):
    if kind is datetime:
        moment = datetime.fromisoformat(raw["t"])
        if moment.tzinfo is None:  # every stored time is UTC; a naive one was made up
            raise ValueError(raw)
        return moment
    if type(raw) is not kind or (kind is int and not 0 <= raw <= paging.MAX_PAGE):
        raise ValueError(raw)
    return raw


def _order(keys: tuple[Key, ...], backwards: bool) -> list:
    return [k.column.desc() if k.descending != backwards else k.column.asc() for k in keys]


def _beyond(keys: tuple[Key, ...], values: tuple, forward: bool):
    """Rows after (forward) or before the position values in the keys' order, written as
    k1 >= v1 AND (k1 > v1 OR <the same for the other keys>) so an index on the keys is
    range-scanned from the position."""
    key, value = keys[0], values[0]
    up = forward != key.descending
    strictly = key.column > value if up else key.column < value
    if len(keys) == 1:
        return strictly
    rest = _beyond(keys[1:], values[1:], forward)
    return sa.and_(key.column >= value if up else key.column <= value, sa.or_(strictly, rest))


def _keyed(base: sa.Select, keys: tuple[Key, ...]) -> sa.Select:
    return base.order_by(None).add_columns(*(k.column for k in keys))


def page_of(
    base: sa.Select,
    keys: tuple[Key, ...],
    per_page: int,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """The page after the cursor after, before the cursor before, or the first: one statement
    for the count and one for the rows, whatever the page and the number of rows. A cursor
    that does not decode raises BadCursor."""
    counted = base.options(lazyload("*")).order_by(None).subquery()  # no eager loads in it
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    query = _keyed(base, keys).limit(per_page + 1)
    number, backwards = 1, False
    if after:
        values, number = decode(after, keys)
        query = query.where(_beyond(keys, values, forward=True))
    elif before:
        values, number = decode(before, keys)
        query, backwards = query.where(_beyond(keys, values, forward=False)), True
    rows = db.session.execute(query.order_by(*_order(keys, backwards))).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
        if not more:
            number = 1  # back at the start, whatever the link said
    n = len(keys)
    page = Page(
        items=[row[0] if len(row) == n + 1 else tuple(row[:-n]) for row in rows],
        total=total,
        page=number,
        pages=max(1, -(-total // per_page), number),
    )
    if rows and (backwards or more):
        page.next = encode(tuple(rows[-1][-n:]), min(number + 1, paging.MAX_PAGE))
    if rows and (more if backwards else number > 1):
        page.previous = encode(tuple(rows[0][-n:]), max(1, number - 1))
    return page


def cursor_of_page(base: sa.Select, keys: tuple[Key, ...], per_page: int, number: int):
    """The cursor of page number (the last row of the page before it), None when the page
    has no row: one OFFSET statement (two rows: that one and the page's first), once per old
    numbered link."""
    if number < 2 or number > paging.MAX_PAGE // per_page:
        return None
    query = _keyed(base, keys).order_by(*_order(keys, False))
    rows = db.session.execute(query.offset((number - 1) * per_page - 1).limit(2)).all()
    return None if len(rows) < 2 else encode(tuple(rows[0][-len(keys) :]), number)


def requested_page(base: sa.Select, keys: tuple[Key, ...], per_page: int):
    """The page the request asks for by ?after= or ?before=; for an old ?page=N the redirect
    to it (404 beyond the end, 400 for a nonsense N); a mangled cursor: the first page, said."""
    after, before = request.args.get("after"), request.args.get("before")
    number = paging.old_page_number()
    if number is not None and not (after or before):
        return paging.to_cursor(number, lambda n: cursor_of_page(base, keys, per_page, n))
    try:
        return page_of(base, keys, per_page, after=after, before=None if after else before)
    except paging.BadCursor:
        flash(_("That page link is not valid any more; this is the first page."), "warning")
        return page_of(base, keys, per_page)
