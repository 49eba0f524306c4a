"""A workflow whose owner is deactivated, unlicensed or lacks the install's role is paused
everywhere — scheduler, Run now, API, dashboard — with the reason shown, and resumes
when the owner is restored."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from runs.models import Run
from runs.scheduling import workflows_due
from runs.services import RunRefused, run_request
from workflows.models import Workflow
from workflows.permissions import owner_pause_reason, runnable_owner_q

pytestmark = pytest.mark.django_db


def _restrict(install, kind):
    install.restrict_users, install.kind = True, kind
    install.save()


CASES = [
    ("deactivated", lambda u, i: setattr(u, "is_active", False), "deactivated"),
    ("unlicensed", lambda u, i: setattr(u, "licensed", False), "no licence"),
    ("no Salesforce role", lambda u, i: (setattr(u, "salesforce_user", False),
                                         _restrict(i, "salesforce")), "Salesforce user role"),
    ("no Service Cloud role", lambda u, i: (setattr(u, "service_cloud_user", False),
                                            _restrict(i, "service_cloud")),
     "Service Cloud user role"),
]


@pytest.mark.parametrize(("case", "change", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_paused_owners_workflow_does_not_sync_and_says_why(
        people, install, workflow, case, change, says):
    alice = people["alice"]
    assert workflow.paused_reason is None and [w.pk for w in workflows_due()] == [workflow.pk]
    change(alice, install)
    alice.save()
    workflow = Workflow.objects.select_related("owner", "install").get(pk=workflow.pk)
    assert says in workflow.paused_reason
    # The scheduler skips it, in SQL; the same rule as the Python check.
    assert workflows_due() == []
    assert not Workflow.objects.filter(runnable_owner_q(), pk=workflow.pk).exists()
    with pytest.raises(RunRefused) as refused:
        run_request(workflow=workflow, trigger="manual")
    assert says in refused.value.message
    assert not Run.objects.exists()


def test_the_api_shows_the_reason_and_refuses_run_now_with_409(people, workflow):
    alice = people["alice"]
    sam = APIClient()
    sam.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=people['sam'])[1]}")
    assert sam.get(f"/api/v1/workflows/{workflow.pk}/").json()["paused_reason"] is None
    alice.licensed = False
    alice.save()
    body = sam.get(f"/api/v1/workflows/{workflow.pk}/").json()
    assert body["paused_reason"] == "Paused: its owner has no licence."
    response = sam.post(f"/api/v1/workflows/{workflow.pk}/run/")
    assert response.status_code == 409
    assert response.json()["detail"] == "Paused: its owner has no licence."


def test_restoring_the_owner_resumes_the_workflow(people, workflow):
    alice = people["alice"]
    alice.is_active = False
    alice.save()
    assert workflows_due() == []
    alice.is_active = True
    alice.save()
    assert [w.pk for w in workflows_due(now=timezone.now())] == [workflow.pk]
    assert run_request(workflow=workflow, trigger="manual").status == "queued"


def test_the_dashboard_shows_the_reason_to_the_team_admin(client, people, workflow):
    alice = people["alice"]
    alice.is_active = False
    alice.save()
    client.force_login(people["sam"])
    html = client.get("/").content.decode()
    assert "Paused: its owner&#x27;s account is deactivated." in html


def test_a_superuser_owner_is_never_paused_for_flags(people, install):
    root = people["sam"]
    root.is_superuser, root.licensed = True, False
    root.save()
    assert owner_pause_reason(owner=root, install=install) is None
