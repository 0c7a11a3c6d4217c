"""The quarterly report's content (tracker.dashboard.report.Content) as tables, CSV files and
a PDF; the page uses the same tables and charts.

CSV: one table per file, UTF-8 with BOM, formula-safe, headers and values in the reader's
language; several tables travel as a zip. No summary rows inside a table: totals are the
headline table, rows left out of a list are counted in a table of their own.

PDF (fpdf2): a cover, the figures, the charts (the dashboard's own SVG charts, drawn as
vectors), the lists and the sites' highlights; "page x of y" and the generation time in the
reader's language; left-aligned text. Fonts come from pip packages in requirements.txt, all
under the SIL Open Font License 1.1 (licence files ship in the packages):
fontpkg-noto-sans (Noto Sans: Latin, Greek, Cyrillic), fontpkg-noto-sans-arabic (Noto Sans
Arabic, shaped by fpdf2's text shaping with uharfbuzz) and noto-cjk-sans-jp-regular (Noto Sans
CJK: Chinese, Japanese, Korean). Fonts a document does not need are not loaded.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from xml.etree.ElementTree import tostring

from defusedxml.ElementTree import fromstring
from flask import g, get_template_attribute
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tracker import i18n
from tracker.dashboard import report as model
from tracker.dashboard.figures import Figure
from tracker.dashboard.overview import Row
from tracker.dashboard.periods import quarter_label
from tracker.i18n import participation_role_name
from tracker.vocabulary import DECISION_LABELS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STAGE_COLOURS = {"develop": "#1f5fbf", "test": "#9a5800", "market": "#1e7a3d"}
INK, MUTED, RULE, ACCENT, HIDDEN = "#1d232b", "#4d5966", "#c9d1da", "#0b5c73", "#c4ccd6"
CJK = re.compile(
    r"[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


PLAIN_NUMBER = re.compile(r"^[+\-\u2212]?\d[\d.,\u00a0\u202f ]*%?$")


def safe_cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula; an apostrophe keeps them text. A
    plain signed number ("+2", "-17") is no formula and stays as it is."""
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def number(value) -> str:
    return format_decimal(value)


def cell_text(cell: model.Cell) -> str:
    return cell.text(number)


def change_text(headline: model.Headline) -> str:
    return i18n.signed(headline.change)


def day(value: str) -> str:
    """A date in the reader's language, formatted once per day and language in a request:
    a quarter's lists name the same ~90 days thousands of times."""
    cache = g.setdefault("report_days", {})
    key = (str(get_locale()), value[:10])
    if key not in cache:
        cache[key] = format_date(date.fromisoformat(value[:10]), "medium")
    return cache[key]


def moment(value: datetime) -> str:
    """A date and time in the reader's language; the report's times are UTC and say so."""
    return f"{i18n.moment(value)} UTC"


# --- the content as tables (CSV files, PDF tables, the page) ------------------------------


@dataclass
class Table:
    key: str  # file name in the zip
    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()  # columns aligned right


