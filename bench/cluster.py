"""The production topology on this machine: nginx, two gunicorn instances and a worker on
PostgreSQL and Redis; the load test through nginx, one instance killed mid-run.

    .venv/bin/python -m bench.cluster [--database-url URL] [--users 100] [--duration 60]

Checks, each PASS or FAIL (exit 1 on any FAIL):
- sessions: a session signed in on one instance is valid on the other (same SECRET_KEY,
  session validity in the database);
- rate limits: failed sign-ins from one client address sent alternately to both instances
  are refused (429) once their sum passes the limit (counters in Redis, not per process);
- static: /static/ comes from nginx, gzip-compressed;
- load: 5xx only for requests in flight when the instance was killed; nothing confirmed lost
  (bench.checks, as for `make load`); the worker ran beside the instances.
Everything binds to 127.0.0.1 and stops by itself.
"""

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests
import sqlalchemy as sa

from bench import checks, load
from bench.generate import DEFAULT_PASSWORD, normalise
from bench.server import BIN, HOST, ROOT, answers, csrf_token, server_env, sign_in, wait_until

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_cluster"
REDIS = "redis://127.0.0.1:6379/7"  # a database of its own, emptied before the run
WORK = ROOT / "bench" / "data" / "cluster"
LOGIN_LIMIT = 20  # failed sign-ins per address per 15 minutes, for the shared-limit check
NGINX_PORT, INSTANCE_PORTS = 8790, (8791, 8792)
# A 5xx counts as "in flight at the kill" when the request was sent before the kill and its
# answer came after it; the slack covers clock reads on both sides.
SLACK = 0.05


class ClusterLedger(load.Ledger):
    """Keeps when each 5xx was sent and answered, so those in flight at the kill are told apart."""

    def __init__(self):
        super().__init__()
        self.server_errors: list[tuple[float, float, str]] = []

    def reply(self, kind: str, response: requests.Response) -> None:
        answered = time.monotonic()
        with self.lock:
            self.statuses[response.status_code] += 1
            self.operations[f"{kind} {response.status_code}"] += 1
            if response.status_code >= 500:
                sent = answered - response.elapsed.total_seconds()
                self.server_errors.append((sent, answered, f"{kind} {response.request.url}"))


def cluster_env(url: str, secret: str) -> dict[str, str]:
    env = server_env(url)
    env.update(
        SECRET_KEY=secret,
        REDIS_URL=REDIS,
        TRACKER_PROXY_FIX="1",
        TRACKER_LOGIN_LIMIT=f"{LOGIN_LIMIT} per 15 minutes",
        TRACKER_INSTANCE_PATH=str(WORK / "instance"),
    )
    return env


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path):
    """A process in a session of its own (so a kill reaches its children), stopped at the end."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def instance(port: int, env: dict[str, str], workers: int, threads: int):
    command = [
        str(BIN / "gunicorn"), "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--timeout", "120",
        "wsgi:app",
    ]  # fmt: skip
    return process(command, env, WORK / f"instance-{port}.log")


def nginx_config() -> Path:
    """deploy/nginx.conf with this run's ports and paths, inside a main file of our own."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    lines = []
    for line in site.splitlines():
        if "# cluster: instance 1" in line:
            line = line.replace("127.0.0.1:8001", f"{HOST}:{INSTANCE_PORTS[0]}")
        elif "# cluster: instance 2" in line:
            line = line.replace("127.0.0.1:8002", f"{HOST}:{INSTANCE_PORTS[1]}")
        elif "# cluster: listen" in line:
            line = f"    listen {HOST}:{NGINX_PORT};"
        elif "# cluster: static" in line:
            line = f"        alias {ROOT / 'static'}/;"
        elif "# cluster: access log" in line:
            line = f"    access_log {WORK / 'nginx-access.log'} tracker_redacted;"
        lines.append(line)
    (WORK / "tracker.conf").write_text("\n".join(lines) + "\n")
    main = f"""
worker_processes 2;
pid {WORK / "nginx.pid"};
error_log {WORK / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log {WORK / "nginx-access.log"};
    client_body_temp_path {WORK / "tmp-body"};
    proxy_temp_path {WORK / "tmp-proxy"};
    fastcgi_temp_path {WORK / "tmp-fastcgi"};
    uwsgi_temp_path {WORK / "tmp-uwsgi"};
    scgi_temp_path {WORK / "tmp-scgi"};
    include {WORK / "tracker.conf"};
}}
"""
    path = WORK / "nginx-main.conf"
    path.write_text(main)
    return path


