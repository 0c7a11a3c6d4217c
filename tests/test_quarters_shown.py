"""A quarter shown to a reader is written one way, the reader's (Quarter.label: "Q4 2026" in
English and German, "K4 2026" in Swedish) on the dashboard, the report page and PDF, the
report's highlight and publish pages and the project list's filter chips, as the period
picker writes it; URLs, CSV files and the API keep the machine form "2026-Q4"."""

import re
from html import unescape

import pytest

from tests.test_dashboard import signed_in, text_of
from tests.test_dashboard_report import _pdftotext, _zip_tables
from tracker.dashboard import report
from tracker.dashboard.periods import Quarter, quarter_label
from tracker.extensions import db
from tracker.models import utcnow

LABELS = {"en": "Q{n} {year}", "de": "Q{n} {year}", "sv": "K{n} {year}"}


def _label(quarter: Quarter, locale: str) -> str:
    return LABELS[locale].format(n=quarter.number, year=quarter.year)


def _reader(world, locale: str):
    world.admin.locale = locale
    db.session.commit()
    return world.admin


def _shown_text(page: str) -> str:
    """The page's text without tags and attribute values (where URLs keep the key)."""
    return unescape(re.sub(r"<[^>]*>", " ", page))


@pytest.mark.parametrize("locale", ["en", "de", "sv"])
def test_quarter_label_is_the_readers_and_keys_pass_through(app, locale):
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert quarter_label("2026-Q4") == _label(Quarter(2026, 4), locale)
        assert quarter_label("2026") == "2026"  # a year or anything else stays as it is


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_dashboard_throughput_rows_name_quarters_as_the_picker_does(client, login, world, locale):
    viewer = signed_in(client, login, _reader(world, locale))
    page = text_of(viewer.get("/dashboard?period=last_quarter"))
    last = Quarter.containing(utcnow()).previous()
    shown = _shown_text(page)
    picker = re.search(r'<option value="' + last.key + r'"[^>]*>([^<]+)</option>', page)
    assert picker and picker.group(1) == _label(last, locale)
    for quarter in last.last(8):
        assert _label(quarter, locale) in shown, quarter
        assert quarter.key not in shown, quarter  # only in links and option values


@pytest.mark.parametrize("locale", ["en", "sv"])
def test_report_page_names_quarters_in_words_and_links_by_key(client, login, world, locale):
    viewer = signed_in(client, login, _reader(world, locale))
    now = Quarter.containing(utcnow())
    page = text_of(viewer.get("/dashboard/report"))
    shown = _shown_text(page)
    title = "Quarterly progress report" if locale == "en" else "Kvartalsrapport"
    assert _label(now, locale) in shown and title in shown
    for quarter in now.last(8):
        assert f'<option value="{quarter.key}"' in page
        assert quarter.key not in shown, quarter
    assert _label(now.previous(), locale) in shown  # the headline table's column


def test_report_pdf_names_quarters_in_words_and_csv_keeps_keys(client, login, world, tmp_path):
    viewer = signed_in(client, login, _reader(world, "sv"))
    now = Quarter.containing(utcnow())
    text = _pdftotext(viewer.get("/dashboard/report.pdf").get_data(), tmp_path)
    assert _label(now, "sv") in text and _label(now.previous(), "sv") in text
    assert f"Kvartalsrapport {_label(now, 'sv')} ·" in text  # the running header and title
    assert now.key not in text and now.previous().key not in text
    tables = _zip_tables(viewer.get("/dashboard/report.csv").get_data())
    assert tables["headline"][0][1:3] == [now.key, now.previous().key]
    assert [row[0] for row in tables["throughput"][1:]] == [q.key for q in now.last(8)]


def test_highlight_and_publish_pages_name_the_quarter_in_words(client, login, world):
    viewer = signed_in(client, login, _reader(world, "sv"))
    now = Quarter.containing(utcnow())
    urls = (
        f"/dashboard/report/highlights/lingen?quarter={now.key}",
        f"/dashboard/report/publish?quarter={now.key}",
    )
    for url in urls:
        shown = _shown_text(text_of(viewer.get(url)))
        assert _label(now, "sv") in shown and now.key not in shown, url
    report.publish(world.admin, now)
    for url in urls:  # once published, each says so
        shown = _shown_text(text_of(viewer.get(url)))
        assert _label(now, "sv") in shown and now.key not in shown, url


def test_filter_chip_names_the_quarter_in_words(client, login, world):
    viewer = signed_in(client, login, _reader(world, "sv"))
    page = unescape(text_of(viewer.get("/projects?entered=test:2026-Q3")))
    assert "K3 2026" in page and "i 2026-Q3" not in page
    assert "entered=test%3A2026-Q3" in page or "entered=test:2026-Q3" in page  # links keep it
