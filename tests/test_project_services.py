"""Project services without HTTP: create, update with partners, conflicts, criteria, progress."""

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker.extensions import db
from tracker.loaders import PROJECT_DETAILS
from tracker.models import (
    AuditEvent,
    CriterionTick,
    Notification,
    Participation,
    Project,
    StageCriterion,
    StageEvent,
)
from tracker.projects import criteria, progress, services
from tracker.projects.services import EditConflict, PartnerInput, ProjectData, ProjectError


def _load(world, project):
    """The project as a request would load it, bypassing what this session already holds."""
    return db.session.get(Project, project.id, options=PROJECT_DETAILS, populate_existing=True)


def _roles(project_id: int) -> dict[str, str]:
    rows = db.session.execute(
        sa.select(Participation.organization_id, Participation.role).where(
            Participation.project_id == project_id
        )
    )
    return dict(rows.tuples().all())


def test_member_creates_project_led_by_own_org_with_partners_history_and_notifications(world):
    project = services.create_project(
        world.lead_member,
        ProjectData(
            title="  Green AI campus  ",
            site_id=world.lingen.id,
            theme_ids=[world.ai.id],
            partners=[PartnerInput(world.partner_org.id, "pilot_customer")],
        ),
    )
    assert project.title == "Green AI campus"
    assert project.lead_organization_id == world.lead_org.id
    assert _roles(project.id) == {
        world.lead_org.id: "lead",
        world.partner_org.id: "pilot_customer",
    }
    event = db.session.scalar(sa.select(StageEvent).where(StageEvent.project_id == project.id))
    assert (event.from_stage, event.to_stage, event.to_status, event.note) == (
        None, "develop", "active", "Project created",
    )  # fmt: skip
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.project_id == project.id))
    assert audit.action == "project_created"
    assert audit.changes["partners"] == [None, ["Partner Org (pilot_customer)"]]
    notified = db.session.scalars(sa.select(Notification.user_id)).all()
    assert notified == [world.partner_member.id]


def test_member_may_not_pick_another_lead(world):
    data = ProjectData(title="X", site_id=world.lingen.id, lead_organization_id=world.other_org.id)
    with pytest.raises(ProjectError, match="Only a site manager or an admin"):
        services.create_project(world.lead_member, data)


@pytest.mark.parametrize(
    ("partners", "message"),
    [
        ([("lead_org", "partner")], "lead organization cannot also be a partner"),
        ([("partner_org", "partner"), ("partner_org", "startup")], "listed twice"),
        ([("partner_org", "lead")], "Choose one of"),
    ],
)
def test_invalid_partners_are_refused_and_nothing_is_written(world, partners, message):
    rows = [PartnerInput(getattr(world, org).id, role) for org, role in partners]
    before = db.session.scalar(sa.select(sa.func.count(Project.id)))
    with pytest.raises(ProjectError, match=message) as caught:
        services.create_project(
            world.lead_member, ProjectData(title="X", site_id=world.lingen.id, partners=rows)
        )
    assert caught.value.field == "partners"
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == before


def test_site_manager_creates_only_at_own_sites(world):
    data = ProjectData(title="X", site_id=world.berlin.id, lead_organization_id=world.other_org.id)
    with pytest.raises(ProjectError, match="may not host"):
        services.create_project(world.manager, data)
    data.site_id = world.lingen.id
    assert services.create_project(world.manager, data).lead_organization_id == world.other_org.id


def test_update_records_every_changed_field_and_notifies_new_partner(world):
    project = _load(world, world.network_project)
    changed = services.update_project(
        world.lead_member,
        project,
        {
            "title": "Renamed",
            "partners": [{"organization_id": world.other_org.id, "role": "pilot_customer"}],
        },
        expected_version=project.version,
    )
    assert set(changed) == {"title", "partners"}
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "project_updated")
    ).one()
    assert event.changes["title"] == ["Open hydrogen forecast", "Renamed"]
    assert event.changes["partners"] == [["Partner Org (startup)"], ["Other Org (pilot_customer)"]]
    assert _roles(project.id) == {world.lead_org.id: "lead", world.other_org.id: "pilot_customer"}
    assert db.session.scalars(sa.select(Notification.user_id)).all() == [world.outsider.id]


