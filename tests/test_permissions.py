"""The access table of design.md §4, predicate by predicate, and the scoping of project lists."""

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from sqlalchemy.orm import selectinload

from tests import factories as f
from tracker.auth import permissions
from tracker.extensions import db
from tracker.loaders import PROJECT_DETAILS
from tracker.models import Organization, Project, Site

WHO = ("admin", "manager", "other_manager", "lead_member", "partner_member", "outsider", "patron")


def rows(table):
    """One test per line of the table; the marks become the expected {user: allowed}."""
    expanded = []
    for label, args, marks in table:
        flags = marks.split()
        assert len(flags) == len(WHO), label
        expected = {who: flag == "Y" for who, flag in zip(WHO, flags, strict=True)}
        expanded.append(pytest.param(label, args, expected, id=f"{label}({', '.join(args)})"))
    return expanded


# manager runs the host site (Lingen); other_manager runs Berlin; lead_org leads both projects,
# partner_org is a partner in both; outsider's organization takes part in neither.
#                                                        admin mgr o_mgr lead partner outs patron
PROJECT_TABLE = [
    ("can_view", ("network_project",),                  "Y    Y    Y    Y    Y     Y    Y"),
    ("can_view", ("consortium_project",),               "Y    Y    .    Y    Y     .    ."),
    ("can_view_details", ("network_project",),          "Y    Y    Y    Y    Y     Y    ."),
    ("can_view_details", ("consortium_project",),       "Y    Y    .    Y    Y     .    ."),
    ("can_edit", ("network_project",),                  "Y    Y    .    Y    .     .    ."),
    ("can_edit", ("consortium_project",),               "Y    Y    .    Y    .     .    ."),
    ("can_contribute", ("network_project",),            "Y    Y    .    Y    Y     .    ."),
    ("can_contribute", ("consortium_project",),         "Y    Y    .    Y    Y     .    ."),
    ("can_request_gate", ("network_project",),          "Y    Y    .    Y    .     .    ."),
    ("can_request_gate", ("consortium_project",),       "Y    Y    .    Y    .     .    ."),
    ("can_decide_gate", ("network_project",),           "Y    Y    .    .    .     .    ."),
    ("can_decide_gate", ("consortium_project",),        "Y    Y    .    .    .     .    ."),
    ("can_change_status", ("network_project",),         "Y    Y    .    .    .     .    ."),
    ("can_change_status", ("consortium_project",),      "Y    Y    .    .    .     .    ."),
]  # fmt: skip

# Arguments name world attributes ("lingen_id" is world.lingen.id); "None" passes None.
#                                                        admin mgr o_mgr lead partner outs patron
USER_TABLE = [
    ("can_create_project", ("None",),                   "Y    Y    Y    Y    Y     Y    ."),
    ("can_create_project", ("lingen_id",),              "Y    Y    .    Y    Y     Y    ."),
    ("can_choose_lead", (),                             "Y    Y    Y    .    .     .    ."),
    ("can_create_organization", (),                     "Y    Y    Y    .    .     .    ."),
    ("can_edit_organization", ("lead_org",),            "Y    Y    .    Y    .     .    ."),
    ("can_edit_organization", ("partner_org",),         "Y    Y    .    .    Y     .    ."),
    ("can_edit_organization", ("other_org",),           "Y    .    Y    .    .     Y    ."),
    ("can_invite", (),                                  "Y    Y    Y    .    .     .    ."),
    ("can_invite", ("lead_org",),                       "Y    Y    .    .    .     .    ."),
    ("can_invite", ("other_org",),                      "Y    .    Y    .    .     .    ."),
    ("can_manage_users", (),                            "Y    .    .    .    .     .    ."),
    ("can_manage_sites_and_themes", (),                 "Y    .    .    .    .     .    ."),
    ("can_manage_criteria", ("lingen",),                "Y    Y    .    .    .     .    ."),
    ("can_manage_criteria", ("None",),                  "Y    .    .    .    .     .    ."),
    ("can_view_directory", (),                          "Y    Y    Y    Y    Y     Y    ."),
]  # fmt: skip

VISIBLE = {
    "admin": {"Open hydrogen forecast", "Secret electrolyser twin"},
    "manager": {"Open hydrogen forecast", "Secret electrolyser twin"},
    "other_manager": {"Open hydrogen forecast"},
    "lead_member": {"Open hydrogen forecast", "Secret electrolyser twin"},
    "partner_member": {"Open hydrogen forecast", "Secret electrolyser twin"},
    "outsider": {"Open hydrogen forecast"},
    "patron": {"Open hydrogen forecast"},
}


