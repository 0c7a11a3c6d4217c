"""Organizations' e-mail domains: set by admins on the form and through the API, checked."""

import pytest
import sqlalchemy as sa

from tests.test_api_read import bearer
from tracker.directory import email_domains, services
from tracker.extensions import db
from tracker.loaders import get_organization_or_404
from tracker.models import Organization


def edit_form(org: Organization, **overrides) -> dict:
    data = {
        "name": org.name,
        "kind": org.kind,
        "country": org.country,
        "city": org.city,
        "website": org.website,
        "description": org.description,
        "member_since": "",
        "sites": [org.site_ids],
        "themes": [],
        "version": str(org.version),
    }
    return data | overrides


def domains_of(org_id: int) -> list[str]:
    db.session.expire_all()
    return db.session.get(Organization, org_id).email_domains


@pytest.fixture
def lead_org(world):
    org = world.lead_org
    org.site_ids = world.lingen.id  # its one site, read before any request expires it
    return org


def test_an_admin_sets_the_domains_on_the_organization_form(client, login, world, lead_org):
    login(world.admin)
    url = f"/organizations/{lead_org.id}/edit"
    assert 'name="email_domains"' in client.get(url).get_data(as_text=True)
    typed = "Lead.example, @lead-group.example;\nlead.example"
    answer = client.post(url, data=edit_form(lead_org, email_domains=typed))
    assert answer.status_code == 302
    assert domains_of(lead_org.id) == ["lead.example", "lead-group.example"]
    page = client.get(url).get_data(as_text=True)
    assert 'value="lead.example, lead-group.example"' in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("not a domain", "not is not a domain such as example.org"),
        ("gmail.com", "gmail.com is a public mail service"),
        ("other.example", "other.example belongs to Other Org already"),
    ],
)
def test_a_wrong_domain_is_refused_beside_the_field(client, login, world, lead_org, typed, message):
    world.other_org.email_domains = ["other.example"]
    db.session.commit()
    login(world.admin)
    url = f"/organizations/{lead_org.id}/edit"
    page = client.post(url, data=edit_form(lead_org, email_domains=typed)).get_data(as_text=True)
    assert message in page
    assert domains_of(lead_org.id) == []


@pytest.mark.parametrize("who", ["manager", "lead_member"])
def test_only_admins_see_and_set_the_field(client, login, world, lead_org, who):
    login(world.user(who))
    url = f"/organizations/{lead_org.id}/edit"
    assert 'name="email_domains"' not in client.get(url).get_data(as_text=True)
    form = edit_form(lead_org, email_domains="lead.example")
    if who == "lead_member":
        form = {k: v for k, v in form.items() if k not in ("kind", "member_since", "sites")}
    assert client.post(url, data=form).status_code == 302
    assert domains_of(lead_org.id) == []  # the extra field is ignored
    fresh = get_organization_or_404(lead_org.id)
    with pytest.raises(services.DirectoryError, match="Only admins"):
        services.update_organization(
            world.user(who), fresh, {"email_domains": ["lead.example"]}, fresh.version
        )


def test_the_api_shows_the_domains_and_admins_change_them(client, world):
    url = f"/api/v1/organizations/{world.lead_org.id}"
    assert client.get(url, headers=bearer(world.lead_member)).get_json()["email_domains"] == []
    body = {"version": 1, "email_domains": ["Lead.Example"]}
    refused = client.patch(url, json=body, headers=bearer(world.manager))
    assert refused.status_code == 403
    changed = client.patch(url, json=body, headers=bearer(world.admin))
    assert changed.status_code == 200 and changed.get_json()["email_domains"] == ["lead.example"]
    wrong = client.patch(
        url, json={"version": 2, "email_domains": ["x"]}, headers=bearer(world.admin)
    )
    assert wrong.status_code == 422 and "email_domains" in wrong.get_data(as_text=True)
    assert domains_of(world.lead_org.id) == ["lead.example"]


def test_a_domain_is_looked_up_exactly(app, world):
    world.lead_org.email_domains = ["lead.example", "sub.lead.example"]
    db.session.commit()
    from tracker.auth.sso import organization_for_domain

    assert organization_for_domain("sub.lead.example").id == world.lead_org.id
    assert organization_for_domain("lead.example").id == world.lead_org.id
    assert organization_for_domain("ead.example") is None
    assert organization_for_domain("example") is None
    assert email_domains.split(" a.example,b.example;\nc.example ") == [
        "a.example",
        "b.example",
        "c.example",
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 3
