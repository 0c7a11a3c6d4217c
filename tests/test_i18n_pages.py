"""Every main page in German and Swedish, for each role: no English sentence may show.

The rendered text (and the labels screen readers and tooltips show) is scanned for English
words that are not German or Swedish words; stored content (project titles, reasons, names:
what people typed, in whatever language) is taken out first.
"""

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from flask_babel import refresh

from tracker.extensions import db
from tracker.reviews import services
from tracker.reviews.base import pending_review

ROOT = Path(__file__).resolve().parent.parent
# English function words that no German or Swedish sentence of the app contains as a word.
# ("was", "will", "must", "not", "for" are left out: they are German or Swedish words too.)
ENGLISH_WORDS = (
    "the",
    "you",
    "your",
    "with",
    "this",
    "that",
    "of",
    "and",
    "are",
    "has",
    "have",
    "been",
    "which",
    "there",
    "please",
    "cannot",
    "should",
    "would",
    "could",
    "from",
    "into",
    "when",
    "what",
    "who",
    "only",
    "every",
    "yet",
)
# Names that are English in German and Swedish too (Babel's country names).
PROPER_NAMES = ("Isle of Man",)
ENGLISH = re.compile(r"\b(" + "|".join(ENGLISH_WORDS) + r")\b", re.I)
ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# Stored texts that are not the app's own: content is left as people wrote it.
CONTENT_TABLES_SKIPPED = {"notifications"}


class _Text(HTMLParser):
    """The text a person sees or hears: data outside script/style, plus label attributes."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "code", "template"}:
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in ATTRIBUTES and value)
        given = dict(attrs)
        if tag == "input" and given.get("type") in {"submit", "button", "reset"}:
            self.parts.append(given.get("value") or "")  # the button's text

    def handle_endtag(self, tag):
        if tag in {"script", "style", "code", "template"} and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def stored_texts() -> list[str]:
    """Every stored text of more than one word (one word cannot be a stop word sentence)."""
    found: set[str] = set()
    for table in db.metadata.sorted_tables:
        if table.name in CONTENT_TABLES_SKIPPED:
            continue
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text)]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            found.update(value for value in row if isinstance(value, str) and " " in value)
    return sorted(found, key=len, reverse=True)


def english_in(html: str, content: list[str]) -> list[str]:
    """The lines of the page's text with English words, stored content taken out (also when a
    page shows only its beginning, cut with "…")."""
    text = visible_text(html)
    for value in (*content, *PROPER_NAMES):
        text = text.replace(value, " ")
    lines = [line for line in text.splitlines() if ENGLISH.search(line)]
    return [line for line in lines if not _cut_content(line, content)]


@cache
def english_texts(lang: str) -> frozenset[str]:
    """The app's English texts that read differently in lang (and are no text of lang)."""
    path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        catalog = read_po(source)
    pairs = [(m.id, m.string) for m in catalog if m.id and isinstance(m.id, str) and m.string]
    translated = {text for _id, text in pairs}
    return frozenset(
        msgid
        for msgid, text in pairs
        if msgid != text and msgid not in translated and "%(" not in msgid and len(msgid) > 3
    )


def untranslated_in(html: str, lang: str, content: list[str]) -> list[str]:
    """Texts on the page that are exactly one of the app's English texts, left untranslated
    (a label taken at import time, a choice list built once, a text outside gettext)."""
    known = english_texts(lang)
    parts = {" ".join(part.split()) for part in visible_text(html).splitlines()}
    return sorted(part for part in parts if part in known and part not in content)


def _cut_content(line: str, content: list[str]) -> bool:
    start = line.strip().rstrip("…").rstrip(". ")
    return len(start) > 20 and any(value.startswith(start) for value in content)


@pytest.fixture
def busy_world(world):
    """The small world with a decided and a pending gate request, and notifications."""
    services.request_gate(world.lead_member, world.consortium_project, "Pilot abgeschlossen.")
    decided = pending_review(world.consortium_project.id)
    services.decide(world.manager, decided, "recycle", "Mehr Daten zeigen.")
    services.request_gate(world.lead_member, world.network_project, "Prototyp gezeigt.")
    world.pending = pending_review(world.network_project.id)
    world.decided = decided
    return world


