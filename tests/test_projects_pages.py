"""/projects/new, /projects/<id>, /projects/<id>/edit and the POST sub-routes."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.projects_support import project_form, queries_for
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CriterionTick,
    Milestone,
    Notification,
    Participation,
    Project,
    StageCriterion,
    StageEvent,
    Update,
    utcnow,
)
from tracker.projects import detail_queries


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _criterion(title="Data-sharing agreement signed", stage="develop"):
    row = StageCriterion(stage=stage, title=title)
    db.session.add(row)
    db.session.commit()
    return row


# --- create -----------------------------------------------------------------------------


def test_member_creates_a_project_led_by_their_organization(client, world, login):
    login(world.lead_member)
    form = client.get("/projects/new").get_data(as_text=True)
    assert 'name="lead_organization_id"' not in form
    assert form.count('name="partners-') >= 10  # five rows of organization and role
    response = client.post(
        "/projects/new",
        data=project_form(
            world.lingen,
            theme_ids=[str(world.ai.id)],
            partners=[(world.partner_org, "pilot_customer"), (None, "partner")],
        ),
    )
    assert response.status_code == 302
    project = db.session.scalar(sa.select(Project).where(Project.title.startswith("Hydrogen")))
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    assert project.lead_organization_id == world.lead_org.id
    roles = dict(
        db.session.execute(
            sa.select(Participation.organization_id, Participation.role).where(
                Participation.project_id == project.id
            )
        ).all()
    )
    assert roles == {world.lead_org.id: "lead", world.partner_org.id: "pilot_customer"}
    assert _count(StageEvent) == 3  # the world's two and this one
    actions = sa.select(AuditEvent.action).where(AuditEvent.project_id == project.id)
    assert db.session.scalars(actions).all() == ["project_created"]
    assert db.session.scalars(sa.select(Notification.user_id)).all() == [world.partner_member.id]
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created" in detail and "Partner Org" in detail and "Pilot customer" in detail


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"partners": [("partner_org", "partner"), ("partner_org", "startup")]}, "listed twice"),
        ({"partners": [("lead_org", "partner")]}, "cannot also be a partner"),
        (
            {"target_test_on": "2030-05-01", "target_market_on": "2030-04-01"},
            "market date cannot be before the test date",
        ),
        ({"title": ""}, "This field is required"),
        ({"title": "x" * 201}, "200 characters"),
    ],
)
def test_invalid_input_is_explained_kept_and_nothing_written(client, world, login, fields, message):
    fields = dict(fields)  # the parameters are shared by every database backend
    if "partners" in fields:
        fields["partners"] = [(getattr(world, org), role) for org, role in fields["partners"]]
    login(world.lead_member)
    before = (_count(Project), _count(AuditEvent), _count(Notification))
    response = client.post("/projects/new", data=project_form(world.lingen, **fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "A pilot for a green data centre." in page  # typed values are kept
    assert (_count(Project), _count(AuditEvent), _count(Notification)) == before


def test_patron_may_not_create(client, world, login):
    login(world.patron)
    assert client.get("/projects/new").status_code == 403
    assert client.post("/projects/new", data=project_form(world.lingen)).status_code == 403
    assert _count(Project) == 2


def test_site_manager_chooses_the_lead_among_own_sites(client, world, login):
    login(world.manager)
    page = client.get("/projects/new").get_data(as_text=True)
    assert 'name="lead_organization_id"' in page
    assert ">Berlin</option>" not in page  # only the sites they manage
    data = project_form(world.lingen, lead_organization_id=str(world.other_org.id))
    assert client.post("/projects/new", data=data).status_code == 302
    created = db.session.scalar(sa.select(Project).order_by(Project.id.desc()))
    assert created.lead_organization_id == world.other_org.id


# --- detail and sub-routes --------------------------------------------------------------


def _sub_urls(project_id: int, criterion_id: int, milestone_id: int) -> list[str]:
    base = f"/projects/{project_id}"
    return [
        f"{base}/updates",
        f"{base}/milestones",
        f"{base}/milestones/{milestone_id}/done",
        f"{base}/milestones/{milestone_id}/reopen",
        f"{base}/criteria/{criterion_id}/tick",
        f"{base}/criteria/{criterion_id}/untick",
    ]


def test_hidden_project_answers_404_on_every_url(client, world, login):
    crit = _criterion()
    milestone = Milestone(project_id=world.consortium_project.id, title="Kick-off")
    db.session.add(milestone)
    db.session.commit()
    pid = world.consortium_project.id
    login(world.outsider)
    for url in (f"/projects/{pid}", f"/projects/{pid}/edit", f"/projects/{pid}?tab=history"):
        assert client.get(url).status_code == 404, url
    for url in [f"/projects/{pid}/edit", *_sub_urls(pid, crit.id, milestone.id)]:
        assert client.post(url, data={"body": "x", "title": "x"}).status_code == 404, url
    project_events = sa.select(AuditEvent).where(AuditEvent.project_id == pid).subquery()
    assert _count(Update) == 0 and _count(CriterionTick) == 0 and _count(project_events) == 0
    page = client.get("/projects/999999")
    assert page.status_code == 404


def test_patron_gets_the_summary_page_and_404_on_project_details(client, world, login):
    """Design §11 (issue 14, finding 13): a network project's summary page, nothing more."""
    login(world.patron)
    page = client.get(f"/projects/{world.network_project.id}")
    assert page.status_code == 200 and "Partner Org" not in page.get_data(as_text=True)
    assert client.get(f"/projects/{world.network_project.id}/edit").status_code in (403, 404)
    assert client.get(f"/projects/{world.consortium_project.id}").status_code == 404


