"""Names of sites and themes, titles of exit criteria in German and Swedish (design §16):
admins give them, readers see the one of their language, English where none is given."""

import sqlalchemy as sa
from flask_babel import force_locale

from tracker.extensions import db
from tracker.models import AuditEvent, Site, StageCriterion, Theme


def _page(client, login, user, locale: str, path: str) -> str:
    user.locale = locale
    db.session.commit()
    login(user)
    return client.get(path).get_data(as_text=True)


def _name_world(world):
    world.ai.name_de = "Künstliche Intelligenz"
    world.ai.name_sv = "Artificiell intelligens"
    world.lingen.name_sv = "Lingen (Ems)"
    db.session.add(
        StageCriterion(
            stage="develop",
            site_id=None,
            title="Prototype demonstrated",
            title_de="Prototyp vorgeführt",
            position=1,
        )
    )
    db.session.commit()


def test_readers_see_names_and_titles_in_their_language_else_english(client, world, login):
    _name_world(world)
    path = f"/projects/{world.network_project.id}"
    german = _page(client, login, world.lead_member, "de", path)
    assert "Künstliche Intelligenz" in german and "Prototyp vorgeführt" in german
    assert "Artificial intelligence" not in german
    assert "Lingen" in german  # no German name given: the English one
    swedish = _page(client, login, world.lead_member, "sv", path)
    assert "Artificiell intelligens" in swedish and "Lingen (Ems)" in swedish
    assert "Prototype demonstrated" in swedish  # no Swedish title: the English one
    english = _page(client, login, world.lead_member, "en", path)
    assert "Artificial intelligence" in english and "Künstliche" not in english


def test_selects_and_sorts_in_sql_follow_the_reader(app, world):
    _name_world(world)
    with app.test_request_context():
        with force_locale("de"):
            assert db.session.scalar(sa.select(Theme.name)) == "Künstliche Intelligenz"
            assert db.session.get(Theme, world.ai.id).name == "Künstliche Intelligenz"
        with force_locale("sv"):
            names = db.session.execute(sa.select(Site.slug, Site.name).order_by(Site.name))
            assert dict(names.all())["lingen"] == "Lingen (Ems)"
        with force_locale("en"):
            assert db.session.scalar(sa.select(Theme.name)) == "Artificial intelligence"
    assert world.ai.name == "Artificial intelligence"  # outside a request: English


def test_the_board_filter_lists_themes_in_the_readers_language(client, world, login):
    _name_world(world)
    assert "Künstliche Intelligenz" in _page(client, login, world.lead_member, "de", "/board")


def test_admin_gives_a_theme_german_and_swedish_names(client, world, login):
    page = _page(client, login, world.admin, "de", f"/admin/themes/{world.ai.id}/edit")
    assert 'value="Artificial intelligence"' in page  # the English name, whatever the page
    response = client.post(
        f"/admin/themes/{world.ai.id}/edit",
        data={
            "name": "Artificial intelligence",
            "name_de": "Künstliche Intelligenz",
            "name_sv": "Artificiell intelligens",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    theme = db.session.get(Theme, world.ai.id)
    assert (theme.name_en, theme.name_de, theme.name_sv) == (
        "Artificial intelligence",
        "Künstliche Intelligenz",
        "Artificiell intelligens",
    )
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "theme.rename"))
    assert event.changes == {
        "name_de": [None, "Künstliche Intelligenz"],
        "name_sv": [None, "Artificiell intelligens"],
    }
    # A client that sends only the English name leaves the translations as they are.
    client.post(f"/admin/themes/{world.ai.id}/edit", data={"name": "AI"})
    db.session.expire_all()
    assert db.session.get(Theme, world.ai.id).name_de == "Künstliche Intelligenz"


