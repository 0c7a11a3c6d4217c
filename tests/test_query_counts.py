"""Query counts of the pages bench/run.py measures that no feature test bounds yet.

The board, a site's board and 'show more' (test_board.py), the project list's first, cursor and
numbered pages (test_projects_list.py), the dashboard (test_dashboard.py) and the report
(test_dashboard_report.py) have their own. Here: the project detail page (both tabs), the API
project list (first and cursor page), the two update writes (the form and the API) and the API's
other writes (projects, gate requests, organizations). Each is counted with few rows and with many,
rows that each point at a different user or organization, so that a statement per row (a loop that
queries, a relationship made lazy again) shows up as a difference between the two counts, and each
stays within the benchmark's limit of 12 statements (transaction control and PRAGMAs not counted).
"""

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tests import bulk
from tests import factories as f
from tests.projects_support import project_form
from tests.querycount import count_queries
from tracker.auth.tokens import create_token
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CriterionTick,
    GateCondition,
    GateReview,
    Milestone,
    Notification,
    Organization,
    Participation,
    PartnerRequest,
    Project,
    StageCriterion,
    StageEvent,
    Update,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from tracker.models.nudge import Nudge
from tracker.notifications.services import encode_cursor

MAX_QUERIES = 12


def _counted(client, method: str, url: str, **kwargs) -> int:
    """Statements one request sends, starting cold as a fresh request would."""
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        response = client.open(url, method=method, **kwargs)
    assert response.status_code in (200, 201, 302), (url, response.status_code)
    return len(statements)


def _counts_as_it_grows(client, url: str, grow, sizes=(2, 40)) -> list[int]:
    """The statements of GET url after grow(n) for each n: a page's count as its data grows."""
    counts = []
    for n in sizes:
        grow(n)
        counts.append(_counted(client, "GET", url))
    return counts


def _grow_project(world, pid: int, n: int) -> None:
    """n more of every row the detail page shows, each by another user or organization.

    Updates have authors of their own: were they also the actors of stage events, the page's
    stage-history query would bring them into the session and hide a query per update."""
    stage = db.session.scalar(sa.select(StageEvent.to_stage).where(StageEvent.project_id == pid))
    for i in range(n):
        org = f.make_org(sites=[world.lingen])
        person = f.make_user("member", org)
        author = f.make_user("member", org)
        criterion = StageCriterion(stage=stage, title=f"Criterion {person.id}", position=i)
        db.session.add_all(
            [
                Participation(project_id=pid, organization_id=org.id, role="partner"),
                Update(project_id=pid, author_id=author.id, body=f"Update by {author.id}"),
                Milestone(project_id=pid, title=f"Milestone {person.id}"),
                criterion,
                StageEvent(
                    project_id=pid,
                    to_stage=stage,
                    to_status="active",
                    actor_id=person.id,
                    note=f"Event by {person.id}",
                ),
                AuditEvent(
                    actor_id=person.id,
                    action="update_posted",
                    object_type="update",
                    project_id=pid,
                    changes={"update": [None, f"by {person.id}"]},
                ),
                GateReview(
                    project_id=pid,
                    from_stage="develop",
                    to_stage="test",
                    requested_by_id=person.id,
                    decided_by_id=world.manager.id,
                    decision="recycle",
                    reason=f"Not yet {person.id}",
                ),
            ]
        )
        db.session.flush()
        db.session.add(
            CriterionTick(project_id=pid, criterion_id=criterion.id, ticked_by_id=person.id)
        )
        db.session.commit()


@pytest.mark.parametrize("who", ["manager", "lead_member"])
def test_project_detail_sends_the_same_few_queries_with_few_and_many_rows(
    client, world, login, who
):
    pid = world.network_project.id
    login(world.user(who))
    counts = []
    for n in (2, 40):
        _grow_project(world, pid, n)
        counts.append(
            [
                _counted(client, "GET", f"/projects/{pid}"),
                _counted(client, "GET", f"/projects/{pid}?tab=history"),
            ]
        )
    assert counts[0] == counts[1]
    assert max(counts[0]) <= MAX_QUERIES


def _projects_of_many_organizations(world, batches: int) -> None:
    """Projects led by, and shared with, a different organization in every batch of 3."""
    for _ in range(batches):
        lead = f.make_org(sites=[world.lingen])
        partner = f.make_org(kind="startup", sites=[world.berlin])
        site = world.lingen if len(lead.name) % 2 else world.berlin
        bulk.add_projects(3, site, lead, partner, f.make_theme())


