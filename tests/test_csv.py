"""CSV: project and organization exports (BOM, filters, scoping, formula cells), org import."""

import csv
import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.bulk import add_projects
from tests.querycount import count_queries
from tracker.directory.imports import pack
from tracker.exports.csvfile import neutralise, restore
from tracker.exports.rows import ORGANIZATION_COLUMNS
from tracker.extensions import db
from tracker.models import AuditEvent, Organization, utcnow

BOM = "\ufeff".encode()
HEADER = ",".join(ORGANIZATION_COLUMNS)


def parse(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    data = response.get_data()
    assert data.startswith(BOM)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def upload(client, text: str | bytes, filename: str = "orgs.csv", encoding: str = "utf-8-sig"):
    body = text.encode(encoding) if isinstance(text, str) else text
    # A hand-made multipart body: Werkzeug's test encoder leaves a temp file open for big ones.
    boundary = "----csv-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
    )
    data = head.encode() + body + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/organizations/import",
        data=data,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def confirm(client, text: str, filename: str = "orgs.csv"):
    content = pack(text.encode("utf-8-sig"))
    return client.post("/organizations/import", data={"content": content, "filename": filename})


def org_names() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Organization.name)))


# --- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+49 591 1234", "'+49 591 1234"),
        ("-5 kW", "'-5 kW"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'=already quoted", "''=already quoted"),
        ("Krone Group", "Krone Group"),
        ("it's fine", "it's fine"),
        ("'plain quote", "'plain quote"),
        ("", ""),
    ],
)
def test_formula_cells_get_an_apostrophe_that_import_removes_again(value, written):
    assert neutralise(value) == written
    assert restore(written) == value


def test_dates_and_empty_values_become_plain_text():
    assert neutralise(date(2024, 5, 31)) == "2024-05-31"
    assert neutralise(None) == ""
    assert neutralise(12) == "12"


# --- project export -------------------------------------------------------------------------


def test_project_export_is_a_dated_utf8_attachment_with_bom_and_header(client, world, login):
    login(world.lead_member)
    response = client.get("/projects/export.csv")
    rows = parse(response)
    assert response.mimetype == "text/csv"
    today = utcnow().date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="projects-{today}.csv"'
    )
    assert list(rows[0]) == [
        "id", "title", "summary", "site", "stage", "status", "visibility", "kind", "themes",
        "lead_organization", "partners", "stage_entered_at", "last_activity_at",
        "target_test_on", "target_market_on",
    ]  # fmt: skip
    by_title = {row["title"]: row for row in rows}
    row = by_title["Open hydrogen forecast"]
    assert row["site"] == "lingen"
    assert row["themes"] == "ai"
    assert row["lead_organization"] == "Lead Org"
    assert row["partners"] == "Partner Org (startup)"
    assert row["stage_entered_at"] == world.network_project.stage_entered_at.isoformat()


def test_an_outsiders_export_lacks_the_consortium_project(client, world, login):
    login(world.outsider)
    titles = {row["title"] for row in parse(client.get("/projects/export.csv"))}
    assert titles == {"Open hydrogen forecast"}


def test_a_participants_export_includes_the_consortium_project(client, world, login):
    login(world.partner_member)
    titles = {row["title"] for row in parse(client.get("/projects/export.csv"))}
    assert titles == {"Open hydrogen forecast", "Secret electrolyser twin"}


def test_project_export_applies_the_list_filters(client, world, login):
    f.make_project(world.berlin, world.other_org, title="Berlin mobility pilot")
    login(world.admin)
    rows = parse(client.get("/projects/export.csv?visibility=consortium"))
    assert [row["title"] for row in rows] == ["Secret electrolyser twin"]
    rows = parse(client.get("/projects/export.csv?site=berlin"))
    assert [row["title"] for row in rows] == ["Berlin mobility pilot"]
    rows = parse(client.get("/projects/export.csv?q=nothing-matches"))
    assert rows == []


