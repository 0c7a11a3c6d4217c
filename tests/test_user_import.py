"""/admin/users/import: a CSV of people checked row by row, all made or none, invited by outbox."""

import io
import re

import pytest
import sqlalchemy as sa

from tests.querycount import count_queries
from tracker.extensions import db
from tracker.models import AuditEvent, OneTimeLink, User
from tracker.models.outbox import OutboxMessage
from tracker.outbox import worker

HEADER = "email,name,role,organization,sites"


def csv_file(rows: list[str], header: str = HEADER, name: str = "people.csv"):
    data = ("\n".join([header, *rows]) + "\n").encode()
    return {"file": (io.BytesIO(data), name)}


def network_rows(world, count: int = 160) -> list[str]:
    """count people: members of the world's organizations, two site managers and a patron."""
    rows = []
    orgs = [world.lead_org, world.partner_org, world.other_org]
    for n in range(count - 3):
        org = orgs[n % len(orgs)]
        rows.append(f"person{n}@org{org.id}.example,Person {n},member,{org.name},")
    rows.append('sm1@network.example,Sam One,site_manager,,"lingen;Berlin"')
    rows.append("sm2@network.example,Sam Two,site manager,Lead Org,berlin")
    rows.append("patron2@network.example,Pat Ron,patron,,")
    return rows


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def upload(client, rows, **kwargs):
    return client.post(
        "/admin/users/import", data=csv_file(rows, **kwargs), content_type="multipart/form-data"
    )


def confirm_form(html: str) -> dict:
    fields = dict(re.findall(r'name="(content|filename)"[^>]*value="([^"]*)"', html))
    fields |= {k: v for v, k in re.findall(r'value="([^"]*)"[^>]*name="(content|filename)"', html)}
    assert set(fields) == {"content", "filename"}, "no confirmation form on the page"
    return fields


def test_160_rows_with_one_bad_row_are_refused_whole_then_the_fixed_file_invites_all(
    app, client, login, world
):
    login(world.admin)
    users_before = count(User)
    rows = network_rows(world)
    rows[76] = "broken@org.example,Broken Row,member,Atlantis Institute,"
    refused = upload(client, rows)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Nothing was imported" in page
    assert "1 problem in people.csv" in page and "1 row is affected" in page
    problems = page.split('id="import-problems"')[1].split("</table>")[0]
    # Row 78 in the spreadsheet (the header is row 1), named with its address and column.
    assert re.search(r">78</td><td>broken@org.example</td><td><code>organization</code>", problems)
    assert "There is no organization named Atlantis Institute" in problems
    assert problems.count("<tr>") == 2  # the header and the one bad row
    assert count(User) == users_before and count(OutboxMessage) == 0

    rows[76] = f"fixed@org.example,Fixed Row,member,{world.lead_org.name},"
    preview = upload(client, rows).get_data(as_text=True)
    assert "160 accounts will be made and invited" in preview and "fixed@org.example" in preview
    assert count(User) == users_before  # nothing saved before the confirmation
    done = client.post("/admin/users/import", data=confirm_form(preview))
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    page = done.get_data(as_text=True)
    assert "160 invitations made" in page
    links = re.findall(r'value="(http://localhost/invite/[^"]+)"', page)
    assert len(links) == 160  # no SMTP here: listed for copying
    assert count(User) == users_before + 160
    assert count(OneTimeLink) == 160 and count(OutboxMessage) == 160
    mails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {(m.event, m.template) for m in mails} == {("invitation", "invitation")}
    assert sorted(m.params["url"] for m in mails) == sorted(links)
    sam = db.session.scalar(sa.select(User).where(User.email == "sm1@network.example"))
    assert sam.role == "site_manager" and {s.slug for s in sam.managed_sites} == {
        "lingen",
        "berlin",
    }
    fixed = db.session.scalar(sa.select(User).where(User.email == "fixed@org.example"))
    assert fixed.organization_id == world.lead_org.id and fixed.password_hash is None
    invited = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "user_invited")
    )
    assert invited == 160
    # A link works: the person chooses a password.
    client.post("/logout")
    link = links[0]
    assert client.get(link.removeprefix("http://localhost")).status_code == 200
    # The same file again: every address exists now, nothing is made twice.
    login(world.admin)
    again = upload(client, rows).get_data(as_text=True)
    assert "160 problems in people.csv" in again and count(User) == users_before + 160


