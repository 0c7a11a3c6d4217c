"""The board's script speaks the reader's language: its messages come from the page."""

from tests import factories
from tests.browser.conftest import sign_in
from tracker.extensions import db


def test_a_refused_move_is_explained_in_swedish(page, live_server, world):
    world.partner_member.locale = "sv"
    db.session.commit()
    sign_in(page, live_server, world.partner_member.email, factories.PASSWORD)
    page.goto(live_server + "/board")
    card = page.locator(".board-card", has_text="Open hydrogen forecast")
    card.drag_to(page.locator('[data-column="market"]'))
    said = page.locator("#board-message").inner_text()
    assert said == (
        "”Open hydrogen forecast” kan bara flyttas en fas framåt, till fasen Test. "
        "Kortet stannar där det är."
    )
    card.drag_to(page.locator('[data-column="test"]'))
    assert page.locator("#board-message").inner_text() == (
        "Du får inte flytta ”Open hydrogen forecast” nu: en granskning kan vänta, "
        "eller så tillåter inte din roll det."
    )
