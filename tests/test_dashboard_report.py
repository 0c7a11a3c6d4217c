"""The quarterly report (design.md §15): one content model for the page, the PDF and the CSV
files; the patron edition through the one disclosure rule (§11); highlights and publishing."""

import csv
import io
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.bulk import add_projects
from tests.conftest import csrf_token_from
from tests.querycount import count_queries
from tests.test_dashboard import MAX_QUERIES, signed_in, text_of, world_rows
from tests.test_metrics import advance
from tracker import disclosure
from tracker.dashboard import export, kept
from tracker.dashboard import report as model
from tracker.dashboard.periods import Quarter
from tracker.extensions import db
from tracker.models import Participation, ReportHighlight, StageEvent, utcnow

SECRET = "Secret electrolyser twin"
SECRET_REASON = "Consortium partner withdrew funding"
OPEN_REASON = "Buyers would not pay: no market for the forecast"
# Demo text in four scripts, as organization names and summaries people type.
LATIN = "Łódź Ørsted Müller"
CYRILLIC = "Киевский политехнический институт"
CJK = "東京工業大学"
ARABIC = "مدينة مصدر"
GREEK = "Εθνικό Μετσόβιο Πολυτεχνείο"


def _note_last_event(project_id: int, note: str) -> None:
    event = db.session.scalars(
        sa.select(StageEvent)
        .where(StageEvent.project_id == project_id)
        .order_by(StageEvent.id.desc())
    ).first()
    event.note = note
    db.session.commit()


@pytest.fixture
def quarter_moves(world):
    """In this quarter: both world projects enter test, the network one then market (with a
    summary in four scripts); one network and one consortium project stop with reasons; a
    formula-like start-up joins as partner; a lead-only project is created; a new member."""
    now = utcnow()
    world.network_project.summary = f"Forecast for {LATIN}, {CYRILLIC}, {CJK} and {ARABIC}."
    db.session.commit()
    advance(world.network_project, "test", now - timedelta(minutes=5))
    advance(world.network_project, "market", now)
    advance(world.consortium_project, "test", now)
    stopped_open = f.make_project(world.lingen, world.lead_org, title="Open drone survey")
    stopped_secret = f.make_project(
        world.berlin, world.other_org, title="Hidden berlin pilot", visibility="consortium"
    )
    advance(stopped_open, "develop", now, status="stopped")
    _note_last_event(stopped_open.id, OPEN_REASON)
    advance(stopped_secret, "develop", now, status="stopped")
    _note_last_event(stopped_secret.id, SECRET_REASON)
    formula = f.make_org("=HYPERLINK(1)", kind="startup", sites=[world.lingen])
    f.make_project(world.lingen, world.lead_org, [(formula, "startup")], title="=SUM(1+1)")
    f.make_project(world.berlin, world.other_org, title="Lead alone")  # no partner at all
    f.make_org("Fresh Member GmbH", sites=[world.berlin], member_since=now.date())
    f.make_org("Old Member AG", member_since=(now - timedelta(days=800)).date())
    return world


def csrf_from(response) -> str:
    return csrf_token_from(text_of(response))


def _this_quarter() -> Quarter:
    return Quarter.containing(utcnow())


def _content(user, site=None, quarter=None):
    return model.build(user, quarter or _this_quarter(), site)


def _zip_tables(body: bytes) -> dict[str, list[list[str]]]:
    tables = {}
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert data.startswith("\ufeff".encode()), name
            key = re.sub(r"^\d+-", "", name.rsplit("/", 1)[-1])[: -len(".csv")]
            tables[key] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return tables


