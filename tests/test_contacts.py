"""Directory (design §14): contact persons, offer and seek — edited by whoever may edit the
organization, shown to members and managers, searchable, in the API's organization detail."""

import sqlalchemy as sa

from tests import factories as f
from tracker.auth.tokens import create_token
from tracker.extensions import db
from tracker.models import Contact


def _save(client, org_id, **extra):
    data = {
        "offer": "Test fields for harvesters",
        "seek": "Hydrogen drive research",
        "contacts-0-name": "Hanna Lögering",
        "contacts-0-role": "Head of innovation",
        "contacts-0-email": "hanna@lead.example",
        "contacts-1-name": "",
        "contacts-1-role": "",
        "contacts-1-email": "",
    } | extra
    return client.post(f"/organizations/{org_id}/profile", data=data)


def test_member_edits_own_profile_and_others_see_it(world, client, login, app):
    login(world.lead_member)
    assert client.get(f"/organizations/{world.lead_org.id}/profile").status_code == 200
    assert _save(client, world.lead_org.id).status_code == 302
    contacts = db.session.scalars(sa.select(Contact)).all()
    assert [(c.name, c.role, c.email) for c in contacts] == [
        ("Hanna Lögering", "Head of innovation", "hanna@lead.example")
    ]
    other = app.test_client()
    login(world.outsider, test_client=other)
    page = other.get(f"/organizations/{world.lead_org.id}")
    assert "Test fields for harvesters" in page.text and "hanna@lead.example" in page.text
    assert other.get(f"/organizations/{world.lead_org.id}/profile").status_code == 403
    # Searchable by offer text and by a contact's name.
    assert "Lead Org" in other.get("/organizations?q=harvesters").text
    assert "Lead Org" in other.get("/organizations?q=L%C3%B6gering").text
    assert "Lead Org" not in other.get("/organizations?q=nothing-like-it").text


def test_bad_contact_rows_are_refused_with_a_message(world, client, login):
    login(world.lead_member)
    response = _save(client, world.lead_org.id, **{"contacts-0-email": "not-an-address"})
    assert response.status_code == 422
    assert "valid e-mail" in response.text
    response = _save(client, world.lead_org.id, **{"contacts-0-name": ""})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_api_detail_has_contacts_and_patrons_see_none(world, client, login):
    login(world.lead_member)
    _save(client, world.lead_org.id)
    token, _ = create_token(world.outsider, "t")
    patron_token, _ = create_token(world.patron, "t")
    db.session.commit()
    reply = client.get(
        f"/api/v1/organizations/{world.lead_org.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert reply.status_code == 200
    body = reply.json
    assert body["contacts"] == [
        {"name": "Hanna Lögering", "role": "Head of innovation", "email": "hanna@lead.example"}
    ]
    assert (body["offer"], body["seek"]) == (
        "Test fields for harvesters",
        "Hydrogen drive research",
    )
    listing = client.get("/api/v1/organizations", headers={"Authorization": f"Bearer {token}"})
    assert all(item["contacts"] is None for item in listing.json["items"])
    patron = client.get(
        f"/api/v1/organizations/{world.lead_org.id}",
        headers={"Authorization": f"Bearer {patron_token}"},
    )
    assert patron.status_code == 403 and "hanna" not in patron.text


def test_site_manager_edits_an_organization_of_the_site(world, client, login):
    login(world.manager)
    assert _save(client, world.partner_org.id, offer="Sensors").status_code == 302
    org = f.make_org("Elsewhere", sites=[world.berlin])
    assert client.get(f"/organizations/{org.id}/profile").status_code == 403
