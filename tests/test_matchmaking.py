"""Partner requests (design §14): create, list, answer, accept through the edit service,
decline; consortium titles never shown to outsiders; closing dates; who is told; API."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories as f
from tests.querycount import count_queries
from tests.test_api_read import bearer
from tracker.extensions import db
from tracker.matchmaking import services
from tracker.models import (
    Notification,
    Organization,
    Participation,
    PartnerInterest,
    PartnerRequest,
    utcnow,
)


def _request(world, project, **fields) -> PartnerRequest:
    values = {
        "project_id": project.id,
        "kind": "research_institution",
        "role": "research_partner",
        "description": "A research partner for electrolyser data",
        "closes_on": utcnow().date() + timedelta(days=30),
        "status": "open",
        "created_by_id": world.lead_member.id,
    } | fields
    partner_request = PartnerRequest(**values)
    partner_request.themes = [world.ai]
    db.session.add(partner_request)
    db.session.commit()
    return partner_request


def _notes(user, kind: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.message).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )
    )


def _participation(project, org):
    return db.session.scalar(
        sa.select(Participation).where(
            Participation.project_id == project.id, Participation.organization_id == org.id
        )
    )


def test_lead_member_opens_a_request_and_sees_suggestions(world, client, login):
    login(world.lead_member)
    url = f"/projects/{world.network_project.id}/partner-requests/new"
    page = client.get(url)
    assert page.status_code == 200
    closes = (utcnow().date() + timedelta(days=20)).isoformat()
    response = client.post(
        url,
        data={
            "kind": "member_company",
            "role": "",
            "theme_ids": [world.ai.id],
            "site_id": "",
            "description": "A company to pilot the forecast",
            "closes_on": closes,
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(sa.select(PartnerRequest))
    assert (created.kind, created.role, created.status) == ("member_company", "partner", "open")
    detail = client.get(response.headers["Location"])
    assert detail.status_code == 200
    assert "Suggested organizations" in detail.text
    # Other Org is a member company (the kind sought): suggested with that reason.
    assert "Other Org" in detail.text
    assert "as sought" in detail.text


def test_past_closing_date_is_refused_with_a_message(world, client, login):
    login(world.lead_member)
    url = f"/projects/{world.network_project.id}/partner-requests/new"
    response = client.post(
        url,
        data={
            "kind": "startup",
            "description": "x",
            "closes_on": (utcnow().date() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "cannot be in the past" in response.text
    assert db.session.scalar(sa.select(sa.func.count(PartnerRequest.id))) == 0


def test_partners_and_outsiders_may_not_open_a_request(world, client, login):
    login(world.partner_member)
    url = f"/projects/{world.network_project.id}/partner-requests/new"
    assert client.get(url).status_code == 403


def test_consortium_request_is_listed_without_its_title(world, client, login):
    _request(world, world.consortium_project, description="Data scientists for a twin")
    login(world.outsider)
    listing = client.get("/partner-requests")
    assert listing.status_code == 200
    assert "Data scientists for a twin" in listing.text
    assert "consortium project at Lingen" in listing.text
    assert "Secret electrolyser twin" not in listing.text
    detail = client.get(f"/partner-requests/{db.session.scalar(sa.select(PartnerRequest.id))}")
    assert detail.status_code == 200
    assert "Secret electrolyser twin" not in detail.text
    # Searching never matches a hidden title.
    assert "Data scientists" not in client.get("/partner-requests?q=secret").text


def test_patrons_see_no_partner_requests(world, client, login):
    partner_request = _request(world, world.network_project)
    login(world.patron)
    assert client.get("/partner-requests").status_code == 403
    assert client.get(f"/partner-requests/{partner_request.id}").status_code == 404


def test_interest_tells_the_requesting_side_and_is_given_once(world, client, login):
    partner_request = _request(world, world.consortium_project)
    login(world.outsider)
    url = f"/partner-requests/{partner_request.id}/interest"
    assert client.post(url, data={"message": ""}).status_code == 422
    response = client.post(url, data={"message": "We model electrolysers."})
    assert response.status_code == 302
    interest = db.session.scalar(sa.select(PartnerInterest))
    assert (interest.status, interest.organization_id) == ("pending", world.other_org.id)
    assert _notes(world.lead_member, "partner_interest") == [
        "Other Org is interested in the partner request for “Secret electrolyser twin”."
    ]
    assert _notes(world.manager, "partner_interest")  # the host site's manager
    assert not _notes(world.outsider, "partner_interest")  # never the actor
    assert not _notes(world.other_manager, "partner_interest")
    again = client.post(url, data={"message": "Again"})
    assert again.status_code == 409
    assert "already answered" in again.text


def test_closed_request_takes_no_answers(world, client, login):
    partner_request = _request(world, world.network_project)
    partner_request.closes_on = utcnow().date() - timedelta(days=1)
    db.session.commit()
    login(world.outsider)
    assert "No partner request matches" in client.get("/partner-requests").text
    assert "Closed" in client.get("/partner-requests?closed=1").text
    response = client.post(
        f"/partner-requests/{partner_request.id}/interest", data={"message": "Late"}
    )
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(PartnerInterest.id))) == 0


def test_participants_cannot_answer_their_own_project(world, client, login):
    partner_request = _request(world, world.network_project)
    login(world.partner_member)
    response = client.post(
        f"/partner-requests/{partner_request.id}/interest", data={"message": "Us"}
    )
    assert response.status_code == 409


def _interest(world, partner_request, org=None, user=None) -> PartnerInterest:
    interest = PartnerInterest(
        partner_request_id=partner_request.id,
        organization_id=(org or world.other_org).id,
        user_id=(user or world.outsider).id,
        message="We fit",
        status="pending",
    )
    db.session.add(interest)
    db.session.commit()
    return interest


def test_accepting_joins_in_the_sought_role_through_the_edit_service(world, client, login):
    project = world.consortium_project
    partner_request = _request(world, project)
    # the sought role fits the organization's kind (issue 19)
    lab = f.make_org("Lab Org", kind="research_institution", sites=[world.berlin])
    researcher = f.make_user("member", lab, email="lab@example.org")
    interest = _interest(world, partner_request, org=lab, user=researcher)
    login(world.lead_member)
    db.session.expire_all()
    with count_queries() as statements:
        response = client.post(f"/interests/{interest.id}/accept")
    assert response.status_code == 302
    assert len(statements) <= 12, len(statements)
    db.session.expire_all()
    assert _participation(project, lab).role == "research_partner"
    assert db.session.get(PartnerInterest, interest.id).status == "accepted"
    assert db.session.get(PartnerRequest, partner_request.id).status == "open"
    # The joining organization is told (the edit service's partner_added), not the actor.
    assert _notes(researcher, "partner_added")
    assert not _notes(world.lead_member, "partner_added")
    # Project history: the edit service's audited change.
    assert client.get(f"/projects/{project.id}").status_code == 200
    again = client.post(f"/interests/{interest.id}/accept", follow_redirects=True)
    assert "already been decided" in again.text
    # Closing it after an accepted answer: filled; no more answers.
    assert client.post(f"/partner-requests/{partner_request.id}/close").status_code == 302
    assert db.session.get(PartnerRequest, partner_request.id).status == "filled"


def test_declining_tells_the_interested_organization(world, client, login):
    partner_request = _request(world, world.consortium_project)
    interest = _interest(world, partner_request)
    login(world.manager)  # the host site's manager may decide too
    assert client.post(f"/interests/{interest.id}/decline").status_code == 302
    assert db.session.get(PartnerInterest, interest.id).status == "declined"
    notes = _notes(world.outsider, "partner_interest_declined")
    assert len(notes) == 1 and "Secret electrolyser twin" not in notes[0]
    assert _participation(world.consortium_project, world.other_org) is None


def test_only_the_requesting_side_decides(world, client, login):
    partner_request = _request(world, world.network_project)
    interest = _interest(world, partner_request)
    login(world.partner_member)  # a partner, not the lead: may not manage partners
    assert client.post(f"/interests/{interest.id}/accept").status_code == 404
    other = f.make_org("Third Org")
    stranger = f.make_user("member", other)
    client.post("/logout")
    login(stranger)
    assert client.post(f"/interests/{interest.id}/accept").status_code == 404
    client.post("/logout")
    login(world.outsider)  # the interested organization sees its answer but cannot accept it
    assert client.post(f"/interests/{interest.id}/accept").status_code == 403


# --- API ---------------------------------------------------------------------------------------


class Api:
    """API calls that end the test's own read first: the request shares the test's session,
    and a read snapshot left open would make its first write fail on SQLite."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, method):
        def call(url, **kwargs):
            db.session.commit()
            return getattr(self.client, method)(url, **kwargs)

        return call