def test_outsider_sees_a_network_project_read_only(client, world, login):
    crit = _criterion()
    login(world.outsider)
    page = client.get(f"/projects/{world.network_project.id}").get_data(as_text=True)
    assert "Open hydrogen forecast" in page and crit.title in page
    assert "/tick" not in page and "Post update" not in page and "/edit" not in page
    url = f"/projects/{world.network_project.id}/criteria/{crit.id}/tick"
    assert client.post(url).status_code == 403
    assert (
        client.post(
            f"/projects/{world.network_project.id}/updates", data={"body": "Hi"}
        ).status_code
        == 403
    )


def test_partner_member_posts_updates_ticks_criteria_and_manages_milestones(client, world, login):
    crit = _criterion()
    pid = world.consortium_project.id
    login(world.partner_member)
    response = client.post(f"/projects/{pid}/updates", data={"body": "Test site booked."})
    assert response.status_code == 302 and response.headers["Location"].endswith("#updates")
    assert client.post(f"/projects/{pid}/criteria/{crit.id}/tick").status_code == 302
    client.post(f"/projects/{pid}/milestones", data={"title": "Pilot run", "due_on": "2031-01-15"})
    milestone = db.session.scalar(sa.select(Milestone))
    assert client.post(f"/projects/{pid}/milestones/{milestone.id}/done").status_code == 302
    page = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "Test site booked." in page and "Pilot run" in page
    assert f"/criteria/{crit.id}/untick" in page
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.project_id == pid).order_by(AuditEvent.id)
    ).all()
    assert actions == ["update_posted", "criterion_ticked", "milestone_added", "milestone_done"]
    history = client.get(f"/projects/{pid}?tab=history").get_data(as_text=True)
    assert "Criterion ticked" in history and "open → ticked" in history
    assert client.get(f"/projects/{pid}/edit").status_code == 403


def test_an_empty_update_is_refused_with_a_message(client, world, login):
    login(world.lead_member)
    response = client.post(f"/projects/{world.network_project.id}/updates", data={"body": " "})
    assert response.status_code == 422
    assert "Write what happened." in response.get_data(as_text=True)
    assert _count(Update) == 0


def test_stage_history_shows_days_in_each_stage(client, world, login):
    pid = world.network_project.id
    event = db.session.scalar(sa.select(StageEvent).where(StageEvent.project_id == pid))
    db.session.add(
        StageEvent(
            project_id=pid,
            from_stage="develop",
            to_stage="test",
            from_status="active",
            to_status="active",
            at=event.at + __import__("datetime").timedelta(days=12),
            note="Gate 1 passed",
        )
    )
    db.session.commit()
    login(world.lead_member)
    page = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "Gate 1 passed" in page
    assert re.search(r"Develop <strong>12</strong>", page)


