"""Every page names the app's own icon, served from static/ (no 404 in the browser's console)."""

import re


def test_pages_link_the_svg_favicon_and_it_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    assert link, "no icon link in the page head"
    icon = client.get(link.group(1))
    try:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith("<svg")
    finally:
        icon.close()  # a file response holds the file open until closed
