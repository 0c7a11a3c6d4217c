"""Old numbered links (?page=N) of lists that page by cursor (keyset): answered by a redirect
to the same page by cursor when the list has that page, 404 when it has not, 400 when N is not
a page number; never an OFFSET over the whole list on every request, never a 500
(tracker/bounds.py already turns numbers beyond the database's range into 404)."""

import base64
import binascii
import json
from datetime import datetime

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _

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
