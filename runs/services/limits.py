"""Pausing an install on Salesforce's API limit or its own daily budget, and resuming it.

A paused install (``InstallStatus.PAUSED_LIMIT``) shows why in ``status_message``; the
scheduler skips it and resumes it once ``paused_until`` has passed. Salesforce's daily
allowance is a rolling 24 hours, so the next midnight UTC is a conservative reset when
Salesforce does not say.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from connector.models import Install, InstallStatus
from core.numbers import grouped

log = logging.getLogger(__name__)

_USAGE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def next_midnight_utc(now: datetime) -> datetime:
    """The first 00:00 UTC strictly after ``now``."""
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def parse_api_usage(usage: str) -> tuple[int, int] | None:
    """``"used/max"`` (as stored on a run) → (used, max); None when absent or unreadable."""
    match = _USAGE.match(usage or "")
    if not match:
        return None
    used, maximum = int(match.group(1)), int(match.group(2))
    return (used, maximum) if maximum > 0 else None


def api_usage_text(usage: str) -> str:
    """A run's reported org usage for people: "762 of 100,000" in the active language
    ("762 sur 100 000"); the stored text as is when it cannot be read."""
    parsed = parse_api_usage(usage)
    if parsed is None:
        return usage or ""
    return _("%(used)s of %(max)s") % {"used": grouped(parsed[0]),
                                       "max": grouped(parsed[1])}


def budget_exhausted(*, install: Install, usage: str) -> bool:
    """True when ``usage`` has reached ``install.api_budget_percent`` of the daily max."""
    parsed = parse_api_usage(usage)
    if parsed is None:
        return False
    used, maximum = parsed
    # Integer arithmetic: "80 % of 15,000" must not become 11,999.999...
    return used * 100 >= maximum * install.api_budget_percent


def install_pause_for_limit(
    *, install: Install, message: str, until: datetime | None = None, now: datetime | None = None
) -> bool:
    """Pause ``install`` until ``until`` (default: next midnight UTC). True if paused now.

    Only an ACTIVE install is paused: a disabled one stays disabled, and a second run
    hitting the limit does not push an existing pause around.
    """
    now = now or timezone.now()
    until = until if until and until > now else next_midnight_utc(now)
    text = _("%(message)s. Syncing resumes at %(until)s UTC.") % {
        "message": message.rstrip("."), "until": f"{until:%Y-%m-%d %H:%M}"}
    changed = Install.objects.filter(pk=install.pk, status=InstallStatus.ACTIVE).update(
        status=InstallStatus.PAUSED_LIMIT, status_message=text, paused_until=until,
        updated_at=now,
    )
    if changed:
        log.warning("install %s paused until %s: %s", install.pk, until, message)
        install.status, install.status_message, install.paused_until = (
            InstallStatus.PAUSED_LIMIT, text, until,
        )
    return bool(changed)


def install_check_budget(*, install: Install, usage: str, now: datetime | None = None) -> bool:
    """Pause ``install`` when a run's reported ``usage`` spent its daily budget."""
    if not budget_exhausted(install=install, usage=usage):
        return False
    used, maximum = parse_api_usage(usage)
    return install_pause_for_limit(
        install=install,
        message=_("This install used %(used)s of the org's %(maximum)s daily API requests, "
                  "its budget of %(percent)s%%") % {
            "used": grouped(used),
            "maximum": grouped(maximum),
            "percent": install.api_budget_percent},
        now=now,
    )


def installs_resume_due(*, now: datetime | None = None) -> list[int]:
    """Resume paused installs whose ``paused_until`` has passed; return their ids."""
    now = now or timezone.now()
    ids = list(
        Install.objects.filter(status=InstallStatus.PAUSED_LIMIT, paused_until__lte=now)
        .values_list("pk", flat=True)
    )
    if ids:
        Install.objects.filter(pk__in=ids, status=InstallStatus.PAUSED_LIMIT).update(
            status=InstallStatus.ACTIVE, status_message="", paused_until=None, updated_at=now
        )
        log.info("installs %s resumed after their API limit pause", ids)
    return ids