def nginx(env: dict[str, str]):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    config = nginx_config()
    test = subprocess.run([binary, "-t", "-c", str(config)], capture_output=True, text=True)
    if test.returncode:
        raise SystemExit(f"nginx refused the configuration:\n{test.stderr}")
    return process([binary, "-c", str(config), "-g", "daemon off;"], env, WORK / "nginx.log")


def wait_healthy(base: str, seconds: float = 60) -> None:
    if not wait_until(lambda: answers(f"{base}/healthz"), seconds):
        raise SystemExit(f"{base} did not answer /healthz within {seconds:.0f} s")


def check_sessions(bases: list[str], password: str) -> list[str]:
    """Signed in on each instance, the same cookie opens a page on every other one."""
    problems = []
    for i, base in enumerate(bases):
        session, _ = sign_in(base, load.MANAGER, password)
        for other in bases[:i] + bases[i + 1 :]:
            reply = requests.get(
                f"{other}/projects", cookies=session.cookies, allow_redirects=False, timeout=30
            )
            if reply.status_code != 200:
                problems.append(f"session from {base} answered {reply.status_code} on {other}")
    return problems


def check_rate_limit(bases: list[str]) -> list[str]:
    """LOGIN_LIMIT + 2 failures from one address, alternating instances: the last ones are 429."""
    address = "198.51.100.23"  # documentation range; TRACKER_PROXY_FIX=1 trusts this header
    codes = []
    for n in range(LOGIN_LIMIT + 2):
        base = bases[n % len(bases)]
        session = requests.Session()
        page = session.get(f"{base}/login", headers={"X-Forwarded-For": address}, timeout=30)
        token = csrf_token(page.text) if page.status_code == 200 else ""
        reply = session.post(
            f"{base}/login",
            data={
                "email": "nobody@cluster.example",
                "password": "wrong-password-1",
                "csrf_token": token,
            },
            headers={"X-Forwarded-For": address},
            allow_redirects=False,
            timeout=30,
        )
        codes.append(reply.status_code)
    refused = codes.count(429)
    print(f"rate limit: {len(codes)} failed sign-ins over {len(bases)} instances -> {codes}")
    if refused == 0 or 429 in codes[:LOGIN_LIMIT]:
        return [f"login limit of {LOGIN_LIMIT} not shared across instances: {codes}"]
    return []


def check_static(base: str) -> list[str]:
    reply = requests.get(
        f"{base}/static/css/tracker.css", headers={"Accept-Encoding": "gzip"}, timeout=10
    )
    problems = []
    if reply.status_code != 200:
        problems.append(f"/static/css/tracker.css answered {reply.status_code} through nginx")
    if reply.headers.get("Content-Encoding") != "gzip":
        problems.append("static CSS through nginx is not gzip-compressed")
    page = requests.get(f"{base}/login", headers={"Accept-Encoding": "gzip"}, timeout=10)
    if page.headers.get("Content-Encoding") != "gzip":
        problems.append("HTML through nginx is not gzip-compressed")
    return problems


def kill_later(proc: subprocess.Popen, after: float, moment: list[float]) -> threading.Thread:
    def kill() -> None:
        time.sleep(after)
        moment.append(time.monotonic())
        os.killpg(proc.pid, signal.SIGKILL)  # master and workers at once, mid-request
        print(f"killed instance (pid {proc.pid}) at {after:.0f} s", flush=True)

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


def classify(ledger: ClusterLedger, killed_at: float | None) -> tuple[int, list[str]]:
    """(5xx in flight at the kill, problems for every other 5xx)."""
    in_flight, problems = 0, []
    for sent, answered, what in ledger.server_errors:
        if killed_at is not None and sent <= killed_at + SLACK and answered >= killed_at - SLACK:
            in_flight += 1
        else:
            problems.append(f"5xx not explained by the kill: {what}")
    return in_flight, problems


