"""The quarterly progress report: page, CSV and PDF; confidential projects counted, never named."""

import re
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.bulk import add_projects
from tests.querycount import count_queries
from tests.test_dashboard import MAX_QUERIES, signed_in, text_of, world_rows
from tests.test_metrics import advance
from tracker.dashboard import export
from tracker.dashboard.periods import Quarter
from tracker.extensions import db
from tracker.models import StageEvent, utcnow

SECRET = "Secret electrolyser twin"
SECRET_REASON = "Consortium partner withdrew funding"


@pytest.fixture
def quarter_moves(world):
    """In this quarter: both world projects enter test, one network and one consortium
    project stop with reasons, a formula-like organization joins, a new member signs up."""
    now = utcnow()
    advance(world.network_project, "test", now)
    advance(world.consortium_project, "test", now)
    stopped_open = f.make_project(world.lingen, world.lead_org, title="Open drone survey")
    stopped_secret = f.make_project(
        world.berlin, world.other_org, title="Hidden berlin pilot", visibility="consortium"
    )
    advance(stopped_open, "develop", now, status="stopped")
    _note_last_event(stopped_open.id, "Market too small")
    advance(stopped_secret, "develop", now, status="stopped")
    _note_last_event(stopped_secret.id, SECRET_REASON)
    formula = f.make_org("=HYPERLINK(1)", kind="startup", sites=[world.lingen])
    f.make_project(world.lingen, world.lead_org, [(formula, "startup")], title="=SUM(1+1)")
    f.make_org("Fresh Member GmbH", sites=[world.berlin], member_since=now.date())
    f.make_org("Old Member AG", member_since=(now - timedelta(days=800)).date())
    return world


def _note_last_event(project_id: int, note: str) -> None:
    event = (
        db.session.query(StageEvent)
        .filter_by(project_id=project_id)
        .order_by(StageEvent.id.desc())
        .first()
    )
    event.note = note
    db.session.commit()