def test_every_rows_problems_are_named(client, login, world):
    login(world.admin)
    rows = [
        "ok@x.example,Okay,member,Lead Org,",
        "not-an-address,No Mail,member,Lead Org,",
        "lead@example.org,Exists,member,Lead Org,",
        "twice@x.example,First,member,Lead Org,",
        "twice@x.example,Second,member,Lead Org,",
        "role@x.example,Role,overlord,Lead Org,",
        "noorg@x.example,No Org,member,,",
        "patron@x.example,Pat,patron,Lead Org,",
        "sm@x.example,Sam,site_manager,,",
        "sm2@x.example,Sam,site_manager,,atlantis",
        ",,member,Lead Org,lingen",
    ]
    page = upload(client, rows).get_data(as_text=True)
    for row, text in [
        (3, "not-an-address is not a valid e-mail address"),
        (4, "An account for lead@example.org exists already"),
        (6, "twice@x.example is also in row 5"),
        (7, "Use one of: admin, site_manager, member, patron"),
        (8, "A member needs an organization"),
        (9, "A patron belongs to no organization"),
        (10, "A site manager needs at least one site"),
        (11, "There is no site atlantis"),
        (12, "Enter an e-mail address"),
        (12, "Enter the person&#39;s name"),
        (12, "Only site managers manage sites"),
    ]:
        assert re.search(rf">{row}</td>.*?{re.escape(text)}", page), (row, text)
    assert "11 problems in people.csv" in page and "9 rows are affected" in page
    assert count(User) == 7


def test_site_managers_import_members_of_their_sites_organizations_only(client, login, world):
    login(world.manager)  # manages Lingen: Lead Org and Partner Org, not Other Org
    rows = [
        "a@x.example,A,member,Lead Org,",
        "b@x.example,B,member,Other Org,",
        "c@x.example,C,admin,,",
        "d@x.example,D,site_manager,Lead Org,lingen",
    ]
    page = upload(client, rows).get_data(as_text=True)
    for row in (3, 4, 5):
        assert re.search(rf">{row}</td>.*?You may invite only members of organizations", page)
    assert ">2</td>" not in page.split('id="import-problems"')[1]
    preview = upload(client, rows[:1]).get_data(as_text=True)
    client.post("/admin/users/import", data=confirm_form(preview))
    assert db.session.scalar(sa.select(User).where(User.email == "a@x.example")).role == "member"
    client.post("/logout")
    login(world.lead_member)
    assert client.get("/admin/users/import").status_code == 403


def test_a_semicolon_file_from_a_german_spreadsheet_is_read(client, login, world):
    login(world.admin)
    rows = [
        "anna@x.example;Anna Ä;member;Lead Org;",
        'sm@x.example;Sam;site_manager;;"lingen;berlin"',
    ]
    preview = upload(client, rows, header=HEADER.replace(",", ";")).get_data(as_text=True)
    assert "2 accounts will be made" in preview and "Anna Ä" in preview


def test_a_file_that_is_not_the_right_shape_is_refused_clearly(client, login, world):
    login(world.admin)
    page = upload(client, ["a@x.example,A,member"], header="email,name,role").get_data(as_text=True)
    assert "missing organization, sites" in page
    page = upload(client, ["a@x.example,A,member,Lead Org,"], name="people.xlsx").get_data(
        as_text=True
    )
    assert "Choose a CSV file" in page
    assert count(User) == 7


def test_checking_160_rows_reads_the_database_a_fixed_number_of_times(app, world):
    from tracker.admin import user_import  # after the app: tracker.auth is imported by then

    data = ("\n".join([HEADER, *network_rows(world)]) + "\n").encode()
    user_import.check_user_import(world.admin, "a.csv", data)  # the actor's own rows read once
    with count_queries() as few:
        user_import.check_user_import(world.admin, "a.csv", data[: data.index(b"\n", 300)])
    with count_queries() as many:
        check = user_import.check_user_import(world.admin, "a.csv", data)
    assert not check.problems and len(check.accounts) == 160
    assert len(many) == len(few) <= 5


def test_with_smtp_the_invitations_are_mailed_by_the_outbox(client, login, world, smtp):
    login(world.admin)
    rows = ["anna@x.example,Anna,member,Lead Org,", "bo@x.example,Bo,member,Partner Org,"]
    preview = upload(client, rows).get_data(as_text=True)
    page = client.post("/admin/users/import", data=confirm_form(preview)).get_data(as_text=True)
    assert "being sent by e-mail" in page and 'id="invitation-links"' not in page
    assert worker.deliver_due() == 2
    mails = smtp.wait_for(2)
    assert sorted(m["To"].addresses[0].addr_spec for m in mails) == [
        "anna@x.example",
        "bo@x.example",
    ]
    assert {m["X-Tracker-Event"] for m in mails} == {"invitation"}
    body = mails[0].get_body(("plain",)).get_content()
    assert "/invite/" in body


@pytest.mark.parametrize(
    ("language", "heading", "problem"),
    [
        (
            "de",
            "Personen aus einer Tabelle importieren",
            "Es gibt keine Organisation namens Nowhere",
        ),
        (
            "sv",
            "Importera personer från ett kalkylblad",
            "Det finns ingen organisation som heter Nowhere",
        ),
    ],
)
def test_the_import_speaks_the_readers_language(client, login, world, language, heading, problem):
    login(world.admin)
    headers = {"Accept-Language": language}
    assert heading in client.get("/admin/users/import", headers=headers).get_data(as_text=True)
    answer = client.post(
        "/admin/users/import",
        data=csv_file(["a@x.example,A,member,Nowhere,"]),
        headers=headers,
        content_type="multipart/form-data",
    )
    assert problem in answer.get_data(as_text=True)
