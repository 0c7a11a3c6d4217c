"""Network settings under /admin: sites, themes and stage exit criteria."""

import pytest
import sqlalchemy as sa

from tests import factories as f
from tracker.extensions import db
from tracker.models import AuditEvent, Site, StageCriterion, Theme


@pytest.fixture
def signed_in(client, login):
    def sign_in(user):
        assert login(user).status_code == 302
        return client

    return sign_in


def _site_form(**overrides) -> dict:
    data = {
        "slug": "stockholm",
        "name": "Stockholm",
        "city": "Stockholm",
        "country": "SE",
        "kind": "satellite",
        "focus": "AI in the Nordics.",
        "themes": [],
    }
    data.update(overrides)
    return data


def _audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _criteria(site_id=None, stage="develop") -> list[StageCriterion]:
    db.session.expire_all()
    scope = (
        StageCriterion.site_id.is_(None) if site_id is None else StageCriterion.site_id == site_id
    )
    return list(
        db.session.scalars(
            sa.select(StageCriterion)
            .where(scope, StageCriterion.stage == stage)
            .order_by(StageCriterion.position, StageCriterion.id)
        )
    )


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/sites", "/admin/sites/new", "/admin/themes"])
@pytest.mark.parametrize("who", ["manager", "lead_member", "patron"])
def test_only_admins_manage_sites_and_themes(world, signed_in, url, who):
    assert signed_in(world.user(who)).get(url).status_code == 403


@pytest.mark.parametrize("who", ["lead_member", "patron"])
def test_members_and_patrons_may_not_open_criteria(world, signed_in, who):
    client = signed_in(world.user(who))
    assert client.get("/admin/criteria").status_code == 403
    assert client.get("/admin/criteria?site=lingen").status_code == 403


# --- sites --------------------------------------------------------------------------------


def test_admin_creates_a_site_and_it_is_audited(world, signed_in):
    client = signed_in(world.admin)
    response = client.post("/admin/sites/new", data=_site_form(themes=[world.ai.id]))
    assert response.status_code == 302
    site = db.session.scalar(sa.select(Site).where(Site.slug == "stockholm"))
    assert site.country == "SE"
    assert "Site Stockholm is created." in client.get("/admin/sites").get_data(as_text=True)
    (event,) = _audits("site.create")
    assert event.changes["slug"] == [None, "stockholm"]
    assert event.changes["themes"] == [[], ["ai"]]
    assert client.get("/sites/stockholm").status_code == 200


def test_admin_edits_a_site_with_old_and_new_values_audited(world, signed_in):
    client = signed_in(world.admin)
    page = client.get(f"/admin/sites/{world.lingen.id}/edit").get_data(as_text=True)
    assert 'value="lingen"' in page
    form = _site_form(slug="lingen", name="Lingen (Ems)", city="Lingen", country="DE")
    form["themes"] = [world.ai.id]
    response = client.post(f"/admin/sites/{world.lingen.id}/edit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Site, world.lingen.id).name == "Lingen (Ems)"
    (event,) = _audits("site.update")
    assert event.changes["name"] == ["Lingen", "Lingen (Ems)"]
    assert event.changes["themes"] == [[], ["ai"]]


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Stock Holm", "lower-case letters, digits and single hyphens"),
        ("berlin", "is taken by another site"),
    ],
)
def test_bad_or_taken_site_slug_is_refused(world, signed_in, slug, message):
    response = signed_in(world.admin).post("/admin/sites/new", data=_site_form(slug=slug))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Site.id))) == 2


def test_site_with_an_unknown_country_is_refused(world, signed_in):
    response = signed_in(world.admin).post("/admin/sites/new", data=_site_form(country="ZZ"))
    assert "Choose a country" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Site).where(Site.slug == "stockholm")) is None


# --- themes -------------------------------------------------------------------------------


def test_admin_creates_and_renames_a_theme(world, signed_in):
    client = signed_in(world.admin)
    response = client.post("/admin/themes", data={"slug": "green-hydrogen", "name": "Hydrogen"})
    assert response.status_code == 302
    theme = db.session.scalar(sa.select(Theme).where(Theme.slug == "green-hydrogen"))
    response = client.post(f"/admin/themes/{theme.id}/edit", data={"name": "Green hydrogen"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Theme, theme.id).name == "Green hydrogen"
    assert _audits("theme.rename")[0].changes == {"name": ["Hydrogen", "Green hydrogen"]}
    assert "Green hydrogen" in client.get("/admin/themes").get_data(as_text=True)


def test_duplicate_theme_slug_is_refused(world, signed_in):
    response = signed_in(world.admin).post("/admin/themes", data={"slug": "ai", "name": "AI 2"})
    assert "is taken by another theme" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 1


def test_theme_in_use_cannot_be_deleted(world, signed_in):
    client = signed_in(world.admin)
    confirm = client.get(f"/admin/themes/{world.ai.id}/delete").get_data(as_text=True)
    assert "cannot be deleted" in confirm
    response = client.post(f"/admin/themes/{world.ai.id}/delete", follow_redirects=True)
    assert "is still used by 2 projects" in response.get_data(as_text=True)
    assert db.session.get(Theme, world.ai.id) is not None


def test_unused_theme_is_deleted_after_confirmation(world, signed_in):
    theme = f.make_theme("unused", "Unused")
    client = signed_in(world.admin)
    confirm = client.get(f"/admin/themes/{theme.id}/delete").get_data(as_text=True)
    assert "Deleting it cannot be undone" in confirm
    assert db.session.get(Theme, theme.id) is not None  # the GET only asks
    response = client.post(f"/admin/themes/{theme.id}/delete", follow_redirects=True)
    assert "Theme Unused is deleted." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Theme, theme.id) is None
    assert _audits("theme.delete")[0].changes["slug"] == ["unused", None]