def test_detail_query_count_does_not_grow_with_the_data(client, world, login):
    pid = world.consortium_project.id
    login(world.lead_member)

    def grow(n):
        orgs = [f.make_org() for _ in range(n // 50 + 1)]
        project = db.session.get(Project, pid)
        for org in orgs:
            db.session.add(Participation(project_id=pid, organization_id=org.id, role="partner"))
        for i in range(n):
            db.session.add(Update(project_id=pid, author_id=world.lead_member.id, body=f"u{i}"))
            db.session.add(Milestone(project_id=pid, title=f"m{i}"))
            db.session.add(StageCriterion(stage="develop", title=f"c{i}", position=i))
            db.session.add(
                StageEvent(project_id=pid, to_stage="develop", to_status="active", note=f"e{i}")
            )
        db.session.commit()
        return project

    grow(10)
    few = queries_for(client, f"/projects/{pid}")
    few_history = queries_for(client, f"/projects/{pid}?tab=history")
    grow(490)
    assert len(few) == len(queries_for(client, f"/projects/{pid}")) <= 20
    assert len(few_history) == len(queries_for(client, f"/projects/{pid}?tab=history"))


def _audit_events(pid: int, n: int) -> None:
    """n recorded changes, "Note 00" the oldest; 1 and 2 at the same moment (id orders)."""
    moment = utcnow() - timedelta(days=100)
    for i in range(n):
        db.session.add(
            AuditEvent(
                action="update_posted",
                object_type="update",
                project_id=pid,
                at=moment + timedelta(days=i if i != 2 else 1),
                changes={"update": [None, f"Note {i:02d}"]},
            )
        )
    db.session.commit()


def _notes(page: str) -> list[str]:
    return re.findall(r"Note \d\d", page)


def test_history_pages_by_cursor_and_old_numbered_links_redirect(client, world, login, monkeypatch):
    monkeypatch.setattr(detail_queries, "AUDIT_PAGE_SIZE", 3)
    pid = world.network_project.id
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.project_id == pid))
    _audit_events(pid, 8)  # pages: 07 06 05 | 04 03 02 | 01 00
    login(world.lead_member)
    url = f"/projects/{pid}?tab=history"
    first = client.get(url).get_data(as_text=True)
    assert _notes(first) == ["Note 07", "Note 06", "Note 05"] and "Page 1 of 3" in first
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    assert "after=" in following and "tab=history" in following and "page=" not in following
    second = client.get(following).get_data(as_text=True)
    assert _notes(second) == ["Note 04", "Note 03", "Note 02"]
    third_link = html.unescape(re.search(r'href="([^"]+)" rel="next"', second).group(1))
    third = client.get(third_link).get_data(as_text=True)
    assert _notes(third) == ["Note 01", "Note 00"] and 'rel="next"' not in third
    back = html.unescape(re.search(r'href="([^"]+)" rel="prev"', third).group(1))
    assert "tab=history" in back and _notes(client.get(back).get_data(as_text=True)) == [
        "Note 04",
        "Note 03",
        "Note 02",
    ]
    moved = client.get(f"{url}&page=3")
    assert moved.status_code == 302 and "after=" in moved.location
    assert "tab=history" in moved.location and "page=" not in moved.location
    assert _notes(client.get(moved.location).get_data(as_text=True)) == _notes(third)
    assert client.get(f"{url}&page=1").status_code == 302
    assert client.get(f"{url}&page=4").status_code == 404
    for nonsense in ("abc", "0", "-2"):
        assert client.get(f"{url}&page={nonsense}").status_code == 400
    assert _notes(client.get(f"{url}&after=bm9uc2Vuc2U").get_data(as_text=True)) == _notes(first)
    # the overview tab has no pages: a page number there changes nothing
    assert client.get(f"/projects/{pid}?page=3").status_code == 200


def test_a_deep_history_page_sends_as_few_queries_as_the_first(client, world, login, monkeypatch):
    monkeypatch.setattr(detail_queries, "AUDIT_PAGE_SIZE", 3)
    pid = world.network_project.id
    _audit_events(pid, 4)
    login(world.lead_member)
    url = f"/projects/{pid}?tab=history"
    few = queries_for(client, url)
    _audit_events(pid, 40)
    first = client.get(url).get_data(as_text=True)
    deep = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    for _ in range(5):
        deep = html.unescape(
            re.search(r'href="([^"]+)" rel="next"', client.get(deep).get_data(as_text=True)).group(
                1
            )
        )
    assert len(few) == len(queries_for(client, url)) == len(queries_for(client, deep))
