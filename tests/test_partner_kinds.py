"""A partner role must fit the organization's kind (issue 19): a research institution is not
the project's start-up. The service refuses, so the pages and the API say why."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import request_started

from tests import factories
from tests.test_api_read import bearer
from tracker.extensions import db
from tracker.loaders import PROJECT_DETAILS
from tracker.models import Participation, Project
from tracker.projects import services
from tracker.projects.services import PartnerInput, ProjectData, ProjectError


@pytest.fixture
def institute(world):
    return factories.make_org("Emsland Institute", kind="research_institution")


def _load(project):
    return db.session.get(Project, project.id, options=PROJECT_DETAILS, populate_existing=True)


def _data(world, *partners) -> ProjectData:
    return ProjectData(
        title="Kinds fit",
        site_id=world.lingen.id,
        partners=[PartnerInput(org.id, role) for org, role in partners],
    )


def test_a_research_institution_cannot_be_the_start_up(world, institute):
    with pytest.raises(ProjectError) as refused:
        services.create_project(world.lead_member, _data(world, (institute, "startup")))
    message = refused.value.message
    assert "Emsland Institute" in message and "Research institution" in message
    assert "Start-up" in message
    assert (refused.value.field, refused.value.row) == ("partners", 0)
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 2  # the world's two


def test_roles_that_fit_and_roles_for_any_kind_are_accepted(world, institute):
    project = services.create_project(
        world.lead_member,
        _data(world, (institute, "research_partner"), (world.partner_org, "startup"),
              (world.other_org, "pilot_customer")),
    )  # fmt: skip
    count = sa.select(sa.func.count()).where(Participation.project_id == project.id)
    assert db.session.scalar(count) == 4
    with pytest.raises(ProjectError):
        services.create_project(world.lead_member, _data(world, (world.other_org, "startup")))


def test_a_stored_pair_that_does_not_fit_is_kept_on_a_later_edit(world, institute):
    project = world.network_project
    db.session.add(
        Participation(project_id=project.id, organization_id=institute.id, role="startup")
    )
    db.session.commit()
    project = _load(project)
    changes = {
        "title": "Renamed",
        "partners": [
            PartnerInput(world.partner_org.id, "startup"),
            PartnerInput(institute.id, "startup"),
        ],
    }
    assert services.update_project(world.lead_member, project, changes, project.version)
    project = _load(project)
    with pytest.raises(ProjectError):  # a new pair that does not fit is refused
        services.update_project(
            world.lead_member,
            project,
            {"partners": [PartnerInput(world.partner_org.id, "research_partner")]},
            project.version,
        )


def test_the_api_refuses_with_a_problem_naming_the_row(client, world, institute):
    def end_transaction(sender, **extra):
        db.session.rollback()

    request_started.connect(end_transaction, weak=False)
    try:
        body = {
            "title": "Kinds fit",
            "site": "lingen",
            "partners": [{"organization_id": institute.id, "role": "startup"}],
        }
        headers = bearer(world.lead_member)
        response = client.post("/api/v1/projects", json=body, headers=headers)
    finally:
        request_started.disconnect(end_transaction)
    assert response.status_code == 422
    problem = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert "Research institution" in problem["errors"]["partners.0"][0]


def test_a_partner_request_cannot_seek_a_role_its_kind_does_not_fit(client, world):
    def end_transaction(sender, **extra):
        db.session.rollback()

    url = f"/api/v1/projects/{world.network_project.id}/partner-requests"
    closes = (date.today() + timedelta(days=20)).isoformat()
    body = {"kind": "member_company", "role": "startup", "description": "A pilot company"}
    body |= {"closes_on": closes, "themes": ["ai"]}
    request_started.connect(end_transaction, weak=False)
    try:
        refused = client.post(url, json=body, headers=bearer(world.lead_member))
        fitting = client.post(
            url, json=body | {"kind": "startup"}, headers=bearer(world.lead_member)
        )
    finally:
        request_started.disconnect(end_transaction)
    assert refused.status_code == 422, refused.get_json()
    assert "Member company" in str(refused.get_json())
    assert fitting.status_code == 201, fitting.get_json()