def _pdftotext(data: bytes, tmp_path) -> str:
    """The PDF's text as poppler reads it; poppler must not warn about anything."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext (poppler-utils) is missing: .ci/run installs it")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    assert done.stderr == b"", done.stderr
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=60)
    assert info.stderr == b"", info.stderr
    pages = int(re.search(rb"Pages:\s+(\d+)", info.stdout).group(1))
    assert pages >= 3
    drawn = subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "page")],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    assert drawn.stderr == b"", drawn.stderr  # every page renders without a warning
    assert len(list(tmp_path.glob("page-*.png"))) == pages
    return done.stdout.decode("utf-8")


def _squeezed(text: str) -> str:
    """Text without spaces and bidi marks: poppler spaces out shaped Arabic letters."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKC", text)
        if not ch.isspace() and unicodedata.category(ch) != "Cf"
    )  # fmt: skip


# --- the full edition ---------------------------------------------------------------------


def test_admin_report_names_what_moved_this_quarter(client, login, quarter_moves):
    page = text_of(signed_in(client, login, quarter_moves.admin).get("/dashboard/report"))
    assert f"Quarterly progress report {_this_quarter().label}" in page
    for expected in (
        "Open hydrogen forecast",
        "Open drone survey",
        OPEN_REASON,
        SECRET_REASON,
        "=HYPERLINK(1)",
        "Network office edition",
    ):
        assert expected in page, expected
    assert "confidential" not in page


def test_new_cooperations_count_partners_not_leads(quarter_moves, world):
    """A project with no partner is no cooperation; each partner joining is one; a partner
    from another site is counted apart as cross-site."""
    content = _content(world.admin)
    # this quarter's partner participations: the two world projects' start-up (made now),
    # the formula start-up; leads (four new projects, two world ones) are not counted
    joined = db.session.scalar(
        sa.select(sa.func.count()).select_from(Participation).where(Participation.role != "lead")
    )
    assert joined == 3
    assert content.headline_of("cooperations").current.value == 3
    assert content.headline_of("cross_site").current.value == 0
    assert len(content.cooperations) == 3
    assert {c["organization"] for c in content.cooperations} == {"Partner Org", "=HYPERLINK(1)"}
    assert all(c["role"] != "lead" for c in content.cooperations)
    far = f.make_org("Far Partner", kind="research_institution", sites=[world.berlin])
    f.make_project(world.lingen, world.lead_org, [(far, "research_partner")], title="Far one")
    content = _content(world.admin)
    assert content.headline_of("cooperations").current.value == 4
    assert content.headline_of("cross_site").current.value == 1
    assert [c["cross_site"] for c in content.cooperations if c["title"] == "Far one"] == [True]


def test_headline_compares_with_the_previous_quarter(quarter_moves, world):
    earlier = _this_quarter().previous().start + timedelta(days=3)
    project = f.make_project(world.lingen, world.lead_org, title="Earlier entry")
    advance(project, "test", earlier)
    advance(project, "market", earlier + timedelta(hours=1))
    content = _content(world.admin)
    market = content.headline_of("entered_market")
    assert (market.current.value, market.previous.value, market.change) == (1, 1, 0)
    test = content.headline_of("entered_test")
    assert (test.current.value, test.previous.value, test.change) == (2, 1, 1)


def test_stop_reasons_are_shown_by_category(quarter_moves, world):
    content = _content(world.admin)
    by_category = {row["key"]: row["n"].value for row in content.stop_categories}
    assert by_category["market"] == 1  # "Buyers would not pay …"
    assert by_category["partners"] + by_category["funding"] == 1  # "… partner withdrew funding"
    assert sum(by_category.values()) == content.headline_of("stopped").current.value == 2


def test_member_report_leaves_out_rows_they_may_not_open(client, login, quarter_moves):
    """The outsider's organization leads the Berlin consortium project, not the Lingen one:
    its rows are named, the Lingen consortium rows are left out and counted apart."""
    viewer = signed_in(client, login, quarter_moves.outsider)
    page = text_of(viewer.get("/dashboard/report"))
    assert "Hidden berlin pilot" in page and SECRET_REASON in page
    assert SECRET not in page
    assert "Member edition" in page
    tables = _zip_tables(viewer.get("/dashboard/report.csv").get_data())
    assert tables["not_shown"][1:] == [["new cooperations", "1"]]  # the Lingen twin's start-up
    for key, rows in tables.items():
        assert not any(SECRET in cell for row in rows for cell in row), key


