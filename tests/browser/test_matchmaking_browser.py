"""Partner matchmaking in the browser, on the demo network: a member finds an open request and
says interested, the lead accepts, the organization is a partner and both sides were told."""

import re

import pytest
import sqlalchemy as sa

from tests.browser.conftest import follow
from tests.browser.test_journeys import PASSWORD, demo, open_page, read  # noqa: F401
from tracker.models import Notification, Participation, Project, User

ANSWERING = "member.quellwerk@demo.example"  # Quellwerk Analytics GmbH, a start-up
LEAD = "member.emsvolt@demo.example"  # Emsvolt Wasserstoff GmbH leads the data-centre project
PROJECT = "Emission-free AI data centre on green hydrogen"


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/")


def nav(page, label: str) -> None:
    menu = page.get_by_role("navigation", name="Main navigation")
    link = menu.get_by_role("link", name=label, exact=True)
    if not link.is_visible():  # the less used pages sit under "More" (issue 19)
        menu.get_by_role("button", name="More", exact=True).click()
    follow(page, link)


def told(email: str, kind: str) -> list[str]:
    user_id = read(sa.select(User.id).where(User.email == email))
    return read(
        sa.select(Notification.message).where(
            Notification.user_id == user_id, Notification.kind == kind
        ),
        many=True,
    )


@pytest.mark.usefixtures("demo")
def test_member_answers_a_request_and_the_lead_accepts(open_page, live_server):  # noqa: F811
    member = open_page()
    sign_in(member, live_server, ANSWERING)
    nav(member, "Partners wanted")
    member.get_by_label("Search").fill("hydrogen supply")
    member.get_by_role("button", name="Filter").click()
    member.get_by_role("link", name=re.compile(PROJECT)).click()
    member.wait_for_url(re.compile(r"/partner-requests/\d+$"))
    member.get_by_label("Why your organization fits").fill(
        "Our anomaly models already watch hydrogen sensor streams."
    )
    member.get_by_role("button", name="Say we are interested").click()
    assert "Your interest was sent" in member.locator("main").inner_text()
    assert "Waiting for an answer" in member.locator("#own-interest").inner_text()
    assert told(LEAD, "partner_interest") == [
        f"Quellwerk Analytics GmbH is interested in the partner request for “{PROJECT}”."
    ]

    lead = open_page()
    sign_in(lead, live_server, LEAD)
    lead.get_by_role("link", name=re.compile("Notifications")).first.click()
    assert "Quellwerk Analytics GmbH is interested" in lead.locator("main").inner_text()
    nav(lead, "Partners wanted")
    lead.get_by_role("link", name=re.compile(PROJECT)).click()
    answers = lead.locator("#interests")
    assert "Our anomaly models already watch hydrogen sensor streams." in answers.inner_text()
    asked = []

    def confirm(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    lead.once("dialog", confirm)
    lead.get_by_role("button", name="Accept Quellwerk Analytics GmbH as Start-up").click()
    lead.wait_for_url(re.compile(r"/partner-requests/\d+$"))
    assert asked == ["Add Quellwerk Analytics GmbH to the project as Start-up?"]
    assert "Accepted: the organization is now a partner" in lead.locator("main").inner_text()

    lead.get_by_role("link", name=PROJECT, exact=True).click()
    assert "Quellwerk Analytics GmbH" in lead.locator("#partners").inner_text()
    project_id = read(sa.select(Project.id).where(Project.title == PROJECT))
    role = read(
        sa.select(Participation.role)
        .join(User, User.organization_id == Participation.organization_id)
        .where(Participation.project_id == project_id, User.email == ANSWERING)
    )
    assert role == "startup"

    member.reload()
    assert "Accepted" in member.locator("#own-interest").inner_text()
    assert told(ANSWERING, "partner_added")
    member.get_by_role("link", name=re.compile("Notifications")).first.click()
    assert (
        f"Quellwerk Analytics GmbH was added to “{PROJECT}”" in member.locator("main").inner_text()
    )


@pytest.mark.usefixtures("demo")
def test_network_page_draws_and_zooms_without_inline_script(open_page, live_server):  # noqa: F811
    errors = []
    page = open_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, ANSWERING)
    nav(page, "Network")
    graph = page.locator("svg.network-graph")
    assert graph.locator("a").count() > 40  # one mark per organization with a shared project
    whole = graph.get_attribute("viewBox")
    page.get_by_role("button", name="Zoom in").click()
    assert graph.get_attribute("viewBox") != whole
    page.get_by_role("button", name="Whole network").click()
    assert graph.get_attribute("viewBox") == whole
    assert "Emstal Landtechnik GmbH" in page.locator("#quiet-members").inner_text()
    assert not errors, errors  # no CSP violation, no script error
