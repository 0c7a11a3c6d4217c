"""The board's layout (issue 19, design §16): at 1280 px the columns scroll on their own inside
the window with sticky headers; at 375 px one column at a time, chosen by tabs. Screenshots of
both widths, in English and German, go to test-artifacts/screens/."""

from tests import bulk, factories
from tests.browser.conftest import ARTIFACTS, sign_in

SCREENS = ARTIFACTS / "screens"


def _full_board(world):
    # 40 cards in each column: more than fit the window, so a column has to scroll.
    for stage in ("develop", "test", "market"):
        bulk.add_projects(
            40, world.lingen, world.lead_org, world.partner_org, world.ai, stage=stage
        )


def _visible_columns(page):
    return [
        column.get_attribute("data-column")
        for column in page.locator(".board-column").all()
        if column.is_visible()
    ]


def test_wide_board_columns_scroll_on_their_own_with_sticky_headers(page, live_server, world):
    _full_board(world)
    sign_in(page, live_server, world.admin.email, factories.PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server + "/board")
    assert _visible_columns(page) == ["develop", "test", "market"]
    assert not page.get_by_role("tab").count()  # no tabs on a wide screen
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 800 * 1.25, f"the board page runs to {height} px"
    develop = page.locator('[data-column="develop"]')
    sizes = develop.evaluate("c => [c.scrollHeight, c.clientHeight]")
    assert sizes[0] > sizes[1] * 1.5, sizes  # the column holds more than it shows
    develop.evaluate("c => c.scrollTo(0, 600)")
    title = page.locator("#col-develop")
    column_top = develop.evaluate("c => c.getBoundingClientRect().top")
    title_top = title.evaluate("t => t.getBoundingClientRect().top")
    assert abs(title_top - column_top) < 8, (title_top, column_top)  # the header stays put
    assert page.evaluate("window.scrollY") == 0  # only the column scrolled
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "board-layout-1280-en.png"))


def test_phone_board_shows_one_column_with_tabs(page, live_server, world):
    _full_board(world)
    sign_in(page, live_server, world.admin.email, factories.PASSWORD)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server + "/board")
    assert _visible_columns(page) == ["develop"]
    tabs = page.get_by_role("tablist").get_by_role("tab")
    assert tabs.count() == 3
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "board-layout-375-en.png"))
    tabs.nth(1).click()
    assert _visible_columns(page) == ["test"]
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert "stage=test" in page.url  # a reload keeps the chosen column
    page.keyboard.press("ArrowRight")  # the arrow keys move along the tabs
    assert _visible_columns(page) == ["market"]
    assert page.evaluate("document.activeElement.dataset.tab") == "market"
    sideways = page.evaluate("document.documentElement.scrollWidth")
    assert sideways <= 375, f"the board scrolls sideways: {sideways} px"


def test_phone_tabs_work_without_javascript(browser, live_server, world):
    context = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, world.admin.email, factories.PASSWORD)
        page.goto(live_server + "/board")
        assert _visible_columns(page) == ["develop"]
        page.locator('.board-tabs a[data-tab="market"]').click()
        page.wait_for_url("**/board?stage=market*")
        assert _visible_columns(page) == ["market"]
    finally:
        context.close()


def test_german_board_screens(browser, live_server, world):
    _full_board(world)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server, world.admin.email, factories.PASSWORD)
        # The admin has no language set: the browser's header decides.
        context.set_extra_http_headers({"Accept-Language": "de"})
        page.goto(live_server + "/board")
        assert page.locator("html").get_attribute("lang") == "de"
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "board-layout-1280-de.png"))
        page.set_viewport_size({"width": 375, "height": 740})
        page.goto(live_server + "/board")
        assert _visible_columns(page) == ["develop"]
        page.screenshot(path=str(SCREENS / "board-layout-375-de.png"))
    finally:
        context.close()
