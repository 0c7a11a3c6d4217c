"""The board in a real browser: sign in, see the columns, filters stay in the URL."""

from tests import factories
from tests.browser.conftest import sign_in


def test_member_sees_board_columns_and_filters_in_url(page, live_server, world):
    sign_in(page, live_server, world.lead_member.email, factories.PASSWORD)
    page.goto(live_server + "/board")
    for stage in ("Develop", "Test", "Market"):
        assert page.get_by_role("heading", name=stage).is_visible()
    assert page.locator(".board-card").count() == 2
    page.get_by_text("Filters", exact=True).click()  # the form folds away behind a summary
    page.get_by_label("Text").fill("secret")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/board?*q=secret*")
    assert page.locator(".board-card").count() == 1
    assert "Secret electrolyser twin" in page.locator(".board-card").inner_text()
    chips = page.get_by_role("list", name="Active filters")
    assert "Text: “secret”" in chips.inner_text()
    chips.get_by_role("link", name="Remove filter: Text: “secret”").click()  # its remove link
    page.wait_for_url("**/board")
    assert page.locator(".board-card").count() == 2


def _card(page, title):
    return page.locator(".board-card", has_text=title)


def test_gate_request_and_go_decision_by_dragging_cards(browser, live_server, world):
    member = browser.new_context(viewport={"width": 1280, "height": 900})
    page = member.new_page()
    try:
        sign_in(page, live_server, world.lead_member.email, factories.PASSWORD)
        page.goto(live_server + "/board")
        card = _card(page, "Open hydrogen forecast")
        card.drag_to(page.locator('[data-column="test"]'))
        dialog = page.locator("#gate-dialog")
        dialog.get_by_label("Evidence").fill("Prototype forecasts beat the baseline by 12 %.")
        dialog.get_by_role("button", name="Send request").click()
        page.wait_for_url("**/board*")
        assert "Review pending" in _card(page, "Open hydrogen forecast").inner_text()
        assert page.locator('[data-column="develop"] .board-card', has_text="Open hydrogen").count()
    finally:
        member.close()

    manager = browser.new_context(viewport={"width": 1280, "height": 900})
    page = manager.new_page()
    try:
        sign_in(page, live_server, world.manager.email, factories.PASSWORD)
        page.goto(live_server + "/board")
        _card(page, "Open hydrogen forecast").drag_to(page.locator('[data-column="test"]'))
        dialog = page.locator("#gate-dialog")
        dialog.get_by_label("Go — advance to the next stage").check()
        dialog.get_by_label("Reason").fill("Evidence convincing; partners confirmed the pilot.")
        dialog.get_by_role("button", name="Record decision").click()
        page.wait_for_url("**/board*")
        moved = page.locator('[data-column="test"] .board-card', has_text="Open hydrogen forecast")
        assert moved.count() == 1
        assert "Review pending" not in moved.inner_text()
    finally:
        manager.close()


def test_a_move_that_is_not_allowed_is_refused_and_the_card_stays(page, live_server, world):
    sign_in(page, live_server, world.partner_member.email, factories.PASSWORD)
    page.goto(live_server + "/board")
    _card(page, "Open hydrogen forecast").drag_to(page.locator('[data-column="market"]'))
    assert "can only move one stage forward" in page.locator("#board-message").inner_text()
    assert (
        page.locator('[data-column="develop"] .board-card', has_text="Open hydrogen").count() == 1
    )
    assert not page.locator("#gate-dialog").is_visible()


def test_without_a_mouse_the_card_button_opens_the_gate_request(page, live_server, world):
    sign_in(page, live_server, world.lead_member.email, factories.PASSWORD)
    page.goto(live_server + "/board")
    button = _card(page, "Open hydrogen forecast").get_by_role("link", name="Request next stage")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/projects/{world.network_project.id}/gate")


def test_moving_without_the_right_is_refused_with_a_message(page, live_server, world):
    sign_in(page, live_server, world.partner_member.email, factories.PASSWORD)
    page.goto(live_server + "/board")
    _card(page, "Open hydrogen forecast").drag_to(page.locator('[data-column="test"]'))
    assert "You may not move" in page.locator("#board-message").inner_text()
    assert not page.locator("#gate-dialog").is_visible()
