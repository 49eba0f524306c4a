"""Executing one run: claim, sync, finish, release, follow up.

The claim is two conditional updates in one transaction::

    SyncState(workflow).running_run: NULL → run        (the workflow is ours)
    Run(run).status:                 QUEUED → RUNNING  (the run is ours)

Both must change one row, or the transaction rolls back. The database serialises them
(row locks on PostgreSQL, the IMMEDIATE write lock on SQLite), so however many workers
on however many hosts receive tasks, one workflow never runs twice at once and one run
never executes twice. A run whose claim finds the workflow busy stays QUEUED: the run
that holds the claim dispatches it when it finishes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connector.clients.transport import budget_error_defers
from core.logs import log_context
from runs.engine import SyncFailed, sync_workflow
from runs.engine.words import in_install_language
from runs.models import (
    OpenError,
    Run,
    RunError,
    RunStatus,
    RunTrigger,
    SyncState,
)
from runs.notifications import run_errors_notify, run_failure_notify
from runs.services.deferral import run_defer
from runs.services.limits import install_check_budget, install_pause_for_limit
from runs.services.requests import RunRefused, _locked_state, run_enqueue, workflow_refusal
from runs.services.state import sync_state_get_or_create
from runs.services.transitions import run_transition
from workflows.models import Workflow

log = logging.getLogger(__name__)

#: Stored on a run that died of an exception we did not expect. The traceback goes to the
#: log only: exception texts may quote request details, and a run's message is shown to
#: users and mailed.
UNEXPECTED_MESSAGE = gettext_lazy(
    "The sync stopped on an unexpected error ({name}). It has been logged; the next run "
    "will try again."
)
STOPPED_MESSAGE = gettext_lazy(
    "The worker was stopped during the run; the next run will try again.")
#: The outcome of a run put off for lack of rate budget (see ``runs.services.deferral``).
DEFERRED = "deferred"


@dataclass(frozen=True)
class ExecuteResult:
    """What :func:`run_execute` did: ``executed``, ``busy`` (left queued), ``skipped``,
    ``deferred`` (queued again for lack of rate budget)."""

    outcome: str
    run: Run | None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _with_db_retry(func: Callable, *, attempts: int = 40):
    """Call ``func`` (one transaction), retrying while the database is momentarily locked.

    SQLite answers "database is locked" / "database table is locked" when writers pile
    up beyond its busy timeout (an in-memory shared-cache database does not wait at
    all); PostgreSQL may report a deadlock or serialization failure. All of them roll the
    transaction back, so trying again is safe. Not inside an outer transaction: there, a
    retry could not undo what the failed attempt did.
    """
    for attempt in range(attempts):
        try:
            return func()
        except OperationalError as exc:
            text = str(exc).lower()
            transient = "locked" in text or "deadlock" in text or "serializ" in text
            if not transient or attempt == attempts - 1 or connection.in_atomic_block:
                raise
            time.sleep(min(0.5, 0.01 * (attempt + 1)) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def run_claim(*, run_id: int) -> tuple[str, Run | None]:
    """Try to claim run ``run_id``; return (``claimed`` | ``busy`` | ``skipped``, run).

    ``skipped``: the run does not exist or is no longer QUEUED (already executed,
    cancelled) — or its workflow may not run any more, in which case it is cancelled.
    ``busy``: another run of the workflow holds the claim; the run stays QUEUED.
    """
    return _with_db_retry(lambda: _claim(run_id=run_id))


def _claim(*, run_id: int) -> tuple[str, Run | None]:
    with transaction.atomic():
        run = (Run.objects.select_related("workflow__install", "workflow__owner")
               .filter(pk=run_id).first())
        if run is None or run.status != RunStatus.QUEUED:
            return "skipped", run
        with in_install_language(run.workflow.install):
            refusal = workflow_refusal(workflow=run.workflow)
        if refusal:
            run_transition(run=run, from_status=RunStatus.QUEUED,
                           to_status=RunStatus.CANCELLED, message=refusal)
            return "skipped", run
        now = timezone.now()

        def take() -> int:
            return SyncState.objects.filter(
                workflow_id=run.workflow_id, running_run__isnull=True,
            ).update(running_run=run, last_run_at=now)

        took = take()
        if took != 1 and not SyncState.objects.filter(workflow_id=run.workflow_id).exists():
            # The workflow's first run: its scheduler state is made now.
            sync_state_get_or_create(workflow_id=run.workflow_id)
            took = take()
        if took != 1:
            return "busy", run
        if not run_transition(run=run, from_status=RunStatus.QUEUED, to_status=RunStatus.RUNNING,
                              started_at=now, heartbeat_at=now, worker=worker_name()):
            # Someone else moved the run between our read and now: give the claim back.
            transaction.set_rollback(True)
            return "skipped", run
        return "claimed", run


def run_execute(
    *, run_id: int, dry_run: bool = False, sync: Callable | None = None
) -> ExecuteResult:
    """Execute run ``run_id`` if it is QUEUED and its workflow is free.

    ``sync`` is the engine entry point (``runs.engine.sync_workflow`` by default; the
    orchestration tests pass a small stand-in). Never raises for a failure of the sync:
    the run ends FAILED with a message, the claim is released and any queued or
    requested follow-up is dispatched.
    """
    # Every log record of this run carries its ids (LOG_FORMAT=json shows them).
    with log_context(run=run_id) as ids:
        return _execute(run_id=run_id, dry_run=dry_run, sync=sync, log_ids=ids)


def _execute(*, run_id: int, dry_run: bool, sync: Callable | None, log_ids: dict
             ) -> ExecuteResult:
    claim, run = run_claim(run_id=run_id)
    if run is not None:
        log_ids["workflow"] = run.workflow_id
    if claim != "claimed":
        if claim == "busy":
            log.info("run %s waits: workflow %s is busy", run_id, run.workflow_id)
        return ExecuteResult(claim, run)
    # What the run stores (its failure, a pause of its install) is worded in the install's
    # language, as its Sync Error cells and error rows are.
    with in_install_language(run.workflow.install):
        return _execute_claimed(run=run, dry_run=dry_run, sync=sync)


def _execute_claimed(*, run: Run, dry_run: bool, sync: Callable | None) -> ExecuteResult:
    try:
        with _Heartbeat(run_id=run.pk):
            final, fields = _sync(run=run, dry_run=dry_run, sync=sync)
        if final == DEFERRED:
            _with_db_retry(lambda: run_defer(run=run, **fields))
            return ExecuteResult(DEFERRED, run)
    except Exception as exc:  # noqa: BLE001 - any bug must end the run, not wedge it
        log.error("run %s crashed:\n%s", run.pk, traceback.format_exc())
        final = RunStatus.FAILED
        fields = {"message": UNEXPECTED_MESSAGE.format(name=type(exc).__name__)}
    except BaseException:
        # KeyboardInterrupt / SystemExit (a worker being stopped): leave nothing stuck.
        run_finish(run=run, status=RunStatus.FAILED, message=str(STOPPED_MESSAGE))
        raise
    run_finish(run=run, status=final, **fields)
    _after_finish(run=run)
    return ExecuteResult("executed", run)


class _Heartbeat:
    """Moves ``heartbeat_at`` from a background thread while the engine works.

    The engine beats at every batch; this covers long single calls (a slow page, a
    retry backoff) so that only a dead worker — whose threads die with it — goes quiet
    for ``RUN_TIMEOUT_SECONDS`` and gets reaped.
    """

    def __init__(self, *, run_id: int) -> None:
        self.run_id = run_id
        self.interval = max(1.0, min(60.0, settings.RUN_TIMEOUT_SECONDS / 10))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}",
                                       daemon=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _beat(self) -> None:
        try:
            while not self.stop.wait(self.interval):
                # A busy database: the next beat will do (the timeout is minutes).
                with contextlib.suppress(OperationalError):
                    self._beat_once()
        finally:
            close_old_connections_here()

    def _beat_once(self) -> None:
        try:
            Run.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(
                heartbeat_at=timezone.now())
        except OperationalError:
            raise
        except Exception:  # noqa: BLE001
            # Any other database trouble must not end the beats: a silent heartbeat gets
            # a live run reaped, and its workflow could then run twice at once.
            log.exception("heartbeat of run %s failed; beating on", self.run_id)
            close_old_connections_here()


def close_old_connections_here() -> None:
    """Close this thread's database connection (threads open their own)."""
    connections.close_all()


