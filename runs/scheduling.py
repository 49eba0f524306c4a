"""Polling: which workflows are due, the once-a-minute tick, and the django-q2 schedules.

There is ONE schedule for all workflows (``runs.tasks.scheduler_tick`` every minute) and
one daily cleanup, created idempotently by :func:`ensure_schedules`. The tick:

1. resumes installs whose API-limit pause has passed,
2. fails runs whose worker stopped responding (and frees their workflows),
3. re-enqueues queued runs whose deferral has passed or whose task was lost,
4. queues a run of every due workflow, in one batch, the most overdue first and no more
   per owner's connection than their Smartsheet rate budget carries in a minute,
5. records its heartbeat (``/readyz`` expects one every few minutes).

A workflow is due when it is enabled, its install is active, its owner lets it sync
(``workflows.permissions.owner_pause_reason``), it has no queued or running run, and its
effective polling interval has elapsed since its last run started.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule

from connector.budgets import sustained_per_minute
from connector.models import InstallStatus, PollingInterval
from runs.models import BeatingService, Run, RunStatus
from runs.services import (
    heartbeat_record,
    installs_resume_due,
    runs_reap_stale,
    runs_redispatch_orphans,
    runs_request_scheduled,
)
from workflows.models import Workflow
from workflows.permissions import runnable_owner_q

log = logging.getLogger(__name__)

TICK_SCHEDULE_NAME = "sheetforce: scheduler tick"
#: Half the tick's period: see :func:`workflow_is_due`.
DUE_GRACE = timedelta(seconds=30)
CLEANUP_SCHEDULE_NAME = "sheetforce: run history cleanup"
TICK_TASK = "runs.tasks.scheduler_tick"
CLEANUP_TASK = "runs.tasks.cleanup_runs"


def effective_interval_minutes(*, install_minutes: int | None, workflow_minutes: int | None) -> int:
    """A workflow polls at its own interval, but never more often than its install."""
    base = install_minutes or PollingInterval.FIFTEEN
    return max(base, workflow_minutes or base)


def workflow_is_due(*, workflow, last_run_at: datetime | None, now: datetime) -> bool:
    """Whether the polling interval of ``workflow`` has elapsed since ``last_run_at`` —
    or will have by the middle of the next minute (see :func:`poll_is_due`)."""
    return poll_is_due(install_minutes=workflow.install.polling_interval_minutes,
                       workflow_minutes=workflow.polling_interval_minutes,
                       last_run_at=last_run_at, now=now)


def poll_is_due(*, install_minutes: int | None, workflow_minutes: int | None,
                last_run_at: datetime | None, now: datetime) -> bool:
    """Whether a workflow polling at these intervals and last run at ``last_run_at`` is
    due ``now`` — or will be by the middle of the next minute.

    The tick comes once a minute: a workflow due before the next tick's midpoint is
    polled now, at the tick nearest its due time, so that polls run at most half a
    minute early instead of up to a minute late (and one polled "every minute" does not
    slip to every two minutes when the tick fires a moment early).
    """
    if last_run_at is None:
        return True
    minutes = effective_interval_minutes(install_minutes=install_minutes,
                                         workflow_minutes=workflow_minutes)
    return last_run_at + timedelta(minutes=minutes) - DUE_GRACE <= now


@dataclass(frozen=True, slots=True)
class DueWorkflow:
    """A workflow the tick will poll: only what queuing its run needs."""

    pk: int
    owner_id: int
    install_id: int
    has_state: bool


def workflows_due(*, now: datetime | None = None) -> list[DueWorkflow]:
    """Enabled workflows of active installs with nothing queued or running, now due —
    the most overdue first, and no more per owner's connection than
    :func:`polls_per_connection` (the rest stay due for the next tick). One query, read
    as plain values: a fleet's thousand workflows are not built as models each tick."""

    now = now or timezone.now()
    busy = Run.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).values(
        "workflow_id"
    )
    candidates = (
        Workflow.objects.filter(runnable_owner_q(), enabled=True,
                                install__status=InstallStatus.ACTIVE)
        .exclude(pk__in=busy)
        .exclude(sync_state__running_run__isnull=False)
        .order_by("id")
        .values_list("id", "owner_id", "install_id", "polling_interval_minutes",
                     "install__polling_interval_minutes", "sync_state__id",
                     "sync_state__last_run_at")
    )
    never = datetime.min.replace(tzinfo=now.tzinfo)
    due = []
    for pk, owner_id, install_id, minutes, install_minutes, state_id, last_run_at in candidates:
        if poll_is_due(install_minutes=install_minutes, workflow_minutes=minutes,
                       last_run_at=last_run_at, now=now):
            due.append((last_run_at or never, DueWorkflow(
                pk=pk, owner_id=owner_id, install_id=install_id, has_state=state_id is not None)))
    due.sort(key=lambda pair: (pair[0], pair[1].pk))
    cap = polls_per_connection()
    taken: dict[tuple[int, int], int] = {}
    spread = []
    for _, workflow in due:
        connection = (workflow.owner_id, workflow.install_id)
        if cap is not None and taken.get(connection, 0) >= cap:
            continue
        taken[connection] = taken.get(connection, 0) + 1
        spread.append(workflow)
    return spread


