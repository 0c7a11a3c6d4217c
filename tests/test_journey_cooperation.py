"""The cooperation journey of the projects issue, through the pages, on seeded demo data."""

import re

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Notification, Organization, Project, Site, StageCriterion, User

PASSWORD = "journey-demo-password"


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["seed-demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output


def sign_in(app, email):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, email
    return client


def org_id(name):
    return db.session.scalar(sa.select(Organization.id).where(Organization.name == name))


def test_member_project_goes_from_develop_to_test_with_partners_and_manager(app, demo):
    krone = sign_in(app, "member.krone@demo.example")
    startup = db.session.scalar(
        sa.select(Organization).where(Organization.kind == "startup").order_by(Organization.id)
    )
    lingen = db.session.scalar(sa.select(Site).where(Site.slug == "lingen"))
    response = krone.post(
        "/projects/new",
        data={
            "title": "Hydrogen-aware AI scheduling",
            "summary": "Schedule compute when green hydrogen is plentiful.",
            "site_id": lingen.id,
            "kind": "product",
            "visibility": "consortium",
            "partners-0-organization_id": startup.id,
            "partners-0-role": "startup",
            "partners-1-organization_id": org_id("IT-Campus Lingen"),
            "partners-1-role": "research_partner",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    project = db.session.scalar(
        sa.select(Project).where(Project.title == "Hydrogen-aware AI scheduling")
    )
    assert project.lead_organization_id == org_id("Krone Group")
    url = f"/projects/{project.id}"

    criterion = db.session.scalar(
        sa.select(StageCriterion).where(
            StageCriterion.stage == "develop", StageCriterion.site_id.is_(None)
        )
    )
    assert krone.post(f"{url}/criteria/{criterion.id}/tick").status_code == 302
    assert krone.post(f"{url}/updates", data={"body": "Prototype running"}).status_code == 302
    response = krone.post(f"{url}/gate", data={"evidence": "Prototype cut peak load by 18 %."})
    assert response.status_code == 302
    detail = krone.get(url).get_data(as_text=True)
    assert "Prototype running" in detail

    review_id = int(re.search(r"/reviews/(\d+)", detail).group(1))
    itcampus = sign_in(app, "member.itcampus@demo.example")
    assert itcampus.post(f"/reviews/{review_id}/confirm").status_code == 302

    outsider_email = db.session.scalar(
        sa.select(User.email)
        .join(Organization, User.organization_id == Organization.id)
        .where(Organization.name == "Cornexion GmbH")
    )
    outsider = sign_in(app, outsider_email)
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/reviews/{review_id}").status_code == 404
    assert "Hydrogen-aware AI scheduling" not in outsider.get("/board").get_data(as_text=True)
    assert "Hydrogen-aware" not in outsider.get("/projects?q=hydrogen").get_data(as_text=True)

    manager = sign_in(app, "manager.lingen@demo.example")
    queue = manager.get("/reviews").get_data(as_text=True)
    assert "Hydrogen-aware AI scheduling" in queue
    page = manager.get(f"/reviews/{review_id}").get_data(as_text=True)
    assert "IT-Campus Lingen" in page
    response = manager.post(
        f"/reviews/{review_id}/decide", data={"decision": "go", "reason": "Strong evidence."}
    )
    assert response.status_code == 302

    db.session.expire_all()
    assert db.session.get(Project, project.id).stage == "test"
    detail = krone.get(url).get_data(as_text=True)
    assert "Strong evidence." in detail
    notes = krone.get("/notifications").get_data(as_text=True)
    assert "Hydrogen-aware AI scheduling" in notes
    krone_user = db.session.scalar(sa.select(User).where(User.email == "member.krone@demo.example"))
    assert db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == krone_user.id, Notification.kind == "gate_decided"
        )
    )
