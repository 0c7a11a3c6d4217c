"""Main pages in Chromium: no serious or critical axe-core finding, no sideways scroll at 375 px."""

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask import g
from werkzeug.security import generate_password_hash

from tests.browser.conftest import sign_in
from tracker import cli
from tracker.extensions import db
from tracker.models import GateReview, Organization, Participation, Project, Site, User

CHEAP_HASH = "scrypt:1024:8:1"
PASSWORD = "a11y-demo-password"
EMAILS = {
    "member": "member.krone@demo.example",
    "site_manager": "manager.lingen@demo.example",
    "patron": "patron@demo.example",
    "admin": "admin@demo.example",
}
BLOCKING = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
AXE = Axe()  # axe-core's script ships inside the package: nothing is fetched at run time


@pytest.fixture
def demo(runner, monkeypatch):
    # A cheap scrypt cost for the demo accounts (the cost is read from the hash): fast sign-ins.
    monkeypatch.setattr(cli, "hash_password", lambda pw: generate_password_hash(pw, CHEAP_HASH))
    result = runner.invoke(args=["seed-demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    # The seed shares the test's app context; later reads here must not take the write lock.
    g.pop("sqlite_immediate", None)


def _scalar(query):
    value = db.session.scalar(query)
    assert value is not None, str(query)
    return value


def _krone_project() -> int:
    krone = _scalar(sa.select(Organization.id).where(Organization.name == "Krone Group"))
    return _scalar(
        sa.select(Project.id)
        .join(Participation, Participation.project_id == Project.id)
        .where(Participation.organization_id == krone, Participation.role == "lead")
        .where(Project.status == "active", Project.stage == "develop")
        .order_by(Project.id)
    )


def _oldest_lingen_review() -> tuple[int, int]:
    row = db.session.execute(
        sa.select(GateReview.id, GateReview.project_id)
        .join(Project, GateReview.project_id == Project.id)
        .join(Site, Project.site_id == Site.id)
        .where(Site.slug == "lingen", GateReview.decision == "pending")
        .order_by(GateReview.requested_at)
    ).first()
    assert row is not None
    return row.id, row.project_id


def main_pages(role: str) -> list[str]:
    """The pages a person in this role opens day to day (ids read from the demo data)."""
    try:
        return _pages(role)
    finally:
        db.session.rollback()  # end the read, so the live server's writes never wait on it


def _pages(role: str) -> list[str]:
    if role == "member":
        project, org = (
            _krone_project(),
            _scalar(sa.select(Organization.id).order_by(Organization.id)),
        )
        return [
            "/",
            "/board",
            "/projects",
            f"/projects/{project}",
            "/projects/new",
            "/organizations",
            f"/organizations/{org}",
            "/sites",
            "/sites/lingen",
            "/notifications",
            "/account",
            "/lessons",
        ]
    if role == "site_manager":
        review, project = _oldest_lingen_review()
        return ["/", "/reviews", f"/reviews/{review}", f"/projects/{project}", "/dashboard"]
    if role == "patron":
        return ["/", "/board", "/dashboard", "/dashboard/report"]
    someone = _scalar(sa.select(User.id).where(User.email == EMAILS["member"]))
    return [
        "/",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{someone}",
        "/admin/users/import",
        "/admin/users?pending=1",
    ]


def serious_findings(page) -> list[str]:
    """axe-core's serious and critical violations, one readable block each."""
    results = AXE.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(node['target'])}: {node['html'][:160]}")
            lines.append(f"       {node.get('failureSummary', '').strip()[:300]}")
    return lines


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url} answered {response and response.status}"


def findings(page) -> list[str]:
    """axe at desktop width; nothing to scroll sideways there nor at 375 px."""
    found = serious_findings(page) + sideways_scroll(page)
    page.set_viewport_size(PHONE)
    try:
        found += sideways_scroll(page)
    finally:
        page.set_viewport_size(DESKTOP)
    return found


def check_pages(page, base: str, urls: list[str]) -> None:
    failures = []
    for url in urls:
        _visit(page, base + url)
        found = findings(page)
        if found:
            failures.append(f"{url}:\n" + "\n".join(found))
    assert not failures, "\n".join(failures)


def sideways_scroll(page) -> list[str]:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] <= widths[1] + 1:
        return []
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.table-responsive, .visually-hidden'))
            .slice(0, 5).map(e => e.outerHTML.slice(0, 120))"""
    )
    return [f"  page is {widths[0]} px wide in a {widths[1]} px window; too wide:"] + [
        f"    {html}" for html in wide
    ]


def test_sign_in_page_has_no_serious_findings_and_fits_a_phone(page, live_server):
    check_pages(page, live_server, ["/login"])


def test_a_failed_form_shows_an_error_summary_that_leads_to_the_field(page, live_server, demo):
    sign_in(page, live_server, EMAILS["member"], PASSWORD)
    _visit(page, live_server + "/projects/new")
    page.locator("main form[method=post] button[type=submit]").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "title"
    failures = findings(page)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", list(EMAILS))
def test_main_pages_have_no_serious_axe_findings_and_fit_375_px(role, page, live_server, demo):
    urls = main_pages(role)
    sign_in(page, live_server, EMAILS[role], PASSWORD)
    check_pages(page, live_server, urls)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page, live_server, demo):
    sign_in(page, live_server, EMAILS["member"], PASSWORD)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    assert skip.is_visible()
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