def test_api_request_interest_accept(world, client):
    client = Api(client)
    project = world.network_project
    closes = (utcnow().date() + timedelta(days=10)).isoformat()
    created = client.post(
        f"/api/v1/projects/{project.id}/partner-requests",
        json={
            "kind": "member_company",
            "themes": ["ai"],
            "site": "berlin",
            "description": "A pilot company",
            "closes_on": closes,
        },
        headers=bearer(world.lead_member),
    )
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["kind"], body["role"], body["site"], body["status"]) == (
        "member_company",
        "partner",
        "berlin",
        "open",
    )
    assert body["project"] == {"id": project.id, "title": project.title}
    outsider = bearer(world.outsider)
    listing = client.get("/api/v1/partner-requests?site=berlin", headers=outsider)
    assert [r["id"] for r in listing.json["items"]] == [body["id"]]
    answered = client.post(
        f"/api/v1/partner-requests/{body['id']}/interest",
        json={"message": "We pilot"},
        headers=outsider,
    )
    assert answered.status_code == 201, answered.json
    assert answered.json["status"] == "pending"
    listing = client.get("/api/v1/partner-requests", headers=outsider)
    assert listing.json["items"][0]["own_interest"]["status"] == "pending"
    again = client.post(
        f"/api/v1/partner-requests/{body['id']}/interest", json={"message": "x"}, headers=outsider
    )
    assert again.status_code == 409
    interest_id = answered.json["id"]
    assert (
        client.post(f"/api/v1/interests/{interest_id}/accept", headers=outsider).status_code == 403
    )
    lead = bearer(world.lead_member)
    db.session.expire_all()
    with count_queries() as statements:
        accepted = client.post(f"/api/v1/interests/{interest_id}/accept", headers=lead)
    assert accepted.status_code == 200, accepted.json
    accepting = len(statements)
    assert accepted.json["status"] == "accepted"
    assert _participation(project, world.other_org).role == "partner"
    declined = client.post(f"/api/v1/interests/{interest_id}/decline", headers=lead)
    assert declined.status_code == 409
    # The same budget as adding the partner by PATCH: another organization with a member
    # joins the consortium project through the edit API.
    third = f.make_org("Third Org")
    f.make_user("member", third)
    project = world.consortium_project
    version, partner_id, third_id = project.version, world.partner_org.id, third.id
    partners = [
        {"organization_id": partner_id, "role": "startup"},
        {"organization_id": third_id, "role": "partner"},
    ]
    db.session.expire_all()
    with count_queries() as statements:
        patched = client.patch(
            f"/api/v1/projects/{project.id}",
            json={"version": version, "partners": partners},
            headers=lead,
        )
    assert patched.status_code == 200, patched.json
    assert accepting <= len(statements), (accepting, len(statements))


