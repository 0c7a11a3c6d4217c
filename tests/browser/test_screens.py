"""Screens as a person sees them (issue 19, item 6; design.md §16).

Signs in as each demo role, opens the home, the board, the dashboard and a project page at
1280 and 375 px, saves full-page screenshots to test-artifacts/screens/<role>-<page>-<width>.png
and checks: from 1024 px up the header keeps all its items on one line; at 375 px no page
scrolls sideways.
"""

import re

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in
from tests.browser.test_accessibility import EMAILS, PASSWORD, demo  # noqa: F401 (fixture)

SCREENS = ARTIFACTS / "screens"
WIDE = (1280, 1024)
PHONE = 375
HEIGHT = 900


def _project_url(page, base: str) -> str:
    """The first project on the person's board (every role sees some in the demo data)."""
    page.goto(base + "/board")
    hrefs = page.eval_on_selector_all(
        "main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    for href in hrefs:
        if re.fullmatch(r"/projects/\d+", href or ""):
            return href
    raise AssertionError("no project link on /board")


def header_wraps(page) -> list[str]:
    """The navbar's visible items and whether they sit on one line (same vertical band)."""
    boxes = page.evaluate(
        """() => {
            const nav = document.querySelector('header nav.navbar');
            const items = [...nav.querySelectorAll(
                '.navbar-brand, .navbar-nav > .nav-item, .language-switch, .navbar-toggler')]
              .filter(e => e.offsetParent !== null)
              .map(e => { const r = e.getBoundingClientRect();
                          const text = e.textContent.replace(/\\s+/g, ' ').trim().slice(0, 30);
                          return {text, top: r.top, bottom: r.bottom, right: r.right}; });
            return {items, height: nav.getBoundingClientRect().height,
                    width: window.innerWidth};
        }"""
    )
    items = boxes["items"]
    if not items:
        return ["no visible header items"]
    # One line: every item overlaps the vertical band of the first one (the brand).
    first = items[0]
    below = [
        i["text"] for i in items[1:] if i["top"] >= first["bottom"] or i["bottom"] <= first["top"]
    ]
    past = [i["text"] for i in items if i["right"] > boxes["width"] + 1]
    problems = []
    if below:
        problems.append(
            f"header {boxes['height']:.0f} px tall, on another line than the brand: {below}"
        )
    if past:
        problems.append(f"header items past the window's edge: {past}")
    return problems


def sideways(page) -> str | None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] <= widths[1]:
        return None
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.visually-hidden'))
            .slice(0, 3).map(e => e.outerHTML.slice(0, 100))"""
    )
    return f"{widths[0]} px wide in a {widths[1]} px window: {wide}"


@pytest.mark.parametrize("role", list(EMAILS))
def test_screens_of_each_role_header_on_one_line_and_nothing_sideways_on_a_phone(
    role,
    page,
    live_server,
    demo,  # noqa: F811
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, EMAILS[role], PASSWORD)
    pages = {"home": "/", "board": "/board", "dashboard": "/dashboard"}
    pages["project"] = _project_url(page, live_server)
    failures = []
    for name, url in pages.items():
        for width in (*WIDE, PHONE):
            page.set_viewport_size({"width": width, "height": HEIGHT})
            response = page.goto(live_server + url)
            assert response is not None and response.ok, (
                f"{url} answered {response and response.status}"
            )
            if width in (1280, PHONE):
                page.screenshot(path=str(SCREENS / f"{role}-{name}-{width}.png"), full_page=True)
            if width in WIDE:
                failures += [f"{url} at {width} px: {p}" for p in header_wraps(page)]
            else:
                problem = sideways(page)
                if problem:
                    failures.append(f"{url} at {width} px scrolls sideways: {problem}")
    assert not failures, f"{role}:\n" + "\n".join(failures)


@pytest.mark.parametrize("lang", ["Deutsch", "Svenska"])
def test_the_language_is_chosen_in_the_user_menu_and_the_longer_words_stay_on_one_line(
    lang,
    page,
    live_server,
    demo,  # noqa: F811
):
    sign_in(page, live_server, EMAILS["admin"], PASSWORD)
    page.set_viewport_size({"width": 1024, "height": HEIGHT})
    menu = page.get_by_role("navigation", name="Main navigation")
    menu.locator(".dropdown-toggle").last.click()  # the user menu, by keyboard as well as mouse
    menu.get_by_role("button", name=lang).click()
    page.wait_for_load_state()
    code = {"Deutsch": "de", "Svenska": "sv"}[lang]
    assert page.locator("html").get_attribute("lang") == code
    failures = []
    for width in WIDE:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for url in ("/", "/board"):
            page.goto(live_server + url)
            failures += [f"{url} at {width} px: {p}" for p in header_wraps(page)]
    assert not failures, f"admin in {lang}:\n" + "\n".join(failures)
