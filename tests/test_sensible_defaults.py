"""Issue 19 item 3: defaults that fit and dates that make sense (design.md §16)."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.projects_support import project_form
from tests.test_api_read import bearer
from tracker.extensions import db
from tracker.models import Milestone, Project

pytestmark = pytest.mark.usefixtures("session_ends_before_each_request")


def selected_site(html: str) -> str | None:
    select = re.search(r'<select[^>]*name="site_id".*?</select>', html, re.S).group(0)
    chosen = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', select)
    return chosen and (chosen.group(1) or chosen.group(2))


def test_a_members_new_project_is_hosted_at_their_organizations_first_site(
    app, client, world, login
):
    login(world.lead_member)  # Lead Org is at Lingen; Berlin comes first in the list
    assert selected_site(client.get("/projects/new").get_data(as_text=True)) == str(world.lingen.id)
    other = app.test_client()
    login(world.outsider, test_client=other)  # Other Org is at Berlin
    assert selected_site(other.get("/projects/new").get_data(as_text=True)) == str(world.berlin.id)


def in_years(years: int) -> date:
    today = date.today()
    return today.replace(year=today.year + years, day=min(today.day, 28))


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("target_test_on", "1999-01-01", "must lie after the project"),
        ("target_market_on", "9999-12-31", "within 10 years"),
        ("target_test_on", None, "within 10 years"),
    ],
)
def test_target_dates_before_the_start_or_far_ahead_are_refused_with_a_message(
    client, world, login, field, value, words
):
    value = value or (in_years(10) + timedelta(days=40)).isoformat()
    login(world.lead_member)
    data = project_form(world.lingen, title="Dated", **{field: value})
    page = client.post("/projects/new", data=data)
    assert page.status_code in (200, 422)
    assert words in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(Project.title == "Dated")) == 0


def test_sensible_target_dates_are_accepted(client, world, login):
    login(world.lead_member)
    data = project_form(
        world.lingen,
        title="Dated well",
        target_test_on=(date.today() + timedelta(days=200)).isoformat(),
        target_market_on=in_years(9).isoformat(),
    )
    assert client.post("/projects/new", data=data).status_code == 302


def test_the_api_refuses_the_same_dates_with_422(client, world):
    new = {"title": "API dated", "site": "lingen", "target_test_on": "1999-01-01"}
    answer = client.post("/api/v1/projects", json=new, headers=bearer(world.lead_member))
    assert answer.status_code == 422 and "target_test_on" in answer.json["errors"]
    pid = world.network_project.id
    version = client.get(f"/api/v1/projects/{pid}", headers=bearer(world.lead_member)).headers[
        "ETag"
    ]
    answer = client.patch(
        f"/api/v1/projects/{pid}",
        json={"target_market_on": "9999-01-01"},
        headers={**bearer(world.lead_member), "If-Match": version},
    )
    assert answer.status_code == 422 and "target_market_on" in answer.json["errors"]


def test_an_unchanged_old_target_date_does_not_block_other_edits(client, world):
    project = world.network_project
    project.target_test_on = date(2001, 1, 1)  # stored before the rule
    db.session.commit()
    headers = bearer(world.lead_member)
    version = client.get(f"/api/v1/projects/{project.id}", headers=headers).headers["ETag"]
    answer = client.patch(
        f"/api/v1/projects/{project.id}",
        json={"summary": "Still fine"},
        headers={**headers, "If-Match": version},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)


def test_a_milestone_may_be_due_in_the_past(client, world, login):
    pid = world.network_project.id
    login(world.lead_member)
    data = {"title": "Kick-off held", "due_on": (date.today() - timedelta(days=30)).isoformat()}
    assert client.post(f"/projects/{pid}/milestones", data=data).status_code == 302
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Milestone.title == "Kick-off held")) == 1
    )
