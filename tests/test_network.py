"""/network and GET /api/v1/network (design §14): edges only of projects the user may see,
patrons see sites and kinds with small counts withheld, deterministic layout, bounded queries."""

import sqlalchemy as sa

from tests import factories as f
from tests.querycount import count_queries
from tracker.auth.tokens import create_token
from tracker.extensions import db
from tracker.matchmaking import network
from tracker.models import Organization, Participation, Site, network_changes
from tracker.models.directory import organization_sites
from tracker.models.project import project_themes


def _api(client, user, url):
    token, _ = create_token(user, "t")
    db.session.commit()
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def test_member_sees_edges_of_visible_projects_only(world, client):
    third = f.make_org("Third Org", sites=[world.berlin])
    f.make_project(world.berlin, world.other_org, [(third, "partner")], visibility="consortium")
    reply = _api(client, world.lead_member, "/api/v1/network")
    assert reply.status_code == 200
    body = reply.json
    names = {n["name"] for n in body["nodes"]}
    # Lead and Partner Org share two projects (network and consortium, both theirs).
    assert {"Lead Org", "Partner Org"} <= names
    assert "Third Org" not in names  # its only project is a consortium one the lead may not see
    ids = {n["name"]: n["id"] for n in body["nodes"]}
    edge = {(e["source"], e["target"]): e["projects"] for e in body["edges"]}
    pair = tuple(sorted((ids["Lead Org"], ids["Partner Org"])))
    assert edge[pair] == 2
    admin = _api(client, world.admin, "/api/v1/network").json
    assert "Third Org" in {n["name"] for n in admin["nodes"]}


def test_outsider_sees_only_the_network_project(world, client):
    body = _api(client, world.outsider, "/api/v1/network").json
    assert [e["projects"] for e in body["edges"]] == [1]


def test_patron_sees_sites_and_kinds_with_small_counts_withheld(world, client, login):
    body = _api(client, world.patron, "/api/v1/network").json
    assert body["detail"] == "sites"
    assert {n["kind"] for n in body["nodes"]} == {"site"}
    lingen = next(n for n in body["nodes"] if n["name"] == "Lingen")
    assert lingen["projects"] is None  # two organizations there: fewer than 3, withheld
    assert _api(client, world.patron, "/api/v1/network?kind=startup").status_code == 400
    login(world.patron)
    page = client.get("/network")
    assert page.status_code == 200
    assert "fewer than 3" in page.text
    assert "Lead Org" not in page.text and "Secret electrolyser twin" not in page.text


def test_page_for_member_and_manager(world, client, login, app):
    login(world.lead_member)
    page = client.get("/network")
    assert page.status_code == 200
    assert "<svg" in page.text and "Lead Org" in page.text
    assert "Most connected" in page.text and "Members without a project in 12 months" in page.text
    assert "<script" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    manager = app.test_client()
    login(world.manager, test_client=manager)
    assert manager.get("/network?period=12m&kind=startup").status_code == 200


def test_quiet_members_and_layout_are_deterministic(world):
    quiet = f.make_org("Quiet Member", member_since=f.utcnow().date())
    first = network.build(world.admin, network.NetworkFilters())
    second = network.build(world.admin, network.NetworkFilters())
    assert first == second
    assert "Quiet Member" in [m["name"] for m in first["quiet_members"]]
    assert quiet.id not in {n["id"] for n in first["nodes"]}


def test_network_statements_do_not_grow(world, client, login):
    def statements() -> int:
        db.session.commit()
        with count_queries() as seen:
            network.build(world.lead_member, network.NetworkFilters())
        return len(seen)

    few = statements()
    for i in range(25):
        org = f.make_org(f"Grown {i}", sites=[world.lingen])
        f.make_project(world.lingen, org, [(world.partner_org, "partner")])
    assert statements() == few <= 8
    assert db.session.scalar(sa.select(sa.func.count(Organization.id))) == 28