def test_report_for_one_site_leaves_out_the_others(client, login, quarter_moves):
    page = text_of(
        signed_in(client, login, quarter_moves.admin).get("/dashboard/report?site=berlin")
    )
    assert "Hidden berlin pilot" in page
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
    past = _this_quarter().previous().previous().key
    page = text_of(
        signed_in(client, login, quarter_moves.admin).get(f"/dashboard/report?quarter={past}")
    )
    assert "No project entered market in this quarter." in page
    assert "Open hydrogen forecast" not in page


# --- the patron edition (issue 14, finding 2) ----------------------------------------------


def _patron_surfaces(client, login, world):
    viewer = signed_in(client, login, world.patron)
    page = text_of(viewer.get("/dashboard/report"))
    zipped = viewer.get("/dashboard/report.csv")
    assert zipped.mimetype == "application/zip"
    tables = _zip_tables(zipped.get_data())
    csv_text = "\n".join(",".join(row) for rows in tables.values() for row in rows)
    pdf = viewer.get("/dashboard/report.pdf").get_data()
    return page, tables, csv_text, pdf


def test_patron_edition_lists_no_partners_reasons_or_confidential_rows(
    client, login, quarter_moves, tmp_path
):
    page, tables, csv_text, pdf = _patron_surfaces(client, login, quarter_moves)
    pdf_text = _pdftotext(pdf, tmp_path)
    # One network project entered market: "fewer than 3", so naming it would tell the count.
    assert "Not listed: the number of market entries in this quarter is withheld" in page
    assert "Not listed:" in pdf_text
    assert tables["market_entries"][1:] == []
    for surface, text in (("page", page), ("csv", csv_text), ("pdf", pdf_text)):
        assert "Open hydrogen forecast" not in text, surface
        assert "Patron" in text or "patron" in text or surface == "csv", surface
        for secret in (SECRET, SECRET_REASON, OPEN_REASON, "Hidden berlin pilot", "Partner Org",
                       "=HYPERLINK(1)", "Lead Org", "confidential"):  # fmt: skip
            assert secret not in text, (surface, secret)
    assert "Patron edition" in page
    assert "cooperations" not in tables and "stops" not in tables and "not_shown" not in tables
    # stop reasons by category only
    assert tables["stop_reasons"][0] == ["Category", "Projects stopped"]


def test_patron_counts_go_through_the_disclosure_rule(client, login, quarter_moves):
    """Counts of 1 or 2 say "fewer than 3"; no withheld cell of the per-site table follows
    from the shown ones (sites and the network's total); the page, the CSV and the content
    model agree."""
    content = _content(quarter_moves.patron)
    market = content.headline_of("entered_market").current
    assert market.value is None and market.state == "small"
    for figure in model.SITE_FIGURES:
        cells = [row.cells[figure] for row in content.sites]
        withheld = [cell for cell in cells if cell.hidden]
        assert len(withheld) != 1, figure  # one withheld cell beside its total is recomputable
    # the engine's own attack finds nothing to solve in what the patron sees
    found = model.event_counts([_this_quarter().previous(), _this_quarter()])
    site_ids = [site_id for site_id, _slug, _name in model._sites()]
    quarters = [_this_quarter().previous(), _this_quarter()]
    protected = model._protected(found, quarters, site_ids, True)
    assert protected.withheld
    values, relations = dict(protected.values), []
    details = {
        "stopped": model.STOP_CATEGORY_KEYS,
        "cooperations": model.COOPERATION_KINDS,
        "decisions": model.DECIDED,
        "entered": ("test", "market"),
    }
    for q in quarters:
        for figure, kinds in details.items():
            _v, rel = disclosure.cube({}, [list(kinds), site_ids])
            relations += [
                ((figure, q.key, *t), tuple((figure, q.key, *p) for p in ps)) for t, ps in rel
            ]
    assert disclosure.pinned(values, relations, set(protected.withheld)) == []
    page, tables, _csv, _pdf = _patron_surfaces(client, login, quarter_moves)
    headline = {row[0]: row[1:] for row in tables["headline"][1:]}
    assert headline["Entries to market"][0] == "fewer than 3"
    assert "fewer than 3" in page