def test_the_project_list_links_to_the_export_with_its_filters(client, world, login):
    login(world.admin)
    html = client.get("/projects?stage=develop&q=hydrogen").get_data(as_text=True)
    assert "/projects/export.csv?" in html
    link = html.split("/projects/export.csv?", 1)[1].split('"', 1)[0]
    assert "stage=develop" in link and "q=hydrogen" in link


def test_a_formula_title_comes_out_neutralised(client, world, login):
    f.make_project(world.lingen, world.lead_org, title="=cmd|' /C calc'!A0")
    login(world.admin)
    titles = {row["title"] for row in parse(client.get("/projects/export.csv"))}
    assert "'=cmd|' /C calc'!A0" in titles
    assert "=cmd|' /C calc'!A0" not in titles


def test_patrons_may_not_export_projects(client, world, login):
    login(world.patron)
    assert client.get("/projects/export.csv").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/projects/export.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_project_export_needs_the_same_queries_for_many_rows(client, world, login):
    login(world.admin)
    ids = [
        SimpleNamespace(id=o.id)
        for o in (world.lingen, world.lead_org, world.partner_org, world.ai)
    ]

    def queries() -> int:
        db.session.expunge_all()
        with count_queries() as statements:
            parse(client.get("/projects/export.csv"))
        return len(statements)

    few = queries()
    add_projects(40, *ids)
    assert queries() == few


# --- organization export --------------------------------------------------------------------


def test_organization_export_keeps_umlauts_and_has_a_bom(client, world, login):
    f.make_org("Müller Ä Ö Ü GmbH", sites=[world.lingen], themes=[world.ai], city="Lingen (Ems)")
    login(world.outsider)
    response = client.get("/organizations/export.csv")
    rows = parse(response)
    assert list(rows[0]) == ["id", *ORGANIZATION_COLUMNS]  # ids for members' systems
    row = next(r for r in rows if r["name"] == "Müller Ä Ö Ü GmbH")
    assert (row["sites"], row["themes"], row["city"]) == ("lingen", "ai", "Lingen (Ems)")
    assert "organizations-" in response.headers["Content-Disposition"]


def test_organization_export_applies_the_directory_filters(client, world, login):
    login(world.admin)
    rows = parse(client.get("/organizations/export.csv?kind=startup"))
    assert [row["name"] for row in rows] == ["Partner Org"]
    rows = parse(client.get("/organizations/export.csv?site=berlin"))
    assert [row["name"] for row in rows] == ["Other Org"]


def test_the_directory_links_to_export_and_import(client, world, login):
    login(world.admin)
    html = client.get("/organizations?kind=startup").get_data(as_text=True)
    assert "/organizations/export.csv?kind=startup" in html
    assert "/organizations/import" in html
    client.post("/logout")
    login(world.outsider)
    html = client.get("/organizations").get_data(as_text=True)
    assert "/organizations/export.csv" in html
    assert "/organizations/import" not in html


def test_patrons_may_not_export_organizations(client, world, login):
    login(world.patron)
    assert client.get("/organizations/export.csv").status_code == 403


# --- organization import --------------------------------------------------------------------


@pytest.fixture
def directory(app):
    """An admin without organization (so organizations can be wiped), sites and themes."""
    lingen = f.make_site("lingen", name="Lingen")
    berlin = f.make_site("berlin", name="Berlin")
    f.make_theme("ai", "Artificial intelligence")
    f.make_theme("green-hydrogen", "Green hydrogen")
    admin = f.make_user("admin", email="admin@example.org")
    manager = f.make_user("site_manager", sites=[lingen], email="mgr@example.org")
    return {"lingen": lingen, "berlin": berlin, "admin": admin, "manager": manager}


