"""Mend mistakes on the pages (issue 19, design §16): an author edits or deletes an update
within 24 hours, milestones are edited and deleted, a project is withdrawn with a reason.
The history keeps what was there."""

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Milestone, Project, Update, utcnow


def _update(world, body="Kick-off went well", hours_ago=1) -> Update:
    update = Update(
        project_id=world.network_project.id,
        author_id=world.lead_member.id,
        body=body,
        created_at=utcnow() - timedelta(hours=hours_ago),
    )
    db.session.add(update)
    db.session.commit()
    return update


def _detail(client, world, **args) -> str:
    response = client.get(f"/projects/{world.network_project.id}", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_author_edits_an_update_and_the_history_keeps_the_old_text(client, world, login):
    update = _update(world)
    login(world.lead_member)
    base = f"/projects/{world.network_project.id}/updates/{update.id}"
    assert f'href="{base}/edit"' in _detail(client, world)
    page = client.get(f"{base}/edit").get_data(as_text=True)
    assert "Kick-off went well" in page and "Delete update" in page
    response = client.post(f"{base}/edit", data={"body": "Kick-off went very well"})
    assert response.status_code == 302
    html = _detail(client, world)
    assert "Kick-off went very well" in html and "edited" in html
    history = _detail(client, world, tab="history")
    assert "Update edited" in history and "Kick-off went well" in history


def test_the_author_deletes_an_update_and_the_history_says_so(client, world, login):
    update = _update(world, body="Posted twice by mistake")
    login(world.lead_member)
    response = client.post(f"/projects/{world.network_project.id}/updates/{update.id}/delete")
    assert response.status_code == 302
    assert db.session.get(Update, update.id) is None
    assert "Posted twice by mistake" not in _detail(client, world)
    history = _detail(client, world, tab="history")
    assert "Update deleted" in history and "Posted twice by mistake" in history


def test_others_and_late_authors_may_not_mend_an_update(client, world, login):
    update = _update(world)
    old = _update(world, body="Yesterday's news", hours_ago=25)
    login(world.partner_member)
    base = f"/projects/{world.network_project.id}/updates"
    assert f"{base}/{update.id}/edit" not in _detail(client, world)
    assert client.get(f"{base}/{update.id}/edit").status_code == 403
    assert client.post(f"{base}/{update.id}/delete").status_code == 403
    client.post("/logout")
    login(world.lead_member)
    html = _detail(client, world)
    assert f"{base}/{old.id}/edit" not in html and f"{base}/{update.id}/edit" in html
    assert client.post(f"{base}/{old.id}/edit", data={"body": "changed"}).status_code == 403
    other = world.consortium_project.id
    assert client.get(f"/projects/{other}/updates/{update.id}/edit").status_code == 404


def test_a_milestone_is_edited_with_a_past_date_and_deleted(client, world, login):
    milestone = Milestone(project_id=world.network_project.id, title="Pilot plan")
    db.session.add(milestone)
    db.session.commit()
    login(world.partner_member)
    base = f"/projects/{world.network_project.id}/milestones/{milestone.id}"
    assert f'href="{base}/edit"' in _detail(client, world)
    assert "Pilot plan" in client.get(f"{base}/edit").get_data(as_text=True)
    data = {"title": "Pilot plan signed", "due_on": "2020-01-31", "done": "y"}
    assert client.post(f"{base}/edit", data=data).status_code == 302
    db.session.expire_all()
    milestone = db.session.get(Milestone, milestone.id)
    assert (milestone.title, milestone.due_on) == ("Pilot plan signed", date(2020, 1, 31))
    assert milestone.done_at is not None
    assert client.post(f"{base}/edit", data={"title": ""}).status_code == 422
    assert client.post(f"{base}/delete").status_code == 302
    assert db.session.get(Milestone, milestone.id) is None
    history = _detail(client, world, tab="history")
    assert "Milestone edited" in history and "Milestone deleted" in history


def test_outsiders_may_not_mend_milestones(client, world, login):
    milestone = Milestone(project_id=world.network_project.id, title="Pilot plan")
    db.session.add(milestone)
    db.session.commit()
    login(world.outsider)
    base = f"/projects/{world.network_project.id}/milestones/{milestone.id}"
    assert client.get(f"{base}/edit").status_code == 403
    assert client.post(f"{base}/delete").status_code == 403


def _status(project_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(sa.select(Project.status).where(Project.id == project_id))


def test_the_lead_withdraws_a_project_with_a_reason_after_confirming(client, world, login):
    pid = world.network_project.id
    login(world.lead_member)
    assert f'href="/projects/{pid}/withdraw"' in _detail(client, world)
    page = client.get(f"/projects/{pid}/withdraw").get_data(as_text=True)
    assert "Withdraw this project?" in page
    response = client.post(f"/projects/{pid}/withdraw", data={"reason": "Funding ended"})
    assert response.status_code == 422  # not confirmed: nothing happens
    assert "Tick to confirm" in response.get_data(as_text=True)
    assert _status(pid) == "active"
    response = client.post(f"/projects/{pid}/withdraw", data={"reason": "", "confirm": "y"})
    assert response.status_code == 422 and _status(pid) == "active"
    data = {"reason": "Funding ended", "confirm": "y"}
    assert client.post(f"/projects/{pid}/withdraw", data=data).status_code == 302
    assert _status(pid) == "withdrawn"
    html = _detail(client, world)  # still reachable by its address
    assert f'href="/projects/{pid}/withdraw"' not in html
    assert "Funding ended" in _detail(client, world, tab="history")


def test_only_the_lead_and_admins_may_withdraw(client, world, login):
    pid = world.network_project.id
    for who in ("partner_member", "manager", "outsider"):
        client.post("/logout")
        login(world.user(who))
        assert f"/projects/{pid}/withdraw" not in _detail(client, world)
        assert client.get(f"/projects/{pid}/withdraw").status_code == 403
    client.post("/logout")
    login(world.admin)
    data = {"reason": "Duplicate of another project", "confirm": "y"}
    assert client.post(f"/projects/{pid}/withdraw", data=data).status_code == 302
    assert _status(pid) == "withdrawn"
