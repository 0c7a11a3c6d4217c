"""The quarterly report as CSV (UTF-8 with BOM, formula-safe) and as PDF (fpdf2)."""

import csv
import io
import unicodedata
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF

from tracker.dashboard.report import Report

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Letters that Unicode does not decompose into a Latin-1 base letter plus accent.
LATIN1_STAND_INS = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "\u0131": "i",
     "\u2018": "'", "\u2019": "'", "\u2013": "-", "\u2014": "-", "\u201c": '"',
     "\u201d": '"', "\u201e": '"'}
)  # fmt: skip
# No import reads this file back, so its header follows the reader's language.
CSV_HEADER = (
    _l("section"),
    _l("date"),
    _l("site"),
    _l("project"),
    _l("organization"),
    _l("detail"),
)


def _day(value: date | datetime) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def safe_cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula; an apostrophe keeps them text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def report_rows(report: Report) -> list[tuple[str, ...]]:
    rows = []
    for section in report.sections:
        for item in section.items:
            project = item.project or ""
            rows.append(
                (
                    section.heading,
                    _day(item.when),
                    item.site,
                    project,
                    item.organization,
                    item.detail,
                )
            )
        if section.confidential:
            rows.append((section.heading, "", "", section.confidential_text, "", ""))
    return rows


def report_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(name) for name in CSV_HEADER])
    for row in report_rows(report):
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_latin1(text: str) -> str:
    """Core PDF fonts know Latin-1 only: keep ä ö ü ß é, strip accents elsewhere, else '?'."""
    out = []
    for char in text.translate(LATIN1_STAND_INS):
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


class _ReportPDF(FPDF):
    def __init__(self, compress: bool = True):
        super().__init__(format="A4")
        self.set_compression(compress)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        font = next((path for path in FONT_CANDIDATES if Path(path).is_file()), None)
        bold = font.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") if font else None
        if font and bold and Path(bold).is_file():
            self.add_font("Body", "", font)
            self.add_font("Body", "B", bold)
            self.body_font, self.clean = "Body", str
        else:
            self.body_font, self.clean = "Helvetica", to_latin1

    def line_of(self, text: str, size: float = 10, height: float = 5.5, bold=False) -> None:
        self.set_font(self.body_font, "B" if bold else "", size)
        self.multi_cell(0, height, self.clean(text), new_x="LMARGIN", new_y="NEXT")


def report_pdf(report: Report, compress: bool = True) -> bytes:
    pdf = _ReportPDF(compress)
    pdf.set_title(pdf.clean(report.title))
    pdf.add_page()
    pdf.line_of(
        _("Quarterly progress report %(quarter)s", quarter=report.quarter.key), 18, 9, bold=True
    )
    pdf.line_of(report.site_name, 12, 7)
    totals = ", ".join(f"{s.heading}: {s.total}" for s in report.sections)
    pdf.line_of(_("In this quarter: %(totals)s.", totals=totals), 10)
    for section in report.sections:
        pdf.ln(3)
        pdf.line_of(f"{section.heading} ({section.total})", 13, 7, bold=True)
        if not section.total:
            pdf.line_of(section.empty)
        for item in section.items:
            parts = [_day(item.when), item.project, item.organization, item.site, item.detail]
            pdf.line_of(" · ".join(part for part in parts if part))
        if section.confidential:
            pdf.line_of(section.confidential_text)
    return bytes(pdf.output())
