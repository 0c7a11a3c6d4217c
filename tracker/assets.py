"""Static files as a browser should get them: compressed, cached for a year, renamed by content.

At start-up the app copies the files it serves — its own static/, the few Bootstrap files it
loads from Bootstrap-Flask's package and a generated sprite of the Bootstrap Icons the
templates use — into a build folder (instance/assets/ by default, never committed) beside
gzip and brotli copies. WhiteNoise serves that folder in front of the app (also under
gunicorn alone, `make run`); every URL the app writes carries ``?v=<digest of the content>``,
and a request with the current digest is answered with a year-long, immutable cache header.
Under nginx (deploy/) /static/ still comes from disk: the query string changes nothing there.
"""

import gzip
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import parse_qs
from xml.etree import ElementTree

import brotli
import flask_bootstrap
from defusedxml.ElementTree import parse as parse_xml
from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.string_utils import decode_path_info

BOOTSTRAP_DIR = Path(flask_bootstrap.__file__).parent / "static" / "bootstrap5"
BOOTSTRAP_FILES = ("css/bootstrap.min.css", "js/bootstrap.min.js", "umd/popper.min.js")
ICONS_SOURCE = BOOTSTRAP_DIR / "icons" / "bootstrap-icons.svg"
SPRITE = "icons.svg"
# Icons whose name a template gets from a variable (the scan finds literal icon('name') only).
EXTRA_ICONS: frozenset[str] = frozenset()
ICON_CALL = re.compile(r"""(?<![\w.])icon\(\s*['"]([a-z0-9-]+)['"]""")
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".map", ".html"}
YEAR = 365 * 24 * 60 * 60
SVG_NS = "http://www.w3.org/2000/svg"

_compressed: dict[str, tuple[bytes, bytes]] = {}  # digest -> (gzip, brotli), per process
_sprites: dict[tuple, bytes] = {}


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def icons_used(template_folder: Path) -> set[str]:
    """Every literal icon('name') in the templates, and the names given through variables."""
    names = set(EXTRA_ICONS)
    for path in sorted(template_folder.rglob("*.html")):
        text = JINJA_COMMENT.sub("", path.read_text(encoding="utf-8"))
        names.update(ICON_CALL.findall(text))
    return names


def sprite_names(source: Path = ICONS_SOURCE) -> set[str]:
    """The names Bootstrap Icons' sprite offers."""
    return set(re.findall(r'<symbol [^>]*id="([a-z0-9-]+)"', source.read_text(encoding="utf-8")))


def build_sprite(names: set[str], source: Path = ICONS_SOURCE) -> bytes:
    """An SVG sprite holding only the named symbols of Bootstrap Icons' own sprite."""
    key = (tuple(sorted(names)), source, source.stat().st_mtime_ns)
    if key in _sprites:
        return _sprites[key]
    ElementTree.register_namespace("", SVG_NS)
    root = parse_xml(str(source)).getroot()
    symbols = {symbol.get("id"): symbol for symbol in root.iter(f"{{{SVG_NS}}}symbol")}
    parts = ['<svg xmlns="http://www.w3.org/2000/svg">']
    for name in sorted(names & symbols.keys()):  # icon_href() reports unknown names
        symbol = symbols[name]
        symbol.attrib.pop("class", None)
        text = ElementTree.tostring(symbol, encoding="unicode")
        parts.append(text.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1))
    parts.append("</svg>\n")
    _sprites[key] = "".join(parts).encode()
    return _sprites[key]


def _sources(app: Flask, icons: set[str]) -> dict[str, bytes]:
    """URL path (without the leading slash) -> content of every file the app serves."""
    files: dict[str, bytes] = {}
    static = Path(app.static_folder)
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        files["static/" + path.relative_to(static).as_posix()] = path.read_bytes()
    for name in BOOTSTRAP_FILES:
        files["bootstrap/static/" + name] = (BOOTSTRAP_DIR / name).read_bytes()
    files["assets/" + SPRITE] = build_sprite(icons)
    return files