def test_export_then_import_gives_identical_rows(client, directory, login):
    ai = db.session.scalar(sa.text("select id from themes where slug = 'ai'"))
    theme = db.session.get(__import__("tracker.models", fromlist=["Theme"]).Theme, ai)
    f.make_org(
        "Müller Ä Ö Ü GmbH",
        sites=[directory["lingen"], directory["berlin"]],
        themes=[theme],
        city="Lingen",
        website="https://mueller.example",
        description='Says "hello", -5 kW,\nand =SUM(A1) on two lines',
        member_since=date(2021, 3, 1),
    )
    f.make_org("=cmd", kind="startup", country="SE", description="@mention")
    f.make_org("'=quoted", kind="public_body", country="AT")
    login(directory["admin"])
    exported = client.get("/organizations/export.csv").get_data()
    before = parse(client.get("/organizations/export.csv"))
    db.session.execute(sa.delete(Organization))
    db.session.commit()
    assert org_names() == set()

    text = exported.decode("utf-8")
    preview = upload(client, text, encoding="utf-8")
    assert preview.status_code == 200
    assert "Import 3 organizations?" in preview.get_data(as_text=True)
    assert org_names() == set()  # the preview saves nothing
    response = confirm(client, text.removeprefix("\ufeff"))
    assert response.status_code == 302
    assert org_names() == {"Müller Ä Ö Ü GmbH", "=cmd", "'=quoted"}
    # The same rows; the import ignores the id column, so the new rows have new ids.
    after = parse(client.get("/organizations/export.csv"))
    assert [row.pop("id") for row in after] != [row.pop("id") for row in before]
    assert after == before
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("organization_imported") == 3


def test_the_confirm_step_flashes_the_count(client, directory, login):
    login(directory["admin"])
    text = f"{HEADER}\r\nNew Org,startup,DE,Lingen,,,,lingen,ai\r\n"
    response = confirm(client, text)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 organization from orgs.csv." in page
    assert org_names() == {"New Org"}


def test_imported_organizations_start_at_version_one_and_edit_with_it(client, directory, login):
    login(directory["admin"])
    confirm(client, f"{HEADER}\r\nNew Org,startup,DE,Lingen,,,,lingen,ai\r\n")
    db.session.expire_all()
    org = db.session.scalar(sa.select(Organization).where(Organization.name == "New Org"))
    assert org.version == 1
    form = {"name": "New Org", "kind": "startup", "country": "DE", "city": "Meppen",
            "sites": [directory["lingen"].id], "version": "1"}  # fmt: skip
    assert client.post(f"/organizations/{org.id}/edit", data=form).status_code == 302
    assert client.post(f"/organizations/{org.id}/edit", data=form).status_code == 409  # stale
    db.session.expire_all()
    assert (db.session.get(Organization, org.id).city, org.version) == ("Meppen", 2)


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(client, directory, login):
    login(directory["admin"])
    text = (
        f"{HEADER}\r\n"
        "Alpha GmbH,member_company,DE,,,,,lingen,\r\n"
        "Beta AB,startup,XX,,,,,,\r\n"
        "Gamma Oy,startup,FI,,,,,,\r\n"
    )
    for response in (upload(client, text), confirm(client, text)):
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Nothing was imported" in html
        report = html.split('id="import-errors"', 1)[1]
        assert '<td class="text-end">3</td><td><code>country</code></td>' in report
        assert '<td class="text-end">2</td>' not in report
        assert org_names() == set()


def test_each_problem_is_reported_with_its_row_and_column(client, directory, login):
    login(directory["admin"])
    future = (utcnow().date() + timedelta(days=10)).isoformat()
    text = (
        f"{HEADER}\r\n"
        ",startup,DE,,,,,,\r\n"
        "Bad Kind,giant,DE,,,,,,\r\n"
        "Bad Site,startup,DE,,ftp://x.example,,2020-13-01,atlantis,\r\n"
        f"Future,startup,DE,,,,{future},,nothing\r\n"
    )
    html = upload(client, text).get_data(as_text=True).split('id="import-errors"', 1)[1]
    for row, column in [(2, "name"), (3, "kind"), (4, "website"), (4, "member_since"),
                        (4, "sites"), (5, "member_since"), (5, "themes")]:  # fmt: skip
        assert f'<td class="text-end">{row}</td><td><code>{column}</code></td>' in html
    assert "No site has the slug atlantis." in html
    assert org_names() == set()


