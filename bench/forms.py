"""Read an HTML form's fields as a browser would submit them (for the load test's edits)."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, action_suffix: str | None):
        super().__init__(convert_charrefs=True)
        self.suffix = action_suffix
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = a.get("action", "")
            wanted = action == "" if self.suffix is None else action.endswith(self.suffix)
            self.inside = wanted and not self.fields
            return
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            value = "".join(self._text)
            self.fields.append((self._textarea, value.removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, action_suffix: str | None = None) -> list[tuple[str, str]]:
    """(name, value) pairs of the first form whose action ends with action_suffix
    (None: the first form without an action, which posts back to its own page)."""
    parser = _FormParser(action_suffix)
    parser.feed(html)
    return parser.fields


def replace(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(n, value if n == name else v) for n, v in fields]