def _sync(*, run: Run, dry_run: bool, sync: Callable | None) -> tuple[str, dict]:
    """Call the engine; translate its outcome into a final status and fields."""
    if sync is None:
        sync = sync_workflow
    deadline = timezone.now() + timedelta(seconds=settings.RUN_TIMEOUT_SECONDS)
    try:
        outcome = sync(run=run, dry_run=dry_run, full=True if run.full else None,
                       deadline=deadline)
    except SyncFailed as exc:
        if budget_error_defers(exc.__cause__):
            return DEFERRED, {"until": timezone.now() + timedelta(
                seconds=max(exc.__cause__.retry_after or 0, 1.0))}
        message = str(getattr(exc, "message", "") or exc)
        kind = getattr(exc, "kind", "")
        log.warning("run %s failed (%s): %s", run.pk, kind, message)
        if kind == "limit":
            install_pause_for_limit(
                install=run.workflow.install, message=message,
                until=getattr(exc, "reset_at", None),
            )
        return RunStatus.FAILED, {"message": message}
    summary = getattr(outcome, "summary", None) or {}
    # SUCCEEDED becomes PARTIAL in run_finish if errors are left open.
    return RunStatus.SUCCEEDED, {"summary": summary}


def run_finish(*, run: Run, status: str, **fields) -> bool:
    """End a RUNNING run with ``status`` (SUCCEEDED turns PARTIAL — "Succeeded with
    errors" — when the run recorded errors or left its workflow with open errors),
    release the workflow and dispatch what waits.

    Returns False (and changes nothing) when the run was no longer RUNNING — e.g. the
    stale-run reaper already failed it; the claim then belongs to someone else or to
    nobody, and is left alone.
    """

    def finish() -> bool:
        with transaction.atomic():
            final = status
            if final == RunStatus.SUCCEEDED and (run.errors_count or _leaves_errors(run)):
                # The run went through but left errors open: "Succeeded with errors".
                final = RunStatus.PARTIAL
            if not run_transition(run=run, from_status=RunStatus.RUNNING, to_status=final,
                                  **fields):
                return False
            _release_and_dispatch(run=run)
        return True

    return _with_db_retry(finish)


