"""The quarterly report on a phone: a stop's reason (free text, the stops table's last column)
keeps a readable measure, the table scrolling sideways in its own region instead."""

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_accessibility import EMAILS, PASSWORD, demo  # noqa: F401 (fixture)


@pytest.mark.usefixtures("demo")
def test_a_stops_reason_keeps_a_readable_width_on_a_phone(page, live_server):
    sign_in(page, live_server, EMAILS["site_manager"], PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server + "/dashboard/report")
    quarters = page.locator("#report-quarter option").evaluate_all("os => os.map(o => o.value)")
    for quarter in quarters:  # the first quarter of the demo data with a stopped project
        page.goto(f"{live_server}/dashboard/report?quarter={quarter}")
        if page.locator("#table-stops").count():
            break
    else:
        pytest.fail("no quarter of the demo data lists a stopped project")
    reasons = page.locator("#table-stops tbody td:last-child")
    widths = reasons.evaluate_all("cells => cells.map(c => c.getBoundingClientRect().width)")
    assert min(widths) >= 250, widths  # 16rem; a column one word wide before
    page.screenshot(path=str(ARTIFACTS / "screens" / "report-stops-375.png"), full_page=True)
    sideways = page.evaluate("document.documentElement.scrollWidth")
    assert sideways <= 375, f"the report scrolls sideways: {sideways} px"
