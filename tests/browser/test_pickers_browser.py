"""In Chromium (issue 19): the organization combobox is used by keyboard alone, and a project
title of 200 characters without a space does not widen the project page."""

import re
import time

from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import check_pages, serious_findings
from tracker.extensions import db
from tracker.models import Milestone, Project, Update


def _open_filters(page) -> None:
    """The board's filters may fold into a panel (h19board's chip bar): open it."""
    panel = page.locator("details.board-filter-panel")
    if panel.count() and panel.get_attribute("open") is None:
        panel.locator("summary").click()


def test_the_board_filter_picks_an_organization_by_keyboard(page, live_server, world):
    factories.make_project(world.berlin, world.other_org, title="Berlin wind pilot")
    for n in range(30):
        factories.make_org(f"Otherwise Labs {n:02d}")
    sign_in(page, live_server, world.admin.email, factories.PASSWORD)
    page.goto(live_server + "/board")
    _open_filters(page)
    box = page.get_by_role("combobox", name="Organization")
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("other", delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.count() == 20  # the endpoint answers 20 at most
    assert options.first.inner_text().startswith("Other Org")  # a name starting with it first
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    assert options.first.get_attribute("aria-selected") == "true"
    box.press("Enter")  # picks; does not send the form
    assert box.input_value() == "Other Org"
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Enter")  # now the form goes
    page.wait_for_url(re.compile(rf"org={world.other_org.id}"))
    cards = page.locator("main").inner_text()
    assert "Berlin wind pilot" in cards and "Open hydrogen forecast" not in cards
    _open_filters(page)
    box = page.get_by_role("combobox", name="Organization")
    assert box.input_value() == "Other Org"
    box.press("ArrowDown")
    page.locator("#" + box.get_attribute("aria-controls")).wait_for()
    box.press("Escape")  # closes the list
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Escape")  # clears the box
    assert box.input_value() == ""


def test_a_long_unbroken_title_does_not_widen_the_project_page(page, live_server, world):
    project = db.session.get(Project, world.network_project.id)
    project.title = "Wasserstoff" * 18 + "Ende12"  # 204 characters, no space
    project.title = project.title[:200]
    db.session.commit()
    sign_in(page, live_server, world.lead_member.email, factories.PASSWORD)
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server}/projects/{world.network_project.id}")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{scroll} px wide at {width} px"


def test_the_open_combobox_has_no_serious_axe_findings(page, live_server, world):
    sign_in(page, live_server, world.lead_member.email, factories.PASSWORD)
    page.goto(live_server + "/projects/new")
    box = page.get_by_role("combobox", name="Partner 1 organization")
    box.press_sequentially("org", delay=20)
    page.locator("#" + box.get_attribute("aria-controls")).wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant")
    assert not serious_findings(page)


def test_updates_are_mended_by_keyboard_and_the_pages_pass_axe(page, live_server, world):
    pid = world.network_project.id
    update = Update(project_id=pid, author_id=world.lead_member.id, body="Kick-off went well")
    milestone = Milestone(project_id=pid, title="Pilot plan")
    db.session.add_all([update, milestone])
    db.session.commit()
    sign_in(page, live_server, world.lead_member.email, factories.PASSWORD)
    check_pages(
        page,
        live_server,
        [
            f"/projects/{pid}/updates/{update.id}/edit",
            f"/projects/{pid}/milestones/{milestone.id}/edit",
            f"/projects/{pid}/withdraw",
        ],
    )
    page.goto(f"{live_server}/projects/{pid}")
    page.get_by_role("link", name=re.compile("^Edit or delete")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/updates/\d+/edit$"))
    page.get_by_label("What happened?").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Kick-off went very well")
    page.keyboard.press("Tab")  # the Save button
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/projects/{pid}(#updates)?$"))
    assert "Kick-off went very well" in page.locator("#updates").inner_text()


def test_a_fast_typist_keeps_the_option_chosen_before_the_answer_came(page, live_server, world):
    for n in range(5):
        factories.make_org(f"Partnerwerk {n}", kind="research_institution")
    sign_in(page, live_server, world.lead_member.email, factories.PASSWORD)
    page.goto(live_server + "/projects/new")

    def slow(route):  # a busy server: both presses come before the answer (CI saw it so)
        time.sleep(0.3)
        route.continue_()

    page.route("**/organizations/search*", slow)
    box = page.get_by_role("combobox", name="Partner 1 organization")
    box.press_sequentially("part", delay=20)
    box.press("ArrowDown")  # before the pause after typing has asked the server
    box.press("ArrowDown")
    page.wait_for_timeout(600)  # the answer of the pause arrives and must not reset the list
    box.press("Enter")
    assert box.input_value() == "Partnerwerk 0"