def test_api_consortium_request_has_no_title_and_patrons_are_refused(world, client):
    client = Api(client)
    _request(world, world.consortium_project)
    items = client.get("/api/v1/partner-requests", headers=bearer(world.outsider)).json["items"]
    assert items[0]["project"] is None and items[0]["host_site"] == "lingen"
    assert "Secret" not in str(items)
    assert client.get("/api/v1/partner-requests", headers=bearer(world.patron)).status_code == 403


def test_api_refuses_bad_bodies_and_forbidden_callers(world, client):
    client = Api(client)
    url = f"/api/v1/projects/{world.network_project.id}/partner-requests"
    closes = (utcnow().date() + timedelta(days=10)).isoformat()
    good = {"kind": "startup", "description": "x", "closes_on": closes}
    assert client.post(url, json=good, headers=bearer(world.outsider)).status_code == 403
    bad = client.post(url, json={**good, "kind": "nope"}, headers=bearer(world.lead_member))
    assert bad.status_code == 422
    far = (utcnow().date() + timedelta(days=800)).isoformat()
    too_far = client.post(url, json={**good, "closes_on": far}, headers=bearer(world.lead_member))
    assert too_far.status_code == 422
    hidden = f"/api/v1/projects/{world.consortium_project.id}/partner-requests"
    assert client.post(hidden, json=good, headers=bearer(world.outsider)).status_code == 404


