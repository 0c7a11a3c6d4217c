"""Lighthouse on every main page, served as `make run` serves it (`make lighthouse`).

gunicorn (wsgi:app, the Procfile's options) on a free port over a fresh SQLite database with
the demo data; each role signs in through the real form and Lighthouse (mobile preset, the
default) gets the session cookie as an extra header. Reports (JSON and HTML) and a summary go
to test-artifacts/lighthouse/. Targets (issue 19 item 7): performance >= 90, accessibility,
best practices and SEO 100; exit 1 when a page misses one.

    python -m bench.lighthouse [--lighthouse PATH] [--root CHECKOUT] [--only NAME ...]
"""

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from bench.server import csrf_token

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "test-artifacts" / "lighthouse"
PASSWORD = "lighthouse-demo-password"  # noqa: S105  (a throw-away local database)
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
CATEGORIES = tuple(TARGETS)
CHROME_FLAGS = "--headless=new --no-sandbox"

# (name, demo account or None for signed out, path; "{project}" is the member's first project)
PAGES = (
    ("login", None, "/login"),
    ("home-member", "member.krone@demo.example", "/"),
    ("home-site-manager", "manager.lingen@demo.example", "/"),
    ("home-admin", "admin@demo.example", "/"),
    ("home-patron", "patron@demo.example", "/"),
    ("board", "manager.lingen@demo.example", "/board"),
    ("projects", "member.krone@demo.example", "/projects"),
    ("project", "member.krone@demo.example", "{project}"),
    ("dashboard", "admin@demo.example", "/dashboard"),
    ("reviews", "manager.lingen@demo.example", "/reviews"),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(root: Path) -> dict[str, str]:
    data = OUT / "data"
    data.mkdir(parents=True, exist_ok=True)
    return dict(
        os.environ,
        FLASK_APP="tracker",
        DATABASE_URL=f"sqlite:///{data / 'tracker.db'}",
        TRACKER_INSTANCE_PATH=str(data / "instance"),
        SECRET_KEY=secrets.token_hex(32),
        TRACKER_LOGIN_LIMIT="1000 per minute",
        PYTHONPATH=str(root),
    )


def prepare(root: Path, env: dict[str, str]) -> None:
    """A fresh database with the demo data (as `make run` seeds it)."""
    (OUT / "data" / "tracker.db").unlink(missing_ok=True)
    for command in (["db", "upgrade"], ["seed-demo", "--password", PASSWORD]):
        subprocess.run(
            [str(BIN / "flask"), *command], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL
        )


@contextmanager
def serving(root: Path, env: dict[str, str]):
    """gunicorn as the Procfile starts it; yields the base URL."""
    port = free_port()
    log = open(OUT / "gunicorn.log", "w")  # noqa: SIM115  (closed below)
    command = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "wsgi:app",
    ]
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {OUT / 'gunicorn.log'}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def session_cookie(base: str, email: str) -> tuple[str, requests.Session]:
    session = requests.Session()
    token = csrf_token(session.get(f"{base}/login", timeout=30).text)
    reply = session.post(
        f"{base}/login",
        allow_redirects=False,
        timeout=30,
        data={"email": email, "password": PASSWORD, "csrf_token": token},
    )
    if reply.status_code != 302:
        raise SystemExit(f"sign-in as {email} failed ({reply.status_code})")
    return f"session={session.cookies['session']}", session


def first_project(base: str, session: requests.Session) -> str:
    page = session.get(f"{base}/projects", timeout=30).text
    return re.search(r'href="(/projects/\d+)"', page).group(1)


def run_lighthouse(lighthouse: str, url: str, name: str, cookie: str | None) -> dict:
    command = [
        lighthouse,
        url,
        "--quiet",
        "--output=json",
        "--output=html",
        f"--output-path={OUT / name}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    if subprocess.run(command, env=env).returncode:  # Chromium may fail to start on a busy machine
        time.sleep(5)
        subprocess.run(command, check=True, env=env)
    report = json.loads((OUT / f"{name}.report.json").read_text())
    if report.get("runtimeError"):
        raise SystemExit(f"{name}: {report['runtimeError']}")
    scores = {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}
    audits = report["audits"]
    scores["fcp_s"] = round(audits["first-contentful-paint"]["numericValue"] / 1000, 1)
    scores["lcp_s"] = round(audits["largest-contentful-paint"]["numericValue"] / 1000, 1)
    scores["kib"] = round(audits["total-byte-weight"]["numericValue"] / 1024)
    scores["failed"] = sorted(
        key
        for category in CATEGORIES[1:]
        for ref in report["categories"][category]["auditRefs"]
        if ref["weight"] and (audits[key := ref["id"]]["score"] or 0) < 1
    )
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE", "lighthouse"))
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--only", nargs="*", help="page names (default: all)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    root = args.root.resolve()
    env = environment(root)
    prepare(root, env)
    results = {}
    with serving(root, env) as base:
        sessions = {}
        for name, email, path in PAGES:
            if args.only and name not in args.only:
                continue
            if email and email not in sessions:
                sessions[email] = session_cookie(base, email)
            cookie, session = sessions.get(email, (None, None))
            if path == "{project}":
                path = first_project(base, session)
            results[name] = run_lighthouse(args.lighthouse, base + path, name, cookie)
            print(name, path, results[name], flush=True)
    return report(results)


def report(results: dict) -> int:
    lines = [
        "| page | performance | accessibility | best practices | SEO | FCP s | LCP s | KiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    misses = []
    for name, s in results.items():
        lines.append(
            f"| {name} | {s['performance']} | {s['accessibility']} | "
            f"{s['best-practices']} | {s['seo']} | {s['fcp_s']} | {s['lcp_s']} | "
            f"{s['kib']} |"
        )
        misses += [
            f"{name}: {key} {s[key]} < {goal}" for key, goal in TARGETS.items() if s[key] < goal
        ]
        misses += [f"{name}: failing audit {audit}" for audit in s["failed"]]
    summary = "\n".join(lines)
    (OUT / "summary.md").write_text(summary + "\n")
    (OUT / "summary.json").write_text(json.dumps(results, indent=1) + "\n")
    print(summary)
    print("\n".join(misses) if misses else "PASS: every page meets the targets")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
