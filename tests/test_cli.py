"""CLI: seed-demo, demo-accounts, create-user, create-api-token and backup."""

import sqlite3
import stat
from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.auth.tokens import user_for_token
from tracker.cli import NAMED_DEMO_ACCOUNTS
from tracker.demo import data
from tracker.demo.matchmaking import QUIET_ORGANIZATIONS
from tracker.extensions import db
from tracker.models import (
    GateReview,
    Organization,
    Participation,
    Project,
    Site,
    StageEvent,
    Update,
    User,
    utcnow,
)
from tracker.models.base import ORG_KINDS, STAGES, STATUSES

DEMO_PASSWORD = "demo-password-123"
NAMED_MEMBERS = {
    "member.krone@demo.example": "Krone Group",
    "member.cornexion@demo.example": "Cornexion GmbH",
    "member.itcampus@demo.example": "IT-Campus Lingen",
}


@pytest.fixture(autouse=True)
def _isolated_demo_settings(app, tmp_path, monkeypatch):
    """Keep demo_password.txt out of the real instance/ and ignore the caller's environment."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.delenv("TRACKER_DEMO_PASSWORD", raising=False)
    monkeypatch.setitem(app.config, "TRACKER_DEMO_PASSWORD", None)


def seed(runner, *args):
    result = runner.invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_builds_the_demo_network(runner):
    result = seed(runner, "--password", DEMO_PASSWORD)
    assert "projects:" in result.output and "organizations:" in result.output

    assert set(db.session.scalars(sa.select(Site.slug))) == {
        "berlin",
        "stockholm",
        "erlangen-nuernberg",
        "lingen",
    }
    orgs = {o.name: o for o in db.session.scalars(sa.select(Organization))}
    assert len(orgs) >= 40
    assert len({o.country for o in orgs.values()}) >= 10
    assert {o.kind for o in orgs.values()} == set(ORG_KINDS)
    assert orgs["Krone Group"].kind == "member_company"
    assert orgs["Cornexion GmbH"].kind == "partner"
    assert orgs["IT-Campus Lingen"].kind == "research_institution"

    projects = list(db.session.scalars(sa.select(Project)))
    assert len(projects) >= 60
    combos = {(p.stage, p.status) for p in projects}
    # Every combination, a product withdrawn after launch (market, stopped) included.
    expected = {(stage, status) for stage in STAGES for status in STATUSES}
    assert expected <= combos
    assert {p.visibility for p in projects} == {"network", "consortium"}
    assert all(p.launched_on for p in projects if p.stage == "market")


def test_seed_demo_has_pending_and_decided_gate_reviews(runner):
    seed(runner, "--password", DEMO_PASSWORD)
    pending_sites = db.session.scalars(
        sa.select(Site.slug)
        .join(Project, Project.site_id == Site.id)
        .join(GateReview, GateReview.project_id == Project.id)
        .where(GateReview.decision == "pending")
    )
    assert set(pending_sites) == {"berlin", "stockholm", "erlangen-nuernberg", "lingen"}
    decisions = set(db.session.scalars(sa.select(GateReview.decision).distinct()))
    assert {"pending", "go", "conditional_go", "stop"} <= decisions
    decided = db.session.scalars(sa.select(GateReview).where(GateReview.decision != "pending"))
    assert all(r.decided_by_id and r.decided_at > r.requested_at and r.reason for r in decided)

    # Every project's history is a chain ending in its current stage and status.
    events = defaultdict(list)
    for event in db.session.scalars(sa.select(StageEvent).order_by(StageEvent.at, StageEvent.id)):
        events[event.project_id].append(event)
    now = utcnow()
    for project in db.session.scalars(sa.select(Project)):
        chain = events[project.id]
        assert chain, project.title
        assert chain[0].from_stage is None and chain[0].to_stage == "develop"
        for before, after in pairwise(chain):
            assert (after.from_stage, after.from_status) == (before.to_stage, before.to_status)
        assert (chain[-1].to_stage, chain[-1].to_status) == (project.stage, project.status)
        entered = [e.at for e in chain if e.from_stage != e.to_stage][-1]
        assert project.stage_entered_at == entered
        assert project.created_at <= project.last_activity_at <= now
        if project.status == "stopped":
            assert len(chain[-1].note) > 40, "the stop reason feeds /lessons"


def test_seed_demo_keeps_stalled_projects_old_and_others_recent(runner, app):
    seed(runner, "--password", DEMO_PASSWORD)
    stalled_after = timedelta(days=app.config["TRACKER_STALLED_DAYS"])
    open_projects = list(
        db.session.scalars(
            sa.select(Project).where(Project.status == "active", Project.stage != "market")
        )
    )
    stalled = [p for p in open_projects if utcnow() - p.last_activity_at > stalled_after]
    assert 3 <= len(stalled) < len(open_projects) / 2
    latest_update = dict(
        db.session.execute(
            sa.select(Update.project_id, sa.func.max(Update.created_at)).group_by(Update.project_id)
        ).all()
    )
    for project in db.session.scalars(sa.select(Project)):
        assert latest_update[project.id] <= project.last_activity_at


def test_named_member_organizations_lead_and_miss_projects(runner):
    seed(runner, "--password", DEMO_PASSWORD)
    participants = defaultdict(set)
    for project_id, org_id in db.session.execute(
        sa.select(Participation.project_id, Participation.organization_id)
    ):
        participants[project_id].add(org_id)
    projects = list(db.session.scalars(sa.select(Project)))
    for email, org_name in NAMED_MEMBERS.items():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user.role == "member" and user.organization.name == org_name
        led = [p for p in projects if p.lead_organization_id == user.organization_id]
        assert {p.visibility for p in led} == {"network", "consortium"}, org_name
        assert any(
            p.visibility == "consortium" and user.organization_id not in participants[p.id]
            for p in projects
        ), org_name


def test_every_demo_account_signs_in_with_the_password_from_the_environment(
    runner, client, login, monkeypatch
):
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", DEMO_PASSWORD)
    seed(runner)
    users = list(
        db.session.scalars(
            sa.select(User).where(User.email.like("%@demo.example")).order_by(User.email)
        )
    )
    assert len(users) == len(data.ORGANIZATIONS) + len(QUIET_ORGANIZATIONS) + 6
    assert {u.role for u in users} == {"admin", "site_manager", "patron", "member"}
    assert all(u.locale is None and u.totp_secret is None and u.active for u in users)
    # The password is hashed once, so one hash for all; each non-member and a few members
    # sign in through the real form (scrypt makes each sign-in cost a third of a second).
    assert len({u.password_hash for u in users}) == 1
    members = [u for u in users if u.role == "member" and u.email not in NAMED_MEMBERS]
    signing_in = [u for u in users if u.role != "member" or u.email in NAMED_MEMBERS]
    for user in [*signing_in, *members[::20]]:
        assert login(user.email, DEMO_PASSWORD).status_code == 302, user.email
        assert client.get("/").status_code == 200, user.email
        client.post("/logout")
    listing = runner.invoke(args=["demo-accounts"])
    assert "manager.lingen@demo.example" in listing.output
    assert f"{DEMO_PASSWORD}  (from TRACKER_DEMO_PASSWORD)" in listing.output


def test_seed_demo_generates_and_keeps_a_password_when_none_is_given(
    runner, app, tmp_path, login, client
):
    result = seed(runner)
    password_file = tmp_path / "demo_password.txt"
    password = password_file.read_text().strip()
    assert len(password) >= 16 and password in result.output
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert login("admin@demo.example", password).status_code == 302
    assert f"{password}  (generated" in runner.invoke(args=["demo-accounts"]).output


def test_seed_demo_refuses_a_password_that_breaks_the_policy(runner):
    result = runner.invoke(args=["seed-demo", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert count(Organization) == 0


def test_seed_demo_refuses_a_database_with_data_unless_forced(runner):
    factories.make_org("Existing Org")
    refused = runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD])
    assert refused.exit_code == 1
    assert "not empty" in refused.output and "--force" in refused.output
    assert (count(Organization), count(Site), count(User)) == (1, 0, 0)

    skipped = runner.invoke(args=["seed-demo", "--password", DEMO_PASSWORD, "--if-empty"])
    assert skipped.exit_code == 0
    assert "database already has data; not seeding" in skipped.output
    assert (count(Organization), count(Site), count(User)) == (1, 0, 0)

    seed(runner, "--password", DEMO_PASSWORD, "--force")
    names = set(db.session.scalars(sa.select(Organization.name)))
    assert "Existing Org" not in names and "Krone Group" in names
    assert count(Organization) == len(data.ORGANIZATIONS) + len(QUIET_ORGANIZATIONS)


def test_seed_demo_if_empty_seeds_an_empty_database(runner):
    result = seed(runner, "--password", DEMO_PASSWORD, "--if-empty")
    assert "not seeding" not in result.output
    assert count(Project) == len(data.PROJECTS)


def test_create_user_makes_a_member_who_can_sign_in(runner, login):
    factories.make_org("Krone Group")
    result = runner.invoke(
        args=[
            "create-user",
            "New.Person@Example.org",
            "--role",
            "member",
            "--organization",
            "krone group",
            "--name",
            "New Person",
            "--password",
            factories.PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    assert user.organization.name == "Krone Group" and user.display_name == "New Person"
    assert login("new.person@example.org").status_code == 302


def test_create_user_prompts_for_the_password_of_a_site_manager(runner):
    lingen = factories.make_site("lingen")
    result = runner.invoke(
        args=["create-user", "mgr@example.org", "--role", "site_manager", "--site", "lingen"],
        input=f"{factories.PASSWORD}\n{factories.PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "mgr@example.org"))
    assert user.role == "site_manager" and user.managed_site_ids == {lingen.id}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["taken@example.org", "--role", "admin"], "exists already"),
        (["x@example.org", "--role", "member"], "needs --organization"),
        (["x@example.org", "--role", "member", "--organization", "Nope"], "No organization"),
        (["x@example.org", "--role", "site_manager", "--site", "atlantis"], "Unknown site"),
        (["x@example.org", "--role", "site_manager"], "at least one --site"),
        (["x@example.org", "--role", "admin", "--password", "short"], "at least 12"),
        (["not-an-address", "--role", "admin"], "not an e-mail address"),
    ],
)
def test_create_user_refuses_bad_input(runner, args, message):
    factories.make_user("admin", email="taken@example.org")
    if "--password" not in args:
        args = [*args, "--password", factories.PASSWORD]
    result = runner.invoke(args=["create-user", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert count(User) == 1


def test_create_user_refuses_an_unknown_role(runner):
    result = runner.invoke(args=["create-user", "x@example.org", "--role", "king"])
    assert result.exit_code != 0 and count(User) == 0


def test_create_api_token_prints_a_working_token_on_the_last_line(runner, app):
    user = factories.make_user("member", factories.make_org(), email="api@example.org")
    result = runner.invoke(args=["create-api-token", "API@example.org", "--name", "ci"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token == token.strip() and " " not in token
    db.session.commit()
    with app.test_request_context("/api/v1/projects"):  # a GET, as the API would call it
        assert user_for_token(token).id == user.id


def test_create_api_token_refuses_unknown_and_inactive_users(runner):
    factories.make_user("admin", email="gone@example.org", active=False)
    for email in ("nobody@example.org", "gone@example.org"):
        result = runner.invoke(args=["create-api-token", email])
        assert result.exit_code == 1
        assert "No active user" in result.output


def test_backup_copies_the_sqlite_database(runner, backend, world, tmp_path):
    if backend != "sqlite":
        pytest.skip("SQLite only")
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for table in db.metadata.sorted_tables:
            live = db.session.scalar(sa.select(sa.func.count()).select_from(table))
            copied = copy.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
            assert copied == live, table.name
        assert copy.execute("SELECT count(*) FROM projects").fetchone()[0] == 2
    finally:
        copy.close()

    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 1 and "--force" in again.output
    assert runner.invoke(args=["backup", str(target), "--force"]).exit_code == 0


def test_backup_on_postgresql_points_to_pg_dump(runner, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only")
    target = tmp_path / "backup.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 2
    assert "pg_dump --format=custom" in result.output
    assert "+psycopg" not in result.output.split("pg_dump")[1].splitlines()[0]
    assert not target.exists()


def test_demo_accounts_short_lists_the_named_accounts_the_rest_counted_and_the_real_url(runner):
    seed(runner)
    listing = runner.invoke(
        args=["demo-accounts", "--short", "--url", "http://127.0.0.1:8123/login"]
    ).output
    accounts = [line.split()[0] for line in listing.splitlines() if "@demo.example" in line]
    assert sorted(accounts) == sorted(NAMED_DEMO_ACCOUNTS)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.email.like("%@demo.example"))
    )
    assert f"... and {total - 7} more (flask --app tracker demo-accounts)" in listing
    assert listing.rstrip().endswith("Sign in at http://127.0.0.1:8123/login")
    assert "5000" not in listing
    # Without --short every account is listed, as the README says.
    full = runner.invoke(args=["demo-accounts"]).output
    assert sum("@demo.example" in line for line in full.splitlines()) == total
