"""Rate-limit counters in a small SQLite file every worker process on the machine shares.

Without Redis the counters lived in each gunicorn worker's memory, so a token's documented
600 requests per minute became 600 per worker. This store (URI
`trackerfile:///<absolute path>`) keeps fixed-window counters in one file: each increment is
one short IMMEDIATE transaction, atomic across processes. Several machines need Redis
(`REDIS_URL`), which the app then uses instead.
"""

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

SCHEME = "trackerfile"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters ("
    " key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)"
)


def uri_for(path: str | Path) -> str:
    return f"{SCHEME}://{Path(path).resolve()}"


class FileStorage(Storage):
    """Fixed-window counters (flask-limiter's default strategy) in a shared SQLite file."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.removeprefix(f"{SCHEME}://")
        self._local = threading.local()
        with self._connection() as connection:
            connection.execute(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and process: a connection must not cross a fork (gunicorn
        # may create the app before forking its workers).
        pid, connection = getattr(self._local, "connection", (None, None))
        if connection is None or pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = (os.getpid(), connection)
        return _Transaction(connection)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self._connection() as connection:
            connection.execute("DELETE FROM counters WHERE key = ? AND expires_at <= ?", (key, now))
            connection.execute(
                "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                (key, amount, now + expiry),
            )
            row = connection.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()
            if int(now) % 60 == 0:  # now and then, forget long expired windows
                connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now - 3600,))
        return int(row[0])

    def _row(self, key: str) -> tuple[int, float] | None:
        with self._connection() as connection:
            row = connection.execute(
                "SELECT value, expires_at FROM counters WHERE key = ? AND expires_at > ?",
                (key, time.time()),
            ).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            with self._connection() as connection:
                connection.execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._connection() as connection:
            return connection.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        with self._connection() as connection:
            connection.execute("DELETE FROM counters WHERE key = ?", (key,))


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error) around a block."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind, _value, _traceback) -> None:
        self.connection.execute("ROLLBACK" if kind else "COMMIT")
