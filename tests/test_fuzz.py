"""Property tests: random input to forms and services gets a validation message, never a 5xx,
and a refused request leaves every table as it was."""

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests import factories
from tests.conftest import World
from tracker.auth import passwords
from tracker.extensions import db
from tracker.models import GateReview, Project
from tracker.projects import services as project_services

# Deterministic (CI sees the same examples every run), bounded, and no example database on disk.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07",
    "\u202e\u200b\ufeff",
    "💥" * 40,
    "x" * 6000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n{0}",
    "-1",
    "0",
    "1e309",
    "9" * 30,
    "NaN",
    "0000-00-00",
    "99999-12-31",
    "\r\n\t",
]
text = st.text(st.characters(codec="utf-8"), max_size=60)
value = st.one_of(
    text,
    st.sampled_from(NASTY),
    st.integers(-(2**70), 2**70).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)
# A field sent several times, or not at all, stands in for the wrong type.
values = st.one_of(value, st.lists(value, min_size=2, max_size=3))


def form(fields: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional=fields).map(_multidict)


def _multidict(data: dict) -> MultiDict:
    pairs = []
    for key, given_value in data.items():
        pairs += (
            [(key, v) for v in given_value]
            if isinstance(given_value, list)
            else [(key, given_value)]
        )
    return MultiDict(pairs)


def ids(*known: int) -> st.SearchStrategy:
    return st.one_of(st.sampled_from([str(k) for k in known]), values)


def row_counts() -> tuple:
    """Every table's row count in one statement."""
    counts = [
        sa.select(sa.func.count()).select_from(table).scalar_subquery()
        for table in db.metadata.sorted_tables
    ]
    versions = sa.select(sa.func.coalesce(sa.func.sum(Project.version), 0)).scalar_subquery()
    return tuple(db.session.execute(sa.select(*counts, versions)).one())


def post(client, url: str, data: MultiDict):
    """POST as a browser would, then end the request's transaction as teardown would."""
    response = client.post(url, data=data)
    db.session.rollback()  # test requests share the session; production removes it after each
    return response


def check_refused_cleanly(response, before: tuple) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code == 302:
        return  # accepted: writes are expected
    assert row_counts() == before, "a refused request changed the database"
    if response.status_code in (200, 422):
        html = response.get_data(as_text=True)
        assert "invalid-feedback" in html or "alert-danger" in html or "alert-info" in html


@pytest.fixture
def world(app):
    w = World()
    # Plain values: the examples roll the session back, which expires the objects.
    w.ids = {
        "admin": w.admin.email,
        "lingen": w.lingen.id,
        "berlin": w.berlin.id,
        "ai": w.ai.id,
        "orgs": [w.lead_org.id, w.partner_org.id, w.other_org.id],
        "project": w.network_project.id,
    }
    return w


@pytest.fixture
def admin_client(app, world, login):
    client = app.test_client()
    assert login(world.ids["admin"], test_client=client).status_code == 302
    return client


def test_sign_in_and_code_forms_refuse_anything_random(app, world, monkeypatch):
    email = world.ids["admin"]
    # Unknown addresses are checked against a dummy hash at full cost; keep that cheap here.
    monkeypatch.setattr(passwords, "_dummy_hash", factories.password_hash)

    @FUZZ
    @given(form({"email": st.one_of(values, st.just(email)), "password": values, "code": values}))
    def run(data):
        client = app.test_client()
        for url in ("/login", "/login/two-factor"):
            response = post(client, url, data)
            assert response.status_code < 500
            assert response.status_code in (200, 302, 400, 429)
        assert client.get("/").status_code == 302  # never signed in by garbage

    run()


def test_project_form_refuses_anything_random(admin_client, world):
    w = world.ids
    orgs = w["orgs"]
    fields = {
        "title": values,
        "summary": values,
        "description": values,
        "site_id": ids(w["lingen"], w["berlin"]),
        "kind": st.one_of(st.sampled_from(["strategy", "product", "service"]), values),
        "visibility": st.one_of(st.sampled_from(["network", "consortium"]), values),
        "theme_ids": st.one_of(ids(w["ai"]), st.lists(ids(w["ai"]), max_size=3)),
        "target_test_on": values,
        "target_market_on": values,
        "lead_organization_id": ids(*orgs),
        "confirm_removal": values,
        "version": values,
    }
    for row in range(6):
        fields[f"partners-{row}-organization_id"] = ids(*orgs)
        fields[f"partners-{row}-role"] = st.one_of(
            st.sampled_from(["partner", "startup", "lead", "research_partner"]), values
        )
        fields[f"partners-{row}-remove"] = values

    @FUZZ
    @given(form(fields), st.booleans())
    def run(data, edit):
        before = row_counts()
        url = f"/projects/{w['project']}/edit" if edit else "/projects/new"
        response = post(admin_client, url, data)
        if response.status_code == 409:  # a stale version: refused, nothing written
            assert row_counts() == before
            return
        check_refused_cleanly(response, before)

    run()


