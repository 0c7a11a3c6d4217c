"""The real worker (Huey's consumer, its own process) against a real SMTP server process:
SMTP down for a while then up, and the worker killed mid-batch then started again — every
mail arrives, and exactly once when the kill lands while a mail is being handed over; killed
after the server accepted a mail but before the worker recorded that, the mail comes again
with the same Message-ID (at least once: no sender can know what an answer it never read said).
Runs on the SQLite database file the test app uses; the claim under concurrency on PostgreSQL is
tested in-process below."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.smtp_sink import SmtpSink, free_port
from tracker import outbox
from tracker.extensions import db
from tracker.models.outbox import OutboxMessage
from tracker.outbox import worker

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MAILS = 20


@pytest.fixture
def worker_env(app, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("the worker process runs on the test's SQLite file")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TRACKER_", "DATABASE_URL", "REDIS_URL"))
    }
    (tmp_path / "instance").mkdir()
    env |= {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret-key",
        "TRACKER_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRACKER_OUTBOX_LEASE_SECONDS": "3",
        "TRACKER_OUTBOX_RETRY_SECONDS": "1",
        "TRACKER_BASE_URL": "http://127.0.0.1:5000",
    }
    return env


class Worker:
    def __init__(self, env: dict):
        self.env = env
        self.process = None

    def start(self):
        command = [str(BIN / "huey_consumer"), "tracker.outbox.queue.huey"]
        command += ["--worker-type", "thread", "--workers", "2", "--max-delay", "0.5"]
        command += ["--logfile", self.env["TRACKER_INSTANCE_PATH"] + "/worker.log"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return self

    def kill(self):
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self):
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None


def wake(env: dict) -> None:
    """What the web does after a commit: a producer process enqueues the delivery task."""
    code = "from tracker.outbox import queue; queue.deliver()"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)


def _queue_mails(user_id: int, count: int) -> set[int]:
    rows = [
        outbox.enqueue_email(user_id, "invitation", "invitation", {"url": f"http://x/{n}"})
        for n in range(count)
    ]
    db.session.commit()
    return {row.id for row in rows}


def _states() -> dict[str, int]:
    db.session.rollback()  # a fresh snapshot: the worker process writes meanwhile
    return dict(
        db.session.execute(
            sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
        ).all()
    )


def _min_attempts() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.min(OutboxMessage.attempts)))


def _wait(condition, timeout: float, pause: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(pause)
    return condition()


def _row_ids(messages) -> list[int]:
    return [int(m["Message-ID"].split(".")[1]) for m in messages]


def test_smtp_down_for_a_while_then_up_every_mail_once(app, world, worker_env, tmp_path):
    port = free_port()
    sink = SmtpSink(tmp_path / "mail", port=port)
    worker_env["TRACKER_SMTP_URL"] = sink.url
    ids = _queue_mails(world.lead_member.id, MAILS)
    consumer = Worker(worker_env).start()
    try:
        wake(worker_env)
        # Every mail tried at least once while nobody listens, none sent.
        assert _wait(lambda: _min_attempts() >= 1, 120)  # the worker starts its app first
        assert set(_states()) <= {"pending", "sending"}  # retrying, none given up or sent
        time.sleep(2)
        sink.start()
        assert _wait(lambda: _states() == {"sent": MAILS}, 120), _states()
        messages = sink.wait_for(MAILS, timeout=5)
        time.sleep(1.5)  # nothing more arrives
        messages = sink.messages()
        assert sorted(_row_ids(messages)) == sorted(ids)
        db.session.rollback()
        attempts = db.session.scalars(sa.select(OutboxMessage.attempts)).all()
        assert max(attempts) >= 2  # retried with backoff
    finally:
        consumer.stop()
        sink.stop()


REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def _redis_queue(env: dict) -> None:
    """The queue in Redis (database 15, emptied first), as with several machines."""
    redis = pytest.importorskip("redis")
    try:
        client = redis.Redis.from_url(REDIS_TEST_URL)
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    client.flushdb()
    client.close()
    env["REDIS_URL"] = REDIS_TEST_URL


RCPT_DELAY = 0.5


def _handing_over_only(sink: SmtpSink) -> bool:
    """True at a moment when every mail the worker has taken waits for its recipient to be
    accepted, each hold begun less than a third of RCPT_DELAY ago (so none can reach DATA
    before the kill that follows), and every mail the server accepted is recorded as sent:
    a kill now hands over nothing and loses no outcome."""
    started = time.monotonic()
    ages = sink.held_ages("rcpt")
    states = _states()
    received = sink.count()
    young = ages and max(ages) + (time.monotonic() - started) < RCPT_DELAY / 3
    return bool(
        young
        and received >= 5
        and states.get("sending", 0) == len(ages)
        and states.get("sent", 0) == received
    )


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_worker_killed_mid_batch_loses_and_duplicates_nothing(
    app, world, worker_env, tmp_path, queue
):
    if queue == "redis":
        _redis_queue(worker_env)
    # Each recipient takes a while to accept: the kill lands while a mail is being handed over.
    sink = SmtpSink(tmp_path / "mail", rcpt_delay=RCPT_DELAY).start()
    worker_env["TRACKER_SMTP_URL"] = sink.url
    ids = _queue_mails(world.lead_member.id, MAILS)
    consumer = Worker(worker_env).start()
    try:
        wake(worker_env)
        assert _wait(lambda: _handing_over_only(sink), 120, pause=0.05)
        consumer.kill()
        received = len(sink.messages())
        assert received < MAILS, "the batch finished before the kill"
        states = _states()
        assert states.get("sending", 0) >= 1, states  # claimed by the killed worker
        consumer = Worker(worker_env).start()
        wake(worker_env)
        assert _wait(lambda: _states() == {"sent": MAILS}, 120), _states()
        time.sleep(1.5)
        messages = sink.messages()
        assert sorted(_row_ids(messages)) == sorted(ids)
    finally:
        consumer.stop()
        sink.stop()


def test_worker_killed_after_the_server_accepted_sends_again_with_the_same_message_id(
    app, world, worker_env, tmp_path
):
    # The server accepts the first mail, then holds its QUIT: the worker has not recorded it.
    sink = SmtpSink(tmp_path / "mail", hold_first_quit=30).start()
    worker_env["TRACKER_SMTP_URL"] = sink.url
    ids = _queue_mails(world.lead_member.id, 3)
    consumer = Worker(worker_env).start()
    try:
        wake(worker_env)
        assert _wait(lambda: sink.held("quit") == 1, 120)
        consumer.kill()
        db.session.rollback()
        sending = db.session.scalars(
            sa.select(OutboxMessage.id).where(OutboxMessage.state == "sending")
        ).all()
        first = {_row_ids([m])[0]: m["Message-ID"] for m in sink.messages()}
        # Accepted by the server but not recorded: the held one (and any other mail caught in
        # the same instant by the second worker thread; one it was still handing over is not
        # among them and goes once).
        unknown = [row_id for row_id in sending if row_id in first]
        assert len(unknown) >= 1
        consumer = Worker(worker_env).start()
        wake(worker_env)  # the lease (3 s) ends, the mail goes again
        assert _wait(lambda: _states() == {"sent": 3}, 120), _states()
        time.sleep(1.5)
        messages = sink.messages()
        assert sorted(_row_ids(messages)) == sorted([*ids, *unknown])
        for row_id in unknown:  # the receiver can drop the second by its Message-ID
            repeats = [m["Message-ID"] for m in messages if _row_ids([m]) == [row_id]]
            assert repeats == [first[row_id]] * 2
    finally:
        consumer.stop()
        sink.stop()


def test_concurrent_claims_never_share_a_row(app, world):
    """Four threads with their own sessions claim the same 40 rows: each row once."""
    ids = _queue_mails(world.lead_member.id, 40)
    taken: list[int] = []
    lock = threading.Lock()

    def claimer():
        with app.app_context():
            while True:
                row = worker.claim(["email"])
                if row is None:
                    break
                with lock:
                    taken.append(row.id)
            db.session.remove()

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(taken) == sorted(ids)