def test_admin_creates_a_theme_and_a_site_with_translations(client, world, login):
    _page(client, login, world.admin, "en", "/admin/themes")
    client.post(
        "/admin/themes",
        data={"slug": "climate", "name": "Climate", "name_de": "Klima", "name_sv": "Klimat"},
    )
    theme = db.session.scalar(sa.select(Theme).where(Theme.slug == "climate"))
    assert (theme.name_de, theme.name_sv) == ("Klima", "Klimat")
    page = client.get(f"/admin/sites/{world.lingen.id}/edit").get_data(as_text=True)
    assert 'name="name_de"' in page and 'name="name_sv"' in page
    response = client.post(
        f"/admin/sites/{world.lingen.id}/edit",
        data={
            "slug": "lingen",
            "name": "Lingen",
            "name_de": "Lingen (Ems)",
            "name_sv": "",
            "city": "Lingen",
            "country": "DE",
            "kind": "satellite",
            "focus": "",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    site = db.session.get(Site, world.lingen.id)
    assert (site.name_en, site.name_de, site.name_sv) == ("Lingen", "Lingen (Ems)", None)


def test_a_german_admin_renaming_a_criterion_keeps_english_and_german_apart(client, world, login):
    _name_world(world)
    criterion = db.session.scalar(sa.select(StageCriterion))
    page = _page(client, login, world.admin, "de", "/admin/criteria")
    assert 'value="Prototype demonstrated"' in page and 'value="Prototyp vorgeführt"' in page
    client.post(
        f"/admin/criteria/{criterion.id}/rename",
        data={"title": "Prototype demonstrated", "title_de": "Prototyp gezeigt", "title_sv": ""},
    )
    db.session.expire_all()
    criterion = db.session.get(StageCriterion, criterion.id)
    assert (criterion.title_en, criterion.title_de) == (
        "Prototype demonstrated",
        "Prototyp gezeigt",
    )
    client.post(
        "/admin/criteria/add",
        data={"stage": "test", "title": "Test site booked", "title_sv": "Testplats bokad"},
    )
    added = db.session.scalar(
        sa.select(StageCriterion).where(StageCriterion.title_en == "Test site booked")
    )
    assert (added.title_de, added.title_sv) == (None, "Testplats bokad")


def test_a_german_admin_cannot_name_a_theme_like_another_themes_english_name(client, world, login):
    world.ai.name_de = "KI"
    db.session.commit()
    _page(client, login, world.admin, "de", "/admin/themes")
    response = client.post("/admin/themes", data={"slug": "ai2", "name": "Artificial intelligence"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(Theme).where(Theme.slug == "ai2")) is None
    response = client.post("/admin/themes", data={"slug": "ki", "name": "KI"})
    assert response.status_code == 302  # "KI" is only the German name of another theme


def test_the_api_names_themes_in_the_asked_language_with_the_same_slug(client, world):
    from tests.test_api_read import bearer

    _name_world(world)
    headers = bearer(world.lead_member)
    german = client.get("/api/v1/themes", headers={**headers, "Accept-Language": "de"})
    english = client.get("/api/v1/themes", headers=headers)
    assert german.status_code == english.status_code == 200
    by_slug = {t["slug"]: t["name"] for t in german.get_json()["items"]}
    assert by_slug["ai"] == "Künstliche Intelligenz"
    assert {t["slug"]: t["name"] for t in english.get_json()["items"]}["ai"] == (
        "Artificial intelligence"
    )


def test_the_demo_names_sites_themes_and_criteria_in_three_languages(app):
    from tracker.demo.seed import seed

    seed("not-a-real-hash", lambda *args, **kwargs: None)
    themes = db.session.scalars(sa.select(Theme)).all()
    assert themes and all(t.name_en and t.name_de and t.name_sv for t in themes)
    assert all(s.name_de and s.name_sv for s in db.session.scalars(sa.select(Site)))
    criteria = db.session.scalars(sa.select(StageCriterion)).all()
    assert criteria and all(c.title_de and c.title_sv for c in criteria)
    ai = db.session.scalar(sa.select(Theme).where(Theme.slug == "ai"))
    assert (ai.name_de, ai.name_sv) == ("Künstliche Intelligenz", "Artificiell intelligens")