def test_patron_and_dashboard_show_the_same_funnel(client, login, quarter_moves):
    """The funnel comes from the dashboard's protected pipeline figures (one rule)."""
    content = _content(quarter_moves.patron)
    view = disclosure.pipeline_view(None, (), withhold=True)
    assert content.funnel[0]["n"].value == view.count()
    assert content.funnel[1]["n"].value == view.flags.value(("reached_test", disclosure.ALL))


# --- PDF and CSV ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "patron"])
def test_pdf_figures_equal_the_page_and_the_csv_and_every_script_survives(
    client, login, quarter_moves, tmp_path, who
):
    # The patron edition names no market entry here (its count is withheld), so the four
    # scripts also reach it through a site's highlight.
    db.session.add(
        ReportHighlight(quarter=_this_quarter().key, site_id=quarter_moves.lingen.id,
                        text=f"Met {LATIN}, {CYRILLIC}, {CJK} and {ARABIC}.", version=1)
    )  # fmt: skip
    db.session.commit()
    viewer = signed_in(client, login, quarter_moves.user(who))
    page = text_of(viewer.get("/dashboard/report"))
    tables = _zip_tables(viewer.get("/dashboard/report.csv").get_data())
    response = viewer.get("/dashboard/report.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = _pdftotext(response.get_data(), tmp_path)
    lines = [re.sub(r"\s{2,}", "  ", line.strip()) for line in text.splitlines()]
    for label, current, previous, change in tables["headline"][1:]:
        rows = [line.split("  ")[1:] for line in lines if line.startswith(label + "  ")]
        assert [current, previous, change] in rows, (label, rows)
        cells = (re.escape(label), current, previous, re.escape(change))
        html_row = r"<th[^>]*>{}</th><td[^>]*>{}</td><td[^>]*>{}</td><td[^>]*>{}</td>"
        assert re.search(html_row.format(*cells), page), label
    assert "Page 2 of" in text and "Generated" in text
    squeezed = _squeezed(text)
    for sample in (LATIN, CYRILLIC, CJK, ARABIC):
        assert _squeezed(sample) in squeezed, sample


def test_pdf_in_german_numbers_pages_in_german(client, login, quarter_moves, tmp_path):
    quarter_moves.admin.locale = "de"
    db.session.commit()
    viewer = signed_in(client, login, quarter_moves.admin)
    text = _pdftotext(viewer.get("/dashboard/report.pdf").get_data(), tmp_path)
    assert "Seite 2 von" in text
    tables = _zip_tables(viewer.get("/dashboard/report.csv").get_data())
    assert tables["headline"][0][0] == "Kennzahl"
    assert tables["cooperations"][1][-1] in ("ja", "nein")


def test_greek_highlight_and_pdf_fonts_are_embedded(client, login, quarter_moves, tmp_path):
    db.session.add(
        ReportHighlight(quarter=_this_quarter().key, site_id=quarter_moves.lingen.id,
                        text=f"Visit from the {GREEK}, {CJK} and {ARABIC}.", version=1)
    )  # fmt: skip
    db.session.commit()
    data = signed_in(client, login, quarter_moves.patron).get("/dashboard/report.pdf").get_data()
    assert _squeezed(GREEK) in _squeezed(_pdftotext(data, tmp_path))
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout
    assert b"NotoSans" in fonts and b"NotoSansArabic" in fonts and b"NotoSansCJK" in fonts
    assert all(line.split()[-5] == b"yes" for line in fonts.splitlines()[2:])  # embedded


def test_csv_is_one_table_per_file_without_summary_rows(client, login, quarter_moves):
    viewer = signed_in(client, login, quarter_moves.admin)
    tables = _zip_tables(viewer.get("/dashboard/report.csv").get_data())
    assert {"headline", "sites", "funnel", "throughput", "decisions", "stop_reasons",
            "market_entries", "cooperations", "stops", "highlights"} <= set(tables)  # fmt: skip
    assert [row[0] for row in tables["sites"][1:]] == ["Berlin", "Lingen"]  # no total row
    assert all(len(row) == len(rows[0]) for rows in tables.values() for row in rows)
    assert any(row[3] == "'=HYPERLINK(1)" for row in tables["cooperations"][1:])
    single = viewer.get("/dashboard/report.csv?table=sites")
    assert single.mimetype == "text/csv"
    assert single.get_data().decode("utf-8-sig").splitlines()[0].startswith("Site,")
    assert viewer.get("/dashboard/report.csv?table=nope").status_code == 404


def test_pdf_charts_are_vectors(quarter_moves, world, app):
    with app.test_request_context():
        content = _content(world.admin)
        svgs = export.chart_svgs(content)
        assert set(svgs) == {"funnel", "throughput"}
        plain = export.svg_for_pdf(svgs["funnel"]).decode()
        assert "url(#" not in plain and "class=" not in plain and "<rect" in plain
        data = export.report_pdf(content)
    assert b"/Subtype /Image" not in data  # charts drawn as paths, not pictures


# --- highlights and publishing -------------------------------------------------------------


def test_site_manager_writes_the_highlight_and_an_admin_publishes(client, login, quarter_moves):
    world, quarter = quarter_moves, _this_quarter().key
    manager = signed_in(client, login, world.manager)
    url = f"/dashboard/report/highlights/lingen?quarter={quarter}"
    form = manager.get(url)
    assert form.status_code == 200
    saved = manager.post(url, data={"csrf_token": csrf_from(form), "text": f"Visit from {CJK}"})
    assert saved.status_code == 302
    assert f"Visit from {CJK}" in text_of(manager.get("/dashboard/report"))
    assert signed_in(client, login, world.other_manager).get(url).status_code == 403
    admin = signed_in(client, login, world.admin)
    confirm = admin.get(f"/dashboard/report/publish?quarter={quarter}")
    assert "This cannot be undone" in text_of(confirm)
    assert "1 of 2 sites" in text_of(confirm)
    done = admin.post(f"/dashboard/report/publish?quarter={quarter}",
                      data={"csrf_token": csrf_from(confirm)})  # fmt: skip
    assert done.status_code == 302
    before_pdf_page = text_of(admin.get("/dashboard/report"))
    assert "Published" in before_pdf_page
    # the quarter is frozen: a later change of the data or of the highlight shows nowhere
    late = f.make_project(world.lingen, world.lead_org, title="Late market entry")
    advance(late, "market", utcnow())
    refused = manager.post(url, data={"csrf_token": csrf_from(manager.get(url)), "text": "x"})
    assert refused.status_code == 409
    for viewer in (admin, manager, signed_in(client, login, world.patron)):
        page = text_of(viewer.get("/dashboard/report"))
        assert "Late market entry" not in page and f"Visit from {CJK}" in page
    again = admin.post(f"/dashboard/report/publish?quarter={quarter}",
                       data={"csrf_token": csrf_from(confirm)})  # fmt: skip
    assert again.status_code == 409


def test_published_report_narrows_the_full_edition_for_members(client, login, quarter_moves):
    model.publish(quarter_moves.admin, _this_quarter())
    page = text_of(signed_in(client, login, quarter_moves.outsider).get("/dashboard/report"))
    assert "Hidden berlin pilot" in page and SECRET not in page
    assert "Rows not shown" in page
    patron = text_of(signed_in(client, login, quarter_moves.patron).get("/dashboard/report"))
    assert SECRET_REASON not in patron and "Partner Org" not in patron


def test_only_admins_publish(client, login, world):
    for who in ("manager", "patron", "lead_member"):
        viewer = signed_in(client, login, world.user(who))
        assert viewer.get("/dashboard/report/publish").status_code == 403


def test_demo_highlights_name_visitors_in_their_scripts():
    from tracker.demo.report_highlights import HIGHLIGHTS

    blob = " ".join(HIGHLIGHTS.values())
    for sample in (CYRILLIC, ARABIC, GREEK, "東京", "Łódź"):
        assert sample in blob


# --- fixed number of statements --------------------------------------------------------------


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
    paths = ["/dashboard/report", "/dashboard/report?site=berlin", "/dashboard/report.csv"]
    if who == "patron":  # the PDF's statements are the page's; its lists take time to set
        paths.append("/dashboard/report.pdf?site=lingen")
    counts = []
    for size in (6, 300):
        _moves_this_quarter(size)
        kept.refresh()  # the dashboard's kept counts folded (the first read's work otherwise)
        db.session.expunge_all()
        per_path = []
        for path in paths:
            with count_queries() as statements:
                assert viewer.get(path).status_code == 200
            per_path.append(len(statements))
        counts.append(per_path)
    assert counts[0] == counts[1]
    assert max(counts[0]) <= MAX_QUERIES


def _table_rows(page: str, table_id: str) -> int:
    body = page.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


@pytest.mark.parametrize(
    "who", ["admin", "manager", "other_manager", "lead_member", "outsider", "patron"]
)
def test_the_page_lists_the_first_rows_and_the_files_every_row(client, login, world, who):
    """With hundreds of moves in the quarter the page lists LIST_LIMIT rows of each list and
    says how many more there are; its lists are the first rows of the complete ones (which
    the CSV and the PDF give), and the rows not named are counted the same (from the kept
    counts and the reader's organization: a manager of the consortium projects' site, a
    member of their lead, of an organization without them, a patron)."""
    viewer = signed_in(client, login, world.user(who))
    _moves_this_quarter(300)
    kept.refresh()
    reader, quarter, limit = world.user(who), _this_quarter(), model.LIST_LIMIT
    full = model.compute(reader, quarter, None)
    capped = model.compute(reader, quarter, None, limit=limit)
    assert not full.more
    for name in model.LISTS:
        rows = getattr(full, name)
        assert getattr(capped, name) == rows[:limit], name
        assert capped.more.get(name, 0) == max(len(rows) - limit, 0), name
    assert capped.not_named == full.not_named
    assert len(full.market_entries) > limit  # the patron's too: network projects only
    page = text_of(viewer.get("/dashboard/report"))
    assert page.count('<li class="list-group-item">') == limit
    more = full.more or {n: len(getattr(full, n)) - limit for n in model.LISTS}
    assert f"The first {limit} rows are listed; {more['market_entries']} more rows" in page
    assert "table=market_entries" in page
    csv_rows = _zip_tables(viewer.get("/dashboard/report.csv").get_data())
    assert len(csv_rows["market_entries"]) - 1 == len(full.market_entries)
    if who != "patron":
        for name, table_id in (("cooperations", "table-cooperations"), ("stops", "table-stops")):
            assert _table_rows(page, table_id) == limit
            assert len(csv_rows[name]) - 1 == len(getattr(full, name)) > limit
            assert f"table={name}" in page


def test_a_published_quarter_lists_the_first_rows_on_the_page_too(client, login, world):
    _moves_this_quarter(60)
    kept.refresh()
    model.publish(world.admin, _this_quarter())
    manager = world.manager
    stored = model.build(manager, _this_quarter(), None)
    page = model.build(manager, _this_quarter(), None, limit=model.LIST_LIMIT)
    for name in model.LISTS:
        assert getattr(page, name) == getattr(stored, name)[: model.LIST_LIMIT]
        assert page.more[name] == len(getattr(stored, name)) - model.LIST_LIMIT
    viewer = signed_in(client, login, manager)
    assert _table_rows(text_of(viewer.get("/dashboard/report")), "table-stops") == 25
