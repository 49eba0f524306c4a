"""Putting off a run that found no shared rate budget (see ``connector.budgets``).

A run's first call waits a moment for budget; when none comes, the call is never sent
and the run is *deferred* instead of failed: RUNNING → QUEUED (a transition of the state
machine), ``deferred_until`` set, its workflow's claim given back. Nothing was read or
written, so nothing is undone. The scheduler tick dispatches it again once
``deferred_until`` has passed (:func:`runs.services.runs_redispatch_orphans`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from runs.models import Run, RunStatus, SyncState
from runs.services.requests import runs_enqueue
from runs.services.transitions import run_transition

log = logging.getLogger(__name__)


def run_defer(*, run: Run, until: datetime) -> bool:
    """Put RUNNING ``run`` back in the queue until ``until`` and free its workflow.

    False (nothing changed) when the run was no longer RUNNING.
    """
    with transaction.atomic():
        if not run_transition(run=run, from_status=RunStatus.RUNNING,
                              to_status=RunStatus.QUEUED, deferred_until=until,
                              deferrals=models.F("deferrals") + 1, started_at=None,
                              heartbeat_at=None, worker="", phase=""):
            return False
        SyncState.objects.filter(workflow_id=run.workflow_id, running_run=run).update(
            running_run=None)
    log.info("run %s deferred until %s: no rate budget", run.pk, until)
    return True


def runs_redispatch_orphans(*, now=None, older_than_seconds: int = 600) -> list[int]:
    """Re-enqueue QUEUED runs of free workflows whose deferral has passed, or whose task
    was lost (broker flushed, cluster restarted: queued longer than
    ``older_than_seconds`` and not deferred). A duplicate task is harmless: the claim
    lets one of them through. At most two queries, however many runs.
    """
    now = now or timezone.now()
    ids = list(
        Run.objects.filter(
            Q(deferred_until__lte=now)
            | Q(deferred_until__isnull=True,
                queued_at__lt=now - timedelta(seconds=older_than_seconds)),
            status=RunStatus.QUEUED,
            workflow__sync_state__running_run__isnull=True,
        ).values_list("pk", flat=True)
    )
    if not ids:
        return ids
    with transaction.atomic():
        Run.objects.filter(pk__in=ids, deferred_until__isnull=False).update(
            deferred_until=None)
        runs_enqueue(run_ids=ids)
    return ids
