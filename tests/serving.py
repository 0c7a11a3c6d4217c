"""A WSGI app served by Werkzeug in a thread on a free 127.0.0.1 port."""

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def serve(wsgi_app):
    """Serve a WSGI app on a free 127.0.0.1 port, one thread per request; yields its base URL."""
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