def test_openapi_names_the_operations(client):
    spec = client.get("/api/v1/openapi.json").json
    ids = {
        op.get("operationId")
        for path in spec["paths"].values()
        for op in path.values()
        if isinstance(op, dict)
    }
    assert {
        "listPartnerRequests",
        "createPartnerRequest",
        "expressPartnerInterest",
        "acceptPartnerInterest",
        "declinePartnerInterest",
        "suggestPartners",
    } <= ids


@pytest.mark.parametrize("missing", [None])
def test_request_filters_ignore_nonsense(world, missing):
    filters = services.RequestFilters.from_args({"kind": "x", "site": "abc", "theme": "-1"})
    assert (filters.kind, filters.site_id, filters.theme_id) == (None, None, None)


def test_org_listing_for_accept_counts_organizations(world):
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 3


def _page_statements(client, url: str) -> int:
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)


def test_pages_stay_within_twelve_statements_however_many_rows(world, client, login):
    """The list, a request with its answers and suggestions, project suggestions and the
    network: the same count with 1 and with 12 requests, answers and organizations."""
    first = _request(world, world.network_project)
    _interest(world, first)
    f.make_org("First candidate", themes=[world.ai], sites=[world.lingen])
    login(world.lead_member)
    pages = [
        "/partner-requests",
        f"/partner-requests/{first.id}",
        f"/projects/{world.network_project.id}/suggestions",
        "/network",
    ]
    few = [_page_statements(client, url) for url in pages]
    for i in range(11):
        org = f.make_org(f"Answering {i}", themes=[world.ai], sites=[world.lingen])
        f.make_project(world.lingen, org, [(world.partner_org, "partner")])
        _request(world, world.consortium_project, description=f"More {i}")
        _interest(world, first, org=org, user=world.outsider)
    many = [_page_statements(client, url) for url in pages]
    assert many == few, dict(zip(pages, zip(few, many, strict=True), strict=True))
    assert max(many) <= 12, dict(zip(pages, many, strict=True))


def test_project_history_names_the_request_in_the_readers_language(world, client, login):
    login(world.lead_member)
    url = f"/projects/{world.network_project.id}/partner-requests/new"
    closes = (utcnow().date() + timedelta(days=3)).isoformat()
    data = {"kind": "startup", "description": "A start-up", "closes_on": closes}
    assert client.post(url, data=data).status_code == 302
    history = client.get(f"/projects/{world.network_project.id}?tab=history")
    assert history.status_code == 200 and "Partner request opened" in history.text
    client.post("/language", data={"lang": "de"})
    german = client.get(f"/projects/{world.network_project.id}?tab=history")
    assert "Partnergesuch eröffnet" in german.text
