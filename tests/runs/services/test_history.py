"""Run history: selectors and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from runs.models import Run, RunError, RunStatus
from runs.selectors import run_active_of_workflow, runs_of_workflow, runs_visible_to
from runs.services import runs_cleanup
from tests import factories, personas

pytestmark = pytest.mark.django_db


def test_it_lists_a_workflows_runs_newest_first_with_counts_and_duration(alice):
    wf = factories.workflow(alice)
    now = timezone.now()
    older = factories.run(wf, status=RunStatus.SUCCEEDED, age=timedelta(hours=2),
                          started_at=now - timedelta(hours=2),
                          finished_at=now - timedelta(hours=2) + timedelta(seconds=42))
    newer = factories.run(wf, status=RunStatus.PARTIAL, age=timedelta(hours=1), errors_count=2)
    factories.run_error(newer)
    factories.run_error(newer, field="Industry")
    factories.run(factories.workflow(alice))  # another workflow's run
    runs = list(runs_of_workflow(workflow=wf))
    assert [r.pk for r in runs] == [newer.pk, older.pk]
    assert runs[0].error_rows == 2 and runs[1].error_rows == 0
    assert runs[1].duration_seconds == 42


def test_it_shows_a_system_admin_the_team_and_a_user_only_her_own(alice, sam, charlie):
    globex_admin = personas.with_roles(charlie, system_admin=True)
    mine = factories.run(factories.workflow(alice))
    outsider = factories.run(factories.workflow(globex_admin))
    assert set(runs_visible_to(user=sam).values_list("pk", flat=True)) == {mine.pk}
    assert set(runs_visible_to(user=globex_admin).values_list("pk", flat=True)) == {
        outsider.pk}


def test_it_finds_the_running_run_before_a_queued_one(alice):
    wf = factories.workflow(alice)
    queued = factories.run(wf)
    running = factories.run(wf, status=RunStatus.RUNNING)
    assert run_active_of_workflow(workflow=wf).pk == running.pk
    Run.objects.filter(pk=running.pk).update(status=RunStatus.SUCCEEDED)
    assert run_active_of_workflow(workflow=wf).pk == queued.pk


@override_settings(RUN_RETENTION_DAYS=90)
def test_it_deletes_finished_runs_past_retention_with_their_errors(alice):
    wf = factories.workflow(alice)
    expired = factories.run(wf, status=RunStatus.FAILED, age=timedelta(days=91))
    factories.run_error(expired)
    kept = factories.run(wf, status=RunStatus.SUCCEEDED, age=timedelta(days=89))
    stuck = factories.run(wf, status=RunStatus.RUNNING, age=timedelta(days=200))
    assert runs_cleanup() == 1
    assert set(Run.objects.values_list("pk", flat=True)) == {kept.pk, stuck.pk}
    assert not RunError.objects.filter(run_id=expired.pk).exists()


@override_settings(RUN_RETENTION_DAYS=90)
def test_it_keeps_open_errors_and_drops_those_closed_long_ago(alice):
    from django.utils import timezone

    from runs.models import OpenError

    wf = factories.workflow(alice)
    long_open = factories.open_error(wf, row_id=1, first_seen=timezone.now() - timedelta(days=200))
    closed_lately = factories.open_error(wf, row_id=2, resolution="synced",
                                         resolved_at=timezone.now() - timedelta(days=10))
    factories.open_error(wf, row_id=3, resolution="synced",
                         resolved_at=timezone.now() - timedelta(days=91))
    runs_cleanup()
    assert set(OpenError.objects.values_list("pk", flat=True)) == {long_open.pk,
                                                                  closed_lately.pk}


def test_it_honours_a_shorter_retention(alice):
    wf = factories.workflow(alice)
    factories.run(wf, status=RunStatus.SUCCEEDED, age=timedelta(days=8))
    assert runs_cleanup(days=7) == 1
    assert not Run.objects.exists()