def tables(content: model.Content, keys: bool = False) -> list[Table]:
    """Every table of the report, in the reader's language; quarters as the reader writes them
    ("Q4 2026", "K4 2026"), or with keys=True as their keys ("2026-Q4"), as CSV files keep them."""
    shown = str if keys else quarter_label
    q, p = shown(content.quarter), shown(content.previous)
    result = [
        Table(
            "headline",
            _("The quarter in figures"),
            [_("Figure"), q, p, _("Change")],
            [
                [
                    str(model.FIGURE_LABELS[h.key]),
                    cell_text(h.current),
                    cell_text(h.previous),
                    change_text(h),
                ]
                for h in content.headline
            ],
            (1, 2, 3),
        ),
        Table(
            "sites",
            _("Per site, %(quarter)s", quarter=q),
            [_("Site"), *(str(model.FIGURE_LABELS[f]) for f in model.SITE_FIGURES)],
            [
                [
                    row.name or _("Whole network"),
                    *(cell_text(row.cells[f]) for f in model.SITE_FIGURES),
                ]
                for row in content.sites
                if row.slug  # the network's row is the headline table, not a summary row here
            ],
            tuple(range(1, len(model.SITE_FIGURES) + 1)),
        ),
        Table(
            "funnel",
            _("Funnel: projects per stage reached"),
            [_("Stage"), _("Projects")],
            [[_funnel_label(row["key"]), cell_text(row["n"])] for row in content.funnel],
            (1,),
        ),
        Table(
            "throughput",
            _("Entries to test and market per quarter"),
            [_("Quarter"), _("Entries to test"), _("Entries to market")],
            [
                [shown(row["quarter"]), cell_text(row["test"]), cell_text(row["market"])]
                for row in content.throughput
            ],
            (1, 2),
        ),
        Table(
            "decisions",
            _("Gate decisions by kind"),
            [_("Decision"), _("Number of decisions")],
            [[str(DECISION_LABELS[r["key"]]), cell_text(r["n"])] for r in content.decisions],
            (1,),
        ),
        Table(
            "stop_reasons",
            _("Stop reasons by category"),
            [_("Category"), _("Projects stopped")],
            [
                [str(model.STOP_CATEGORY_LABELS[r["key"]]), cell_text(r["n"])]
                for r in content.stop_categories
            ],
            (1,),
        ),
        Table(
            "market_entries",
            _("Market entries"),
            [_("Date"), _("Project"), _("Site"), _("Summary")],
            [[day(i["date"]), i["title"], i["site"], i["summary"]] for i in content.market_entries],
        ),
    ]
    if not content.patron:
        result.append(
            Table(
                "cooperations",
                _("New cooperations"),
                [_("Date"), _("Project"), _("Site"), _("Partner"), _("Role"), _("Cross-site")],
                [
                    [
                        day(i["date"]),
                        i["title"],
                        i["site"],
                        i["organization"],
                        participation_role_name(i["role"]),
                        _("yes") if i["cross_site"] else _("no"),
                    ]
                    for i in content.cooperations
                ],
            )
        )
        result.append(
            Table(
                "stops",
                _("Stopped projects"),
                [_("Date"), _("Project"), _("Site"), _("Category"), _("Reason")],
                [
                    [
                        day(i["date"]),
                        i["title"],
                        i["site"],
                        str(model.STOP_CATEGORY_LABELS[i["category"]]),
                        i["reason"],
                    ]
                    for i in content.stops
                ],
            )
        )
    result.append(
        Table(
            "highlights",
            _("Highlights from the sites"),
            [_("Site"), _("Highlight")],
            [[h["site"], h["text"]] for h in content.highlights],
        )
    )
    if content.not_named:
        result.append(
            Table(
                "not_shown",
                _("Rows not shown"),
                [_("List"), _("Rows on projects you cannot open")],
                [
                    [str(model.NOT_NAMED_LABELS[name]), number(n)]
                    for name, n in content.not_named.items()
                ],
                (1,),
            )
        )
    return result


