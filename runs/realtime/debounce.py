"""Debouncing: a burst of reported changes becomes one run request.

:func:`realtime_request` notes a change and, if no debounce task is pending for the
workflow, arms one (a conditional update False → True, so however many changes arrive
at once, one task is queued). The task, :func:`realtime_fire`, waits until the burst
has been quiet for ``quiet_seconds`` — or ``max_wait_seconds`` after it was armed, so a
steady flood still syncs — then disarms and calls ``runs.services.run_request``, which
coalesces with a queued run or sets the one follow-up of a running run.

Why this cannot starve other workflows: per workflow there is at most one armed task
(waiting at most ``max_wait_seconds``), one queued run and one follow-up flag, however
many changes arrive; other workflows' tasks queue beside them, first come first served.
Why nothing is lost: a change reported after the disarm arms a new task, whose request
lands on a queued run (not started: it will read the change) or a follow-up (runs after
the current run). Polling still reconciles anything a missed event would have said.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from runs.models import Run
from runs.realtime import conf
from runs.realtime.models import RealtimeSignal
from runs.services import RunRefused, run_request
from workflows.models import Workflow

log = logging.getLogger(__name__)

FIRE_TASK = "runs.realtime.tasks.fire_signal"


def realtime_request(*, workflow_id: int, trigger: str, events: int = 1) -> bool:
    """Note ``events`` changes of ``workflow_id`` reported by ``trigger`` (WEBHOOK or
    EVENT); return True when this call armed the debounce task (queued on commit)."""
    now = timezone.now()
    with transaction.atomic():
        signal, _ = RealtimeSignal.objects.get_or_create(workflow_id=workflow_id)
        RealtimeSignal.objects.filter(pk=signal.pk).update(
            last_event_at=now, trigger=trigger, pending_events=F("pending_events") + events)
        armed = RealtimeSignal.objects.filter(pk=signal.pk, armed=False).update(
            armed=True, armed_at=now)
        if armed:

            transaction.on_commit(partial(async_task, FIRE_TASK, workflow_id,
                                          task_name=f"realtime-{workflow_id}-{now.timestamp()}",
                                          group="realtime"))
    return bool(armed)


def realtime_fire(*, workflow_id: int,
                  sleep: Callable[[float], None] = time.sleep) -> Run | None:
    """The debounce task: wait for the burst to settle, then request one run.

    Returns the run that will do the work (None when the signal was not armed, or the
    workflow may not run: disabled, deleted, paused install — polling is then moot too).
    """

    quiet = timedelta(seconds=conf.quiet_seconds())
    max_wait = timedelta(seconds=conf.max_wait_seconds())
    while True:
        signal = RealtimeSignal.objects.filter(workflow_id=workflow_id).first()
        if signal is None or not signal.armed:
            return None
        now = timezone.now()
        due = min(signal.last_event_at + quiet, signal.armed_at + max_wait)
        if now < due:
            sleep((due - now).total_seconds())
            continue
        break
    with transaction.atomic():
        # Disarm before requesting: a change reported from here on arms a new task.
        disarmed = RealtimeSignal.objects.filter(pk=signal.pk, armed=True).update(
            armed=False, armed_at=None, pending_events=0, fired_count=F("fired_count") + 1)
        if not disarmed:
            return None
        workflow = Workflow.objects.select_related("install").filter(pk=workflow_id).first()
        if workflow is None:
            return None
        try:
            run = run_request(workflow=workflow, trigger=signal.trigger)
        except RunRefused as refused:
            log.info("realtime: workflow %s not run: %s", workflow_id, refused.message)
            return None
    log.info("realtime: %s change(s) of workflow %s → run %s (%s)", signal.pending_events,
             workflow_id, run.pk, signal.trigger)
    return run
