"""A real SMTP server (aiosmtpd) for the tests, run as its own process on 127.0.0.1.

    python -m tests.smtp_sink --port 2525 --out DIR [--rcpt-delay 0.5] [--hold-first-quit 5]

Each accepted message is written to DIR as <n>.eml (written to a temporary name, then renamed,
so a reader never sees half a file); "ready" is printed once it listens. --rcpt-delay waits
before accepting each recipient: a client killed meanwhile has handed over nothing.
--hold-first-quit answers the first QUIT late: its message is accepted, but the client has not
heard the end of the session. While a recipient or a QUIT is held, DIR holds a file
.held-<what>-<n> (SmtpSink.held() reads them), so a test can act at exactly that moment.

SmtpSink (for pytest) starts, stops and restarts it, and reads what it received.
"""

import argparse
import asyncio
import email
import email.policy
import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rcpt-delay", type=float, default=0.0)
    parser.add_argument("--hold-first-quit", type=float, default=0.0)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    quits = []

    async def hold(what: str, seconds: float) -> None:
        marker = out / f".held-{what}-{time.time_ns()}"
        marker.touch()
        try:
            await asyncio.sleep(seconds)
        finally:
            marker.unlink()

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if args.rcpt_delay:
                await hold("rcpt", args.rcpt_delay)
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_QUIT(self, server, session, envelope):
            quits.append(1)
            if args.hold_first_quit and len(quits) == 1:
                await hold("quit", args.hold_first_quit)
            return "221 Bye"

        async def handle_DATA(self, server, session, envelope):
            name = f"{time.time_ns()}-{os.getpid()}"
            temporary = out / f".{name}.tmp"
            temporary.write_bytes(envelope.original_content or envelope.content)
            temporary.rename(out / f"{name}.eml")
            return "250 Message accepted"

    controller = Controller(Handler(), hostname="127.0.0.1", port=args.port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """The server process: start(), stop(), messages() (parsed, in arrival order)."""

    def __init__(
        self,
        out: Path,
        port: int | None = None,
        rcpt_delay: float = 0.0,
        hold_first_quit: float = 0.0,
    ):
        self.out = Path(out)
        self.port = port or free_port()
        self.rcpt_delay = rcpt_delay
        self.hold_first_quit = hold_first_quit
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpSink":
        root = Path(__file__).resolve().parent.parent
        command = [sys.executable, "-m", "tests.smtp_sink", "--port", str(self.port)]
        command += ["--out", str(self.out), "--rcpt-delay", str(self.rcpt_delay)]
        command += ["--hold-first-quit", str(self.hold_first_quit)]
        self.process = subprocess.Popen(
            command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError("the SMTP server did not start")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()
            self.process = None

    def messages(self) -> list[email.message.EmailMessage]:
        if not self.out.exists():
            return []
        files = sorted(self.out.glob("*.eml"))
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in files
        ]

    def count(self) -> int:
        """How many messages the server has accepted (without reading them)."""
        return len(list(self.out.glob("*.eml"))) if self.out.exists() else 0

    def held(self, what: str) -> int:
        """How many recipients ("rcpt") or QUITs ("quit") the server is holding now."""
        return len(self.held_ages(what))

    def held_ages(self, what: str) -> list[float]:
        """For each recipient or QUIT held now, the seconds since its hold began."""
        if not self.out.exists():
            return []
        now = time.time_ns()
        markers = self.out.glob(f".held-{what}-*")
        return [(now - int(marker.name.rsplit("-", 1)[1])) / 1e9 for marker in markers]

    def wait_for(self, count: int, timeout: float = 30.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages()
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return self.messages()


if __name__ == "__main__":
    main()
