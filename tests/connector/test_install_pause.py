"""Pausing an install stops every sync until an admin resumes it; resuming also lifts an
API-limit pause early."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from connector.models import InstallStatus
from connector.services.installs import install_pause, install_resume
from runs.scheduling import workflows_due
from runs.services import RunRefused, run_request
from tests import personas

pytestmark = pytest.mark.django_db


def test_a_paused_install_syncs_nothing_until_resumed(sam, install, workflow):
    assert workflow.pk in [w.pk for w in workflows_due()]
    install_pause(user=sam, install=install)
    install.refresh_from_db()
    assert install.status == InstallStatus.DISABLED
    assert install.status_message.startswith("Paused by Sam Okafor on ")
    assert workflows_due() == []
    with pytest.raises(RunRefused):
        run_request(workflow=workflow, trigger="manual")
    install_resume(user=sam, install=install)
    install.refresh_from_db()
    assert (install.status, install.status_message) == (InstallStatus.ACTIVE, "")
    assert workflow.pk in [w.pk for w in workflows_due()]


def test_resuming_lifts_an_api_limit_pause(connie, install):
    install.status, install.status_message = InstallStatus.PAUSED_LIMIT, "Limit reached."
    install.paused_until = timezone.now() + timedelta(hours=3)
    install.save()
    install_resume(user=connie, install=install)
    install.refresh_from_db()
    assert (install.status, install.paused_until) == (InstallStatus.ACTIVE, None)


@pytest.mark.parametrize("who", ["alice", "uma"])
def test_only_admins_of_the_team_pause(people, install, who):
    with pytest.raises(PermissionDenied):
        install_pause(user=people[who], install=install)


def test_another_teams_admin_may_not(charlie, install):
    with pytest.raises(PermissionDenied):
        install_pause(user=personas.with_roles(charlie, system_admin=True), install=install)