def test_stale_version_is_refused_naming_the_changed_field_and_keeping_the_first_save(world):
    first = _load(world, world.network_project)
    read_version = first.version
    services.update_project(world.lead_member, first, {"title": "First wins"}, read_version)
    second = _load(world, world.network_project)
    with pytest.raises(EditConflict) as caught:
        services.update_project(world.admin, second, {"title": "Second"}, read_version)
    assert [(c.field, c.read, c.current) for c in caught.value.changes] == [
        ("title", "Open hydrogen forecast", "First wins")
    ]
    db.session.rollback()
    assert db.session.get(Project, first.id).title == "First wins"
    # A deliberate save with the version shown on the conflict page goes through.
    third = _load(world, world.network_project)
    services.update_project(world.admin, third, {"title": "Second"}, caught.value.current_version)
    assert _load(world, world.network_project).title == "Second"


def test_lead_change_only_by_manager_and_old_lead_stays_as_partner(world):
    project = _load(world, world.network_project)
    with pytest.raises(ProjectError, match="Only a site manager"):
        services.update_project(
            world.lead_member, project, {"lead_organization_id": world.partner_org.id}, 1
        )
    project = _load(world, world.network_project)
    services.update_project(
        world.manager, project, {"lead_organization_id": world.partner_org.id, "partners": []}, 1
    )
    assert _roles(project.id) == {world.partner_org.id: "lead", world.lead_org.id: "partner"}


def test_activity_does_not_cause_an_edit_conflict(world):
    project = _load(world, world.network_project)
    version = project.version
    progress.post_update(world.partner_member, project, "Booked the test site.")
    project = _load(world, world.network_project)
    assert project.version == version
    services.update_project(world.lead_member, project, {"summary": "New"}, version)


def _criterion(title, stage="develop", site=None, position=0, active=True):
    row = StageCriterion(
        stage=stage,
        site_id=site.id if site else None,
        title=title,
        position=position,
        active=active,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_criteria_for_prefers_the_sites_own_criteria_over_network_defaults(world):
    _criterion("Default A")
    own_b = _criterion("Lingen B", site=world.lingen, position=2)
    own_a = _criterion("Lingen A", site=world.lingen, position=1)
    _criterion("Lingen retired", site=world.lingen, active=False)
    _criterion("Test stage", stage="test", site=world.lingen)
    project = _load(world, world.network_project)
    assert [c.title for c in criteria.criteria_for(project)] == [own_a.title, own_b.title]
    berlin = f.make_project(world.berlin, world.other_org, title="Berlin one")
    assert [c.title for c in criteria.criteria_for(_load(world, berlin))] == ["Default A"]


def test_tick_and_untick_are_recorded_and_a_second_tick_is_a_no_op(world):
    crit = _criterion("Data-sharing agreement signed")
    project = _load(world, world.consortium_project)
    assert criteria.tick(world.partner_member, project, crit.id) is True
    assert criteria.tick(world.partner_member, _load(world, project), crit.id) is False
    status = criteria.criteria_status(_load(world, project))
    assert [(c.title, t is not None) for c, t in status] == [(crit.title, True)]
    assert criteria.untick(world.lead_member, _load(world, project), crit.id) is True
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.project_id == project.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["criterion_ticked", "criterion_unticked"]
    assert db.session.scalar(sa.select(sa.func.count(CriterionTick.id))) == 0


def test_criterion_of_another_stage_is_refused(world):
    other = _criterion("Go-to-market owner named", stage="market")
    with pytest.raises(ProjectError, match="does not apply"):
        criteria.tick(world.lead_member, _load(world, world.network_project), other.id)


def test_outsider_may_not_tick_a_visible_project(world):
    crit = _criterion("Test site booked")
    with pytest.raises(services.ProjectForbidden):
        criteria.tick(world.outsider, _load(world, world.network_project), crit.id)


def test_a_save_racing_another_transaction_is_refused_by_the_version_column(world):
    """The version is checked again when writing (PostgreSQL reads do not lock the row)."""
    project = _load(world, world.network_project)
    session = db.session()
    session.expire_on_commit = False  # keep what we read, as a request would mid-way
    session.commit()
    # Another transaction saves in between: the row moves on, this session does not know.
    table = Project.__table__
    with db.engine.begin() as other:
        other.execute(
            sa.update(table).where(table.c.id == project.id).values(title="Elsewhere", version=2)
        )
    session.expire_on_commit = True
    with pytest.raises(EditConflict) as caught:
        services.update_project(world.lead_member, project, {"summary": "Mine"}, 1)
    assert caught.value.current_version == 2
    assert _load(world, project).summary != "Mine"