def _leaves_errors(run: Run) -> bool:
    """Whether ``run`` recorded errors or its workflow has errors still open (one query)."""
    found = Run.objects.filter(pk=run.pk).values_list(
        Exists(RunError.objects.filter(run_id=run.pk)),
        Exists(OpenError.objects.filter(workflow_id=run.workflow_id, resolved_at__isnull=True)),
    ).first()
    return any(found or ())


def _release_and_dispatch(*, run: Run) -> None:
    """Inside a transaction: free the workflow; queue the next run if one is owed."""
    state = SyncState.objects.select_for_update().filter(workflow_id=run.workflow_id).first()
    if state is None:
        return
    released = SyncState.objects.filter(pk=state.pk, running_run=run).update(
        running_run=None, rerun_requested=False, next_due_at=None
    )
    if released != 1:
        return
    waiting = (
        Run.objects.filter(workflow_id=run.workflow_id, status=RunStatus.QUEUED)
        .order_by("queued_at", "id").first()
    )
    if waiting is not None:
        run_enqueue(run_id=waiting.pk)
        return
    if state.rerun_requested and workflow_refusal(workflow=run.workflow) is None:
        follow_up = Run.objects.create(workflow_id=run.workflow_id, trigger=RunTrigger.FOLLOW_UP)
        run_enqueue(run_id=follow_up.pk)


def _after_finish(*, run: Run) -> None:
    """Budget check and error emails: useful, never allowed to break the worker."""
    has_errors = False
    try:
        # Only what is read here: the workflow and install loaded by the claim stay.
        run.refresh_from_db(fields=["status", "salesforce_api_usage", "errors_count",
                                    "message"])
        install_check_budget(install=run.workflow.install, usage=run.salesforce_api_usage)
        has_errors = bool(run.errors_count) or (
            run.status != RunStatus.SUCCEEDED and run.errors.exists())
    except Exception:  # noqa: BLE001
        log.exception("budget check after run %s failed", run.pk)
    try:
        if run.status == RunStatus.FAILED:
            run_failure_notify(run=run)
        if has_errors:
            run_errors_notify(run=run)
    except Exception:  # noqa: BLE001
        log.exception("error emails for run %s failed", run.pk)


def run_execute_now(
    *, workflow, trigger: str = RunTrigger.COMMAND, full: bool = False,
    sync: Callable | None = None,
) -> Run:
    """Execute a run of ``workflow`` in this process now (no broker), for the
    ``run_workflow`` command.

    A run already queued for the workflow (waiting for a worker) is taken over rather
    than duplicated: this process claims it with the same conditional update a worker
    uses (QUEUED → RUNNING), so whichever comes first runs it and the other finds it
    taken. Raises ``RunRefused`` when the workflow may not run, while a run is running
    (the command must not wait behind it), or when a worker claimed the run first.
    """
    with transaction.atomic():
        state = _locked_state(workflow_id=workflow.pk)
        if state is None:
            raise RunRefused(_("This workflow no longer exists."))
        workflow = Workflow.objects.select_related("install").get(pk=workflow.pk)
        refusal = workflow_refusal(workflow=workflow)
        if refusal:
            raise RunRefused(refusal)
        active = list(Run.objects.filter(
            workflow_id=workflow.pk, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
        ).order_by("queued_at", "id"))
        running = [r for r in active if r.status == RunStatus.RUNNING]
        if running:
            raise RunRefused(_("Run %(number)s of this workflow is already running.")
                             % {"number": running[0].pk})
        if active:
            run = active[0]
            if full and not run.full:
                Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(full=True)
            taken_over = True
        else:
            run = Run.objects.create(workflow=workflow, trigger=trigger, full=full)
            taken_over = False
    result = run_execute(run_id=run.pk, sync=sync)
    if result.outcome != "executed":
        if taken_over:
            raise RunRefused(_("A worker started run %(number)s first; it runs there.")
                             % {"number": run.pk})
        with transaction.atomic():
            run_transition(run=run, from_status=RunStatus.QUEUED, to_status=RunStatus.CANCELLED,
                           message=_("Another run of this workflow started first."))
        raise RunRefused(_("Another run of this workflow started first."))
    run.refresh_from_db()
    return run