def test_names_must_be_new_and_unique_within_the_file(client, directory, login):
    f.make_org("Krone Group")
    login(directory["admin"])
    text = (
        f"{HEADER}\r\n"
        "KRONE GROUP,member_company,DE,,,,,,\r\n"
        "Twin Labs,startup,DE,,,,,,\r\n"
        "twin labs,startup,DE,,,,,,\r\n"
    )
    html = upload(client, text).get_data(as_text=True)
    assert "An organization named “KRONE GROUP” already exists." in html
    assert "The same name is already in row 3 of this file." in html
    assert '<td class="text-end">4</td><td><code>name</code></td>' in html
    assert org_names() == {"Krone Group"}


def test_site_managers_import_only_into_their_own_sites(client, directory, login):
    login(directory["manager"])
    rows = ["A,startup,DE,,,,,berlin,", "B,startup,DE,,,,,,", "C,startup,DE,,,,,lingen,"]
    bad = "\r\n".join([HEADER, *rows, ""])
    html = upload(client, bad).get_data(as_text=True)
    assert "You can only choose sites you manage." in html
    assert "Choose at least one of the sites you manage." in html
    assert '<td class="text-end">4</td>' not in html.split('id="import-errors"', 1)[1]
    good = f"{HEADER}\r\nC,startup,DE,,,,,lingen,\r\n"
    assert "Import 1 organization?" in upload(client, good).get_data(as_text=True)
    assert confirm(client, good).status_code == 302
    assert org_names() == {"C"}


def test_members_and_patrons_may_not_import(client, world, login):
    for user in (world.lead_member, world.patron):
        login(user)
        assert client.get("/organizations/import").status_code == 403
        assert upload(client, f"{HEADER}\r\nX,startup,DE,,,,,,\r\n").status_code == 403
        assert confirm(client, f"{HEADER}\r\nX,startup,DE,,,,,,\r\n").status_code == 403
    assert "X" not in org_names()


def test_the_import_page_explains_the_columns(client, directory, login):
    login(directory["manager"])
    html = client.get("/organizations/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert "<code>member_since</code>" in html and "only yours" in html


@pytest.mark.parametrize(
    ("body", "filename", "message"),
    [
        (HEADER + "\r\nA,startup,DE,,,,,,\r\n", "orgs.xlsx", "a name ending in .csv"),
        (b"PK\x03\x04\x00\x00binary", "orgs.csv", "This is not a text file"),
        ("Müller".encode("latin-1"), "orgs.csv", "not UTF-8 text"),
        ("name,kind\r\nA,startup\r\n", "orgs.csv", "missing country"),
        (HEADER + "\r\n", "orgs.csv", "no rows below the header"),
        ("", "orgs.csv", "The file is empty"),
        (HEADER + "\r\n" + "x" * 1_000_001 + "\r\n", "orgs.csv", "larger than 1 MB"),
        (HEADER + "\r\n" + "A,startup,DE,,,,,,\r\n" * 5001, "orgs.csv", "more than 5,000 rows"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(client, directory, login, body, filename,
                                                     message):  # fmt: skip
    login(directory["admin"])
    response = upload(client, body, filename=filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert org_names() == set()


def test_a_tampered_confirmation_is_refused(client, directory, login):
    login(directory["admin"])
    response = client.post(
        "/organizations/import", data={"content": "not-base64!!", "filename": "orgs.csv"}
    )
    assert "Please upload it again" in response.get_data(as_text=True)
    assert org_names() == set()
