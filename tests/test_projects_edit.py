"""/projects/<id>/edit: who may edit, partners, the lead, removal confirmation, edit conflicts."""

import re

import sqlalchemy as sa

from tests.projects_support import project_form
from tracker.extensions import db
from tracker.models import AuditEvent, Notification, Participation, Project


def _version_in(html: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', html) or re.search(
        r'type="hidden" name="version" value="(\d+)"', html
    )
    assert match, "edit form has no version field"
    return match.group(1)


def _roles(project_id: int) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(Participation.organization_id, Participation.role).where(
            Participation.project_id == project_id
        )
    )
    return dict(rows.all())


def _edit(world, version, **fields):
    fields.setdefault("partners", [(world.partner_org, "startup")])
    fields.setdefault("title", "Open hydrogen forecast")
    fields.setdefault("summary", "Summary kept")
    return project_form(world.lingen, version=version, **fields)


def _fresh(project_id: int) -> Project:
    db.session.expire_all()
    return db.session.get(Project, project_id)


def test_lead_member_edits_and_every_change_is_audited(client, world, login):
    pid = world.network_project.id
    login(world.lead_member)
    form = client.get(f"/projects/{pid}/edit").get_data(as_text=True)
    assert 'name="lead_organization_id"' not in form
    data = _edit(world, _version_in(form), title="Open hydrogen forecast 2")
    data["partners-1-organization_id"] = str(world.other_org.id)
    data["partners-1-role"] = "pilot_customer"
    response = client.post(f"/projects/{pid}/edit", data=data)
    assert response.status_code == 302
    assert _fresh(pid).title == "Open hydrogen forecast 2"
    assert _roles(pid)[world.other_org.id] == "pilot_customer"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "project_updated"))
    assert event.changes["title"] == ["Open hydrogen forecast", "Open hydrogen forecast 2"]
    assert "Other Org (pilot_customer)" in event.changes["partners"][1]
    assert db.session.scalars(sa.select(Notification.user_id)).all() == [world.outsider.id]
    history = client.get(f"/projects/{pid}?tab=history").get_data(as_text=True)
    assert "Open hydrogen forecast → Open hydrogen forecast 2" in history


def test_partner_member_and_outsider_may_not_edit(client, world, login):
    pid = world.network_project.id
    for who in ("partner_member", "outsider"):
        client.post("/logout")
        login(world.user(who))
        assert client.get(f"/projects/{pid}/edit").status_code == 403
        assert client.post(f"/projects/{pid}/edit", data=_edit(world, "1")).status_code == 403
    assert _fresh(pid).title == "Open hydrogen forecast"


def test_lead_change_is_ignored_for_members_and_done_by_site_managers(client, world, login):
    pid = world.network_project.id
    login(world.lead_member)
    data = _edit(world, "1", lead_organization_id=str(world.partner_org.id), summary="New")
    assert client.post(f"/projects/{pid}/edit", data=data).status_code == 302
    assert _fresh(pid).lead_organization_id == world.lead_org.id
    client.post("/logout")
    login(world.manager)
    form = client.get(f"/projects/{pid}/edit").get_data(as_text=True)
    assert 'name="lead_organization_id"' in form
    data = _edit(world, _version_in(form), lead_organization_id=str(world.partner_org.id))
    data.update({"summary": "New", "partners-0-organization_id": ""})
    assert client.post(f"/projects/{pid}/edit", data=data).status_code == 302
    assert _roles(pid) == {world.partner_org.id: "lead", world.lead_org.id: "partner"}


def test_removing_a_partner_asks_for_confirmation_first(client, world, login):
    pid = world.consortium_project.id
    login(world.lead_member)
    data = _edit(world, "1", title="Secret electrolyser twin")
    data["partners-0-remove"] = "y"
    page = client.post(f"/projects/{pid}/edit", data=data).get_data(as_text=True)
    assert "Removing Partner Org takes away their access" in page
    assert world.partner_org.id in _roles(pid)
    data["confirm_removal"] = "y"
    assert client.post(f"/projects/{pid}/edit", data=data).status_code == 302
    assert _roles(pid) == {world.lead_org.id: "lead"}


def test_second_save_on_a_stale_version_is_refused_and_shows_what_changed(
    app, client, world, login
):
    pid = world.network_project.id
    other = app.test_client()
    login(world.lead_member)
    login(world.manager, test_client=other)
    first_version = _version_in(client.get(f"/projects/{pid}/edit").get_data(as_text=True))
    second_version = _version_in(other.get(f"/projects/{pid}/edit").get_data(as_text=True))
    assert first_version == second_version

    saved = client.post(f"/projects/{pid}/edit", data=_edit(world, first_version, title="Mine"))
    assert saved.status_code == 302
    lead = str(world.lead_org.id)  # site managers' form carries the lead field
    refused = other.post(
        f"/projects/{pid}/edit",
        data=_edit(world, second_version, summary="Theirs", lead_organization_id=lead),
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved this project since you opened it" in page
    assert re.search(r"<strong>Title</strong>: Mine", page)
    assert re.search(r">\s*Theirs</textarea>", page)  # the refused input is kept
    current = _fresh(pid)
    assert (current.title, current.summary) == ("Mine", "Summary kept")

    # A deliberate second save, with the version the conflict page carries, goes through.
    again = other.post(
        f"/projects/{pid}/edit",
        data=_edit(world, _version_in(page), summary="Theirs", lead_organization_id=lead),
    )
    assert again.status_code == 302
    assert (_fresh(pid).title, _fresh(pid).summary) == ("Open hydrogen forecast", "Theirs")


def test_an_edit_without_changes_says_so(client, world, login):
    pid = world.network_project.id
    login(world.lead_member)
    data = _edit(world, "1", summary=world.network_project.summary)
    data["description"] = ""
    data["theme_ids"] = [str(world.ai.id)]
    response = client.post(f"/projects/{pid}/edit", data=data, follow_redirects=True)
    assert "Nothing changed" in response.get_data(as_text=True)
    assert _fresh(pid).version == 1
