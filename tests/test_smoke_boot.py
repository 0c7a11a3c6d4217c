"""The app starts and answers its health check."""


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_home_needs_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_each_role_gets_its_home(client, world, login):
    for who, marker in [
        ("lead_member", "Your organization's projects"),
        ("manager", "Review queue"),
        ("patron", "Latest market entries"),
        ("admin", "Network office"),
    ]:
        assert login(world.user(who)).status_code == 302
        page = client.get("/")
        assert page.status_code == 200
        assert marker in page.get_data(as_text=True)
        client.post("/logout")
