"""Wiring of the outbox into the app: settings, the worker's wake-up, the trigger and the pages.

Apart from tracker/outbox/__init__.py, which every service imports to write rows: this module
imports the queue and the pages, and they import the services.
"""

import os

from tracker import outbox
from tracker.models import outbox as _models  # noqa: F401  (registers the tables)
from tracker.models.base import Base
from tracker.outbox import trigger
from tracker.outbox.views import bp


def init_app(app) -> None:
    """Settings, the e-mail sender and the pages (settings, unsubscribe, calendar, deliveries)."""
    app.config.setdefault(
        "TRACKER_BASE_URL",
        os.environ.get("TRACKER_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}",
    )
    for name, default in (
        ("TRACKER_OUTBOX_RETRY_SECONDS", 30),
        ("TRACKER_OUTBOX_LEASE_SECONDS", 300),
        ("TRACKER_OUTBOX_GIVE_UP_HOURS", 24),
    ):
        if name not in app.config:
            value = os.environ.get(name)
            try:
                app.config[name] = int(value) if value else default
            except ValueError as error:
                raise RuntimeError(f"{name} must be a whole number, not {value!r}") from error
    # Tests send by calling the worker themselves; the app wakes a worker process otherwise.
    app.config.setdefault("TRACKER_OUTBOX_WAKE", not app.config.get("TESTING"))
    outbox.register_waker(_wake)
    trigger.install(Base.metadata)
    app.register_blueprint(bp)


def _wake() -> None:
    from tracker.outbox import queue  # made on first use: it opens the queue's storage

    queue.wake()
