"""CSV cells safe for spreadsheets, streamed downloads with a BOM, and checked uploads."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, stream_with_context
from flask_babel import format_decimal
from flask_babel import gettext as _

from tracker.models import utcnow

BOM = "\ufeff"
# Spreadsheets treat cells starting with these as formulas (tab and CR too, in some programs).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500
# 1 MB, a little under the app's request limit (1 MiB), so the form around the file fits.
MAX_BYTES = 1_000_000
MAX_ROWS = 5000


class CsvError(Exception):
    """An upload that cannot be read as a CSV file; the message is for the user."""


@dataclass
class CsvRow:
    """One data row: its number as in the file (the header is row 1) and its restored cells."""

    number: int
    values: dict[str, str]
    extra_cells: bool = False


def _formula_like(text: str) -> bool:
    # Apostrophes already in front count too, so that restore() undoes exactly one of them.
    return text.lstrip("'").startswith(FORMULA_STARTS)


def neutralise(cell: object) -> str:
    """The cell as text; a leading apostrophe keeps formula-like text a plain string."""
    text = cell_text(cell)
    return "'" + text if _formula_like(text) else text


def restore(cell: str) -> str:
    """Undo neutralise(): drop the apostrophe it put in front of formula-like text."""
    if cell.startswith("'") and _formula_like(cell):
        return cell[1:]
    return cell


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The file as text chunks: BOM and header first, then CHUNK_ROWS rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A streamed download named <name>-<date>.csv, UTF-8 with BOM for spreadsheet programs."""
    chunks = (chunk.encode("utf-8") for chunk in csv_chunks(header, rows))
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.charset = "utf-8"
    filename = f"{name}-{utcnow().date().isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def read_csv(
    filename: str,
    data: bytes,
    columns: Sequence[str],
    aliases: dict[str, str] | None = None,
    optional: Sequence[str] = (),
) -> list[CsvRow]:
    """The data rows of an uploaded CSV file; raises CsvError when it cannot be read.

    The first row must name every column (any order, nothing unknown or repeated); aliases
    maps other accepted names (a localized header) to the column names.
    """
    if not filename.lower().endswith(".csv"):
        raise CsvError(_("Choose a CSV file (a name ending in .csv)."))
    if len(data) > MAX_BYTES:
        raise CsvError(_("The file is larger than 1 MB. Split it into smaller files."))
    text = _decode(data)
    try:
        delimiter = _delimiter(text)
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter))
    except csv.Error as error:
        raise CsvError(_("The file is not valid CSV: %(error)s.", error=error)) from error
    if not records or not any(records[0]):
        raise CsvError(_("The file is empty. The first row must name the columns."))
    header = [name.strip().lower() for name in records[0]]
    header = [(aliases or {}).get(name, name) for name in header]
    _check_header(header, columns, optional)
    if len(records) - 1 > MAX_ROWS:
        raise CsvError(
            _(
                "The file has more than %(rows)s rows. Split it into smaller files.",
                rows=format_decimal(MAX_ROWS),
            )
        )
    return [_row(number, header, cells) for number, cells in enumerate(records[1:], start=2)]


def _delimiter(text: str) -> str:
    """A comma, or the semicolon spreadsheet programs write where the decimal mark is a comma
    (German and Swedish settings): whichever the header row has more of."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise CsvError(_("This is not a text file. Save the sheet as CSV (UTF-8) and try again."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvError(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” in your spreadsheet program.")
        ) from error


def _check_header(header: list[str], columns: Sequence[str], optional: Sequence[str] = ()) -> None:
    """Every column named once; optional ones (read and ignored) may be there too."""
    missing = [name for name in columns if name not in header]
    unknown = [name for name in header if name not in columns and name not in optional]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if missing:
        problems.append(_("missing %(names)s", names=", ".join(missing)))
    if unknown:
        unknown_names = ", ".join(name or _("(empty)") for name in unknown)
        problems.append(_("unknown %(names)s", names=unknown_names))
    if duplicated:
        problems.append(_("repeated %(names)s", names=", ".join(duplicated)))
    if problems:
        raise CsvError(
            _(
                "The first row must name the columns %(columns)s: %(problems)s.",
                columns=", ".join(columns),
                problems="; ".join(problems),
            )
        )


def _row(number: int, header: list[str], cells: list[str]) -> CsvRow:
    values = {name: restore(cells[i]) if i < len(cells) else "" for i, name in enumerate(header)}
    extra = any(cell.strip() for cell in cells[len(header) :])
    return CsvRow(number, values, extra)
