"""Asking for a run: "Run now", the API, the schedule, the command line.

A request never starts a second concurrent run of a workflow and is never lost:

- no active run → a new QUEUED run, enqueued on commit;
- a QUEUED run exists → that run is returned (it has not read anything yet, so it will
  see whatever prompted this request); a full reconciliation request upgrades it;
- a RUNNING run exists → ``SyncState.rerun_requested`` is set and one FOLLOW_UP run is
  queued (and returned; later requests return it, per the rule above). It waits for the
  running run, which dispatches it when it finishes (see ``execute``).
"""

from __future__ import annotations

import logging
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_q.brokers import get_broker
from django_q.brokers.redis_broker import Redis as RedisBroker
from django_q.tasks import async_task

from connector.models import InstallStatus
from runs.models import Run, RunStatus, RunTrigger, SyncState
from runs.services.state import sync_state_get_or_create
from workflows.models import Workflow
from workflows.permissions import owner_pause_reason, user_can_set_enabled

log = logging.getLogger(__name__)

EXECUTE_TASK = "runs.tasks.execute_run"


class RunRefused(Exception):
    """The workflow cannot run now; ``message`` says why, fit to show a user."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def run_enqueue(*, run_id: int) -> None:
    """Hand the run to the django-q2 cluster once the surrounding transaction commits.

    Enqueuing before commit would let a fast worker look for a run that it cannot see
    yet; enqueuing after a rollback would queue a run that does not exist.
    """
    # A partial (not a closure) so tests can read what was queued from the callback.
    transaction.on_commit(
        partial(async_task, EXECUTE_TASK, run_id, task_name=f"run-{run_id}", group="runs"))


def runs_enqueue(*, run_ids: list[int]) -> None:
    """:func:`run_enqueue` for a batch (the scheduler's tick, re-dispatching): one
    on-commit callback and, on Redis, one push for them all."""
    if run_ids:
        transaction.on_commit(partial(tasks_push, EXECUTE_TASK, list(run_ids)))


class _Batch:
    """Stands in for django-q2's broker while ``async_task`` builds and signs each task
    as usual (options, signals, signing — nothing of ours), keeping the packages to
    push at once."""

    def __init__(self, broker) -> None:
        self.broker, self.list_key, self.packages = broker, broker.list_key, []

    def enqueue(self, package: str) -> int:
        self.packages.append(package)
        return len(self.packages)

    def push(self) -> None:
        if isinstance(self.broker, RedisBroker):
            # One round trip instead of one a task: RPUSH takes many values.
            self.broker.connection.rpush(self.list_key, *self.packages)
        else:
            for package in self.packages:
                self.broker.enqueue(package)


def tasks_push(func: str, run_ids: list[int]) -> None:
    """Queue ``func(run_id)`` for each of ``run_ids`` now (called on commit)."""
    batch = _Batch(get_broker())
    for run_id in run_ids:
        async_task(func, run_id, task_name=f"run-{run_id}", group="runs", broker=batch)
    if batch.packages:
        batch.push()


def workflow_refusal(*, workflow) -> str | None:
    """Why ``workflow`` may not run now, or None when it may."""
    if not workflow.enabled:
        return _("This workflow is disabled.")
    install = workflow.install
    paused = owner_pause_reason(owner=workflow.owner, install=install)
    if paused:
        return paused
    if install.status == InstallStatus.DISABLED:
        return _("The install %(install)s is disabled.") % {"install": install.name}
    if install.status == InstallStatus.PAUSED_LIMIT:
        return install.status_message or _(
            "The install %(install)s is paused: API limit reached.") % {"install": install.name}
    return None


def run_request(*, workflow, trigger: str, user=None, full: bool = False) -> Run:
    """Request a run of ``workflow``; return the run that will do the work.

    ``user`` is who asked (for the log; permission is checked by
    :func:`run_request_for_user`). Raises :class:`RunRefused` for a disabled or deleted
    workflow, or a disabled or paused install.
    """

    with transaction.atomic():
        # Lock the scheduler state first: two simultaneous requests serialise here.
        state = _locked_state(workflow_id=workflow.pk)
        fresh = (
            Workflow.objects.select_related("install", "owner").filter(pk=workflow.pk).first()
            if state is not None else None
        )
        if fresh is None:
            raise RunRefused(_("This workflow no longer exists."))
        refusal = workflow_refusal(workflow=fresh)
        if refusal:
            raise RunRefused(refusal)
        active = list(
            Run.objects.filter(
                workflow_id=fresh.pk, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
            ).order_by("queued_at", "id")
        )
        queued = [r for r in active if r.status == RunStatus.QUEUED]
        if queued:
            run = queued[0]
            if full and not run.full:
                Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(full=True)
                run.full = True
            return run
        running = [r for r in active if r.status == RunStatus.RUNNING]
        if running:
            # The follow-up exists as a QUEUED run at once (visible, and immune to a
            # stale save of SyncState); the running run dispatches it when it finishes.
            type(state).objects.filter(pk=state.pk).update(rerun_requested=True)
            follow_up = Run.objects.create(
                workflow=fresh, trigger=RunTrigger.FOLLOW_UP, full=full
            )
            log.info("run of workflow %s requested while run %s runs: follow-up %s queued",
                     fresh.pk, running[0].pk, follow_up.pk)
            return follow_up
        run = Run.objects.create(workflow=fresh, trigger=trigger, full=full)
        run_enqueue(run_id=run.pk)
        log.info("run %s of workflow %s queued (%s, by %s)", run.pk, fresh.pk, trigger,
                 getattr(user, "pk", None))
        return run


def runs_request_scheduled(*, workflows: list) -> list[Run]:
    """Queue one SCHEDULE run for each of ``workflows`` that has none queued or running;
    return the new runs. A constant number of queries however many workflows: the
    scheduler tick's batch form of :func:`run_request`.

    The caller selected ``workflows`` (:class:`~runs.scheduling.DueWorkflow`: ``pk`` and
    ``has_state``) as runnable (enabled, active install, owner allowed to sync, nothing
    queued or running). Their scheduler states are locked and their runs
    looked at again here, so a request that raced the selection is not doubled.
    """
    if not workflows:
        return []
    ids = [w.pk for w in workflows]
    with transaction.atomic():
        missing = [w.pk for w in workflows if not w.has_state]
        if missing:
            SyncState.objects.bulk_create([SyncState(workflow_id=pk) for pk in missing],
                                          ignore_conflicts=True)
        claimed = dict(SyncState.objects.select_for_update().filter(workflow_id__in=ids)
                       .values_list("workflow_id", "running_run_id"))
        busy = set(Run.objects.filter(workflow_id__in=ids, status__in=(
            RunStatus.QUEUED, RunStatus.RUNNING)).values_list("workflow_id", flat=True))
        free = [pk for pk in ids if pk in claimed and claimed[pk] is None and pk not in busy]
        runs = Run.objects.bulk_create(
            [Run(workflow_id=pk, trigger=RunTrigger.SCHEDULE) for pk in free])
        runs_enqueue(run_ids=[run.pk for run in runs])
    return runs


def user_can_run_workflow(*, user, workflow) -> bool:
    """The owner, or an admin of the owner's team (the same rule as enabling)."""

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user_can_set_enabled(user=user, workflow=workflow)


def run_request_for_user(
    *, workflow, user, trigger: str = RunTrigger.MANUAL, full: bool = False
) -> Run:
    """:func:`run_request` on behalf of a person ("Run now" in the UI or API).

    Raises ``PermissionDenied`` when ``user`` may not run ``workflow``, and
    :class:`RunRefused` when the workflow cannot run now.
    """
    if not user_can_run_workflow(user=user, workflow=workflow):
        raise PermissionDenied(_("You cannot run this workflow."))
    return run_request(workflow=workflow, trigger=trigger, user=user, full=full)


def _locked_state(*, workflow_id: int):

    if not Workflow.objects.filter(pk=workflow_id).exists():
        return None
    return sync_state_get_or_create(workflow_id=workflow_id, lock=True)