def prepare(url: str, password: str) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    for old in WORK.glob("*.log"):
        old.unlink()
    subprocess.run(
        [str(BIN / "python"), "-m", "bench.generate", "--size", "S", "--database-url", url,
         "--reset", "--password", password],
        cwd=ROOT, check=True,
    )  # fmt: skip
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def worker_command() -> list[str]:
    """As `make worker` and deploy/Procfile: Huey's consumer over tracker.outbox.queue."""
    return [str(BIN / "huey_consumer"), "tracker.outbox.queue.huey", "-k", "thread", "-w", "2"]


def closed_to_others(path: Path) -> Path | None:
    """The first folder on the way to path that other users may not enter. nginx's workers
    run as another user: behind such a folder they answer the static files with 403 and every
    page larger than their buffers with 502 (they cannot write their temporary files)."""
    for folder in [path, *path.parents]:
        if not folder.stat().st_mode & 0o001:
            return folder
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("CLUSTER_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--write-share", type=float, default=0.10)
    parser.add_argument("--kill-at", type=float, default=None, help="seconds into the run")
    parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", DEFAULT_PASSWORD))
    args = parser.parse_args(argv)
    url = normalise(args.database_url)
    if sa.make_url(url).get_backend_name() != "postgresql":
        raise SystemExit("make cluster runs on PostgreSQL (instances share one database).")
    if closed := closed_to_others(ROOT):
        raise SystemExit(f"nginx's workers may not enter {closed}: chmod o+x it (or run elsewhere)")
    prepare(url, args.password)
    env = cluster_env(url, secrets.token_hex(32))
    bases = [f"http://{HOST}:{port}" for port in INSTANCE_PORTS]
    front = f"http://{HOST}:{NGINX_PORT}"
    results: dict[str, list[str]] = {}
    started = time.monotonic()
    with ExitStack() as stack:
        procs = [
            stack.enter_context(instance(p, env, args.workers, args.threads))
            for p in INSTANCE_PORTS
        ]
        worker = stack.enter_context(process(worker_command(), env, WORK / "worker.log"))
        stack.enter_context(nginx(env))
        for base in [*bases, front]:
            wait_healthy(base)
        results["sessions valid on both instances"] = check_sessions(bases, args.password)
        results["rate limits shared"] = check_rate_limit(bases)
        results["static files and gzip from nginx"] = check_static(front)
        ledger = ClusterLedger()
        moment: list[float] = []
        kill_at = args.kill_at if args.kill_at is not None else args.duration / 2
        load_args = argparse.Namespace(
            users=args.users, duration=args.duration, write_share=args.write_share,
            password=args.password,
        )  # fmt: skip
        # The kill is timed from the start of the run, after the clients have signed in.
        load.drive(
            front, load_args, url, ledger, on_start=lambda: kill_later(procs[0], kill_at, moment)
        )
        in_flight, unexplained = classify(ledger, moment[0] if moment else None)
        logs = WORK / "instances.log"
        logs.write_text("".join(
            (WORK / f"instance-{port}.log").read_text(errors="replace") for port in INSTANCE_PORTS
        ))  # fmt: skip
        problems = unexplained + checks.verify(url, ledger, logs, load.RUN_ID)
        if not moment:
            problems.append("the instance was never killed (the run ended first)")
        if worker.poll() is not None:
            problems.append(
                f"the worker exited with {worker.returncode} (see {WORK / 'worker.log'})"
            )
        results["load through nginx, one instance killed"] = problems
    elapsed = time.monotonic() - started
    print(report(ledger, in_flight, results, args, elapsed))
    raise SystemExit(1 if any(results.values()) else 0)


def report(ledger, in_flight: int, results: dict[str, list[str]], args, elapsed: float) -> str:
    total = sum(ledger.statuses.values())
    lines = [
        f"### Cluster: nginx, 2 instances x {args.workers} workers x {args.threads} threads, "
        f"1 worker, PostgreSQL + Redis; {args.users} clients, {args.duration:.0f} s",
        "",
        f"- requests through nginx: {total:,} ({total / args.duration:.0f}/s); by status: "
        + checks.by_status(ledger),
        f"- 5xx: {checks.server_errors(ledger)}, of them in flight at the kill: {in_flight}",
        checks.confirmed_writes(ledger),
        f"- wall time: {elapsed:.0f} s; load average afterwards: {os.getloadavg()[0]:.1f}",
    ]
    for name, problems in results.items():
        lines.append(f"- {'PASS' if not problems else 'FAIL'}: {name}")
        lines += [f"  - {p}" for p in problems[:20]]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
