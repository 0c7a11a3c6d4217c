"""The project page's side card of organizations fits its card: long role and kind names in
German and Swedish ("Forschungspartner", "Forskningsinstitut") wrap instead of running past
the card's edge, on a wide screen (the card is a third of the page) and on a phone.
Screenshots go to test-artifacts/screens/."""

import pytest

from tests import factories
from tests.browser.conftest import ARTIFACTS, sign_in
from tracker.extensions import db

SCREENS = ARTIFACTS / "screens"


def _project_with_long_names(world):
    institute = factories.make_org(
        "Institut für Wasserstoffsysteme Nordwest",
        kind="research_institution",
        sites=[world.lingen],
    )
    campus = factories.make_org("IT-Campus Lingen", kind="public_body", sites=[world.lingen])
    return factories.make_project(
        world.lingen,
        world.lead_org,
        [
            (institute, "research_partner"),
            (campus, "pilot_customer"),
            (world.partner_org, "startup"),
        ],
        [world.ai],
        title="Wasserstoff-Prognose für Netzbetreiber",
        visibility="network",
    )


def _overflowing_cells(page):
    """Cells of the organizations table whose box reaches past the card's edges."""
    return page.evaluate(
        """() => {
          const card = document.querySelector('#partners');
          const edge = card.getBoundingClientRect();
          return [...card.querySelectorAll('th, td')]
            .map(cell => [cell.innerText.trim(), cell.getBoundingClientRect(), cell])
            .filter(([, box, cell]) => box.left < edge.left - 0.5 || box.right > edge.right + 0.5
                     || cell.scrollWidth > cell.clientWidth + 1)
            .map(([text, box]) => `${text}: ${Math.round(box.left)}..${Math.round(box.right)}`
                 + ` outside ${Math.round(edge.left)}..${Math.round(edge.right)}`);
        }"""
    )


@pytest.mark.parametrize("locale,role", [("de", "Forschungspartner"), ("sv", "Forskningspartner")])
@pytest.mark.parametrize("width", [1280, 375])
def test_organizations_card_fits_with_long_role_names(
    page, live_server, world, locale, role, width
):
    project = _project_with_long_names(world)
    world.admin.locale = locale
    db.session.commit()
    sign_in(page, live_server, world.admin.email, factories.PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}/projects/{project.id}")
    card = page.locator("#partners")
    assert role in card.inner_text()
    SCREENS.mkdir(parents=True, exist_ok=True)
    shot = SCREENS / f"project-organizations-{width}-{locale}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert _overflowing_cells(page) == []
    sideways = page.evaluate("document.documentElement.scrollWidth")
    assert sideways <= width, f"the project page scrolls sideways: {sideways} px"


def _cramped_text(page):
    """Text in a table that fills a card and comes nearer than 12 px to the card's edges."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.card')].flatMap(card => {
          const edge = card.getBoundingClientRect();
          const cells = card.querySelectorAll(
            ':scope > table :is(th, td), :scope > .table-responsive > table :is(th, td)');
          return [...cells]
            .filter(cell => cell.innerText.trim())
            .map(cell => {
              const range = document.createRange();
              range.selectNodeContents(cell);
              return [cell.innerText.trim(), range.getBoundingClientRect()];
            })
            .filter(([, box]) => box.left < edge.left + 12 || box.right > edge.right - 12)
            .map(([text, box]) => `#${card.id}: ${text}: ${Math.round(box.left)}..`
                 + `${Math.round(box.right)} in ${Math.round(edge.left)}..`
                 + `${Math.round(edge.right)}`);
        })"""
    )


@pytest.mark.parametrize("locale", ["de", "sv"])
def test_tables_in_cards_keep_the_cards_inner_margin(page, live_server, world, locale):
    """The stage history's first and last columns (and the organizations') stay off the card's
    border, and the running spell's "5 …" keeps on one line."""
    project = _project_with_long_names(world)
    world.admin.locale = locale
    db.session.commit()
    sign_in(page, live_server, world.admin.email, factories.PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/projects/{project.id}")
    history = page.locator("#stage-history")
    assert history.locator("tbody tr").count() >= 1
    shot = SCREENS / f"project-stage-history-1280-{locale}.png"
    SCREENS.mkdir(parents=True, exist_ok=True)
    history.screenshot(path=str(shot))
    assert _cramped_text(page) == []
    days = history.locator("tbody tr td:nth-child(3)").first
    assert "…" in days.inner_text()  # the running spell
    assert days.evaluate(LINES) == 1


LINES = """cell => {  // lines the cell's text takes: its height over one line's
  const range = document.createRange();
  range.selectNodeContents(cell);
  const line = parseFloat(getComputedStyle(cell).lineHeight);
  return Math.round(range.getBoundingClientRect().height / line);
}"""
