"""`flask db upgrade` builds the models' schema on empty SQLite and PostgreSQL databases."""

import logging
import os
import secrets

import flask_migrate
import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy.engine import make_url

from tracker.extensions import db
from tracker.models import Organization, User

PG_URL = os.environ.get("TRACKER_TEST_DATABASE_URL")

pytestmark = [
    # migrations/env.py (the Flask-Migrate template) still calls the deprecated get_engine().
    pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning"),
    # SQLite cannot reflect the lower(email) / lower(name) indexes (SQLAlchemy and Alembic
    # both warn); they are checked below.
    pytest.mark.filterwarnings("ignore:.*expression-based index"),
]


@pytest.fixture(autouse=True)
def _keep_logging():
    """Alembic's env.py runs logging.config.fileConfig, which disables every existing logger."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    loggers = {
        name: (logger.disabled, logger.level)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    for name, (disabled, logger_level) in loggers.items():
        logging.getLogger(name).disabled = disabled
        logging.getLogger(name).setLevel(logger_level)
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def empty_postgres_database():
    """A uniquely named database of our own, created empty and dropped afterwards."""
    if not PG_URL:
        pytest.skip("set TRACKER_TEST_DATABASE_URL to migrate a PostgreSQL database")
    base = make_url(PG_URL)
    name = f"tracker_mig_{secrets.token_hex(6)}"
    maintenance = base.set(drivername="postgresql", database="postgres")
    conninfo = maintenance.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield base.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("empty_postgres_database")
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def migrated_app(fresh_app, empty_database_url):
    app = fresh_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return app


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_there_is_one_migration_head(fresh_app):
    """Two helpers adding migrations from the same parent would leave two heads."""
    app = fresh_app()
    with app.app_context():
        migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(directory=migrate.directory)
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_creates_every_table_of_the_models(migrated_app):
    with migrated_app.app_context():
        assert table_names() == set(db.metadata.tables) | {"alembic_version"}


def test_the_migrated_schema_matches_the_models(migrated_app):
    with migrated_app.app_context():
        assert schema_differences() == []


def test_the_migrated_schema_has_the_case_insensitive_indexes(migrated_app):
    with migrated_app.app_context():
        indexes = {
            index["name"]
            for table in ("users", "organizations")
            for index in sa.inspect(db.engine).get_indexes(table)
        }
        if db.engine.dialect.name == "sqlite":  # expression indexes are not reflected there
            indexes = set(
                db.session.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'index'"))
            )
        assert {"uq_users_email_lower", "uq_organizations_name_lower"} <= indexes


def test_the_same_email_in_other_letter_case_is_refused(migrated_app):
    with migrated_app.app_context():
        db.session.add(User(email="a@x.org", display_name="A", role="admin"))
        db.session.commit()
        db.session.add(User(email="A@x.org", display_name="A again", role="admin"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_same_organization_name_in_other_letter_case_is_refused(migrated_app):
    with migrated_app.app_context():
        db.session.add(Organization(name="Krone Group", kind="member_company", country="DE"))
        db.session.commit()
        db.session.add(Organization(name="KRONE group", kind="partner", country="DE"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_downgrade_to_base_and_upgrade_again(migrated_app):
    with migrated_app.app_context():
        flask_migrate.downgrade(revision="base")
        assert table_names() <= {"alembic_version"}
        flask_migrate.upgrade()
        assert table_names() == set(db.metadata.tables) | {"alembic_version"}
        assert schema_differences() == []


def test_the_second_wave_downgrades_and_upgrades_again_with_the_demo_in_it(
    migrated_app, monkeypatch
):
    """Before: a3d19f6b2c71's downgrade rebuilt `sites` in SQLite batch mode and failed on the
    projects that refer to it (an empty database did not show it)."""
    monkeypatch.setenv("TRACKER_DEMO_PASSWORD", "demo-password-for-migrations")
    result = migrated_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with migrated_app.app_context():
        before = {name: _rows(name) for name in ("projects", "users", "sites", "organizations")}
        assert before["projects"] > 50
        flask_migrate.downgrade(revision=FIRST_WAVE_HEAD)
        assert {name: _rows(name) for name in before} == before
        flask_migrate.upgrade()
        assert {name: _rows(name) for name in before} == before
        assert schema_differences() == []


FIRST_WAVE_HEAD = "3f0a9c2d7b41"  # the head before the second wave's migrations


def _rows(table: str) -> int:
    """A count that leaves no transaction open (PostgreSQL's ALTER TABLE would wait for it)."""
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))


@pytest.fixture
def unmigrated_app(fresh_app, empty_database_url):
    return fresh_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})


