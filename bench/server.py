"""Shared by run.py and load.py: a gunicorn on 127.0.0.1, an API token, signed-in sessions."""

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def server_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        TRACKER_INSTANCE_PATH=str(ROOT / "bench" / "data" / "instance"),
        # The bench signs in many sessions and calls the API far above the per-token limit.
        TRACKER_API_LIMIT="1000000 per minute",
        TRACKER_LOGIN_LIMIT="100000 per 15 minutes",
    )
    return env


def api_token(url: str, email: str) -> str:
    """A fresh token through the real CLI (`flask --app tracker create-api-token`)."""
    out = subprocess.run(
        [str(BIN / "flask"), "--app", "tracker", "create-api-token", email, "--name", "bench"],
        cwd=ROOT,
        env=server_env(url),
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"create-api-token failed:\n{out.stderr[-2000:]}")
    return out.stdout.strip().splitlines()[-1]


@contextmanager
def gunicorn(url: str, port: int, workers: int, log: Path, threads: int = 1):
    """Serve bench.wsgi_bench:app on 127.0.0.1:port until the block ends."""
    log.parent.mkdir(parents=True, exist_ok=True)
    options = [
        "--workers", str(workers),
        "--threads", str(threads),
        "--timeout", "120",
        "--error-logfile", str(log),
        "--capture-output",
        "bench.wsgi_bench:app",
    ]  # fmt: skip
    with running(url, port, options) as (_, base):
        yield base


@contextmanager
def running(url: str, port: int, options: list[str], env: dict[str, str] | None = None):
    """gunicorn with these options (and env over server_env) bound to 127.0.0.1:port; yields
    (master process, base URL) once it answers, and stops it when the block ends."""
    command = [str(BIN / "gunicorn"), "--bind", f"{HOST}:{port}", *options]
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(url) | (env or {}))
    base = f"http://{HOST}:{port}"
    try:
        _wait_until_up(base, process)
        yield process, base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def answers(url: str, timeout: float = 2) -> bool:
    """A GET of url replies 200."""
    return requests.get(url, timeout=timeout).status_code == 200


def wait_until(ready: Callable[[], bool], seconds: float) -> bool:
    """Asks ready() every 0.2 s until it is true (True) or seconds have passed (False). A refused
    connection (still binding, workers still booting) counts as not ready."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ready():
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    def ready() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see the log.")
        return answers(f"{base}/bench/bare")

    if not wait_until(ready, 60):
        raise SystemExit("gunicorn did not answer within 60 s.")


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no csrf_token in the page")
    return match.group(1)


def sign_in(base: str, email: str, password: str, session=None) -> tuple[requests.Session, str]:
    """A session signed in through the real form, and its CSRF token (valid for every form).
    session: one to sign in (anything with requests' get/post, e.g. a Flask test client's
    wrapper), else a new requests.Session."""
    session = session or requests.Session()
    token = csrf_token(session.get(f"{base}/login", timeout=30).content.decode())
    reply = session.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    if reply.status_code != 302:
        raise SystemExit(f"sign-in as {email} failed ({reply.status_code}); wrong --password?")
    page = session.get(f"{base}/projects", timeout=30)
    return session, csrf_token(page.content.decode())


def clone(session: requests.Session) -> requests.Session:
    """Another connection with the same cookies (requests sessions are not thread-safe)."""
    copy = requests.Session()
    copy.cookies.update(session.cookies)
    copy.headers.update(session.headers)
    return copy