def polls_per_connection() -> int | None:
    """How many polls one tick may queue for one owner's connection: what a minute of
    their Smartsheet token's shared budget carries at ``SCHEDULE_CALLS_PER_POLL`` calls
    a poll, so that a user with hundreds of workflows is polled in a steady stream
    instead of a burst the budget would defer. None when the budget is off."""
    budget = settings.RATE_BUDGET_SMARTSHEET_PER_MINUTE
    if not budget:
        return None
    return max(1, sustained_per_minute(budget) // max(1, settings.SCHEDULE_CALLS_PER_POLL))


@dataclass
class TickReport:
    resumed_installs: list[int] = field(default_factory=list)
    reaped_runs: list[int] = field(default_factory=list)
    redispatched_runs: list[int] = field(default_factory=list)
    queued_runs: list[int] = field(default_factory=list)


def scheduler_tick(*, now: datetime | None = None) -> TickReport:
    """One pass of the scheduler (see the module docstring), in a constant number of
    queries whatever the number of workflows. Safe to run concurrently: every step is a
    conditional update or locks what it changes."""

    now = now or timezone.now()
    report = TickReport()
    report.resumed_installs = installs_resume_due(now=now)
    report.reaped_runs = runs_reap_stale(now=now)
    report.redispatched_runs = runs_redispatch_orphans(now=now)
    report.queued_runs = [run.pk for run in runs_request_scheduled(
        workflows=workflows_due(now=now))]
    if any((report.resumed_installs, report.reaped_runs, report.queued_runs)):
        log.info("scheduler tick: resumed %s, reaped %s, redispatched %d, queued %d",
                 report.resumed_installs, report.reaped_runs,
                 len(report.redispatched_runs), len(report.queued_runs))
    # Last, so a tick that keeps failing part-way is not reported alive. The real clock,
    # not ``now``: the beat says when a tick ran, whatever time it was asked to assume.
    heartbeat_record(service=BeatingService.SCHEDULER)
    return report


def ensure_schedules() -> list:
    """Create (or repair) the tick and cleanup schedules; idempotent.

    Existing schedules keep their ``next_run``; only what they call and how often is
    put back, so an admin's edit of the function or interval cannot silently stop
    polling.
    """

    wanted = [
        (TICK_SCHEDULE_NAME, TICK_TASK, {"schedule_type": Schedule.MINUTES, "minutes": 1}),
        (CLEANUP_SCHEDULE_NAME, CLEANUP_TASK, {"schedule_type": Schedule.DAILY, "minutes": None}),
    ]
    schedules = []
    for name, func, timing in wanted:
        schedule = Schedule.objects.filter(name=name).order_by("id").first()
        if schedule is None:
            schedule = Schedule.objects.create(name=name, func=func, repeats=-1, **timing)
        else:
            changes = {"func": func, "repeats": -1, **timing}
            if any(getattr(schedule, k) != v for k, v in changes.items()):
                for key, value in changes.items():
                    setattr(schedule, key, value)
                schedule.save()
            # Duplicates (two hosts racing the first setup) would tick twice a minute.
            Schedule.objects.filter(name=name).exclude(pk=schedule.pk).delete()
        schedules.append(schedule)
    return schedules


def ensure_schedules_after_migrate(sender=None, **kwargs) -> None:
    """``post_migrate`` receiver (connect it in ``RunsConfig.ready``)."""
    if getattr(sender, "name", None) not in (None, "runs"):
        return
    ensure_schedules()
