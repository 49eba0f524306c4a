"""Run history retention."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from runs.models import FINISHED_STATUSES, OpenError, Run

log = logging.getLogger(__name__)


def runs_cleanup(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete finished runs queued more than ``days`` (default RUN_RETENTION_DAYS) ago.

    Their errors and conflicts go with them (cascade), and so do open errors closed as
    long ago; open ones stay whatever their age. Queued and running runs are kept
    whatever their age: the stale-run reaper ends those. Returns the number of runs
    deleted.
    """
    now = now or timezone.now()
    days = settings.RUN_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    old = Run.objects.filter(queued_at__lt=cutoff, status__in=FINISHED_STATUSES)
    count = old.count()
    # Deleting by primary key in slices keeps each DELETE (and its cascade) small.
    ids = list(old.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        Run.objects.filter(pk__in=ids[start:start + 500]).delete()
    OpenError.objects.filter(resolved_at__lt=cutoff).delete()
    if count:
        log.info("deleted %s runs older than %s days", count, days)
    return count