def _funnel_label(stage: str) -> str:
    return {
        "develop": _("Entered develop"),
        "test": _("Reached test"),
        "market": _("Reached market"),
    }[stage]


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(str(h)) for h in table.headers])
    for row in table.rows:
        writer.writerow([safe_cell(str(cell)) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def file_stem(content: model.Content) -> str:
    return f"progress-report-{content.quarter}-{content.site_slug or 'network'}"


def report_zip(content: model.Content) -> bytes:
    """Every table as its own CSV file, in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number_, table in enumerate(tables(content, keys=True), start=1):
            name = f"{file_stem(content)}/{number_:02d}-{table.key}.csv"
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), table_csv(table))
    return buffer.getvalue()


def table_named(content: model.Content, key: str) -> Table | None:
    """One table as its CSV file has it (quarters as keys)."""
    return next((t for t in tables(content, keys=True) if t.key == key), None)


# --- charts: the dashboard's SVG macros -----------------------------------------------------


def chart_rows(content: model.Content) -> dict[str, list[Row]]:
    """The funnel and throughput as the dashboard's chart macros take them."""

    def figure(cell: model.Cell) -> Figure:
        return Figure(cell.value, cell_text(cell), hidden=cell.hidden)

    develop = content.funnel[0]["n"] if content.funnel else model.Cell(0)
    funnel = []
    for row in content.funnel:
        cells = {"n": figure(row["n"])}
        if not row["n"].hidden and not develop.hidden and develop.value:
            share = 100.0 * (row["n"].value or 0) / develop.value
            cells["share"] = Figure(share, f"{format_decimal(round(share))} %")
        else:
            cells["share"] = Figure(None, "—", hidden=row["n"].hidden or develop.hidden)
        funnel.append(Row(_funnel_label(row["key"]), cells, key=row["key"]))
    throughput = [
        Row(
            quarter_label(row["quarter"]),
            {s: figure(row[s]) for s in ("test", "market")},
            key=row["quarter"],
        )
        for row in content.throughput
    ]
    return {"funnel": funnel, "throughput": throughput}


def chart_svgs(content: model.Content) -> dict[str, str]:
    """The report's charts as the page shows them (HTML with the SVG inside)."""
    rows = chart_rows(content)
    render = get_template_attribute("dashboard/_report_charts.html", "report_charts")
    html = str(render(rows["funnel"], rows["throughput"]))
    parts = re.split(r"<!-- chart:(\w+) -->", html)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


CHART_SVG = re.compile(r'<svg class="chart".*?</svg>', re.S)
SVG_NS = "{http://www.w3.org/2000/svg}"
CLASS_STYLE = {
    "fill-develop": {"fill": STAGE_COLOURS["develop"]},
    "fill-test": {"fill": STAGE_COLOURS["test"]},
    "fill-market": {"fill": STAGE_COLOURS["market"]},
    "fill-accent": {"fill": ACCENT},
    "fill-hidden": {"fill": HIDDEN},
    "axis": {"stroke": "#9aa6b2", "stroke-width": "1"},
    "marker": {"stroke": INK, "stroke-width": "2"},
    "muted": {"fill": MUTED},
}


def svg_for_pdf(html: str) -> bytes:
    """The chart's <svg> with its CSS classes and fill patterns turned into plain attributes
    (fpdf2 draws SVG without a style sheet): stages in their solid colours, withheld figures
    grey, text in the document's font."""
    match = CHART_SVG.search(html)
    if match is None:
        raise ValueError("no chart in the rendered HTML")
    root = fromstring(match.group(0))
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag.replace(SVG_NS, "") in ("defs", "title", "desc"):
                parent.remove(child)
    for element in root.iter():
        tag = element.tag.replace(SVG_NS, "")
        classes = element.attrib.pop("class", "").split()
        for name in classes:
            element.attrib.update(CLASS_STYLE.get(name, {}))
        fill = element.attrib.get("fill", "")
        if fill.startswith("url(#"):
            kind = fill[5:-1].rsplit("-", 1)[-1]
            element.set("fill", STAGE_COLOURS.get(kind, HIDDEN))
        if tag in ("text", "tspan"):
            element.attrib.setdefault("fill", INK)
            element.set("font-family", "Body")
            element.set("font-size", "13")
    for key in ("role", "aria-labelledby", "class"):
        root.attrib.pop(key, None)
    for element in root.iter():
        element.tag = element.tag.replace(SVG_NS, "")
    root.set("xmlns", SVG_NS[1:-1])
    return tostring(root, encoding="unicode").encode("utf-8")


# --- the PDF --------------------------------------------------------------------------------


def _font_paths() -> dict[str, str]:
    import fontpkg_noto_sans
    import fontpkg_noto_sans_arabic
    import noto_cjk_sans_jp_regular

    return {
        "Body": str(fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"),
        "Arabic": str(fontpkg_noto_sans_arabic.ROOT / "files" / "NotoSansArabic[wdth,wght].ttf"),
        "CJK": str(noto_cjk_sans_jp_regular.FONT_PATH),
    }


class ReportPDF(FPDF):
    """A4, left-aligned text in Noto Sans with Arabic and CJK fallbacks, a running footer."""

    def __init__(self, content: model.Content, needs: set[str]):
        super().__init__(format="A4")
        self.content = content
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)
        paths = _font_paths()
        # One regular face per script: a bold instance of the variable font would take
        # seconds to build; headings stand out by size and colour instead.
        for family in ("Body", *sorted(needs)):
            self.add_font(family, "", paths[family])
        self.set_fallback_fonts(sorted(needs), exact_match=False)
        self.shaping = None
        self.footer_text = _("Generated %(moment)s", moment=moment(content.generated))
        self.alias_nb_pages("{pages}")

    def _shape_for(self, text) -> None:
        """HarfBuzz shaping (uharfbuzz) joins Arabic letters and orders right-to-left runs;
        Latin, Greek, Cyrillic and CJK need none, and shaping every cell costs time: it is on
        for the texts that have Arabic letters only."""
        wanted = bool(text) and ARABIC.search(str(text)) is not None
        if wanted != self.shaping:
            self.set_text_shaping(wanted)
            self.shaping = wanted

    def multi_cell(self, w, h=None, text="", *args, **kwargs):
        self._shape_for(text)
        return super().multi_cell(w, h, text, *args, **kwargs)

    def cell(self, w=None, h=None, text="", *args, **kwargs):
        self._shape_for(text)
        return super().cell(w, h, text, *args, **kwargs)

    def footer(self):
        if self.page_no() == 1:
            return
        self.set_y(-14)
        self.set_font("Body", "", 8)
        self.set_text_color(MUTED)
        self.set_draw_color(RULE)
        self.line(self.l_margin, self.get_y() - 2, self.w - self.r_margin, self.get_y() - 2)
        left = f"{self.content.title} · {self.content.edition_label}"
        self.cell(0, 5, left, align="L")
        self.set_x(self.l_margin)
        self.cell(
            0, 5, _("Page %(page)s of %(pages)s", page=self.page_no(), pages="{pages}"), align="R"
        )
        self.set_text_color(INK)

    # text helpers -----------------------------------------------------------------------

    def heading(self, text: str, size: float = 15, space: float = 4) -> None:
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(space)
        self.set_font("Body", "", size)
        self.set_text_color(ACCENT)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(INK)
        self.ln(1.5)

    def para(self, text: str, size: float = 10, colour: str = INK, height: float = 5) -> None:
        self.set_font("Body", "", size)
        self.set_text_color(colour)
        self.multi_cell(0, height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(INK)

    def grid(self, table: Table, widths: list[float] | None = None, size: float = 9) -> None:
        """A table with a header row, light rules and banded rows; numbers right-aligned; the
        header row repeated after a page break. (fpdf2's own table() copies the whole document
        to measure each row: seconds for a long list.)"""
        width = self.w - self.l_margin - self.r_margin
        if widths is None:
            first = min(60.0, width * 0.3) if table.numeric else width / len(table.headers)
            rest = (width - first) / max(1, len(table.headers) - 1)
            widths = [first] + [rest] * (len(table.headers) - 1)
        line, pad = size * 0.5, 1.2

        def height(cells) -> float:
            lines = 1
            for text, w in zip(cells, widths, strict=True):
                found = self.multi_cell(w - 2 * pad, line, text, dry_run=True, output="LINES")
                lines = max(lines, len(found))
            return lines * line + 2 * pad

        def draw(cells, colour: str, fill: bool) -> None:
            h = height(cells)
            if self.get_y() + h > self.page_break_trigger:
                self.add_page()
                draw_header()
            top, x = self.get_y(), self.l_margin
            if fill:
                self.set_fill_color(243, 245, 248)
                self.rect(x, top, sum(widths), h, style="F")
            self.set_text_color(colour)
            for index, (text, w) in enumerate(zip(cells, widths, strict=True)):
                self.set_xy(x + pad, top + pad)
                align = "R" if index in table.numeric else "L"
                self.multi_cell(w - 2 * pad, line, text, align=align)
                x += w
            self.set_draw_color(RULE)
            self.set_line_width(0.2)
            self.line(self.l_margin, top + h, self.l_margin + sum(widths), top + h)
            self.set_xy(self.l_margin, top + h)
            self.set_text_color(INK)

        def draw_header() -> None:
            self.set_font("Body", "", size - 0.5)
            draw([str(h) for h in table.headers], MUTED, False)
            self.set_font("Body", "", size)

        self.set_font("Body", "", size)
        draw_header()
        for number, row in enumerate(table.rows):
            draw([str(cell) for cell in row], INK, number % 2 == 0)
        self.ln(2)

    def empty(self, text: str) -> None:
        self.para(text, 9.5, MUTED)


def _needs(content: model.Content) -> set[str]:
    """Fallback fonts the document's texts need."""
    texts = [content.site_name]
    for name in ("market_entries", "cooperations", "stops", "highlights"):
        for item in getattr(content, name):
            texts.extend(str(v) for v in item.values() if isinstance(v, str))
    texts.extend(row.name for row in content.sites)
    blob = "\n".join(texts)
    needs = set()
    if CJK.search(blob):
        needs.add("CJK")
    if ARABIC.search(blob):
        needs.add("Arabic")
    return needs


def report_pdf(content: model.Content) -> bytes:
    pdf = ReportPDF(content, _needs(content))
    pdf.set_title(content.title)
    pdf.set_author(_("Innovation Tracker"))
    pdf.set_creator(_("Innovation Tracker"))
    pdf.set_lang({"de": "de", "sv": "sv"}.get(_locale(), "en"))
    by_key = {t.key: t for t in tables(content)}
    _cover(pdf, content)
    _figures_page(pdf, content, by_key)
    _charts_page(pdf, content, by_key)
    _lists_pages(pdf, content, by_key)
    return bytes(pdf.output())


def _locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "en"


def _cover(pdf: ReportPDF, content: model.Content) -> None:
    pdf.add_page()
    pdf.set_fill_color(ACCENT)
    pdf.rect(0, 0, pdf.w, 8, style="F")
    pdf.set_y(48)
    pdf.para(_("AI innovation network"), 12, MUTED, 6)
    pdf.ln(2)
    pdf.set_font("Body", "", 26)
    pdf.set_text_color(INK)
    pdf.multi_cell(
        0, 12, _("Quarterly progress report"), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_text_color(ACCENT)
    pdf.set_draw_color(ACCENT)
    pdf.multi_cell(
        0, 14, quarter_label(content.quarter), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(4)
    quarter = content.quarter_obj
    pdf.para(content.scope_name, 16, INK, 8)
    pdf.para(
        _(
            "%(first)s to %(last)s",
            first=format_date(quarter.first_day, "long"),
            last=format_date(quarter.last_day, "long"),
        ),
        11,
        MUTED,
        6,
    )
    pdf.ln(16)
    facts = [
        (_("Edition"), content.edition_label),
        (_("Generated"), moment(content.generated)),
        (
            _("Status"),
            _("Published %(moment)s; the figures are frozen.", moment=moment(content.published))
            if content.published
            else _("Not yet published: figures may still change."),
        ),
    ]
    for label, value in facts:
        pdf.set_font("Body", "", 9)
        pdf.set_text_color(MUTED)
        pdf.cell(38, 6, label)
        pdf.set_font("Body", "", 11)
        pdf.set_text_color(INK)
        pdf.multi_cell(0, 6, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)
    pdf.para(_("In this report"), 9, MUTED, 5)
    sections = [
        _("The quarter in figures"),
        _("Per site, %(quarter)s", quarter=quarter_label(content.quarter)),
        _("Funnel: projects per stage reached"),
        _("Entries to test and market per quarter"),
        _("Gate decisions by kind"),
        _("Stop reasons by category"),
        _("Market entries"),
        *(() if content.patron else (_("New cooperations"), _("Stopped projects"))),
        _("Highlights from the sites"),
    ]
    for section in sections:
        pdf.para(f"·  {section}", 10.5, INK, 5.6)
    pdf.ln(10)
    pdf.set_draw_color(RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)
    if content.patron:
        note = _(
            "Patron edition: aggregates only. Counts of 1 or 2 are shown as “fewer than 3”, "
            "and further counts are withheld so that none of them can be worked out. Named "
            "projects are network projects only."
        )
    else:
        note = _(
            "Figures count every project in the network, including consortium projects; "
            "lists name only the projects the reader may open. Dates are in UTC."
        )
    pdf.para(note, 9, MUTED, 4.6)


def _figures_page(pdf: ReportPDF, content: model.Content, by_key: dict[str, Table]) -> None:
    pdf.add_page()
    pdf.heading(_("The quarter in figures"), 16, 0)
    pdf.para(
        _(
            "%(quarter)s compared with the previous quarter, %(previous)s.",
            quarter=quarter_label(content.quarter),
            previous=quarter_label(content.previous),
        ),
        9.5,
        MUTED,
    )
    pdf.ln(2)
    _headline_tiles(pdf, content)
    pdf.grid(by_key["headline"], [80, 30, 30, 30])
    for key in ("cooperations", "cross_site", "decisions"):
        pdf.para(f"{model.FIGURE_LABELS[key]}: {model.FIGURE_DEFINITIONS[key]}", 8, MUTED, 4)
    if len(content.sites) > 1 or content.site_slug == "":
        pdf.heading(by_key["sites"].title, 13)
        table = by_key["sites"]
        network = next((row for row in content.sites if not row.slug), None)
        if network is not None:
            table = Table(
                table.key,
                table.title,
                table.headers,
                [
                    *table.rows,
                    [
                        _("Whole network"),
                        *(cell_text(network.cells[f]) for f in model.SITE_FIGURES),
                    ],
                ],
                table.numeric,
            )
        pdf.grid(table, [28] + [23.6] * (len(table.headers) - 1), size=7.5)
        if content.patron:
            pdf.para(
                _("“fewer than 3” and “withheld” mark counts not shown to patrons."), 8, MUTED, 4
            )


def _headline_tiles(pdf: ReportPDF, content: model.Content) -> None:
    """Four large figures across the page."""
    keys = ("entered_market", "entered_test", "cooperations", "decisions")
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 3 * 4) / 4
    top = pdf.get_y()
    for index, key in enumerate(keys):
        headline = content.headline_of(key)
        x = pdf.l_margin + index * (width + 4)
        pdf.set_fill_color("#f3f5f8")
        pdf.rect(x, top, width, 26, style="F")
        pdf.set_fill_color(ACCENT)
        pdf.rect(x, top, 1.2, 26, style="F")
        pdf.set_xy(x + 4, top + 3)
        big = headline.current
        pdf.set_font("Body", "", 20 if not big.hidden else 11)
        pdf.cell(width - 6, 9, cell_text(big), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_x(x + 4)
        pdf.set_font("Body", "", 8)
        pdf.multi_cell(
            width - 6,
            3.6,
            str(model.FIGURE_LABELS[key]),
            align="L",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
        pdf.set_xy(x + 4, top + 20.5)
        pdf.set_text_color(MUTED)
        pdf.set_font("Body", "", 7.5)
        pdf.cell(
            width - 6,
            4,
            _(
                "%(previous)s: %(value)s",
                previous=quarter_label(content.previous),
                value=cell_text(headline.previous),
            ),
        )
        pdf.set_text_color(INK)
    pdf.set_xy(pdf.l_margin, top + 30)


def _charts_page(pdf: ReportPDF, content: model.Content, by_key: dict[str, Table]) -> None:
    pdf.add_page()
    svgs = chart_svgs(content)
    pdf.heading(_("Funnel: projects per stage reached"), 14, 0)
    pdf.para(
        _(
            "All projects so far, up to today: how many entered develop and how many "
            "reached test and market."
        ),
        8.5,
        MUTED,
        4.2,
    )
    _draw_svg(pdf, svgs["funnel"], 150)
    pdf.heading(_("Entries to test and market per quarter"), 14)
    _draw_svg(pdf, svgs["throughput"], 150)
    half = (pdf.w - pdf.l_margin - pdf.r_margin - 8) / 2
    top = pdf.get_y() + 4
    if top > pdf.h - 80:
        pdf.add_page()
        top = pdf.get_y()
    for index, key in enumerate(("decisions", "stop_reasons")):
        pdf.set_xy(pdf.l_margin + index * (half + 8), top)
        left = pdf.l_margin
        pdf.l_margin = pdf.l_margin + index * (half + 8)
        pdf.set_font("Body", "", 12)
        pdf.set_text_color(ACCENT)
        pdf.cell(half, 7, by_key[key].title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(INK)
        pdf.grid(by_key[key], [half - 30, 30])
        pdf.l_margin = left
    pdf.set_x(pdf.l_margin)


def _draw_svg(pdf: ReportPDF, html: str, width: float) -> None:
    """One of the dashboard's charts, drawn as vectors (fpdf2 reads SVG as an image)."""
    svg = svg_for_pdf(html)
    view = re.search(rb'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    height = width * float(view.group(2)) / float(view.group(1))
    if pdf.get_y() + height > pdf.h - 22:
        pdf.add_page()
    pdf.set_font("Body", "", 9)
    pdf.image(io.BytesIO(svg), x=pdf.l_margin, y=pdf.get_y(), w=width, h=height)
    pdf.set_y(pdf.get_y() + height + 2)


def _lists_pages(pdf: ReportPDF, content: model.Content, by_key: dict[str, Table]) -> None:
    pdf.add_page()
    pdf.heading(_("Market entries"), 15, 0)
    if content.market_entries_withheld:
        pdf.empty(
            _(
                "Not listed: the number of market entries in this quarter is withheld, "
                "and a list would reveal it."
            )
        )
    elif not content.market_entries:
        pdf.empty(_("No project entered market in this quarter."))
    for item in content.market_entries:
        pdf.set_font("Body", "", 11)
        pdf.multi_cell(0, 5.5, item["title"], align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.para(f"{item['site']} · {day(item['date'])}", 8.5, MUTED, 4.2)
        if item["summary"]:
            pdf.para(item["summary"], 9.5, INK, 4.8)
        pdf.ln(2.5)
    if content.patron:
        pdf.para(
            _("Network projects only; consortium projects are counted in the figures."), 8, MUTED, 4
        )
    if not content.patron:
        pdf.heading(_("New cooperations"), 14)
        table = by_key["cooperations"]
        if table.rows:
            pdf.grid(table, [20, 42, 31, 41, 22, 14], size=8.5)
        else:
            pdf.empty(_("No organization joined a project as a partner in this quarter."))
        pdf.heading(_("Stopped projects"), 14)
        table = by_key["stops"]
        if table.rows:
            pdf.grid(table, [20, 36, 31, 26, 57], size=8.5)
        else:
            pdf.empty(_("No project was stopped in this quarter."))
        if "not_shown" in by_key:
            pdf.heading(by_key["not_shown"].title, 11)
            pdf.grid(by_key["not_shown"], [100, 40])
    pdf.heading(_("Highlights from the sites"), 15)
    if not content.highlights:
        pdf.empty(_("No site has written a highlight for this quarter yet."))
    for item in content.highlights:
        pdf.set_font("Body", "", 11.5)
        pdf.set_text_color(ACCENT)
        pdf.multi_cell(0, 6, item["site"], align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(INK)
        for paragraph in item["text"].split("\n"):
            if paragraph.strip():
                pdf.para(paragraph.strip(), 10, INK, 5)
        pdf.ln(2)
