"""The outbound policy: which hosts sheetforce may call.

Installs hold URLs (Salesforce login and instance, Smartsheet API base and authorize
page) that an admin types, and Salesforce's token endpoint answers with an
``instance_url``. Unchecked, any of them could point a colleague's bearer token at a
listener or turn the server into a proxy for internal pages. Every such URL is checked
when an install is saved, and every outgoing request (redirects included) is checked
again by the clients' transport.

``SHEETFORCE_ALLOWED_API_HOSTS`` is a comma-separated list of patterns:

- ``api.smartsheet.com`` — that host, https on port 443;
- ``*.my.salesforce.com`` — any subdomain of my.salesforce.com (not the bare domain);
- ``host:8443`` — https on that port;
- ``http://127.0.0.1:8444`` — plain http, only when written with the scheme (the
  sandbox on loopback).

The default (in ``sheetforce/settings.py``) lists the public Salesforce hosts
(``*.salesforce.com``: login, test, My Domains, sandboxes, instances) and Smartsheet's
API and app hosts in every region (smartsheet.com, smartsheetgov.com, smartsheet.eu,
smartsheet.au).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

_DEFAULT_PORTS = {"https": 443, "http": 80}


class HostNotAllowed(ValueError):
    """``url`` is not on the outbound policy's list (``message`` says so without secrets)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.message = reason
        super().__init__(reason)


@dataclass(frozen=True)
class HostPattern:
    scheme: str
    host: str  # lower case; "*.example.com" for a wildcard
    port: int

    @classmethod
    def parse(cls, text: str) -> HostPattern:
        raw = text.strip()
        if not raw:
            raise ValueError("empty host pattern")
        scheme = "https"
        if "://" in raw:
            scheme, _, raw = raw.partition("://")
            scheme = scheme.lower()
            if scheme not in _DEFAULT_PORTS:
                raise ValueError(f"{text!r}: only https:// or http:// may be written")
        raw = raw.rstrip("/")
        host, port = raw, _DEFAULT_PORTS[scheme]
        if raw.startswith("["):  # [::1]:8443
            end = raw.index("]")
            host, rest = raw[1:end], raw[end + 1:]
            if rest:
                port = int(rest.lstrip(":"))
        elif raw.count(":") == 1:
            host, _, port_text = raw.partition(":")
            port = int(port_text)
        if not host or "/" in host or (host.count("*") and not host.startswith("*.")):
            raise ValueError(f"{text!r} is not a host pattern")
        return cls(scheme=scheme, host=host.lower().rstrip("."), port=port)

    def matches(self, scheme: str, host: str, port: int) -> bool:
        if scheme != self.scheme or port != self.port:
            return False
        if self.host.startswith("*."):
            return host.endswith(self.host[1:]) and len(host) > len(self.host) - 1
        return host == self.host


@dataclass(frozen=True)
class OutboundPolicy:
    patterns: tuple[HostPattern, ...]

    @classmethod
    def from_text(cls, text: str | tuple[str, ...] | list[str]) -> OutboundPolicy:
        entries = text.split(",") if isinstance(text, str) else list(text)
        return cls(tuple(HostPattern.parse(e) for e in entries if e.strip()))

    def check(self, url: str) -> None:
        """Raise :class:`HostNotAllowed` unless ``url``'s scheme, host and port match."""
        try:
            parts = urlsplit(url)
            scheme = (parts.scheme or "").lower()
            host = (parts.hostname or "").lower().rstrip(".")
            port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
        except ValueError:
            raise HostNotAllowed(url, "This is not a valid URL.") from None
        if scheme not in _DEFAULT_PORTS or not host:
            raise HostNotAllowed(url, "Use an https:// URL.")
        if parts.username or parts.password:
            raise HostNotAllowed(url, "A URL must not carry a user name or password.")
        if any(p.matches(scheme, host, port) for p in self.patterns):
            return
        shown = f"{scheme}://{host}" + ("" if port == _DEFAULT_PORTS[scheme] else f":{port}")
        https_port = 443 if parts.port is None else port
        if scheme == "http" and any(p.matches("https", host, https_port) for p in self.patterns):
            raise HostNotAllowed(url, f"{shown} must use https://.")
        raise HostNotAllowed(
            url, f"{shown} is not an allowed API host (SHEETFORCE_ALLOWED_API_HOSTS).")

    def allows(self, url: str) -> bool:
        try:
            self.check(url)
        except HostNotAllowed:
            return False
        return True


@lru_cache(maxsize=8)
def _policy_for(text: str) -> OutboundPolicy:
    return OutboundPolicy.from_text(text)


def outbound_policy() -> OutboundPolicy:
    """The deployment's policy (``settings.SHEETFORCE_ALLOWED_API_HOSTS``)."""
    return _policy_for(",".join(settings.SHEETFORCE_ALLOWED_API_HOSTS))
