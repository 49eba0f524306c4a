"""What a browser would submit: a page's form with the values the server rendered, and
the wizard's first step filled in."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first = name, None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first is None:
                self._first = value
                self.values.setdefault(self._select, value)
            if "selected" in a:
                self.values[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def rendered_values(html: str, prefix: str = "") -> dict[str, str]:
    """The named inputs and selects of ``html`` (names starting with ``prefix``) with
    the values a browser would submit unchanged (no CSRF token, no button)."""
    parser = _FormValues()
    parser.feed(html)
    return {k: v for k, v in parser.values.items()
            if k.startswith(prefix) and k != "csrfmiddlewaretoken"}


def post_settings(client, install, sheet: dict, direction: str = "bidirectional"):
    """Post the wizard's Settings step: ``install``, Accounts, ``sheet`` (an existing one,
    ``{"id": ...}`` is enough)."""
    return client.post("/wizard/settings/", {
        "install": install.pk, "direction": direction, "sheet": sheet["id"],
        "salesforce_object": "Account", "action": "next",
    })