def loaded_project(project: Project) -> Project:
    """The project as the loaders hand it to views: participations loaded, fresh from the DB."""
    query = (
        sa.select(Project)
        .where(Project.id == project.id)
        .options(*PROJECT_DETAILS)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(query).unique().one()


def argument(world, name: str):
    if name == "None":
        return None
    if name.endswith("_id"):
        return getattr(world, name.removesuffix("_id")).id
    value = getattr(world, name)
    if isinstance(value, Organization):
        query = sa.select(Organization).where(Organization.id == value.id)
        return db.session.scalar(
            query.options(selectinload(Organization.sites)).execution_options(
                populate_existing=True
            )
        )
    if isinstance(value, Site):
        return db.session.get(Site, value.id)
    return value


@pytest.mark.parametrize(("predicate", "args", "expected"), rows(PROJECT_TABLE))
def test_project_rules_follow_the_design_table(world, predicate, args, expected):
    check = getattr(permissions, predicate)
    project = loaded_project(getattr(world, args[0]))
    assert {who: check(world.user(who), project) for who in WHO} == expected


@pytest.mark.parametrize(("predicate", "args", "expected"), rows(USER_TABLE))
def test_network_rules_follow_the_design_table(world, predicate, args, expected):
    check = getattr(permissions, predicate)
    values = [argument(world, a) for a in args]
    assert {who: check(world.user(who), *values) for who in WHO} == expected


def test_site_managers_invite_members_only(world):
    lead_org = argument(world, "lead_org")
    assert permissions.can_invite(world.manager, lead_org, role="member")
    assert not permissions.can_invite(world.manager, lead_org, role="site_manager")
    assert not permissions.can_invite(world.manager, lead_org, role="admin")
    assert permissions.can_invite(world.admin, lead_org, role="site_manager")


def visible_titles(user) -> set[str]:
    return set(
        db.session.scalars(permissions.visible_projects(user).with_only_columns(Project.title))
    )


def test_project_lists_show_exactly_what_each_user_may_see(world):
    assert {who: visible_titles(world.user(who)) for who in WHO} == VISIBLE


def test_a_site_manager_sees_consortium_projects_of_a_site_they_take_over(world):
    world.other_manager.managed_sites = [world.berlin, world.lingen]
    db.session.commit()
    assert visible_titles(world.other_manager) == VISIBLE["manager"]
    assert permissions.can_decide_gate(world.other_manager, loaded_project(world.network_project))


def nobody_rules(world, user) -> list[str]:
    """Names of every rule that lets user do something."""
    granted = []
    for predicate, args, _ in PROJECT_TABLE:
        if getattr(permissions, predicate)(user, loaded_project(getattr(world, args[0]))):
            granted.append(f"{predicate}{args}")
    for predicate, args, _ in USER_TABLE:
        if getattr(permissions, predicate)(user, *[argument(world, a) for a in args]):
            granted.append(f"{predicate}{args}")
    if visible_titles(user):
        granted.append("visible_projects")
    return granted


def test_anonymous_visitors_may_do_nothing(world):
    assert nobody_rules(world, AnonymousUserMixin()) == []
    assert nobody_rules(world, None) == []


@pytest.mark.parametrize("who", ["admin", "manager", "lead_member"])
def test_inactive_users_may_do_nothing(world, who):
    user = world.user(who)
    user.active = False
    db.session.commit()
    assert nobody_rules(world, user) == []


@pytest.mark.parametrize("who", WHO)
def test_sight_describes_what_visible_projects_selects(world, who):
    """permissions.sight (the report counts hidden rows from kept figures with it) is the rule
    of visible_projects: every project of the Sight's parts and no other."""
    f.make_project(world.berlin, world.other_org, title="Berlin closed", visibility="consortium")
    f.make_project(world.lingen, world.other_org, title="Lingen closed", visibility="consortium")
    user = world.user(who)
    sight = permissions.sight(user)
    expected = set(
        db.session.scalars(permissions.visible_projects(user).with_only_columns(Project.id))
    )
    described = set()
    for project in db.session.scalars(
        sa.select(Project).options(selectinload(Project.participations))
    ):
        organizations = {p.organization_id for p in project.participations}
        if (
            sight.everything
            or (sight.network and project.visibility == "network")
            or project.site_id in sight.site_ids
            or sight.organization_id in organizations
        ):
            described.add(project.id)
    assert described == expected
