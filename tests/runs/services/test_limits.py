"""API limits: budget arithmetic, pausing an install, resuming it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connector.models import Install, InstallStatus
from runs.services import (
    budget_exhausted,
    install_check_budget,
    install_pause_for_limit,
    installs_resume_due,
    next_midnight_utc,
    parse_api_usage,
)
from tests import factories

EVENING = datetime(2026, 5, 20, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [("120/15000", (120, 15000)), (" 5 / 10 ", (5, 10)), ("", None), ("x/y", None), ("3/0", None)],
)
def test_it_reads_salesforce_api_usage(usage, expected):
    assert parse_api_usage(usage) == expected


def test_the_next_midnight_is_utc_and_strictly_later():
    assert next_midnight_utc(EVENING) == datetime(2026, 5, 21, tzinfo=UTC)
    midnight = datetime(2026, 5, 21, tzinfo=UTC)
    assert next_midnight_utc(midnight) == datetime(2026, 5, 22, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("percent", "usage", "exhausted"),
    [(80, "11999/15000", False), (80, "12000/15000", True), (100, "14999/15000", False),
     (50, "50/100", True), (80, "", False)],
)
def test_it_knows_when_the_budget_is_spent(percent, usage, exhausted):
    inst = factories.install(api_budget_percent=percent)
    assert budget_exhausted(install=inst, usage=usage) is exhausted


@pytest.mark.django_db
def test_it_pauses_an_install_that_spent_its_budget_until_midnight_utc():
    inst = factories.install(api_budget_percent=80)
    assert install_check_budget(install=inst, usage="12500/15000", now=EVENING)
    stored = Install.objects.get(pk=inst.pk)
    assert stored.status == InstallStatus.PAUSED_LIMIT
    assert stored.paused_until == datetime(2026, 5, 21, tzinfo=UTC)
    assert "12,500" in stored.status_message and "80%" in stored.status_message
    assert stored.status_message.endswith("Syncing resumes at 2026-05-21 00:00 UTC.")


@pytest.mark.django_db
def test_a_pause_is_explained_in_the_language_it_was_decided_in():
    from django.utils import translation

    inst = factories.install(api_budget_percent=80)
    with translation.override("fr"):
        install_check_budget(install=inst, usage="12500/15000", now=EVENING)
    message = Install.objects.get(pk=inst.pk).status_message
    assert "12\u00a0500" in message
    assert message.endswith("La synchronisation reprend le 2026-05-21 00:00 UTC.")


@pytest.mark.django_db
def test_it_pauses_until_the_reset_salesforce_announced():
    inst = factories.install()
    reset = EVENING + timedelta(hours=1)
    install_pause_for_limit(install=inst, message="TotalRequests Limit exceeded.", until=reset,
                            now=EVENING)
    stored = Install.objects.get(pk=inst.pk)
    assert stored.paused_until == reset
    assert stored.status_message.startswith("TotalRequests Limit exceeded")


@pytest.mark.django_db
def test_it_does_not_pause_a_disabled_install_or_move_an_existing_pause():
    disabled = factories.install(status=InstallStatus.DISABLED)
    assert not install_pause_for_limit(install=disabled, message="limit", now=EVENING)
    assert Install.objects.get(pk=disabled.pk).status == InstallStatus.DISABLED
    paused = factories.install()
    install_pause_for_limit(install=paused, message="limit", now=EVENING)
    later = EVENING + timedelta(days=3)
    assert not install_pause_for_limit(install=paused, message="again", until=later, now=EVENING)
    assert Install.objects.get(pk=paused.pk).paused_until < later


@pytest.mark.django_db
def test_it_resumes_only_installs_whose_pause_is_over():
    inst = factories.install()
    install_pause_for_limit(install=inst, message="limit", now=EVENING)
    assert installs_resume_due(now=EVENING + timedelta(hours=1)) == []
    assert installs_resume_due(now=EVENING + timedelta(hours=3)) == [inst.pk]
    stored = Install.objects.get(pk=inst.pk)
    assert (stored.status, stored.status_message, stored.paused_until) == (
        InstallStatus.ACTIVE, "", None
    )