def test_a_write_redraws_the_cached_network(world):
    first = network.build(world.lead_member, network.NetworkFilters())
    assert network.build(world.lead_member, network.NetworkFilters()) is first  # cached
    newcomer = f.make_org("Newcomer Org", sites=[world.lingen])
    f.make_project(world.lingen, world.lead_org, [(newcomer, "partner")])
    second = network.build(world.lead_member, network.NetworkFilters())
    assert "Newcomer Org" in {n["name"] for n in second["nodes"]}
    # Another viewer with other rights never gets this drawing.
    outsider = network.build(world.outsider, network.NetworkFilters())
    assert outsider is not second


def test_managers_see_their_sites_consortium_projects_only(world, client):
    third = f.make_org("Third Org", sites=[world.berlin])
    fourth = f.make_org("Fourth Org", sites=[world.lingen])
    f.make_project(world.lingen, fourth, [(third, "partner")], visibility="consortium")
    mine = {n["name"] for n in _api(client, world.manager, "/api/v1/network").json["nodes"]}
    assert {"Third Org", "Fourth Org"} <= mine  # a consortium project at the Lingen site
    theirs = {n["name"] for n in _api(client, world.other_manager, "/api/v1/network").json["nodes"]}
    assert not {"Third Org", "Fourth Org"} & theirs


def test_the_stamp_sees_a_removed_participation_and_a_withdrawal(world):
    """The stamp reads the change log (tracker.models.changes), not the tables in full: a
    participation removed from an older project, a theme taken off and a project's status
    change each redraw."""
    project = world.network_project
    first = network.build(world.admin, network.NetworkFilters())
    partner = db.session.scalar(
        sa.select(Participation).where(
            Participation.project_id == project.id, Participation.role != "lead"
        )
    )
    db.session.delete(partner)
    db.session.commit()
    second = network.build(world.admin, network.NetworkFilters())
    assert second is not first
    assert [e["projects"] for e in first["edges"]] == [2]  # Lead and Partner Org, twice
    assert [e["projects"] for e in second["edges"]] == [1]
    db.session.execute(sa.delete(project_themes))  # Core, not the ORM: the trigger sees it too
    db.session.commit()
    assert network.build(world.admin, network.NetworkFilters()) is not second


def test_the_pruned_log_keeps_the_stamp_moving(world, monkeypatch):
    before = network._stamp()
    monkeypatch.setattr(network, "PRUNE_ABOVE", 0)
    f.make_project(world.lingen, world.lead_org, [(world.other_org, "partner")])
    grown = network._stamp()
    assert grown != before
    assert network.prune_changes() >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(network_changes)) == 1
    pruned = network._stamp()
    assert pruned not in (before, grown)
    monkeypatch.setattr(network, "PRUNE_ABOVE", 1)
    assert network.prune_changes() == 0  # one row is short enough
    assert network._stamp() == pruned


def test_an_organization_moving_sites_or_a_site_renamed_redraws(world):
    """Swapping one site for another in a single Core statement keeps every count and every
    version the same, and a site's new name changes no organization: the drawing shows both
    (an organization's sites, the site names), so each must redraw."""
    first = network.build(world.admin, network.NetworkFilters())
    db.session.execute(
        sa.update(organization_sites)
        .where(organization_sites.c.organization_id == world.lead_org.id)
        .values(site_id=world.berlin.id)
    )
    db.session.commit()
    second = network.build(world.admin, network.NetworkFilters())
    assert second is not first
    lead = next(n for n in second["nodes"] if n["id"] == world.lead_org.id)
    assert lead["sites"] == [world.berlin.slug]
    db.session.execute(
        sa.update(Site).where(Site.id == world.berlin.id).values(name="Berlin Mitte")
    )
    db.session.commit()
    assert network.build(world.admin, network.NetworkFilters()) is not second


def test_the_cached_drawing_is_kept_per_language(world, client, login):
    """Site names (and the patron's texts) are made in the reader's language when the drawing
    is built: an English drawing must not be handed to the next German reader."""
    world.lingen.name_de = "Lingen (Ems)"
    db.session.commit()
    login(world.patron)
    assert "Lingen (Ems)" not in client.get("/network").text
    world.patron.locale = "de"
    db.session.commit()
    german = client.get("/network").text
    assert "Lingen (Ems)" in german and "weniger als 3" in german