def _write(path: Path, data: bytes) -> None:
    """Write atomically: several workers may build the same folder at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def _compress(data: bytes, digest: str) -> tuple[bytes, bytes]:
    if digest not in _compressed:
        _compressed[digest] = (gzip.compress(data, 9, mtime=0), brotli.compress(data))
    return _compressed[digest]


def build(app: Flask, folder: Path, icons: set[str]) -> dict[str, str]:
    """Fill folder/files/ (unchanged files are left alone); return URL path -> digest."""
    files = _sources(app, icons)
    versions = {url: digest_of(data) for url, data in files.items()}
    manifest = folder / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()) == versions:
        return versions
    for url, data in files.items():
        target = folder / "files" / url
        _write(target, data)
        if target.suffix in COMPRESSIBLE and len(data) > 512:
            packed_gzip, packed_brotli = _compress(data, versions[url])
            _write(target.with_name(target.name + ".gz"), packed_gzip)
            _write(target.with_name(target.name + ".br"), packed_brotli)
    _remove_others(folder / "files", set(files))
    _write(manifest, json.dumps(versions, indent=1, sort_keys=True).encode())
    return versions


def _remove_others(root: Path, urls: set[str]) -> None:
    """Files left from an earlier build (a renamed or deleted static file) go."""
    for path in [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]:
        url = path.relative_to(root).as_posix()
        if url.removesuffix(".gz").removesuffix(".br") not in urls:
            path.unlink(missing_ok=True)


class VersionedWhiteNoise(WhiteNoise):
    """WhiteNoise that caches a file for a year when asked for its current version (?v=)."""

    def __init__(self, application, versions: dict[str, str], **options):
        super().__init__(application, **options)
        self.versions = {"/" + url: digest for url, digest in versions.items()}

    def __call__(self, environ, start_response):
        path = decode_path_info(environ.get("PATH_INFO", ""))
        static_file = self.files.get(path)
        if static_file is None:
            return self.application(environ, start_response)
        current = parse_qs(environ.get("QUERY_STRING", "")).get("v") == [self.versions.get(path)]
        return self.serve(static_file, environ, _headers(start_response, current))


def _headers(start_response, current: bool):
    """The app's security headers on static files too; a year's caching for a current version."""
    from tracker.security import CSP

    def start(status, headers, exc_info=None):
        if current:
            headers = [(name, value) for name, value in headers if name.lower() != "cache-control"]
            headers.append(("Cache-Control", f"public, max-age={YEAR}, immutable"))
        headers += [
            ("Content-Security-Policy", CSP),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        return start_response(status, headers, exc_info)

    return start


def icon_href(name: str) -> str:
    """The sprite's URL with the symbol's fragment; an unknown name fails in tests and debug."""
    assets = current_app.extensions["tracker_assets"]
    if name not in assets["icons"] and (current_app.testing or current_app.debug):
        raise ValueError(f"icon {name!r} is not in the sprite: use icon('{name}') literally")
    # The templates' url_for (tracker.templating.kept_url_for) keeps the sprite's URL per
    # script root: url_for for every icon of a page cost 15 µs each.
    return f"{current_app.jinja_env.globals['url_for']('assets', filename=SPRITE)}#{name}"


def init_app(app: Flask) -> None:
    from tracker import compression

    compression.init_app(app)
    folder = Path(app.config.get("TRACKER_ASSETS_DIR") or Path(app.instance_path) / "assets")
    icons = icons_used(Path(app.root_path, app.template_folder))
    versions = build(app, folder, icons)
    icons &= sprite_names()
    prefixes = {"static": "static/", "bootstrap.static": "bootstrap/static/", "assets": "assets/"}
    app.extensions["tracker_assets"] = {
        "versions": versions,
        "icons": icons,
        "folder": folder,
    }

    def send_asset(filename):
        from flask import send_from_directory

        return send_from_directory(folder / "files" / "assets", filename)

    # Served by WhiteNoise in front; the rule gives url_for an endpoint (and a fallback).
    app.add_url_rule("/assets/<path:filename>", endpoint="assets", view_func=send_asset)

    @app.url_defaults
    def add_version(endpoint, values):
        prefix = prefixes.get(endpoint)
        if prefix and "v" not in values:
            digest = versions.get(prefix + str(values.get("filename", "")))
            if digest:
                values["v"] = digest

    app.jinja_env.globals["icon_href"] = icon_href
    served = str(folder / "files")
    app.wsgi_app = VersionedWhiteNoise(app.wsgi_app, versions, root=served, max_age=60)