def test_organization_form_refuses_anything_random(admin_client, world):
    w = world.ids
    fields = {
        "name": values,
        "kind": st.one_of(st.sampled_from(["startup", "partner"]), values),
        "country": st.one_of(st.sampled_from(["DE", "SE", "de"]), values),
        "city": values,
        "website": st.one_of(st.just("https://example.org"), values),
        "description": values,
        "member_since": values,
        "sites": st.one_of(ids(w["lingen"]), st.lists(values, max_size=3)),
        "themes": st.one_of(ids(w["ai"]), st.lists(values, max_size=3)),
    }

    @FUZZ
    @given(form(fields), st.booleans())
    def run(data, edit):
        before = row_counts()
        url = f"/organizations/{w['orgs'][0]}/edit" if edit else "/organizations/new"
        check_refused_cleanly(post(admin_client, url, data), before)

    run()


def test_gate_request_and_decision_forms_refuse_anything_random(admin_client, world):
    project_id = world.ids["project"]
    fields = {
        "evidence": values,
        "decision": st.one_of(
            st.sampled_from(["go", "conditional_go", "recycle", "hold", "stop"]), values
        ),
        "reason": values,
        "conditions": values,
    }

    @FUZZ
    @given(form(fields))
    def run(data):
        before = row_counts()
        check_refused_cleanly(post(admin_client, f"/projects/{project_id}/gate", data), before)
        review_id = db.session.scalar(sa.select(sa.func.max(GateReview.id)))
        if review_id is not None:
            before = row_counts()
            url = f"/reviews/{review_id}/decide"
            check_refused_cleanly(post(admin_client, url, data), before)

    run()


def test_update_and_milestone_forms_refuse_anything_random(admin_client, world):
    project_id = world.ids["project"]

    @FUZZ
    @given(form({"body": values, "title": values, "due_on": values}))
    def run(data):
        for kind in ("updates", "milestones"):
            before = row_counts()
            response = post(admin_client, f"/projects/{project_id}/{kind}", data)
            check_refused_cleanly(response, before)

    run()


# Wrong types on purpose: services are called by the API and the CLI as well as by forms.
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    value,
    st.dates(),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.sampled_from(["organization_id", "role", "x"]), value, max_size=3),
)


def test_create_project_service_refuses_random_values_with_a_project_error(app, world):
    w = world.ids
    required = {
        "title": st.one_of(text, anything),
        "site_id": st.one_of(st.sampled_from([w["lingen"], w["berlin"]]), anything),
    }
    keys = {
        "summary": anything,
        "description": anything,
        "kind": st.one_of(st.just("product"), anything),
        "visibility": st.one_of(st.just("network"), anything),
        "theme_ids": st.one_of(st.lists(st.sampled_from([w["ai"], -1])), anything),
        "target_test_on": anything,
        "target_market_on": anything,
        "lead_organization_id": st.one_of(st.sampled_from(w["orgs"]), anything),
        "partners": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {"organization_id": st.sampled_from(w["orgs"]), "role": anything}
                ),
                max_size=3,
            ),
            anything,
        ),
        "unknown": anything,
    }

    @FUZZ
    @given(st.fixed_dictionaries(required, optional=keys))
    def run(data):
        admin = factories_admin(w["admin"])
        before = row_counts()
        try:
            project_services.create_project(admin, data)
        except project_services.ProjectError:
            db.session.rollback()
            assert row_counts() == before

    run()


def factories_admin(email: str):
    from tracker.auth.services import find_user_by_email

    return find_user_by_email(email)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/projects/{project}/updates", {"body": "before\x00after"}),
        ("post", "/projects/new", {"title": "ok", "summary": ["fine", "bad\x00"]}),
        ("get", "/projects?q=a%00b", None),
        ("get", "/sites/lin%00gen", None),
    ],
)
def test_a_nul_character_anywhere_is_refused_with_a_clear_400(
    admin_client, world, method, path, data
):
    before = row_counts()
    url = path.format(project=world.ids["project"])
    response = getattr(admin_client, method)(url, data=MultiDict(data) if data else None)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    db.session.rollback()
    assert row_counts() == before


def test_a_nul_character_in_a_json_body_is_refused(client, world):
    response = client.post(
        "/api/v1/projects", data='{"title": "a\\u0000b"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_the_fuzz_helpers_notice_a_write(app, world):
    """The row-count check itself can fail: a new user changes it."""
    before = row_counts()
    factories.make_user("patron")
    assert row_counts() != before