def pages_of(world, who: str) -> list[str]:
    project = world.network_project.id
    common = ["/", "/account", "/notifications", "/board", "/sites"]
    lists = ["/projects", "/lessons", "/organizations"]
    by_role = {
        "lead_member": [
            *lists,
            f"/projects/{project}",
            f"/projects/{world.consortium_project.id}",
            f"/projects/{project}/edit",
            "/projects/new",
            f"/organizations/{world.lead_org.id}",
            f"/organizations/{world.partner_org.id}",
            f"/sites/{world.lingen.slug}",
            "/dashboard",
            f"/projects/{world.consortium_project.id}/gate",
            "/account/two-factor/setup",
        ],
        "manager": [
            *lists,
            f"/projects/{project}",
            f"/projects/{project}/status",
            f"/projects/{project}/status?action=stop",
            "/reviews",
            f"/reviews/{world.pending.id}",
            f"/reviews/{world.decided.id}",
            "/dashboard",
            "/dashboard/report",
            "/organizations/import",
            "/admin/users",
            "/admin/users/new",
        ],
        "patron": ["/dashboard", "/dashboard/report", f"/sites/{world.lingen.slug}"],
        "admin": [
            *lists,
            f"/projects/{project}",
            "/admin/users",
            f"/admin/users/{world.lead_member.id}",
            "/admin/users/new",
            "/admin/sites",
            "/admin/sites/new",
            f"/admin/sites/{world.lingen.id}/edit",
            f"/admin/themes/{world.ai.id}/edit",
            f"/admin/themes/{world.ai.id}/delete",
            "/admin/themes",
            "/admin/criteria",
            "/admin/tokens",
            "/admin/security",
            "/organizations/new",
            f"/organizations/{world.partner_org.id}/edit",
            "/dashboard",
        ],
    }
    return common + by_role[who]


@pytest.mark.parametrize("lang", ["de", "sv"])
@pytest.mark.parametrize("who", ["lead_member", "manager", "patron", "admin"])
def test_main_pages_show_no_english_sentence(client, busy_world, login, who, lang):
    user = busy_world.user(who)
    user.locale = lang
    db.session.commit()
    login(user)
    content = stored_texts()
    problems = []
    for url in pages_of(busy_world, who):
        answer = client.get(url)
        assert answer.status_code == 200, url
        html = answer.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, url
        problems.extend(f"{url}: {line[:120]}" for line in english_in(html, content))
        problems.extend(f"{url}: {text}" for text in untranslated_in(html, lang, content))
    refused = {"patron": "/projects", "lead_member": "/admin/sites"}.get(who, "/admin/nothing")
    for url in ["/projects/999999", refused]:
        html = client.get(url).get_data(as_text=True)
        problems.extend(f"{url}: {line[:120]}" for line in english_in(html, content))
    if who == "admin":
        link = client.post(f"/admin/users/{busy_world.lead_member.id}/reset-link")
        assert link.status_code == 200
        lines = english_in(link.get_data(as_text=True), content)
        problems.extend(f"reset link: {line[:120]}" for line in lines)
    assert not problems, "\n".join(problems)


def test_the_scan_finds_english_labels_left_untranslated():
    html = '<p>Sign out</p><button>Abmelden</button><input type="submit" value="Save">'
    assert untranslated_in(html, "de", []) == ["Save", "Sign out"]
    assert untranslated_in("<p>Sign out</p>", "de", ["Sign out"]) == []


def test_the_scan_finds_an_english_sentence():
    html = "<p>Bitte <b>speichern</b>.</p><p title='Save the project'>Sparad</p>"
    assert english_in(html, []) == ["Save the project"]
    assert english_in("<p>Projekt von Lead Org and Partner</p>", ["Lead Org and Partner"]) == []


# --- the texts that were English before: each in German and Swedish ------------------------


def _speaks(user, lang: str) -> None:
    user.locale = lang
    db.session.commit()


