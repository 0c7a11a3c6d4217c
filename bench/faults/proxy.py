"""A TCP proxy on 127.0.0.1 between the app and PostgreSQL that the fault test can cut.

Modes: "up" forwards; "down" closes every connection and refuses new ones (the listener is
closed); "silent" accepts connections and never forwards a byte (a host that is gone).
"""

import contextlib
import socket
import threading


class Proxy:
    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        probe = socket.create_server(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.mode = "down"
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None
        self.accepted = 0

    # --- control ---------------------------------------------------------------------------

    def up(self) -> None:
        self._drop_all()
        self.mode = "up"
        self._listen()

    def down(self) -> None:
        """Connection refused from now on; established connections are closed."""
        self.mode = "down"
        self._close_listener()
        self._drop_all()

    def silent(self) -> None:
        self.mode = "silent"
        self._drop_all()
        self._listen()

    def close(self) -> None:
        self.down()

    # --- inner -----------------------------------------------------------------------------

    def _listen(self) -> None:
        if self.listener is not None:
            return
        listener = socket.create_server(("127.0.0.1", self.port), backlog=64)
        listener.settimeout(0.2)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._track(client)
            if self.mode != "up":
                continue  # silent: hold it open, say nothing
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                self._drop(client)
                continue
            server.settimeout(None)
            self._track(server)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source)
            self._drop(target)

    def _track(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.add(sock)

    def _drop(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _drop_all(self) -> None:
        with self.lock:
            sockets = list(self.sockets)
        for sock in sockets:
            self._drop(sock)