def column_names(table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(db.engine).get_columns(table)}


def test_organization_versions_start_at_one_for_existing_rows(unmigrated_app):
    with unmigrated_app.app_context():
        flask_migrate.upgrade(revision="ef83efe48740")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO organizations (name, kind, country, city, website, "
                    "description, created_at) VALUES ('Krone Group', 'member_company', 'DE', "
                    "'', '', '', CURRENT_TIMESTAMP)"
                )
            )
        flask_migrate.upgrade(revision="c08305a884ce")
        with db.engine.connect() as connection:
            versions = connection.execute(sa.text("SELECT version FROM organizations")).all()
        assert versions == [(1,)]

        flask_migrate.downgrade(revision="ef83efe48740")
        db.engine.dispose()  # the inspector must not see cached columns
        assert "version" not in column_names("organizations")
        with db.engine.connect() as connection:
            names = connection.execute(sa.text("SELECT name FROM organizations")).scalars().all()
        assert names == ["Krone Group"]


def test_two_factor_secrets_are_encrypted_by_the_upgrade_and_decrypted_by_the_downgrade(
    unmigrated_app,
):
    from tracker.auth.two_factor_crypto import reveal

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with unmigrated_app.app_context():
        flask_migrate.upgrade(revision="20471800dca2")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, email, display_name, role, active, failed_logins, "
                    "session_version, created_at, totp_secret) VALUES (7, 'a@x.org', 'A', "
                    "'admin', true, 0, 1, CURRENT_TIMESTAMP, :secret), (8, 'b@x.org', 'B', "
                    "'admin', true, 0, 1, CURRENT_TIMESTAMP, NULL)"
                ),
                {"secret": secret},
            )
        select = sa.text("SELECT id, totp_secret FROM users ORDER BY id")

        flask_migrate.upgrade(revision="3f0a9c2d7b41")
        with db.engine.connect() as connection:
            (_, stored), (_, empty) = connection.execute(select).all()
        assert secret not in stored and len(stored) == 64 and empty is None
        assert reveal(7, stored) == secret  # the application reads what the migration wrote

        flask_migrate.downgrade(revision="20471800dca2")
        with db.engine.connect() as connection:
            assert connection.execute(select).all() == [(7, secret), (8, None)]


def test_the_downgrade_refuses_secrets_it_cannot_decrypt_and_changes_nothing(unmigrated_app, capfd):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with unmigrated_app.app_context():
        flask_migrate.upgrade(revision="20471800dca2")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO users (id, email, display_name, role, active, failed_logins, "
                    "session_version, created_at, totp_secret) VALUES (7, 'a@x.org', 'A', "
                    "'admin', true, 0, 1, CURRENT_TIMESTAMP, :secret)"
                ),
                {"secret": secret},
            )
        flask_migrate.upgrade(revision="3f0a9c2d7b41")
        query = sa.text("SELECT totp_secret FROM users")
        with db.engine.connect() as connection:
            stored = connection.execute(query).scalar_one()
        unmigrated_app.config["SECRET_KEY"] = "another key"
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error, then exits
            flask_migrate.downgrade(revision="20471800dca2")
        assert "does not decrypt with this SECRET_KEY" in capfd.readouterr().err
        with db.engine.connect() as connection:
            assert connection.execute(query).scalar_one() == stored


def test_patrons_lose_their_organization_in_the_upgrade(unmigrated_app):
    """Design §11: a patron account has no organization; earlier versions allowed one."""
    with unmigrated_app.app_context():
        flask_migrate.upgrade(revision="f3a9d6b2c8e1")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO organizations (name, kind, country, city, website, description, "
                    "created_at, version) VALUES ('Krone Group', 'member_company', 'DE', '', '', "
                    "'', CURRENT_TIMESTAMP, 1)"
                )
            )
            for email, role in (("p@example.org", "patron"), ("m@example.org", "member")):
                connection.execute(
                    sa.text(
                        "INSERT INTO users (email, display_name, role, organization_id, active, "
                        "failed_logins, session_version, created_at) VALUES (:email, 'X', :role, "
                        "(SELECT id FROM organizations), true, 0, 1, CURRENT_TIMESTAMP)"
                    ),
                    {"email": email, "role": role},
                )
        flask_migrate.upgrade(revision="c14b7e2a9f50")
        with db.engine.connect() as connection:
            result = connection.execute(sa.text("SELECT role, organization_id FROM users"))
            rows = dict(result.all())
        assert rows["patron"] is None and rows["member"] is not None
        flask_migrate.downgrade(revision="f3a9d6b2c8e1")