def test_gate_refusals_and_the_closing_reason_follow_the_reader(client, world, login):
    review = services.request_gate(world.lead_member, world.network_project, "Pilot done.")
    _speaks(world.manager, "de")
    login(world.manager)
    blank = client.post(f"/reviews/{review.id}/decide", data={"decision": "go", "reason": " "})
    html = blank.get_data(as_text=True)
    assert blank.status_code == 422
    assert "Eine Begründung ist erforderlich." in html and "A reason is required." not in html
    services.hold(world.manager, world.network_project, "Budget offen.")
    db.session.expire_all()
    assert pending_review(world.network_project.id) is None
    assert db.session.get(type(review), review.id).reason == (
        "Closed because the project was put on hold."
    )  # stored in English, like every stored text
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Geschlossen, weil das Projekt pausiert wurde." in page
    _speaks(world.manager, "sv")
    page = client.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert "Stängd eftersom projektet pausades." in page and "Closed because" not in page


def test_a_too_long_evidence_names_the_field_in_the_readers_language(app, world):
    from tracker.reviews.services import GateError

    with (
        app.test_request_context(headers={"Accept-Language": "sv"}),
        pytest.raises(GateError, match=re.escape("Underlag får vara högst 5000 tecken.")),
    ):
        refresh()
        services.request_gate(world.lead_member, world.network_project, "x" * 5001)


def test_demo_notifications_are_shown_in_the_readers_language(app, world):
    """The demo's history is told by tracker.activity (tracker/demo/history.py), dated then."""
    from datetime import timedelta

    import sqlalchemy as sa

    from tracker import activity
    from tracker.models import GateReview, Notification, utcnow
    from tracker.notifications.display import notification_text

    now = utcnow()
    project = world.network_project
    pending = GateReview(project_id=project.id, from_stage="test", to_stage="market")
    decided = GateReview(
        project_id=project.id, from_stage="develop", to_stage="test", decision="go", reason="Gut."
    )
    quiet = {"at": now - timedelta(days=2), "mail": False}
    activity.tell_gate_requested(world.lead_member, project, pending, **quiet)
    activity.tell_gate_decided(world.manager, project, decided, **quiet)
    activity.tell_status_changed(world.manager, project, "put on hold", "Budget.", **quiet)
    activity.tell_update_posted(world.lead_member, project, **quiet)
    db.session.commit()
    stored = list(db.session.scalars(sa.select(Notification)))
    assert {n.kind for n in stored} == {
        "gate_requested",
        "gate_decided",
        "status_changed",
        "update_posted",
    }
    title = project.title
    for lang, expected in {
        "de": [
            "fragt das Gate Test → Markt für",
            f"Bitte bestätigen Sie die Gate-Anfrage für „{title}“: Test → Markt.",
            f"Gate-Entscheidung für „{title}“: Go (Entwicklung → Test). Begründung: Gut.",
            f"„{title}“ wurde pausiert: Budget.",
            f"hat ein Update zu „{title}“ veröffentlicht.",
        ],
        "sv": [
            "begär grinden Test → Marknad för",
            f"Bekräfta grindbegäran för ”{title}”: Test → Marknad.",
            f"Grindbeslut för ”{title}”: Go (Utveckling → Test). Motivering: Gut.",
            f"”{title}” pausades: Budget.",
            f"publicerade en uppdatering i ”{title}”.",
        ],
    }.items():
        with app.test_request_context(headers={"Accept-Language": lang}):
            refresh()  # the locale is cached on the test's app context
            shown = [notification_text(n) for n in stored]
        for text in expected:
            assert any(text in line for line in shown), (text, shown)
        assert not [line for line in shown if ENGLISH.search(line.replace(title, ""))], shown


def test_problem_details_follow_the_token_users_setting_unless_the_caller_asks(client, world):
    from tests.test_api_read import bearer

    headers = bearer(world.lead_member)
    _speaks(world.lead_member, "sv")
    missing = client.get("/api/v1/projects/999999", headers=headers)
    body = missing.get_json()
    assert missing.status_code == 404
    # title stays the fixed English reason phrase for programs; type and status are stable.
    assert (
        body["title"] == "Not Found"
        and body["type"] == "http://localhost/api/v1/problems/not-found"
    )
    assert body["detail"] == "Det finns inget projekt med id 999999 som du får se."
    asked = client.get("/api/v1/projects/999999", headers={**headers, "Accept-Language": "de"})
    assert asked.get_json()["detail"] == (
        "Es gibt kein Projekt mit der ID 999999, das Sie sehen dürfen."
    )
    _speaks(world.lead_member, None)
    english = client.get("/api/v1/projects/999999", headers=headers).get_json()
    assert english["detail"] == "There is no project with id 999999 that you may see."


