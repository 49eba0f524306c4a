"""Real-time settings: read from Django settings, else from the environment.

The lead may move these into ``connector/settings.py`` (the one place for settings);
until then each reads ``settings.<NAME>`` first and the environment variable of the
same name second, so ``manage.py`` subprocesses (runserver, qcluster, listen_changes)
configured through their environment agree.

- ``SHEETFORCE_WEBHOOKS_ENABLED``: true/false; unset → on only when Smartsheet can call
  ``PUBLIC_BASE_URL`` back (:func:`callback_url_problem`).
- ``SHEETFORCE_ALLOW_INSECURE_CALLBACKS`` (false): create webhooks even for a callback URL
  the real Smartsheet refuses (http, loopback, another port) — only against the sandbox
  started with ``--allow-insecure-callbacks`` (the demo, the tests, the benchmark).
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
from django.utils.translation import gettext as _

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


#: The only ports Smartsheet calls webhooks back on ("Webhook callbacks").
CALLBACK_PORTS = (443, 8000, 8008, 8080, 8443)


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


def callback_url_problem(url: str) -> str:
    """Why Smartsheet would refuse ``url`` as a webhook callback ("" when it would not):
    it calls back only https URLs (http is error 1152) on a public host, on port 443,
    8000, 8008, 8080 or 8443."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return _("Smartsheet calls webhooks back only over https, and %(url)s is not an https "
                 "URL (PUBLIC_BASE_URL).") % {"url": url}
    if not is_public_url(url):
        return _("Smartsheet calls webhooks back only on public hosts, and %(url)s is not "
                 "one (PUBLIC_BASE_URL).") % {"url": url}
    try:
        port = parts.port or 443
    except ValueError:
        port = -1
    if port not in CALLBACK_PORTS:
        return _("Smartsheet calls webhooks back only on ports 443, 8000, 8008, 8080 or "
                 "8443, and %(url)s uses another (PUBLIC_BASE_URL).") % {"url": url}
    return ""


def allow_insecure_callbacks() -> bool:
    """Whether webhooks are created even when :func:`callback_url_problem` says the real
    Smartsheet would refuse them (the sandbox's ``--allow-insecure-callbacks``)."""
    return _bool("SHEETFORCE_ALLOW_INSECURE_CALLBACKS", default=False)


def _bool(name: str, *, default: bool | None) -> bool | None:
    value = _raw(name)
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text:
        raise ValueError(f"{name} must be true or false, not {value!r}")
    return default


def webhooks_enabled() -> bool:
    """Whether workflows get Smartsheet webhooks (see the module docstring)."""
    enabled = _bool("SHEETFORCE_WEBHOOKS_ENABLED", default=None)
    if enabled is not None:
        return enabled
    return not callback_url_problem(callback_url(1))


def quiet_seconds() -> float:
    return _float("SHEETFORCE_REALTIME_QUIET_SECONDS", 0.4)


def max_wait_seconds() -> float:
    return max(_float("SHEETFORCE_REALTIME_MAX_WAIT_SECONDS", 1.5), quiet_seconds())


def reconcile_seconds() -> float:
    return _float("SHEETFORCE_REALTIME_RECONCILE_SECONDS", 60.0)


def callback_url(workflow_id: int) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/hooks/smartsheet/{int(workflow_id)}/"
