"""One journey per role through the real pages on demo data: clicks and typing only."""

import csv
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.support import NullTranslations, Translations
from flask import g
from werkzeug.security import generate_password_hash

from tests.browser.conftest import ARTIFACTS, follow
from tests.test_dashboard_report import _pdftotext as pdf_text
from tests.test_dashboard_report import _squeezed as squeezed
from tracker import cli
from tracker.extensions import db
from tracker.models import GateReview, Organization, Project, User

CHEAP_HASH = "scrypt:1024:8:1"
PASSWORD = "journey-demo-password"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
# Each journey runs once per language listed here; adding a language is one entry.
MEMBER_LANGUAGES = ["en", "sv"]
PATRON_LANGUAGES = ["en", "de"]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(runner, monkeypatch):
    # A cheap scrypt cost for the demo accounts (the cost is read from the hash): fast sign-ins.
    monkeypatch.setattr(cli, "hash_password", lambda pw: generate_password_hash(pw, CHEAP_HASH))
    result = runner.invoke(args=["seed-demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    # The seed shares the test's app context; later reads here must not take the write lock.
    g.pop("sqlite_immediate", None)


def read(query, many=False):
    """Read from the database without holding a transaction open for the live server."""
    try:
        return db.session.scalars(query).all() if many else db.session.scalar(query)
    finally:
        db.session.rollback()


def translator(lang: str):
    """The app's own catalog: `t("Sign in")` is what a person reading `lang` sees."""
    catalog = NullTranslations() if lang == "en" else Translations.load(TRANSLATIONS, [lang])
    if lang != "en":
        assert catalog.gettext("Sign in") != "Sign in", f"no {lang} catalog in {TRANSLATIONS}"

    def t(message: str, **values) -> str:
        text = catalog.gettext(message)
        return text % values if values else text

    return t


def starting(text: str) -> re.Pattern:
    return re.compile("^" + re.escape(text.strip()))


@pytest.fixture
def open_page(browser, request):
    """A fresh browser (own cookies, Accept-Language) per person; screenshots if the test fails."""
    contexts = []

    def open_(lang: str = "en"):
        context = browser.new_context(viewport=DESKTOP, locale=lang, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_
    failed = getattr(request.node, "rep_call", None)
    for number, context in enumerate(contexts):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for page in context.pages:
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"))
        context.close()


def sign_in(page, base: str, email: str, t) -> None:
    page.goto(base + "/login")
    page.get_by_label(t("E-mail"), exact=True).fill(email)
    page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in"), exact=True).click()
    page.wait_for_url(base + "/")


def nav(page, t, label: str) -> None:
    menu = page.get_by_role("navigation", name=t("Main navigation"))
    follow(page, menu.get_by_role("link", name=t(label), exact=True))


def flash(page):
    return page.locator("main > .alert").first


def pick(page, label: str, typed: str, name: str, shows_kind: bool = True) -> None:
    """Choose an organization in a picker by keyboard alone: type, Down until it is active,
    Enter; the kind of the picked organization shows under the box (the partner pickers)."""
    box = page.get_by_role("combobox", name=label)
    box.press_sequentially(typed, delay=20)
    options = page.locator(f"#{box.get_attribute('aria-controls')} [role=option]")
    options.first.wait_for()
    for _step in range(options.count()):
        box.press("ArrowDown")
        active = box.get_attribute("aria-activedescendant")
        if page.locator(f"#{active}").inner_text().startswith(name):
            break
    box.press("Enter")
    assert box.input_value() == name
    if not shows_kind:
        return
    kind = box.locator("xpath=..").locator("[data-org-kind]").inner_text()
    assert kind.strip(), "the picked organization's kind is shown"


@pytest.mark.parametrize("lang", MEMBER_LANGUAGES)
def test_member_starts_a_project_with_partners_and_takes_it_to_the_gate(
    lang, open_page, live_server, demo
):
    t = translator(lang)
    startup = read(
        sa.select(Organization.name).where(Organization.kind == "startup").order_by(Organization.id)
    )
    title = f"Hydrogen-aware AI scheduling ({lang})"
    page = open_page(lang)
    sign_in(page, live_server, "member.krone@demo.example", t)
    assert page.locator("html").get_attribute("lang") == lang

    nav(page, t, "Projects")
    page.get_by_role("link", name=t("New project")).click()
    page.get_by_label(t("Title"), exact=True).fill(title)
    page.get_by_label(t("Summary"), exact=True).fill(
        "Run compute when green hydrogen is plentiful."
    )
    page.get_by_label(t("Host site"), exact=True).select_option(label="Lingen")
    # the partner pickers are comboboxes: type part of a name, pick with the arrow keys
    pick(page, t("Partner %(index)s organization", index=1), startup[:8], startup)
    page.get_by_label(t("Partner %(index)s role", index=1)).select_option(value="startup")
    pick(page, t("Partner %(index)s organization", index=2), "it-camp", "IT-Campus Lingen")
    page.get_by_label(t("Partner %(index)s role", index=2)).select_option(value="research_partner")
    page.get_by_role("button", name=t("Create project"), exact=True).click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    assert title in flash(page).inner_text()
    partners = page.locator("#partners").inner_text()
    assert "Krone Group" in partners and startup in partners and "IT-Campus Lingen" in partners

    page.get_by_label(t("What happened?")).fill("Prototype scheduler running on the test rack.")
    page.get_by_role("button", name=t("Post update"), exact=True).click()
    assert page.locator("#updates").get_by_text("Prototype scheduler running").is_visible()

    criteria = page.locator("#criteria")
    criteria.get_by_role("button", name=starting(t("Tick") + " ")).first.click()
    untick = criteria.get_by_role("button", name=starting(t("Untick") + " "))
    untick.wait_for()
    assert untick.count() == 1

    request_link = t("Request the gate to %(next_stage)s", next_stage="\x00").split("\x00")[0]
    page.get_by_role("link", name=starting(request_link)).click()
    page.get_by_label(t("Evidence"), exact=True).fill("The prototype cut peak grid load by 18 %.")
    page.get_by_role("button", name=t("Request the gate"), exact=True).click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    assert page.get_by_role("link", name=t("View the request")).is_visible()
    project_id = int(page.url.rsplit("/", 1)[1])
    pending = read(
        sa.select(GateReview.to_stage).where(
            GateReview.project_id == project_id, GateReview.decision == "pending"
        )
    )
    assert pending == "test"


def test_site_manager_decides_the_oldest_request_and_holds_then_reactivates_a_project(
    open_page, live_server, demo
):
    t = translator("en")
    page = open_page()
    sign_in(page, live_server, "manager.lingen@demo.example", t)
    nav(page, t, "Reviews")
    assert "longest wait first" in page.locator("main").inner_text()
    rows = page.locator("main table tbody tr")
    oldest_title = rows.first.get_by_role("link").first.inner_text()
    second_title = rows.nth(1).get_by_role("link").first.inner_text()
    rows.first.get_by_role("link", name=starting("Decide")).click()
    page.wait_for_url(re.compile(r"/reviews/\d+$"))
    page.get_by_label("Go", exact=True).check()
    page.get_by_label("Reason", exact=True).fill("Evidence is convincing and partners confirmed.")
    page.get_by_role("button", name="Record the decision").click()
    assert oldest_title in flash(page).inner_text()
    decided = read(
        sa.select(GateReview.decision)
        .join(Project)
        .where(Project.title == oldest_title)
        .order_by(GateReview.requested_at.desc())
    )
    assert decided == "go"

    nav(page, t, "Reviews")
    page.get_by_role("link", name=second_title, exact=True).click()
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    page.get_by_text("Change status:").click()
    page.get_by_label("Put on hold — reason").fill("Waiting for the electrolyser delivery.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Put on hold", exact=True).click()
    header = page.locator("main header")
    header.get_by_text("On hold").wait_for()

    page.get_by_text("Change status:").click()
    page.get_by_label("Reactivate — reason").fill("The electrolyser arrived.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reactivate", exact=True).click()
    header.get_by_text("Active").wait_for()
    assert "On hold" not in header.inner_text()
    status = read(sa.select(Project.status).where(Project.title == second_title))
    assert status == "active"


@pytest.mark.parametrize("lang", PATRON_LANGUAGES)
def test_patron_reads_dashboard_and_report_and_never_sees_a_consortium_project(
    lang, open_page, live_server, demo, tmp_path
):
    t = translator(lang)
    secret = read(sa.select(Project.title).where(Project.visibility == "consortium"), many=True)
    public = read(sa.select(Project.title).where(Project.visibility == "network"), many=True)
    assert secret and public
    page = open_page(lang)
    seen = []
    sign_in(page, live_server, "patron@demo.example", t)
    assert page.locator("html").get_attribute("lang") == lang
    seen.append(page.content())
    welcome = page.locator('[data-hint="welcome_patron"]')  # first sign-in: a hint, no redirect
    welcome.get_by_role("button", name=starting(t("Hide"))).click()
    page.wait_for_url(live_server + "/")
    assert welcome.count() == 0
    nav(page, t, "Board")
    seen.append(page.content())
    nav(page, t, "Dashboard")
    seen.append(page.content())
    page.get_by_role("link", name=t("Quarterly progress report")).click()
    page.wait_for_url(re.compile(r"/dashboard/report"))
    seen.append(page.content())
    page.get_by_label(t("Quarter"), exact=True).select_option(index=1)  # the last full quarter
    page.get_by_role("button", name=t("Show"), exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/report\?quarter="))
    seen.append(page.content())

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-page-patron-{lang}.png"), full_page=True)

    with page.expect_download() as csv_download:
        page.get_by_role("link", name=t("CSV files (zip)")).click()
    with page.expect_download(timeout=60_000) as pdf_download:  # fonts take a few seconds
        page.get_by_role("link", name="PDF").click()
    with zipfile.ZipFile(csv_download.value.path()) as archive:
        csv_text = "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    assert len(list(csv.reader(io.StringIO(csv_text)))) > 1, "the CSV has rows"
    pdf_bytes = Path(pdf_download.value.path()).read_bytes()
    assert pdf_bytes.startswith(b"%PDF")
    text = pdf_text(pdf_bytes, tmp_path)  # poppler, without a warning
    # the demo's highlights of that quarter name visitors in their own scripts
    for sample in ("Łódź", "Киевский", "東京工業大学", "مدينة مصدر", "Εθνικό"):
        assert squeezed(sample) in squeezed(text), sample
    # every page of the patron's PDF as a picture, for a reviewer
    (tmp_path / "report.pdf").write_bytes(pdf_bytes)
    prefix = ARTIFACTS / f"report-pdf-patron-{lang}"
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(tmp_path / "report.pdf"), str(prefix)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    assert len(list(ARTIFACTS.glob(f"{prefix.name}-*.png"))) >= 3

    everything = "\n".join([*seen, csv_text, text])
    assert any(title in everything for title in public)  # the check below can fail
    leaked = [title for title in secret if title in everything]
    assert leaked == []


def test_admin_invites_a_user_changes_the_role_and_deactivates_the_account(
    open_page, live_server, demo
):
    t = translator("en")
    page = open_page()
    sign_in(page, live_server, "admin@demo.example", t)
    nav(page, t, "Admin")
    page.get_by_role("link", name="Invite someone").first.click()
    page.get_by_label("E-mail", exact=True).fill("new.colleague@demo.example")
    page.get_by_label("Display name", exact=True).fill("Nora Colleague")
    page.get_by_label("Role", exact=True).select_option(value="member")
    pick(page, "Organization", "Krone", "Krone Group", shows_kind=False)
    page.get_by_role("button", name="Create the invitation").click()
    assert "/invite/" in page.get_by_label(re.compile("^Link for")).input_value()

    page.get_by_role("link", name="Open Nora Colleague's account").click()
    page.get_by_label("Role", exact=True).select_option(value="patron")
    page.get_by_role("combobox", name="Organization").fill("")  # a patron has none
    page.get_by_role("button", name="Save changes").click()
    assert flash(page).is_visible()
    assert read(sa.select(User.role).where(User.email == "new.colleague@demo.example")) == "patron"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate account").click()
    page.get_by_text("This account is inactive").wait_for()
    assert read(sa.select(User.active).where(User.email == "new.colleague@demo.example")) is False