def test_werkzeugs_english_default_details_are_replaced(client):
    # An unknown API address: no route, so no token is read; Accept-Language decides.
    answer = client.get("/api/v1/nothing-here", headers={"Accept-Language": "sv"})
    body = answer.get_json()
    assert answer.status_code == 404 and body["title"] == "Not Found"
    assert body["detail"] == "Här finns ingenting, eller så får du inte se det."
    english = client.get("/api/v1/nothing-here").get_json()
    assert english["detail"] == "There is nothing here, or you may not see it."


def test_api_field_messages_are_translated(client, world):
    from tests.test_api_read import bearer

    headers = {**bearer(world.lead_member), "Accept-Language": "de"}
    answer = client.post("/api/v1/projects", json={"site": 5}, headers=headers)
    body = answer.get_json()
    assert answer.status_code == 422 and body["title"] == "Unprocessable Entity"
    assert body["errors"]["title"] == ["Pflichtfeld fehlt."]
    assert "title: Pflichtfeld fehlt" in body["detail"]
    assert "Missing data" not in body["detail"]


def test_error_pages_show_status_and_detail_in_the_readers_language(client, world, login):
    _speaks(world.patron, "de")
    login(world.patron)
    page = client.get("/logout")
    html = page.get_data(as_text=True)
    assert page.status_code == 405
    assert "Methode nicht erlaubt" in html and "Anfragemethode GET" in html
    assert "Method Not Allowed" not in html


def test_admin_saved_message_in_german(client, world, login):
    _speaks(world.admin, "de")
    login(world.admin)
    client.post(
        f"/admin/users/{world.lead_member.id}",
        data={
            "display_name": "Lead Person",
            "role": "site_manager",
            "organization": world.lead_org.id,
            "managed_sites": [world.lingen.id],
        },
    )
    page = client.get(f"/admin/users/{world.lead_member.id}").get_data(as_text=True)
    assert "Gespeichert für Lead Person: " in page
    assert "Rolle" in page and "geleitete Standorte" in page
    assert "Die Sitzungen der Person wurden beendet" in page and "Saved" not in page


def test_invitation_mail_is_written_in_the_recipients_language(app, world):
    """Rendered by the outbox worker: the recipient's language, else the inviter's."""
    from tracker import outbox
    from tracker.models.outbox import OutboxMessage
    from tracker.outbox import mails

    world.partner_member.locale = "sv"
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "de"}):
        refresh()
        outbox.mail_link(world.partner_member.id, "invite", "https://x.example/i/t", 72)
        outbox.mail_link(world.lead_member.id, "reset", "https://x.example/i/t", 72)
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    with app.test_request_context():
        swedish, german = (mails.build(row) for row in rows)
    assert swedish["Subject"] == "Din inbjudan till Innovation Tracker"
    assert "Länken fungerar en gång och i 72 timmar." in swedish.get_body(("plain",)).get_content()
    assert german["Subject"].startswith("Setzen Sie Ihr Passwort")


@pytest.mark.parametrize(
    ("lang", "kind", "role"),
    [
        ("en", "Research institution", "Research partner"),
        ("de", "Forschungseinrichtung", "Forschungspartner"),
        ("sv", "Forskningsinstitut", "Forskningspartner"),
    ],
)
def test_board_badges_and_organization_roles_are_labels(client, world, login, lang, kind, role):
    from tests import factories

    lab = factories.make_org("Lab Org", kind="research_institution", sites=[world.lingen])
    factories.make_project(
        world.lingen, world.lead_org, [(lab, "research_partner")], [world.ai], title="Lab run"
    )
    _speaks(world.admin, lang)
    login(world.admin)
    board = client.get("/board").get_data(as_text=True)
    # partner kinds are icons on the redesigned cards, named for screen readers (design §16)
    assert f'title="{kind}">' in board and f'visually-hidden">{kind}</span>' in board
    organization = client.get(f"/organizations/{lab.id}").get_data(as_text=True)
    assert f"<td>{role}</td>" in organization