# --- criteria -----------------------------------------------------------------------------


def test_admin_adds_a_network_default(world, signed_in):
    client = signed_in(world.admin)
    page = client.get("/admin/criteria").get_data(as_text=True)
    assert "instead of the network defaults for that stage" in page
    response = client.post(
        "/admin/criteria/add", data={"stage": "develop", "title": "Data-sharing agreement signed"}
    )
    assert response.status_code == 302
    (criterion,) = _criteria()
    assert criterion.title == "Data-sharing agreement signed"
    assert _audits("criterion.create")[0].changes["site"] == [None, None]


def test_manager_adds_a_criterion_for_their_own_site(world, signed_in):
    client = signed_in(world.manager)
    response = client.get("/admin/criteria")
    assert response.headers["Location"].endswith("/admin/criteria?site=lingen")
    response = client.post(
        "/admin/criteria/add?site=lingen", data={"stage": "test", "title": "Test site booked"}
    )
    assert response.status_code == 302
    (criterion,) = _criteria(world.lingen.id, "test")
    assert criterion.title == "Test site booked"
    assert "Test site booked" in client.get("/admin/criteria?site=lingen").get_data(as_text=True)


def test_manager_may_not_touch_another_sites_or_the_network_criteria(world, signed_in):
    berlin = StageCriterion(stage="develop", site_id=world.berlin.id, title="Berlin rule")
    network = StageCriterion(stage="develop", site_id=None, title="Network rule")
    db.session.add_all([berlin, network])
    db.session.commit()
    client = signed_in(world.manager)
    data = {"stage": "develop", "title": "Sneaky"}
    assert client.get("/admin/criteria?site=berlin").status_code == 403
    assert client.post("/admin/criteria/add?site=berlin", data=data).status_code == 403
    assert client.post("/admin/criteria/add", data=data).status_code == 403
    for criterion in (berlin, network):
        url = f"/admin/criteria/{criterion.id}"
        assert client.post(f"{url}/rename", data={"title": "Sneaky"}).status_code == 403
        assert client.post(f"{url}/deactivate").status_code == 403
    assert not any(c.title == "Sneaky" for c in _criteria() + _criteria(world.berlin.id))


def test_empty_title_is_refused_beside_the_stage_it_was_for(world, signed_in):
    response = signed_in(world.admin).post(
        "/admin/criteria/add", data={"stage": "test", "title": "  "}
    )
    assert response.status_code == 422
    assert 'id="new-test-error"' in response.get_data(as_text=True)
    assert _criteria(stage="test") == []


def test_move_up_reorders_the_criteria(world, signed_in):
    client = signed_in(world.manager)
    for title in ("First", "Second", "Third"):
        client.post("/admin/criteria/add?site=lingen", data={"stage": "develop", "title": title})
    third = _criteria(world.lingen.id)[2]
    response = client.post(f"/admin/criteria/{third.id}/move", data={"direction": "up"})
    assert response.headers["Location"].endswith("/admin/criteria?site=lingen")
    assert [c.title for c in _criteria(world.lingen.id)] == ["First", "Third", "Second"]
    first = _criteria(world.lingen.id)[0]
    client.post(f"/admin/criteria/{first.id}/move", data={"direction": "down"})
    assert [c.title for c in _criteria(world.lingen.id)] == ["Third", "First", "Second"]
    assert _audits("criterion.move")


def test_deactivate_asks_first_then_keeps_the_row(world, signed_in):
    criterion = StageCriterion(stage="develop", site_id=world.lingen.id, title="Owner named")
    db.session.add(criterion)
    db.session.commit()
    client = signed_in(world.manager)
    confirm = client.get(f"/admin/criteria/{criterion.id}/deactivate").get_data(as_text=True)
    assert "Ticks already made stay in their history" in confirm
    assert _criteria(world.lingen.id)[0].active is True
    client.post(f"/admin/criteria/{criterion.id}/deactivate")
    (row,) = _criteria(world.lingen.id)
    assert row.active is False
    assert _audits("criterion.deactivate")[0].changes == {"active": [True, False]}
    client.post(f"/admin/criteria/{criterion.id}/reactivate")
    assert _criteria(world.lingen.id)[0].active is True


def test_rename_changes_the_title_and_is_audited(world, signed_in):
    criterion = StageCriterion(stage="test", site_id=None, title="Pilot done")
    db.session.add(criterion)
    db.session.commit()
    client = signed_in(world.admin)
    client.post(f"/admin/criteria/{criterion.id}/rename", data={"title": "Pilot completed"})
    assert _criteria(stage="test")[0].title == "Pilot completed"
    assert _audits("criterion.rename")[0].changes == {"title": ["Pilot done", "Pilot completed"]}


def test_market_is_the_last_stage_and_has_no_exit_criteria(world, signed_in):
    client = signed_in(world.admin)
    page = client.get("/admin/criteria").get_data(as_text=True)
    assert "Leaving Develop" in page and "Leaving Test" in page
    assert "Leaving Market" not in page and 'name="stage" value="market"' not in page
    response = client.post("/admin/criteria/add", data={"stage": "market", "title": "Go-live"})
    assert response.status_code == 422
    assert "Only stages a project can leave have exit criteria." in response.get_data(as_text=True)
    assert _criteria(stage="market") == []