def test_api_project_list_sends_the_same_few_queries_for_few_and_many_projects(client, world):
    token, _row = create_token(world.manager, "bench")
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/projects", headers=headers)  # records the token's last use, once
    counts = []
    for batches in (1, 40):
        _projects_of_many_organizations(world, batches)
        first = client.get("/api/v1/projects?limit=2", headers=headers).get_json()
        cursor = f"/api/v1/projects?limit=25&cursor={first['next_cursor']}"
        counts.append(
            [
                _counted(client, "GET", "/api/v1/projects?limit=25", headers=headers),
                _counted(client, "GET", "/api/v1/projects?limit=100", headers=headers),
                _counted(client, "GET", cursor, headers=headers),
            ]
        )
    assert counts[0] == counts[1]
    assert max(counts[0]) <= MAX_QUERIES


def _post_updates(client, world, login, pid: int) -> list[list[int]]:
    """Statements of the update form's POST and the API's, on the project with 2 and 42 of
    everything; [[page, api] with few, [page, api] with many]."""
    token, _row = create_token(world.manager, "bench")
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/projects", headers=headers)  # records the token's last use, once
    login(world.manager)
    counts = []
    for n in (2, 40):
        _grow_project(world, pid, n)
        page = _counted(
            client, "POST", f"/projects/{pid}/updates", data={"body": f"Page update {n}"}
        )
        api = _counted(
            client,
            "POST",
            f"/api/v1/projects/{pid}/updates",
            json={"body": f"API update {n}"},
            headers=headers,
        )
        counts.append([page, api])
    bodies = db.session.scalars(sa.select(Update.body).where(Update.body.like("% update %")))
    assert set(bodies) == {"Page update 2", "API update 2", "Page update 40", "API update 40"}
    return counts


def test_posting_an_update_sends_the_same_few_queries_on_a_busy_project(client, world, login):
    counts = _post_updates(client, world, login, world.network_project.id)
    assert counts[0] == counts[1]
    assert counts[0][0] <= MAX_QUERIES  # the update form, as bench/run.py's write


def test_the_api_update_post_stays_within_the_limit(client, world, login):
    """13 statements before: the project read by the guard and again by the view (3 each),
    the user and the update reloaded after the commit for the reply (2)."""
    counts = _post_updates(client, world, login, world.network_project.id)
    assert counts[0][1] == counts[1][1]
    assert counts[0][1] <= MAX_QUERIES


# --- the API's other writes -------------------------------------------------------------------


def _api_headers(client, user) -> dict:
    token, _row = create_token(user, "bench")
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/sites", headers=headers)  # records the token's last use, once
    return headers


def _busy_projects(world) -> list[int]:
    """Two projects of the world's organizations, one with 2 and one with 40 of everything."""
    pids = []
    for n in (2, 40):
        project = f.make_project(
            world.lingen, world.lead_org, [(world.partner_org, "startup")], [world.ai]
        )
        _grow_project(world, project.id, n)
        pids.append(project.id)
    return pids


def _version(pid: int) -> int:
    version = db.session.scalar(sa.select(Project.version).where(Project.id == pid))
    db.session.commit()
    return version