def test_csv_import_problems_and_country_names_in_the_readers_language(client, world, login):
    from tests.test_csv import upload

    _speaks(world.admin, "sv")
    login(world.admin)
    html = upload(client, "").get_data(as_text=True)
    assert "Filen är tom. Den första raden måste namnge kolumnerna." in html
    html = upload(client, "name,kind\r\nX,startup\r\n").get_data(as_text=True)
    assert "Den första raden måste namnge kolumnerna" in html and "saknas: country" in html
    form = client.get("/organizations/new").get_data(as_text=True)
    assert "Sverige (SE)" in form and "Tyskland (DE)" in form and "Sweden (SE)" not in form
    _speaks(world.admin, "en")
    assert "Sweden (SE)" in client.get("/organizations/new").get_data(as_text=True)


def test_sign_in_refusals_and_the_sign_in_prompt_in_the_browsers_language(client, world):
    german = {"Accept-Language": "de"}
    refused = client.post(
        "/login", data={"email": world.patron.email, "password": "wrong-password"}, headers=german
    )
    html = refused.get_data(as_text=True)
    assert "E-Mail-Adresse oder Passwort stimmen nicht." in html and "is not correct" not in html
    swedish = {"Accept-Language": "sv"}
    prompt = client.get("/account", headers=swedish, follow_redirects=True)
    assert "Logga in för att se den här sidan." in prompt.get_data(as_text=True)


def test_password_rules_speak_the_readers_language(app):
    from tracker.auth.passwords import MIN_LENGTH, policy_problem

    with app.test_request_context(headers={"Accept-Language": "de"}):
        refresh()
        assert policy_problem("kurz") == f"Verwenden Sie mindestens {MIN_LENGTH} Zeichen."
        assert policy_problem(" " * 20) == "Ein Passwort darf nicht nur aus Leerzeichen bestehen."


def test_the_creation_note_and_board_filter_problems_in_the_readers_language(client, world, login):
    from tracker.models import StageEvent, utcnow

    db.session.add(
        StageEvent(
            project_id=world.network_project.id,
            from_stage=None,
            to_stage="develop",
            from_status=None,
            to_status="active",
            actor_id=world.lead_member.id,
            at=utcnow(),
            note="Project created",
        )
    )
    _speaks(world.lead_member, "de")
    login(world.lead_member)
    page = client.get(f"/projects/{world.network_project.id}").get_data(as_text=True)
    assert " · Projekt angelegt" in page and "Project created" not in page
    _speaks(world.lead_member, "sv")
    board = client.get("/board?kind=xyz").get_data(as_text=True)
    assert "Okänd typ ”xyz”; den ignorerades." in board


