"""The client's address, as far as it can be trusted.

``REMOTE_ADDR`` is the socket's peer. Behind a reverse proxy every request comes from
the proxy, and the client's address travels in ``X-Forwarded-For`` — a header anyone can
send. It is believed only when the peer is one of ``SHEETFORCE_TRUSTED_PROXIES`` (IP
addresses or networks), and then only the right-most address the trusted proxies did not
add themselves.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The address to count and log a request under (never a header the client chose,
    unless a trusted proxy vouches for it)."""
    peer = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(settings.SHEETFORCE_TRUSTED_PROXIES))
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    # Walk from the right: each trusted proxy appended the address it received from.
    for address in reversed([a for a in forwarded if a]):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer
    return peer
