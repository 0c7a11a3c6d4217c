"""A change shown to a reader carries its sign: "+2", "±0" and a real minus sign (U+2212, not
the hyphen "-"), in every language, from one formatter (tracker.i18n.signed) that the
report's change column uses on the page, in the PDF and in the CSV files."""

from datetime import timedelta

import pytest
from flask import render_template_string

from tests.projects_support import advance
from tests.test_dashboard import signed_in, text_of
from tests.test_dashboard_report import _zip_tables
from tracker import i18n
from tracker.dashboard import export
from tracker.dashboard import report as model
from tracker.dashboard.periods import Quarter
from tracker.extensions import db
from tracker.models import utcnow

MINUS = "\u2212"
M = MINUS


@pytest.mark.parametrize(
    "locale,shown",
    [
        ("en", [f"{M}2", "+3", "±0", f"{M}1,234", "+1,234", "—"]),
        ("de", [f"{M}2", "+3", "±0", f"{M}1.234", "+1.234", "—"]),
        ("sv", [f"{M}2", "+3", "±0", f"{M}1\u00a0234", "+1\u00a0234", "—"]),
    ],
)
def test_signed_writes_a_real_minus_sign_in_every_language(app, locale, shown):
    with app.test_request_context(headers={"Accept-Language": locale}):
        values = [-2, 3, 0, -1234, 1234, None]
        assert [i18n.signed(v) for v in values] == shown
        assert render_template_string("{{ -2|signed }} {{ 5|signed }}") == f"{MINUS}2 +5"
        assert "-" not in "".join(shown)


def test_report_change_is_signed_with_a_minus_sign(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        fewer = model.Headline("entered_test", model.Cell(1), model.Cell(3))
        assert export.change_text(fewer) == f"{MINUS}2"
        more = model.Headline("entered_test", model.Cell(4), model.Cell(3))
        assert export.change_text(more) == "+1"
        hidden = model.Headline("entered_test", model.Cell(None, "small"), model.Cell(3))
        assert export.change_text(hidden) == "—"


def test_report_page_and_csv_show_a_fall_with_a_minus_sign(client, login, world):
    """A project entered test last quarter and none this quarter: the change is minus 1."""
    previous = Quarter.containing(utcnow()).previous()
    advance(world.network_project, "test", previous.start + timedelta(days=3))
    db.session.commit()
    viewer = signed_in(client, login, world.admin)
    page = text_of(viewer.get("/dashboard/report"))
    assert f"change {MINUS}1" in page and "change -1" not in page
    tables = _zip_tables(viewer.get("/dashboard/report.csv").get_data())
    row = next(r for r in tables["headline"] if r[0] == "Entries to test")
    assert row[1:] == ["0", "1", f"{MINUS}1"]  # no apostrophe: a number, not a formula
