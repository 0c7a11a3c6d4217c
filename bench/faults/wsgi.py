"""Fault-only entry point (gunicorn bench.faults.wsgi:app): the bench app whose SQLite
connections may not grow the database past the page count in $FAULTS_PAGE_LIMIT_FILE.

Only the out-of-space scenario serves it, and only where no small file system can be mounted;
the app itself never limits its database.
"""

import os
from pathlib import Path

import sqlalchemy as sa

from bench.wsgi_bench import bench_app
from tracker.extensions import db

app = bench_app()
LIMIT_FILE = Path(os.environ.get("FAULTS_PAGE_LIMIT_FILE", "/nonexistent"))

with app.app_context():

    @sa.event.listens_for(db.engine, "checkout")
    def page_limit(dbapi_connection, _record, _proxy):
        # Read at every checkout, so the test can take space away and give it back.
        limit = LIMIT_FILE.read_text().strip() if LIMIT_FILE.exists() else ""
        pages = int(limit) if limit.isdigit() else 2_147_483_646
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")