def pdf_text(data: bytes) -> str:
    """Uncompressed text of every content stream (core fonts write text as plain strings)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            chunks.append(stream)
    return b"\n".join(chunks).decode("latin-1")


def test_admin_report_lists_what_moved_this_quarter(client, login, quarter_moves):
    page = text_of(signed_in(client, login, quarter_moves.admin).get("/dashboard/report"))
    assert f"Quarterly progress report {Quarter.containing(utcnow()).key}" in page
    for expected in (
        "Open hydrogen forecast",
        SECRET,
        "Open drone survey",
        "Market too small",
        SECRET_REASON,
        "=HYPERLINK(1)",
        "Fresh Member GmbH",
    ):
        assert expected in page, expected
    assert "Old Member AG" not in page
    assert "Lead Org (lead), Partner Org (start-up)" in page  # one line per project
    assert "confidential" not in page


def test_patron_report_counts_consortium_projects_without_naming_them(client, login, quarter_moves):
    page = text_of(signed_in(client, login, quarter_moves.patron).get("/dashboard/report"))
    assert "Open hydrogen forecast" in page and "Market too small" in page
    assert SECRET not in page and SECRET_REASON not in page and "Hidden berlin pilot" not in page
    assert "1 confidential project" in page
    assert re.search(r"\d+ confidential cooperations?", page)


def test_patron_never_finds_a_consortium_title_in_the_csv(client, login, quarter_moves):
    response = signed_in(client, login, quarter_moves.patron).get("/dashboard/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0] == "section,date,site,project,organization,detail"
    assert "Open hydrogen forecast" in text
    assert SECRET not in text and SECRET_REASON not in text and "Hidden berlin pilot" not in text
    assert "'=SUM(1+1)" in text  # a cell that would run as a formula is kept as text


def test_patron_never_finds_a_consortium_title_in_the_pdf(
    client, login, quarter_moves, monkeypatch
):
    monkeypatch.setattr(export, "FONT_CANDIDATES", ())  # core font: text stays searchable
    response = signed_in(client, login, quarter_moves.patron).get("/dashboard/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data().startswith(b"%PDF")
    text = pdf_text(response.get_data())
    assert "Open hydrogen forecast" in text  # the check below can fail
    assert SECRET not in text and SECRET_REASON not in text and "Hidden berlin pilot" not in text
    assert "confidential project" in text


def test_admin_pdf_names_consortium_projects(client, login, quarter_moves, monkeypatch):
    monkeypatch.setattr(export, "FONT_CANDIDATES", ())
    response = signed_in(client, login, quarter_moves.admin).get("/dashboard/report.pdf")
    assert SECRET in pdf_text(response.get_data())
    assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.parametrize("system_font", [True, False])
def test_pdf_renders_any_name_with_or_without_a_unicode_font(
    quarter_moves, monkeypatch, system_font
):
    if not system_font:
        monkeypatch.setattr(export, "FONT_CANDIDATES", ())
    quarter_moves.lead_org.name = "Łódź Ørsted Müller 東京"
    db.session.commit()
    from tracker.dashboard.report import quarterly_report

    report = quarterly_report(quarter_moves.admin, Quarter.containing(utcnow()), None)
    assert export.report_pdf(report).startswith(b"%PDF")
    assert export.to_latin1("Łódź Müller 東京 \u2013 \u201cok\u201d") == 'Lódz Müller ?? - "ok"'


def test_member_report_names_only_projects_they_may_see(client, login, quarter_moves):
    page = text_of(signed_in(client, login, quarter_moves.outsider).get("/dashboard/report"))
    assert "Hidden berlin pilot" in page  # their own organization's consortium project
    assert SECRET not in page and SECRET_REASON in page


def test_report_for_one_site_leaves_out_the_others(client, login, quarter_moves):
    page = text_of(
        signed_in(client, login, quarter_moves.admin).get("/dashboard/report?site=berlin")
    )
    assert "Hidden berlin pilot" in page and "Fresh Member GmbH" in page
    assert "Open hydrogen forecast" not in page


def test_bad_quarter_or_site_is_explained(client, login, world):
    page = text_of(
        signed_in(client, login, world.admin).get("/dashboard/report?quarter=2026-Q7&site=x")
    )
    assert "Give the quarter as YYYY-Qn" in page
    assert "There is no site “x”" in page


def test_report_needs_a_signed_in_user(client, world):
    for url in ("/dashboard/report", "/dashboard/report.csv", "/dashboard/report.pdf"):
        assert client.get(url).status_code == 302


def test_a_past_quarter_shows_nothing_from_this_one(client, login, quarter_moves):
    past = Quarter.containing(utcnow()).previous().previous().key
    page = text_of(
        signed_in(client, login, quarter_moves.admin).get(f"/dashboard/report?quarter={past}")
    )
    assert "No project entered test." in page and "Open hydrogen forecast" not in page


def _moves_this_quarter(size: int) -> None:
    """size projects that each enter test and market and stop in this quarter (their
    partners joined in it too), and a third as many consortium projects at Berlin."""
    now, world = utcnow(), world_rows()
    network = add_projects(size, world.lingen, world.lead_org, world.partner_org, stage="test")
    hidden = add_projects(
        size // 3 + 1, world.berlin, world.other_org, world.partner_org, visibility="consortium"
    )
    db.session.execute(
        sa.insert(StageEvent),
        [
            {"project_id": i, "from_stage": "develop", "to_stage": stage, "from_status": "active",
             "to_status": status, "note": "moved", "at": now - timedelta(minutes=i % 50)}
            for i in network + hidden
            for stage, status in (("test", "active"), ("market", "active"), ("market", "stopped"))
        ],
    )  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize("who", ["admin", "manager", "lead_member", "outsider", "patron"])
def test_report_query_count_does_not_grow_with_the_projects(client, login, world, who):
    viewer = signed_in(client, login, world.user(who))
    paths = ("/dashboard/report", "/dashboard/report?site=berlin", "/dashboard/report.csv",
             "/dashboard/report.pdf?site=lingen")  # fmt: skip
    counts = []
    for size in (6, 300):
        _moves_this_quarter(size)
        db.session.expunge_all()
        per_path = []
        for path in paths:
            with count_queries() as statements:
                assert viewer.get(path).status_code == 200
            per_path.append(len(statements))
        counts.append(per_path)
    assert counts[0] == counts[1]
    assert max(counts[0]) <= MAX_QUERIES
