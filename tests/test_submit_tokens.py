"""The submit_token rule (design.md §16): a create form's second POST creates nothing."""

import re
import threading

import requests
import sqlalchemy as sa

from tests import factories
from tests.projects_support import project_form
from tracker.extensions import db
from tracker.models import Milestone, Project, SubmitToken, Update


def token_from(html: str) -> str:
    match = re.search(r'name="submit_token" value="([^"]+)"', html)
    assert match, "the form has no submit_token field"
    return match.group(1)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_double_posted_update_is_stored_once(client, world, login):
    pid = world.network_project.id
    login(world.lead_member)
    token = token_from(client.get(f"/projects/{pid}").get_data(as_text=True))
    data = {"body": "Pilot line ordered.", "submit_token": token}
    first = client.post(f"/projects/{pid}/updates", data=data)
    second = client.post(f"/projects/{pid}/updates", data=data)
    third = client.post(f"/projects/{pid}/updates", data=data)
    assert first.status_code == 302
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert third.headers["Location"] == first.headers["Location"]
    assert count(Update, Update.project_id == pid, Update.body == "Pilot line ordered.") == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "nothing was added a second time" in page


def test_each_rendering_has_a_fresh_token_and_a_post_without_one_works_as_before(
    client, world, login
):
    pid = world.network_project.id
    login(world.lead_member)
    one = token_from(client.get(f"/projects/{pid}").get_data(as_text=True))
    two = token_from(client.get(f"/projects/{pid}").get_data(as_text=True))
    assert one != two
    for _ in range(2):
        assert client.post(f"/projects/{pid}/updates", data={"body": "No token"}).status_code == 302
    assert count(Update, Update.body == "No token") == 2
    assert count(SubmitToken) == 0


def test_a_refused_post_lets_the_token_go_so_the_corrected_form_goes_through(client, world, login):
    pid = world.network_project.id
    login(world.lead_member)
    token = token_from(client.get(f"/projects/{pid}").get_data(as_text=True))
    refused = client.post(f"/projects/{pid}/updates", data={"body": "", "submit_token": token})
    assert refused.status_code in (200, 400, 422)
    assert count(SubmitToken) == 0
    ok = client.post(
        f"/projects/{pid}/updates", data={"body": "Now with text", "submit_token": token}
    )
    assert ok.status_code == 302
    assert count(Update, Update.body == "Now with text") == 1


def test_back_and_resubmit_of_a_new_project_creates_no_duplicate(client, world, login):
    login(world.lead_member)
    token = token_from(client.get("/projects/new").get_data(as_text=True))
    data = project_form(world.lingen, title="Once only", submit_token=token)
    first = client.post("/projects/new", data=data)
    again = client.post("/projects/new", data=data)
    assert first.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(Project, Project.title == "Once only") == 1


def test_the_edit_form_has_no_token_and_the_new_form_has_one(client, world, login):
    login(world.lead_member)
    assert 'name="submit_token"' in client.get("/projects/new").get_data(as_text=True)
    edit = client.get(f"/projects/{world.network_project.id}/edit").get_data(as_text=True)
    assert 'name="submit_token"' not in edit


def test_a_double_added_milestone_is_stored_once(client, world, login):
    pid = world.network_project.id
    login(world.lead_member)
    token = token_from(
        client.get(f"/projects/{pid}").get_data(as_text=True).split('id="milestones"', 1)[-1]
    )
    data = {"title": "Pilot run", "due_on": "2031-01-15", "submit_token": token}
    assert client.post(f"/projects/{pid}/milestones", data=data).status_code == 302
    assert client.post(f"/projects/{pid}/milestones", data=data).status_code == 303
    assert count(Milestone, Milestone.project_id == pid, Milestone.title == "Pilot run") == 1


def test_another_users_token_is_refused(client, world, login, app):
    pid = world.network_project.id
    login(world.lead_member)
    token = token_from(client.get(f"/projects/{pid}").get_data(as_text=True))
    assert (
        client.post(
            f"/projects/{pid}/updates", data={"body": "Mine", "submit_token": token}
        ).status_code
        == 302
    )
    other = app.test_client()
    login(world.partner_member, test_client=other)
    answer = other.post(f"/projects/{pid}/updates", data={"body": "Theirs", "submit_token": token})
    assert answer.status_code == 400
    assert count(Update, Update.body == "Theirs") == 0


def test_concurrent_posts_with_one_token_store_one_update(world, live_server):
    pid, email = world.network_project.id, world.lead_member.email
    db.session.remove()  # the server's writes must not wait on a transaction of this test
    browser = requests.Session()
    signed_in = browser.post(
        f"{live_server}/login",
        data={"email": email, "password": factories.PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302
    token = token_from(browser.get(f"{live_server}/projects/{pid}", timeout=30).text)
    cookies = browser.cookies.get_dict()
    answers, start = [], threading.Barrier(4)

    def click():
        start.wait()
        answer = requests.post(
            f"{live_server}/projects/{pid}/updates",
            data={"body": "Clicked four times", "submit_token": token},
            cookies=cookies,
            allow_redirects=False,
            timeout=60,
        )
        answers.append(answer)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(a.status_code for a in answers) == [302, 303, 303, 303]
    assert len({a.headers["Location"] for a in answers}) == 1
    assert count(Update, Update.body == "Clicked four times") == 1


def test_a_double_posted_gate_request_is_stored_once(client, world, login):
    from tracker.models import GateReview

    pid = world.network_project.id
    login(world.lead_member)
    token = token_from(client.get(f"/projects/{pid}/gate").get_data(as_text=True))
    data = {"evidence": "Prototype shown to all partners.", "submit_token": token}
    first = client.post(f"/projects/{pid}/gate", data=data)
    second = client.post(f"/projects/{pid}/gate", data=data)
    assert first.status_code == 302
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert count(GateReview, GateReview.project_id == pid) == 1


def test_a_double_added_criterion_is_stored_once(client, world, login):
    from tracker.models import StageCriterion

    login(world.admin)
    token = token_from(client.get("/admin/criteria").get_data(as_text=True))
    data = {"stage": "develop", "title": "Budget agreed", "submit_token": token}
    assert client.post("/admin/criteria/add", data=data).status_code == 302
    assert client.post("/admin/criteria/add", data=data).status_code == 303
    assert count(StageCriterion, StageCriterion.title == "Budget agreed") == 1
