"""Real-time settings: read from Django settings, else from the environment.

The lead may move these into ``connector/settings.py`` (the one place for settings);
until then each reads ``settings.<NAME>`` first and the environment variable of the
same name second, so ``manage.py`` subprocesses (runserver, qcluster, listen_changes)
configured through their environment agree.

- ``SHEETFORCE_WEBHOOKS_ENABLED``: true/false; unset → on only when
  ``PUBLIC_BASE_URL`` is a public https URL (Smartsheet cannot call a loopback one).
- ``SHEETFORCE_REALTIME_QUIET_SECONDS`` (0.4): a burst ends after this much silence.
- ``SHEETFORCE_REALTIME_MAX_WAIT_SECONDS`` (1.5): a run is requested at the latest
  this long after the first change of a burst (a steady flood still syncs).
- ``SHEETFORCE_REALTIME_RECONCILE_SECONDS`` (60): how often the listener re-checks
  webhooks and subscriptions.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from django.conf import settings

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> object:
    value = getattr(settings, name, None)
    return os.environ.get(name) if value is None else value


def _float(name: str, default: float) -> float:
    value = _raw(name)
    try:
        return float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None


def is_public_url(url: str) -> bool:
    """An https URL whose host is not loopback, private or link-local."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return False
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return address.is_global


def webhooks_enabled() -> bool:
    """Whether workflows get Smartsheet webhooks (see the module docstring)."""
    value = _raw("SHEETFORCE_WEBHOOKS_ENABLED")
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text:
        raise ValueError(f"SHEETFORCE_WEBHOOKS_ENABLED must be true or false, not {value!r}")
    return is_public_url(settings.PUBLIC_BASE_URL)


def quiet_seconds() -> float:
    return _float("SHEETFORCE_REALTIME_QUIET_SECONDS", 0.4)


def max_wait_seconds() -> float:
    return max(_float("SHEETFORCE_REALTIME_MAX_WAIT_SECONDS", 1.5), quiet_seconds())


def reconcile_seconds() -> float:
    return _float("SHEETFORCE_REALTIME_RECONCILE_SECONDS", 60.0)


def callback_url(workflow_id: int) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/hooks/smartsheet/{int(workflow_id)}/"
