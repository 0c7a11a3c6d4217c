"""Light pages (issue 19 item 7): static files compressed and cached for a year under their
versioned URL, pages gzip-compressed, icons from a sprite of the ones used, no icon webfont."""

import gzip
import re
from pathlib import Path

import pytest
from flask import render_template_string

from tracker import assets

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:static|bootstrap/static|assets)/[^"#]+)', page)


def test_page_assets_are_versioned_and_cached_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    links = _links(page)
    assert any("bootstrap.min.css" in link for link in links)
    assert any("icons.svg" in link for link in links)
    for link in links:
        assert re.search(r"\?v=[0-9a-f]{12}$", link), link
        reply = client.get(link)
        assert reply.status_code == 200, link
        assert reply.headers["Cache-Control"] == "public, max-age=31536000, immutable", link
        reply.close()


def test_an_old_or_missing_version_is_not_cached_for_long(client):
    for query in ("", "?v=000000000000"):
        reply = client.get("/static/css/tracker.css" + query)
        assert reply.status_code == 200
        assert reply.headers["Cache-Control"] == "max-age=60, public"
        reply.close()


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_css_and_scripts_come_precompressed(client, encoding):
    for url in (
        "/bootstrap/static/css/bootstrap.min.css",
        "/bootstrap/static/js/bootstrap.min.js",
        "/static/css/tracker.css",
        "/assets/icons.svg",
    ):
        reply = client.get(url, headers={"Accept-Encoding": encoding})
        assert reply.headers.get("Content-Encoding") == encoding, url
        assert "Accept-Encoding" in reply.headers["Vary"]
        reply.close()
    with client.get("/bootstrap/static/css/bootstrap.min.css") as plain:
        assert "Content-Encoding" not in plain.headers
        assert plain.data.lstrip().startswith((b"@charset", b"/*"))


def test_pages_are_gzipped_for_browsers_that_ask(client):
    reply = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert reply.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in reply.headers["Vary"]
    assert b"<!doctype html>" in gzip.decompress(reply.data)
    plain = client.get("/login")
    assert "Content-Encoding" not in plain.headers
    assert plain.data.startswith(b"<!doctype html>")


def test_api_replies_are_not_compressed_by_the_app(client):
    reply = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in reply.headers


def test_no_icon_webfont_and_no_render_blocking_script(client):
    page = client.get("/login").get_data(as_text=True)
    assert "bootstrap-icons" not in page and 'class="bi ' not in page
    head = page.split("</head>")[0]
    for script in re.findall(r"<script[^>]*>", head):
        assert " defer" in script, script
    assert '<meta name="description" content="' in head


def test_no_template_uses_the_webfont_classes():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""class="bi[ "]|\bbi-[a-z]""", text), path


def test_the_sprite_holds_exactly_the_icons_used(client, app):
    used = assets.icons_used(TEMPLATES)
    assert {"bell", "lock", "alarm"} <= used
    assert used <= assets.sprite_names(), used - assets.sprite_names()
    with client.get("/assets/icons.svg") as reply:
        sprite = reply.get_data(as_text=True)
    assert set(re.findall(r'<symbol[^>]* id="([a-z0-9-]+)"', sprite)) == used
    assert len(sprite) < 60_000  # the whole set is 1.1 MB


def test_icon_macro_is_decorative_unless_labelled(app):
    macro = "{% from '_macros/icons.html' import icon %}"
    with app.test_request_context():
        plain = render_template_string(macro + "{{ icon('lock') }}")
        labelled = render_template_string(macro + "{{ icon('lock', 'Consortium', 'me-1') }}")
        assert 'aria-hidden="true"' in plain and "role=" not in plain
        assert 'role="img" aria-label="Consortium"' in labelled and "aria-hidden" not in labelled
        assert 'class="icon me-1"' in labelled
        assert re.search(r'<use href="/assets/icons\.svg\?v=[0-9a-f]{12}#lock">', plain)
        with pytest.raises(ValueError, match="not in the sprite"):
            render_template_string(macro + "{{ icon('no-such-icon') }}")


def test_the_build_folder_is_reused_and_cleaned(app, tmp_path):
    folder = tmp_path / "assets"
    versions = assets.build(app, folder, {"lock"})
    stale = folder / "files" / "static" / "old.css"
    stale.write_text("x")
    (folder / "manifest.json").write_text("{}")
    assert assets.build(app, folder, {"lock"}) == versions
    assert not stale.exists()
    assert (folder / "files" / "bootstrap" / "static" / "css" / "bootstrap.min.css.br").exists()


def test_kept_urls_follow_the_script_root(client):
    # The templates' url_for and icon_href keep URLs per script root (issue 21): an app
    # mounted under a prefix must never hand out, or be handed, the other's links.
    def urls(page: str) -> list[str]:
        return sorted(set(re.findall(r'(?:href|src|action)="(/[^"]*)"', page)))

    plain = urls(client.get("/login").get_data(as_text=True))
    mounted = client.get("/login", base_url="http://localhost/tracker/").get_data(as_text=True)
    assert plain == urls(client.get("/login").get_data(as_text=True))
    assert any("icons.svg" in url for url in plain)
    assert any(url.startswith("/static/") for url in plain)
    assert urls(mounted) == sorted(f"/tracker{url}" for url in plain)
