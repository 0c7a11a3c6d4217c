"""Languages: locale choice, the switch, German and Swedish pages, complete catalogs."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tracker.extensions import db
from tracker.models import Organization

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# English UI words that must not show on a German or Swedish page.
ENGLISH = [
    "Sign out",
    "Notifications",
    "Welcome",
    "Account",
    "No project",
    "Stage history",
    "Milestones",
    "Updates",
    "Partners",
    "Exit criteria",
    "Request the gate",
]


def _catalog(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source)


def _source_messages() -> set:
    found = set()
    method_map = [("tracker/**.py", "python"), ("templates/**.html", "jinja2")]

    # Every folder but hidden ones: Babel's default also skips "_" folders (templates/_macros).
    def directory_filter(path: str) -> bool:
        return not Path(path).name.startswith(".")

    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS, directory_filter=directory_filter
    ):
        found.add(message)
    return {m for m in found if m and (m if isinstance(m, str) else m[0])}


@pytest.mark.parametrize("lang", ["de", "sv"])
def test_every_source_message_has_a_translation_with_the_same_placeholders(lang):
    catalog = _catalog(lang)
    problems = []
    for msgid in _source_messages():
        key = msgid if isinstance(msgid, str) else msgid[0]
        entry = catalog.get(key)
        if (
            entry is None
            or entry.fuzzy
            or not all(entry.string if isinstance(entry.string, tuple) else [entry.string])
        ):
            problems.append(f"untranslated: {key!r}")
            continue
        translations = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(PLACEHOLDER.findall(key))
        for text in translations:
            if set(PLACEHOLDER.findall(text)) != expected:
                problems.append(f"placeholders differ: {key!r} -> {text!r}")
    assert not problems, "\n".join(sorted(problems)[:40])


TEXT_BETWEEN_TAGS = re.compile(r">([^<>{}]*[A-Za-z]{3,}[^<>{}]*)<")
ALLOWED_TEXT = {"Innovation Tracker", "CSV", "PDF"}


def test_templates_have_no_visible_english_outside_translation_calls():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text()
        source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
        source = re.sub(r"<(script|style|code)[^>]*>.*?</\1>", "", source, flags=re.S)
        for text in TEXT_BETWEEN_TAGS.findall(source):
            if text.strip() and text.strip() not in ALLOWED_TEXT and "%}" not in text:
                offenders.append(f"{path.relative_to(ROOT)}: {text.strip()[:60]}")
    assert not offenders, "\n".join(offenders)


def test_locale_comes_from_accept_language_when_nothing_else_is_set(client):
    page = client.get("/login", headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Logga in" in html


def test_unknown_languages_fall_back_to_english(client):
    html = client.get("/login", headers={"Accept-Language": "fr-FR,fr"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_the_switch_beats_accept_language_and_returns_to_a_safe_page(client):
    answer = client.post("/language", data={"lang": "de", "next": "/login"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/login")
    html = client.get("/login", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert '<html lang="de">' in html and "Anmelden" in html


def test_the_switch_refuses_foreign_next_addresses_and_unknown_languages(client):
    answer = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert answer.status_code == 302
    assert "evil.example" not in answer.headers["Location"]
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html


def test_the_switch_needs_a_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/language", data={"lang": "de"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_users_setting_beats_the_session_and_is_saved_by_the_switch(client, world, login):
    login(world.patron)
    client.post("/language", data={"lang": "sv", "next": "/"})
    db.session.expire_all()
    assert world.patron.locale == "sv"
    world.patron.locale = "de"
    db.session.commit()
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in html


def _assert_language(html: str, words: list[str]) -> None:
    for word in words:
        assert word in html, word
    for english in ENGLISH:
        assert english not in html, english


def test_a_german_patron_sees_home_and_dashboard_in_german(client, world, login):
    world.patron.locale = "de"
    db.session.commit()
    login(world.patron)
    _assert_language(client.get("/").get_data(as_text=True), ["Abmelden", "Willkommen"])
    dashboard = client.get("/dashboard").get_data(as_text=True)
    _assert_language(dashboard, ["Projekte nach Phase und Status", "Entwicklung", "Markt"])


def test_a_swedish_member_sees_home_board_and_project_in_swedish(client, world, login):
    world.lead_member.locale = "sv"
    db.session.commit()
    login(world.lead_member)
    _assert_language(client.get("/").get_data(as_text=True), ["Logga ut", "Välkommen"])
    _assert_language(client.get("/board").get_data(as_text=True), ["Utveckling", "Marknad"])
    project = client.get(f"/projects/{world.network_project.id}").get_data(as_text=True)
    _assert_language(project, ["Milstolpar", "Fashistorik", "Uppdateringar", "dagar"])


def test_notifications_stored_in_english_are_shown_in_the_readers_language(client, world, login):
    from tracker.reviews import services

    review = services.request_gate(world.lead_member, world.network_project, "Pilot done.")
    services.decide(world.manager, review, "recycle", "Mehr Daten zeigen.")
    world.lead_member.locale = "de"
    db.session.commit()
    login(world.lead_member)
    html = client.get("/notifications").get_data(as_text=True)
    title = world.network_project.title
    assert f"Gate-Entscheidung für „{title}“: " in html
    assert "Begründung: Mehr Daten zeigen." in html
    assert "Gate decision for" not in html


def test_unknown_notification_texts_fall_back_to_the_stored_message(app, world):
    from tracker.models import Notification
    from tracker.notifications.display import notification_text

    with app.test_request_context(headers={"Accept-Language": "sv"}):
        odd = Notification(kind="gate_decided", message="Something else entirely")
        assert notification_text(odd) == "Something else entirely"
        held = Notification(kind="status_changed", message="“Solar” was put on hold: Budget.")
        assert notification_text(held) == "”Solar” pausades: Budget."


def test_api_problem_details_follow_accept_language(client):
    answer = client.get("/api/v1/projects", headers={"Accept-Language": "de"})
    assert answer.status_code == 401
    assert "Senden Sie ein API-Token" in answer.get_json()["detail"]
    english = client.get("/api/v1/projects", headers={"Accept-Language": "en"})
    assert english.get_json()["detail"].startswith("Send an API token")


def test_the_project_csv_header_is_localized_but_english_keeps_machine_names(client, world, login):
    world.lead_member.locale = "sv"
    db.session.commit()
    login(world.lead_member)
    header = client.get("/projects/export.csv").get_data(as_text=True).splitlines()[0]
    assert header.lstrip("\ufeff").startswith("id,titel,sammanfattning,plats,fas")


def test_a_german_organization_export_can_be_imported_again(client, world, login):
    from tests.test_csv import confirm

    world.admin.locale = "de"
    db.session.commit()
    login(world.admin)
    exported = client.get("/organizations/export.csv").get_data().decode("utf-8-sig")
    header = exported.splitlines()[0]
    assert header.startswith("id,Name,Art,Land,Ort")  # the id first, for members' systems
    row = f",Neue Org,startup,DE,Lingen,,,,{world.lingen.slug},{world.ai.slug}"
    response = confirm(client, f"{header}\r\n{row}\r\n")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Organization).where(Organization.name == "Neue Org"))


def test_chart_stage_names_follow_each_readers_language_not_the_first_one(client, world, login):
    # Jinja caches an imported template's top-level names: set up under the first request's
    # language, they would stay English for everyone after an English reader came first.
    login(world.manager)
    english = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Develop" in english
    german = client.get("/dashboard", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="de">' in german
    assert "Entwicklung" in german
    assert "Develop" not in german


def test_template_texts_follow_each_requests_language_and_force_locale(app):
    # The templates' gettext keeps the texts it made per catalog and the catalog per request
    # (tracker.i18n._catalog): a language chosen later, or forced for a mail, must still win.
    from flask import render_template_string
    from flask_babel import force_locale

    plural = "{{ ngettext('%(num)s day', '%(num)s days', 2) }}"
    source = "{{ _('Sign out') }}|{{ gettext('Sign out') }}|" + plural
    seen = []
    for lang in ("en", "de", "sv", "en", "de"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            app.preprocess_request()
            seen.append(render_template_string(source))
            with force_locale("sv" if lang != "sv" else "de"):
                seen.append(render_template_string(source))
            seen.append(render_template_string(source))
    assert seen == [
        "Sign out|Sign out|2 days", "Logga ut|Logga ut|2 dagar", "Sign out|Sign out|2 days",
        "Abmelden|Abmelden|2 Tage", "Logga ut|Logga ut|2 dagar", "Abmelden|Abmelden|2 Tage",
        "Logga ut|Logga ut|2 dagar", "Abmelden|Abmelden|2 Tage", "Logga ut|Logga ut|2 dagar",
        "Sign out|Sign out|2 days", "Logga ut|Logga ut|2 dagar", "Sign out|Sign out|2 days",
        "Abmelden|Abmelden|2 Tage", "Logga ut|Logga ut|2 dagar", "Abmelden|Abmelden|2 Tage",
    ]  # fmt: skip
