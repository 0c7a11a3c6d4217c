"""Per page, in-process: fastest of N renders, its SQL time and slowest statement.

    .venv/bin/python -m bench.profile --database-url URL [--repeat 5]

No HTTP and no other clients: the minimum of several runs shows what a page costs by itself,
which a busy machine hides in bench.run's medians. For S-to-L growth and for finding causes.
"""

import argparse
import os
import secrets
import time

import sqlalchemy as sa

from bench.generate import DEFAULT_PASSWORD, normalise
from bench.run import MANAGER


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", DEFAULT_PASSWORD))
    parser.add_argument("paths", nargs="*", default=["/board", "/board?site=lingen", "/projects",
                                                     "/dashboard"])  # fmt: skip
    args = parser.parse_args(argv)
    os.environ.update(DATABASE_URL=normalise(args.database_url), SECRET_KEY=secrets.token_hex(16))
    from bench.wsgi_bench import app
    from tracker.extensions import db

    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    client.post("/login", data={"email": MANAGER, "password": args.password})
    timings: list[list] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        timings.append([" ".join(statement.split())[:90], time.perf_counter()])

    def after(conn, cursor, statement, parameters, context, executemany):
        timings[-1][1] = time.perf_counter() - timings[-1][1]

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
    print("| page | fastest ms | of which SQL ms | slowest statement |")
    print("|---|---:|---:|---|")
    for path in args.paths:
        best = None
        for _ in range(args.repeat):
            timings.clear()
            started = time.perf_counter()
            client.get(path)
            total = time.perf_counter() - started
            if best is None or total < best[0]:
                best = (total, sum(t for _, t in timings), max(timings, key=lambda t: t[1]))
        total, sql, (statement, slowest) = best
        print(f"| `{path}` | {total * 1000:.0f} | {sql * 1000:.0f} | "
              f"{slowest * 1000:.0f} ms: `{statement}…` |")  # fmt: skip


if __name__ == "__main__":
    main()
