#!/usr/bin/env python3
"""Receive the Innovation Tracker's webhooks: Python 3.10+, standard library only.

Register a webhook (POST /api/v1/webhooks or the page /account/webhooks) with the address of
this receiver and keep the secret it shows you once. Then run:

  TRACKER_WEBHOOK_SECRET=<the secret> python3 examples/webhook_receiver.py [--port 8765]

Each call is a POST of JSON {"id", "event", "occurred_at", "data"} with the headers

  X-Tracker-Event      the event, e.g. gate.decided
  X-Tracker-Delivery   the delivery's id (the same as "id"; a redelivery repeats it)
  X-Tracker-Signature  sha256=<hex HMAC-SHA256 of the raw body with the secret>

The receiver checks the signature on the raw bytes (before parsing them) with a constant-time
comparison, ignores a delivery id it has seen already, prints the event and answers 204. A
wrong or missing signature answers 401 and is not processed; the tracker retries answers
other than 2xx after 1 min, 5 min, 30 min, 2 h and 12 h. Answer quickly (within 5 seconds):
do slow work after answering.
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1024 * 1024


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Whether header is the signature of body with secret (constant-time comparison)."""
    if not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def make_handler(secret: str, seen: set[str]):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413)
                return
            body = self.rfile.read(length)
            if not signature_ok(secret, body, self.headers.get("X-Tracker-Signature")):
                self._answer(401)
                return
            delivery = self.headers.get("X-Tracker-Delivery", "")
            if delivery in seen:  # a redelivery or a retry that already arrived
                self._answer(204)
                return
            seen.add(delivery)
            event = json.loads(body)
            project = (event.get("data") or {}).get("project") or {}
            print(
                f"{event['occurred_at']} {event['event']} project {project.get('id')} "
                f"“{project.get('title')}” (delivery {delivery})",
                flush=True,
            )
            self._answer(204)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:  # quiet: one line per event above
            pass

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    secret = os.environ.get("TRACKER_WEBHOOK_SECRET")
    if not secret:
        print("Set TRACKER_WEBHOOK_SECRET to the webhook's secret.", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer((options.host, options.port), make_handler(secret, set()))
    print(f"Listening on http://{options.host}:{options.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
