"""Single sign-on in Chromium through a real OpenID provider (oidc-provider-mock) on 127.0.0.1:
a newcomer at a member organization's domain asks to join, the site manager approves on the
page (and rejects another after confirming), and the newcomer then signs in with the button."""

import pytest

from tests import factories as f
from tests.browser.conftest import sign_in
from tests.sso_support import running_provider
from tracker.extensions import db


@pytest.fixture
def provider(app, monkeypatch):
    with running_provider() as running:
        monkeypatch.setitem(app.config, "TRACKER_OIDC_PROVIDERS", {"corp": running.settings()})
        yield running


def through_provider(page, base: str, sub: str) -> None:
    page.goto(base + "/login")
    page.get_by_role("link", name="Sign in with Corp ID").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_a_newcomer_is_approved_by_the_site_manager_and_signs_in(
    app, world, live_server, provider, page, browser
):
    world.lead_org.email_domains = ["lead.example"]
    db.session.commit()
    provider.add_user("nina", email="nina@lead.example", email_verified=True, name="Nina Neu")
    provider.add_user("olaf", email="olaf@lead.example", email_verified=True, name="Olaf Alt")
    through_provider(page, live_server, "nina")
    page.get_by_role("heading", name="Your account is waiting for approval").wait_for()
    through_provider(page, live_server, "olaf")
    page.get_by_role("heading", name="Your account is waiting for approval").wait_for()

    manager = browser.new_context().new_page()
    sign_in(manager, live_server, world.manager.email, f.PASSWORD)
    card = manager.get_by_role("region", name="Accounts waiting for your approval")
    assert "nina@lead.example" in card.inner_text() and "olaf@lead.example" in card.inner_text()
    card.get_by_role("link", name="Approve or reject").click()
    manager.get_by_role("button", name="Approve nina@lead.example").click()
    manager.get_by_text("Nina Neu (nina@lead.example) is now a member of Lead Org").wait_for()
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.get_by_role("button", name="Reject olaf@lead.example").click()
    manager.get_by_text("The request of olaf@lead.example is rejected").wait_for()
    assert manager.get_by_text("No account is waiting for approval.").is_visible()
    manager.context.close()

    through_provider(page, live_server, "nina")
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("heading", name="Welcome, Nina Neu").is_visible()
