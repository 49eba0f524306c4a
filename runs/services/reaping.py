"""Reaping runs whose worker died: the tick fails RUNNING runs that stopped beating."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from runs.engine.words import in_install_language
from runs.models import FINISHED_STATUSES, Run, RunStatus, SyncState
from runs.services.execute import run_finish

log = logging.getLogger(__name__)

STALE_MESSAGE = gettext_lazy(
    "The worker stopped responding; the run was abandoned and will be retried.")


def runs_reap_stale(*, now=None) -> list[int]:
    """Fail RUNNING runs whose heartbeat is older than ``RUN_TIMEOUT_SECONDS``.

    Their worker died (or hangs): the run ends FAILED with :data:`STALE_MESSAGE`, the
    claim is released and the workflow becomes runnable again. Returns the reaped ids.
    """
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.RUN_TIMEOUT_SECONDS)
    reaped = []
    for run in Run.objects.select_related("workflow__install").filter(
        status=RunStatus.RUNNING
    ):
        last_sign_of_life = run.heartbeat_at or run.started_at or run.queued_at
        if last_sign_of_life >= limit:
            continue
        with in_install_language(run.workflow.install):
            message = str(STALE_MESSAGE)
        if run_finish(run=run, status=RunStatus.FAILED, message=message):
            log.warning("run %s reaped: no heartbeat since %s", run.pk, last_sign_of_life)
            reaped.append(run.pk)
    # A claim held by a run that has ended (a late full save of SyncState by a run that
    # had been reaped) would block its workflow for good: free it.
    freed = SyncState.objects.filter(running_run__status__in=FINISHED_STATUSES).update(
        running_run=None
    )
    if freed:
        log.warning("freed %s workflow claims held by finished runs", freed)
    return reaped