def test_patching_a_project_sends_the_same_few_queries_with_few_and_many_partners(client, world):
    """18 statements before: the project read by the guard and the view and again for the
    reply (3 each), the user reloaded after the commit (2)."""
    headers = _api_headers(client, world.lead_member)
    counts = []
    for pid in _busy_projects(world):
        url = f"/api/v1/projects/{pid}"
        body = {"title": f"Renamed {pid}", "version": _version(pid)}
        counts.append(_counted(client, "PATCH", url, json=body, headers=headers))
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def _pending_requests(client, world) -> list[int]:
    """A pending gate request on each of _busy_projects, made through the API."""
    headers = _api_headers(client, world.lead_member)
    ids = []
    for pid in _busy_projects(world):
        url = f"/api/v1/projects/{pid}/gate-requests"
        db.session.commit()  # as a fresh request: no transaction of the last one left open
        response = client.post(url, json={"evidence": "Works."}, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
        ids.append(response.get_json()["id"])
    db.session.commit()
    return ids


def test_confirming_a_gate_request_sends_the_same_few_queries_with_few_and_many_partners(
    client, world
):
    """16 statements before: the review and its project read apart (1 + 3), the review read
    again after the commit, twice."""
    headers = _api_headers(client, world.partner_member)
    counts = [
        _counted(client, "POST", f"/api/v1/gate-requests/{rid}/confirmations", headers=headers)
        for rid in _pending_requests(client, world)
    ]
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def test_the_gate_request_and_decision_forms_send_the_same_few_queries(client, world, login):
    """The pages' POSTs of a gate request and its decision, on projects with 2 and 40 partners
    (14 and 16 statements before: the project read again by the services, the pending request
    and open conditions apart, the people to tell read before telling them, and the rows
    written read back after the commit for the message)."""
    pids = _busy_projects(world)
    login(world.lead_member)
    requests = [
        _counted(client, "POST", f"/projects/{pid}/gate", data={"evidence": "Ok."}) for pid in pids
    ]
    pending = sa.select(GateReview.id).where(
        GateReview.project_id.in_(pids), GateReview.decision == "pending"
    )
    rids = sorted(db.session.scalars(pending))
    assert len(rids) == 2
    assert client.post("/logout").status_code == 302
    login(world.manager)
    data = {"decision": "go", "reason": "Ready."}
    decisions = [_counted(client, "POST", f"/reviews/{rid}/decide", data=data) for rid in rids]
    stages = db.session.scalars(sa.select(Project.stage).where(Project.id.in_(pids)))
    assert list(stages) == ["test", "test"]
    assert requests[0] == requests[1] and decisions[0] == decisions[1]
    assert max(requests + decisions) <= MAX_QUERIES


def _organization_with_themes(world, n: int) -> Organization:
    return f.make_org(sites=[world.lingen], themes=[f.make_theme() for _ in range(n)])


def test_patching_an_organization_sends_the_same_few_queries_with_few_and_many_themes(
    client, world
):
    """14 statements before: the organization with its sites and themes (3) read by the
    guard, by the view and for the reply."""
    headers = _api_headers(client, world.admin)
    counts = []
    for n in (2, 40):
        organization = _organization_with_themes(world, n)
        url = f"/api/v1/organizations/{organization.id}"
        body = {"city": f"City {n}", "version": organization.version}
        counts.append(_counted(client, "PATCH", url, json=body, headers=headers))
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def test_creating_an_organization_stays_within_the_limit(client, world):
    """13 statements before (16 before that): the service read the sites and themes again by
    the ids the view resolved from the slugs, in a SELECT each."""
    headers = _api_headers(client, world.admin)
    counts = []
    for n in (2, 40):
        themes = [f.make_theme().slug for _ in range(n)]
        body = {"name": f"New {n}", "kind": "startup", "country": "DE", "sites": ["lingen"]}
        body["themes"] = themes
        counts.append(_counted(client, "POST", "/api/v1/organizations", json=body, headers=headers))
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def test_the_organization_form_creates_an_organization_with_the_same_few_queries(
    client, world, login
):
    login(world.admin)
    counts = []
    for n in (2, 40):
        themes = [f.make_theme() for _ in range(n)]
        form = {"name": f"Form org {n}", "kind": "startup", "country": "DE", "city": "Lingen"}
        form |= {"website": "", "description": "", "member_since": ""}
        form |= {"sites": [world.lingen.id, world.berlin.id], "themes": [t.id for t in themes]}
        counts.append(_counted(client, "POST", "/organizations/new", data=form))
        created = db.session.scalar(
            sa.select(Organization)
            .where(Organization.name == f"Form org {n}")
            .options(selectinload(Organization.themes))
        )
        assert {t.id for t in created.themes} == {t.id for t in themes}
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def test_requesting_a_gate_stays_within_the_limit(client, world):
    headers = _api_headers(client, world.lead_member)
    counts = []
    for pid in _busy_projects(world):
        url = f"/api/v1/projects/{pid}/gate-requests"
        counts.append(_counted(client, "POST", url, json={"evidence": "Ok."}, headers=headers))
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def test_deciding_a_gate_request_stays_within_the_limit(client, world):
    headers = _api_headers(client, world.manager)
    counts = []
    for rid in _pending_requests(client, world):
        url = f"/api/v1/gate-requests/{rid}/decision"
        body = {"decision": "go", "reason": "Ready."}
        counts.append(_counted(client, "POST", url, json=body, headers=headers))
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def _partners_with_members(world, n: int) -> list[Organization]:
    """n organizations of two members each, whom a new project's notifications reach."""
    organizations = [f.make_org(sites=[world.lingen]) for _ in range(n)]
    for organization in organizations:
        f.make_user("member", organization)
        f.make_user("member", organization)
    return organizations


def _partner_added_notifications(title: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .join(Project, Project.id == Notification.project_id)
        .where(Project.title == title, Notification.kind == "partner_added")
    )


def test_creating_a_project_sends_the_same_few_queries_with_few_and_many_partners(client, world):
    """15 statements with 2 partners and 91 with 40 before (SQLite; 13 and 51 on PostgreSQL):
    a participation INSERT each, and the members to notify looked up for each partner."""
    headers = _api_headers(client, world.lead_member)
    counts = []
    for n in (2, 40):
        partners = [{"organization_id": o.id} for o in _partners_with_members(world, n)]
        body = {"title": f"New {n}", "summary": "S", "site": "lingen", "partners": partners}
        counts.append(_counted(client, "POST", "/api/v1/projects", json=body, headers=headers))
        assert _partner_added_notifications(f"New {n}") == 2 * n
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def test_adding_partners_by_patch_sends_the_same_few_queries_for_few_and_many(client, world):
    """12 statements with 2 new partners and 50 with 40 before on SQLite: each new
    participation was an INSERT of its own."""
    headers = _api_headers(client, world.lead_member)
    counts = []
    for n in (2, 40):
        project = f.make_project(world.lingen, world.lead_org, [], [world.ai])
        partners = [{"organization_id": o.id} for o in _partners_with_members(world, n)]
        body = {"partners": partners, "version": _version(project.id)}
        url = f"/api/v1/projects/{project.id}"
        counts.append(_counted(client, "PATCH", url, json=body, headers=headers))
        assert _partner_added_notifications(project.title) == 2 * n
        participations = sa.select(sa.func.count()).where(Participation.project_id == project.id)
        assert db.session.scalar(participations.select_from(Participation)) == n + 1
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def test_the_project_form_creates_a_project_with_the_same_few_queries(client, world, login):
    login(world.lead_member)
    counts = []
    for n in (2, 40):
        data = project_form(
            world.lingen,
            title=f"Form project {n}",
            theme_ids=[str(world.ai.id)],
            partners=[(o, "partner") for o in _partners_with_members(world, n)],
        )
        counts.append(_counted(client, "POST", "/projects/new", data=data))
        assert _partner_added_notifications(f"Form project {n}") == 2 * n
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


# --- the second wave's pages (issue 21): partner requests, notifications, webhooks --------------
# (the network graph, suggestions and the report have theirs in test_network.py,
# test_matchmaking_suggestions.py and test_dashboard_report.py)


def _open_requests(world, n: int) -> None:
    """n open partner requests, each on a project of its own lead, with a theme of its own."""
    closes = date.today() + timedelta(days=30)
    for i in range(n):
        org = f.make_org(sites=[world.lingen])
        theme = f.make_theme()
        project = f.make_project(world.lingen, org, [(world.partner_org, "partner")], [theme])
        member = f.make_user("member", org)
        request = PartnerRequest(
            project_id=project.id,
            kind=("startup", "research_institution", "member_company", "partner")[i % 4],
            role="partner",
            site_id=world.lingen.id if i % 2 else None,
            description=f"Sought {i}",
            closes_on=closes,
            status="open",
            created_by_id=member.id,
        )
        request.themes = [theme]
        db.session.add(request)
        db.session.commit()


@pytest.mark.parametrize("who", ["manager", "lead_member"])
def test_the_partner_requests_page_sends_the_same_few_queries_for_few_and_many(
    client, world, login, who
):
    login(world.user(who))
    counts = _counts_as_it_grows(client, "/partner-requests", lambda n: _open_requests(world, n))
    assert counts[0] == counts[1]
    assert counts[0] <= MAX_QUERIES


def test_the_notifications_page_sends_the_same_few_queries_for_few_and_many(client, world, login):
    """Each notification on a project of its own, some the reader may not open; the first
    page and a page by cursor."""
    login(world.lead_member)
    counts = []
    for n in (2, 40):
        for i in range(n):
            org = f.make_org(sites=[world.berlin])
            visibility = "consortium" if i % 3 else "network"
            project = f.make_project(world.berlin, org, visibility=visibility)
            db.session.add(
                Notification(
                    user_id=world.lead_member.id,
                    kind="status_changed",
                    project_id=project.id,
                    message=f"Changed {project.id}",
                )
            )
        db.session.commit()
        counts.append(_counted(client, "GET", "/notifications"))
        newest = db.session.scalars(
            sa.select(Notification).order_by(Notification.created_at.desc()).limit(1)
        ).one()
        cursor = encode_cursor(newest.created_at, newest.id, 2)  # the next page's link
        counts.append(_counted(client, "GET", f"/notifications?after={cursor}"))
    assert counts[0] == counts[2] and counts[1] == counts[3]
    assert max(counts) <= MAX_QUERIES


def test_the_webhook_pages_send_the_same_few_queries_for_few_and_many(client, world, login):
    login(world.lead_member)
    hook = Webhook(
        user_id=world.lead_member.id,
        url="https://hooks.example.org/in",
        events=["project.updated"],
        secret="s" * 32,
    )
    db.session.add(hook)
    db.session.commit()
    counts = []
    for n in (2, 40):
        for i in range(n):
            project = f.make_project(world.lingen, world.lead_org)
            db.session.add(
                WebhookDelivery(
                    uuid=str(uuid.uuid4()),
                    webhook_id=hook.id,
                    event="project.updated",
                    project_id=project.id,
                    body="{}",
                    state=("delivered", "failed", "pending")[i % 3],
                    attempts=i % 4,
                    last_status=200 if i % 3 == 0 else 500,
                )
            )
        db.session.commit()
        counts.append(_counted(client, "GET", "/account/webhooks"))
        counts.append(_counted(client, "GET", f"/account/webhooks/{hook.id}"))
    assert counts[:2] == counts[2:]
    assert max(counts) <= MAX_QUERIES


# --- the homes: what needs me (member), needs attention (site manager) -------------------------


def _needs_on_projects(world, n: int) -> None:
    """n more projects of the lead organization at Lingen, each with a partner of its own and
    everything the homes list: a milestone overdue and one due soon, a passed target date, a
    pending gate request with an open condition, a nudge, and no activity for 90 days."""
    today = date.today()
    ids = []
    for _ in range(n):
        partner = f.make_org(kind="startup", sites=[world.lingen])
        ids += bulk.add_projects(1, world.lingen, world.lead_org, partner, stage="develop")
    for pid in ids:
        review = GateReview(
            project_id=pid,
            from_stage="develop",
            to_stage="test",
            requested_by_id=world.lead_member.id,
        )
        db.session.add_all(
            [
                review,
                Milestone(project_id=pid, title=f"Late {pid}", due_on=today - timedelta(days=5)),
                Milestone(project_id=pid, title=f"Soon {pid}", due_on=today + timedelta(days=3)),
                Nudge(project_id=pid, sent_by_id=world.manager.id, message=f"Nudge {pid}"),
            ]
        )
        db.session.flush()
        db.session.add(
            GateCondition(
                gate_review_id=review.id,
                project_id=pid,
                text=f"Condition {pid}",
                due_on=today + timedelta(days=2),
            )
        )
    db.session.execute(
        sa.update(Project)
        .where(Project.id.in_(ids))
        .values(
            target_test_on=today - timedelta(days=1),
            last_activity_at=utcnow() - timedelta(days=90),
        )
    )
    db.session.commit()


@pytest.mark.parametrize("who", ["lead_member", "manager"])
def test_the_homes_send_the_same_few_queries_for_few_and_many_projects_in_need(
    client, world, login, who
):
    """Due soon and overdue with their titles in one statement (overdue.due_and_overdue): the
    member's home sent 12 statements before (two for the dates, one for the titles), the site
    manager's 11; now 10 each."""
    login(world.user(who))
    counts = _counts_as_it_grows(client, "/", lambda n: _needs_on_projects(world, n), (2, 30))
    assert counts[0] == counts[1]
    assert counts[0] <= 10, counts
    page = client.get("/").get_data(as_text=True)
    assert "Late " in page
    if who == "lead_member":
        assert "Condition " in page