def test_the_sign_in_limit_page_speaks_swedish(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_LOGIN_LIMIT", "1 per minute")
    swedish = {"Accept-Language": "sv"}
    data = {"email": world.patron.email, "password": "wrong-password"}
    assert client.post("/login", data=data, headers=swedish).status_code == 200
    limited = client.post("/login", data=data, headers=swedish)
    html = limited.get_data(as_text=True)
    assert limited.status_code == 429
    assert "För många förfrågningar. Vänta en stund och försök igen." in html
    assert "per minute" not in html and "Too Many Requests" not in html


def test_import_success_nul_refusal_and_empty_update_in_german(client, world, login):
    from tests.test_csv import confirm

    _speaks(world.admin, "de")
    login(world.admin)
    header = client.get("/organizations/export.csv").get_data().decode("utf-8-sig")
    header = header.splitlines()[0]
    assert header.startswith("id,")  # the export's id column; the import ignores it
    rows = f",Alpha Org,startup,DE,Lingen,,,,{world.lingen.slug},\r\n"
    rows += f",Beta Org,startup,DE,Lingen,,,,{world.lingen.slug},\r\n"
    done = confirm(client, f"{header}\r\n{rows}")
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "2 Organisationen aus orgs.csv importiert." in page
    refused = client.get("/projects?q=a%00b")
    assert refused.status_code == 400
    assert "Die Anfrage enthält ein NUL-Zeichen" in refused.get_data(as_text=True)
    empty = client.post(f"/projects/{world.network_project.id}/updates", data={"body": " "})
    assert empty.status_code == 422
    html = empty.get_data(as_text=True)
    assert "Schreiben Sie, was passiert ist." in html and "Write what happened." not in html


def test_histories_and_logs_name_fields_values_and_actions_in_german(client, world, login):
    from tests.test_projects_pages import _criterion

    criterion = _criterion()
    pid = world.network_project.id
    services.hold(world.manager, world.network_project, "Budget offen.")
    _speaks(world.lead_member, "de")
    login(world.lead_member)
    client.post(f"/projects/{pid}/criteria/{criterion.id}/tick")
    client.post(f"/projects/{pid}/milestones", data={"title": "Pilot", "due_on": "2031-01-15"})
    history = client.get(f"/projects/{pid}?tab=history").get_data(as_text=True)
    assert "Kriterium abgehakt" in history and "offen → abgehakt" in history
    assert "Meilenstein</span>:" in history and "Fällig</span>:" in history
    assert "Status</span>:" in history and "Aktiv → Pausiert" in history
    assert "open → ticked" not in history and "due on" not in history
    stages = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert "Entwicklung → Entwicklung (Pausiert)" in stages
    client.post("/logout")
    _speaks(world.admin, "de")
    login(world.admin)
    client.post(
        f"/admin/users/{world.outsider.id}",
        data={"display_name": "Outsider", "role": "patron", "organization": ""},
    )
    account = client.get(f"/admin/users/{world.outsider.id}").get_data(as_text=True)
    assert (
        "<strong>Rolle geändert</strong>" in account
        and "Rolle: Mitglied → Schirmherr/in" in account
    )
    assert "Role changed" not in account


def test_a_missing_form_token_is_explained_in_german(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/language", data={"lang": "sv"}, headers={"Accept-Language": "de"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Ungültige Anfrage" in html
    assert "Das Sicherheitstoken des Formulars fehlt. Laden Sie die Seite neu." in html
    assert "CSRF" not in visible_text(html)


def test_the_demo_network_in_german_and_swedish(app, runner, client, tmp_path, monkeypatch):
    """The issue's test: a German-speaking patron, a Swedish-speaking member (and a German site
    manager, a Swedish admin) use the seeded demo network; nothing of the app is English."""
    from tracker.models import GateReview, Project, User

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    password = "demo-password-123"
    result = runner.invoke(args=["seed-demo", "--password", password])
    assert result.exit_code == 0, result.output
    content = stored_texts()
    projects = db.session.scalars(sa.select(Project.id).order_by(Project.id).limit(20)).all()
    reviews = db.session.scalars(sa.select(GateReview.id).order_by(GateReview.id).limit(5)).all()
    problems = []
    people = [
        ("patron@demo.example", "de"),
        ("member.krone@demo.example", "sv"),
        ("manager.lingen@demo.example", "de"),
        ("admin@demo.example", "sv"),
    ]
    for email, lang in people:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user.locale = lang
        db.session.commit()
        client.post("/logout")
        assert client.post("/login", data={"email": email, "password": password}).status_code == 302
        urls = ["/", "/notifications", "/board", "/dashboard", "/dashboard/report", "/sites"]
        urls += ["/projects", "/lessons", "/reviews", "/organizations", "/admin/users"]
        urls += [f"/projects/{p}" for p in projects] + [f"/reviews/{r}" for r in reviews]
        urls += [f"/projects/{p}?tab=history" for p in projects[:5]]
        shown = 0
        for url in urls:
            answer = client.get(url)
            if answer.status_code != 200:  # pages this role may not open
                continue
            shown += 1
            html = answer.get_data(as_text=True)
            problems.extend(f"{email} {url}: {line[:120]}" for line in english_in(html, content))
            problems.extend(f"{email} {url}: {t}" for t in untranslated_in(html, lang, content))
        assert shown >= 6, email
    assert not problems, "\n".join(sorted(set(problems))[:60])
