"""Generate a benchmark database (sizes S, M, L) into SQLite or PostgreSQL with bulk inserts.

    .venv/bin/python -m bench.generate --size M [--database-url URL] [--reset] [--password PW]

The schema comes from the migrations (as `flask db upgrade`); rows are written with
executemany (SQLite) or COPY (PostgreSQL) in chunks, deterministically from --seed.
"""

import argparse
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from bench.rows import SIZES, Batch, Network, Size, anchor_day
from tracker.models.base import Base

BENCH_DIR = Path(__file__).resolve().parent
# Only for the generated bench.*@bench.example accounts of a throwaway database.
DEFAULT_PASSWORD = "bench-password-2024"  # noqa: S105
CHUNK = 5_000
# Tables written from Batch rows, parents before children.
ORDER = [t.name for t in Base.metadata.sorted_tables]


def default_url(size: str) -> str:
    return f"sqlite:///{BENCH_DIR / 'data' / f'bench-{size}.db'}"


def normalise(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def drop(url: str, create: bool = False) -> None:
    """Delete the SQLite file, or drop (and create again) the PostgreSQL database."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    name = parsed.database or ""
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: only databases named *bench* are reset.")
    import psycopg

    maintenance = parsed.set(drivername="postgresql", database="postgres")
    dsn = maintenance.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def reset(url: str) -> None:
    """Start from nothing (--reset)."""
    drop(url, create=True)


def create_schema(url: str) -> None:
    """Run the migrations, exactly what `flask --app tracker db upgrade` does."""
    from flask_migrate import upgrade

    from tracker import create_app

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-schema-only"})
    with app.app_context():
        upgrade()
        from tracker.extensions import db

        db.engine.dispose()


class Writer:
    """Bulk-writes Batches: COPY on PostgreSQL, executemany in one transaction on SQLite."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, batch: Batch) -> None:
        with self.engine.begin() as conn:
            for name in ORDER:
                rows = batch.tables.get(name)
                if not rows:
                    continue
                self.counts[name] = self.counts.get(name, 0) + len(rows)
                if self.postgres:
                    self._copy(conn, name, rows)
                else:
                    conn.execute(Base.metadata.tables[name].insert(), rows)

    @staticmethod
    def _copy(conn: sa.Connection, name: str, rows: list[dict]) -> None:
        columns = list(rows[0])
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row.values()])

    def finish(self) -> None:
        """Move id sequences past the explicit ids (PostgreSQL), refresh planner statistics and
        (PostgreSQL) the visibility map."""
        with self.engine.begin() as conn:
            if self.postgres:
                for table in Base.metadata.sorted_tables:
                    if "id" in table.c:
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                        )
            else:
                conn.exec_driver_sql("ANALYZE")
        if self.postgres:
            # COPY leaves the visibility map empty, so no index-only scan is possible until
            # autovacuum comes by, as it would long before a live database grew this big.
            autocommit = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            with autocommit as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")


def marking(engine: sa.Engine, on: bool) -> None:
    """PostgreSQL: switch the dashboard's marking triggers (and the network's logging ones)
    off for the bulk load (a row each into dashboard_dirty, for a million rows) and on again;
    the counts are rebuilt at once."""
    if engine.dialect.name != "postgresql":
        return
    from tracker.models.changes import LOGGED_TABLES
    from tracker.models.summary import marked_tables

    with engine.begin() as conn:
        for table in marked_tables():
            conn.exec_driver_sql(
                f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER dashboard_mark"
            )
        for table in LOGGED_TABLES:  # the network drawing's change log: a row each, too
            conn.exec_driver_sql(
                f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER network_log"
            )


def settle_the_network_log(engine: sa.Engine) -> None:
    """One row in the network drawing's change log (SQLite logged every generated row)."""
    from tracker.models.changes import network_changes

    with engine.begin() as conn:
        conn.execute(network_changes.delete())
        conn.execute(network_changes.insert())


def count_for_the_dashboard(engine: sa.Engine) -> int:
    """The dashboard's kept counts of every generated project (what `flask dashboard-rebuild`
    does), so the first request does not fold them all."""
    from tracker.dashboard import kept

    with engine.begin() as conn:
        return kept.rebuild(conn)


def generate(
    url: str, size: Size, seed: int, password: str, echo=print, anchor: datetime | None = None
) -> dict[str, int]:
    """Fill an empty, migrated database; returns the row count per table."""
    from tracker.auth.passwords import hash_password

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        if conn.scalar(sa.text("SELECT count(*) FROM projects")):
            raise SystemExit("The database already holds projects; pass --reset to start over.")
    started = time.monotonic()
    writer = Writer(engine)
    marking(engine, on=False)
    net = Network(size, seed, anchor or anchor_day(), hash_password(password))
    writer.write(net.directory())
    writer.write(net.accounts())
    echo(f"directory and {size.users:,} users written ({time.monotonic() - started:.1f} s)")
    for done, batch in net.projects(CHUNK):
        writer.write(batch)
        echo(f"projects {done:,}/{size.projects:,} ({time.monotonic() - started:.1f} s)")
    writer.write(net.notifications())
    counted = count_for_the_dashboard(engine)
    settle_the_network_log(engine)
    marking(engine, on=True)
    echo(f"dashboard counts kept for {counted:,} projects ({time.monotonic() - started:.1f} s)")
    writer.finish()
    engine.dispose()
    echo(f"done in {time.monotonic() - started:.1f} s")
    return writer.counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--database-url", help="default: DATABASE_URL or bench/data/bench-SIZE.db")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", DEFAULT_PASSWORD))
    parser.add_argument("--reset", action="store_true", help="drop the database first")
    args = parser.parse_args(argv)
    url = normalise(args.database_url or os.environ.get("DATABASE_URL") or default_url(args.size))
    target = urlsplit(url)
    print(f"size {args.size} into {target.scheme}://{target.hostname or ''}{target.path}")
    if args.reset:
        reset(url)
    create_schema(url)
    counts = generate(url, SIZES[args.size], args.seed, args.password)
    width = max(map(len, counts))
    for name in ORDER:
        if name in counts:
            print(f"  {name:<{width}} {counts[name]:>10,}")
    history = counts.get("stage_events", 0) + counts.get("updates", 0)
    print(f"  history (stage events + updates): {history:,}")


if __name__ == "__main__":
    sys.exit(main())
