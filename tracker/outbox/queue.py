"""The task queue (Huey): wakes the outbox worker after a commit and runs the periodic work.

Storage: Redis when REDIS_URL is set (any number of workers on any number of machines), else
SQLite at instance/huey.db (workers on this machine). The outbox table, not the queue, is what
must not be lost: a lost wake-up only delays a message to the next minute's sweep.

Run a worker: `huey_consumer tracker.outbox.queue.huey -k thread -w 2` (`make worker`).
"""

import importlib
import logging
import os
import threading
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab

log = logging.getLogger("tracker.outbox")
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def _make_huey():
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("tracker", url=redis_url, results=False)
    instance = Path(os.environ.get("TRACKER_INSTANCE_PATH", str(PROJECT_ROOT / "instance")))
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tracker", filename=str(instance / "huey.db"), results=False)


huey = _make_huey()

_app = None
_app_lock = threading.Lock()


def _worker_app():
    """The Flask app of the worker process, made once (tasks run with its app context)."""
    global _app
    with _app_lock:
        if _app is None:
            # By name, not `from tracker import create_app`: the worker process starts here
            # (huey_consumer tracker.outbox.queue.huey), so building the app is its entry point,
            # not a dependency of this module on the package above it (which would close an
            # import circle: tracker -> outbox.wiring -> queue -> tracker).
            _app = importlib.import_module("tracker").create_app()
        return _app


def wake() -> None:
    """Ask a worker to send what is due now (after a commit that wrote outbox rows)."""
    try:
        deliver()
    except Exception as error:  # the queue is down: the periodic sweep sends it later
        log.warning("could not wake the outbox worker: %s", type(error).__name__)


@huey.task()
def deliver() -> int:
    return _deliver_and_plan()


@huey.periodic_task(crontab(minute="*"))
def sweep() -> int:
    """Every minute: retries that are due, and rows whose wake-up was lost."""
    return _deliver_and_plan()


def _deliver_and_plan() -> int:
    """Send what is due, then ask to be woken for the next retry (when sooner than the
    minute's sweep)."""
    app = _worker_app()  # first: create_app imports the modules in an order without cycles
    from tracker import webhooks
    from tracker.outbox import worker

    with app.app_context():
        webhooks.fan_out_logged()  # new audit events -> webhook deliveries (outbox rows)
        sent = worker.deliver_due()
        delay = worker.seconds_to_next_retry()
    if delay is not None and delay < 60:
        deliver.schedule(delay=max(delay, 1.0))
    return sent


@huey.periodic_task(crontab(minute="*"))
def fold_dashboard_counts() -> int:
    """Every minute: fold the projects changed since (tracker.dashboard.kept), so that the
    dashboard's next reader finds little or nothing to fold; one fold at a time, however many
    workers run this."""
    app = _worker_app()
    from tracker.dashboard import kept

    with app.app_context():
        return kept.refresh()


@huey.periodic_task(crontab(minute="*/10"))
def prune_network_changes() -> int:
    """Every ten minutes: keep the network drawing's change log short (a few rows counted per
    request; tracker.matchmaking.network.prune_changes)."""
    app = _worker_app()
    from tracker.matchmaking import network

    with app.app_context():
        return network.prune_changes()


@huey.periodic_task(crontab(minute="*/5"))
def digests_and_reminders() -> None:
    """Every five minutes: digests whose 07:00 has come (each user's time zone) and the due
    and overdue reminders of today; each written once, however many workers run this."""
    app = _worker_app()
    from tracker.outbox import digests, worker

    with app.app_context():
        digests.queue_reminders()
        digests.queue_digests()
        worker.deliver_due()
