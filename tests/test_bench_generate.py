"""The benchmark data generator: a tiny network, migrated schema, consistent history."""

import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bench.generate import create_schema, drop, generate, normalise, reset
from bench.rows import Network, Size
from tracker.auth.passwords import verify_password

# The migrations alter tables in SQLite's batch mode, which reflects them first and says it
# skips the expression index on lower(email) (re-created by the migration): as in test_migrations.
pytestmark = pytest.mark.filterwarnings("ignore:.*expression-based index")

TINY = Size("T", projects=60, organizations=12, users=30, history=600)
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TRACKER_TEST_DATABASE_URL") else [])


@pytest.fixture(scope="module", params=BACKENDS)
def tiny_db(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'tiny.db'}"
    else:
        # A throwaway database of our own (COPY path), never the shared test database.
        server = sa.make_url(normalise(os.environ["TRACKER_TEST_DATABASE_URL"]))
        url = server.set(database=f"tracker_bench_test_{os.getpid()}").render_as_string(False)
        reset(url)
        request.addfinalizer(lambda: drop(url))
    create_schema(url)
    counts = generate(url, TINY, seed=7, password="tiny-bench-password", echo=lambda _: None,
                      anchor=ANCHOR)  # fmt: skip
    engine = sa.create_engine(url)
    yield engine, counts
    engine.dispose()


def _rows(engine, sql: str) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).all()


def test_writes_the_requested_size(tiny_db):
    engine, counts = tiny_db
    assert counts["projects"] == 60
    assert counts["organizations"] == 12
    assert counts["users"] == 30
    history = counts["stage_events"] + counts["updates"]
    assert 450 <= history <= 750
    assert _rows(engine, "SELECT count(*) FROM projects") == [(60,)]


def test_every_project_has_one_lead_and_its_history_ends_in_its_stage_and_status(tiny_db):
    engine, _ = tiny_db
    leads = _rows(
        engine,
        "SELECT p.id, count(pa.id) FROM projects p LEFT JOIN participations pa "
        "ON pa.project_id = p.id AND pa.role = 'lead' GROUP BY p.id",
    )
    assert {n for _, n in leads} == {1}
    mismatched = _rows(
        engine,
        "SELECT p.id FROM projects p JOIN stage_events e ON e.project_id = p.id "
        "WHERE e.id = (SELECT max(id) FROM stage_events WHERE project_id = p.id) "
        "AND (e.to_stage <> p.stage OR e.to_status <> p.status)",
    )
    assert mismatched == []
    first = _rows(
        engine,
        "SELECT count(*) FROM stage_events WHERE from_stage IS NULL AND to_stage = 'develop'",
    )
    assert first == [(60,)]


def test_stages_advance_only_through_decided_gates(tiny_db):
    engine, _ = tiny_db
    advances = _rows(
        engine,
        "SELECT e.gate_review_id, g.decision FROM stage_events e "
        "LEFT JOIN gate_reviews g ON g.id = e.gate_review_id "
        "WHERE e.from_stage IS NOT NULL AND e.from_stage <> e.to_stage",
    )
    assert advances
    assert all(review is not None and decision == "go" for review, decision in advances)
    market = _rows(engine, "SELECT count(*) FROM projects WHERE stage = 'market' "
                           "AND launched_on IS NULL")  # fmt: skip
    assert market == [(0,)]


def test_bench_accounts_sign_in_with_the_given_password(tiny_db):
    engine, _ = tiny_db
    ((role, password_hash, site),) = _rows(
        engine,
        "SELECT u.role, u.password_hash, s.slug FROM users u "
        "JOIN site_managers m ON m.user_id = u.id JOIN sites s ON s.id = m.site_id "
        "WHERE u.email = 'bench.manager@bench.example'",
    )
    assert (role, site) == ("site_manager", "lingen")
    assert verify_password(password_hash, "tiny-bench-password")
    assert not verify_password(password_hash, "another-password-entirely")


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not():
    def project_rows(seed: int) -> list[dict]:
        net = Network(TINY, seed, ANCHOR, "hash")
        net.directory()
        net.accounts()
        return [row for _, batch in net.projects(25) for row in batch.tables["projects"]]

    assert project_rows(3) == project_rows(3)
    assert project_rows(3) != project_rows(4)
