"""The board in a real browser: sign in, see the columns, filters stay in the URL."""

from tests import factories
from tests.browser.conftest import sign_in


def test_member_sees_board_columns_and_filters_in_url(page, live_server, world):
    sign_in(page, live_server, world.lead_member.email, factories.PASSWORD)
    page.goto(live_server + "/board")
    for stage in ("Develop", "Test", "Market"):
        assert page.get_by_role("heading", name=stage).is_visible()
    assert page.locator(".board-card").count() == 2
    page.get_by_label("Text").fill("secret")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/board?*q=secret*")
    assert page.locator(".board-card").count() == 1
    assert "Secret electrolyser twin" in page.locator(".board-card").inner_text()
