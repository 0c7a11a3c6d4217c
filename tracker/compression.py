"""Pages (text/html) gzip-compressed for browsers that ask, also without nginx (`make run`).

Our own twenty lines rather than Flask-Compress: only HTML needs it here (static files come
precompressed from WhiteNoise, tracker/assets.py; API replies and downloads stay as they are),
and it brings no further dependency. Under nginx the proxy leaves an encoded reply alone.
"""

import gzip

from flask import Flask, request

MIN_SIZE = 500  # bytes; below this the gzip header costs more than it saves
LEVEL = 6  # zlib's default: most of level 9's gain for a fraction of its time


def compress_html(response):
    if response.mimetype != "text/html":
        return response
    response.vary.add("Accept-Encoding")
    if (
        request.accept_encodings["gzip"] <= 0
        or response.direct_passthrough
        or response.is_streamed
        or response.status_code < 200
        or response.status_code in (204, 206, 304)
        or "Content-Encoding" in response.headers
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    # After-request functions run last-registered first: put this one first so that it runs
    # after every other has had the uncompressed page.
    app.after_request_funcs.setdefault(None, []).insert(0, compress_html)
