"""A log of writes to what the network drawing shows, for the drawing's data stamp (issue 21).

The network drawing (tracker.matchmaking.network) is cached under a stamp of what it depends
on. Counting projects, participations and project themes for that stamp read every row of
them on every request (38 ms of 46 at 100,000 projects). Instead a database trigger adds a row
to network_changes for every row written to those tables (in the writing statement itself:
ORM, Core, cascades, other processes; on SQLite and PostgreSQL), and the stamp reads the count
and the highest id of this short log: two index look-ups and a count of a few rows. The small
tables the drawing shows (organizations, their sites, the sites) log their writes too: counting
them and summing versions missed an organization moving from one site to another in one
statement, and a site's new name.

Why the count too: on PostgreSQL ids are handed out before commit, so a transaction holding a
lower id may commit after one with a higher id; the count changes when it does. The worker
prunes the log (tracker.matchmaking.network.prune_changes): it deletes the rows and adds one,
whose id is higher than any before, so no earlier stamp comes back.
"""

import sqlalchemy as sa

from tracker.models.base import Base

network_changes = sa.Table(
    "network_changes",
    Base.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sqlite_autoincrement=True,  # ids never reused, even after a prune
)

LOGGED_TABLES = (
    "projects",
    "participations",
    "project_themes",
    "organizations",
    "organization_sites",
    "sites",
)
_SQLITE_LOG = "INSERT INTO network_changes (id) VALUES (NULL);"  # no DEFAULT VALUES in a trigger


def trigger_statements(dialect: str) -> list[str]:
    """CREATE statements of the logging triggers (and PostgreSQL's trigger function)."""
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION network_log_change() RETURNS trigger LANGUAGE plpgsql "
            "AS $$BEGIN INSERT INTO network_changes DEFAULT VALUES; RETURN NULL; END$$",
            *(
                f"CREATE OR REPLACE TRIGGER network_log AFTER INSERT OR UPDATE OR DELETE ON "
                f"{table} FOR EACH ROW EXECUTE FUNCTION network_log_change()"
                for table in LOGGED_TABLES
            ),
        ]
    return [
        f"CREATE TRIGGER IF NOT EXISTS network_log_{table}_{event.lower()} AFTER {event} "
        f"ON {table} BEGIN {_SQLITE_LOG} END"
        for table in LOGGED_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def drop_trigger_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS network_log ON {table}" for table in LOGGED_TABLES] + [
            "DROP FUNCTION IF EXISTS network_log_change()"
        ]
    return [
        f"DROP TRIGGER IF EXISTS network_log_{table}_{event.lower()}"
        for table in LOGGED_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


@sa.event.listens_for(Base.metadata, "after_create")
def _create_triggers(target, connection, **kw) -> None:
    """create_all (tests, `flask init-db`) makes the triggers as the migration does."""
    for statement in trigger_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
