"""Run services: requesting, executing and finishing runs; limits; retention.

The public interface (import from ``runs.services``):

- :func:`workflow_save` — save a workflow and request the run it needs.
- :func:`run_request`, :func:`run_request_for_user`, :class:`RunRefused`,
  :func:`user_can_run_workflow` — ask for a run (coalesced with one in progress).
- :func:`run_execute` — what the django-q2 task calls: claim, sync, finish, follow up.
- :func:`run_execute_now` — the command line: queue and execute in this process.
- :func:`run_transition` — the state machine's conditional update.
- :func:`run_defer` — put off a run that found no shared rate budget.
- :func:`runs_reap_stale`, :func:`runs_redispatch_orphans`, :func:`runs_cleanup`.
- :func:`heartbeat_record` — the scheduler tick and the listener say they are alive.
- :func:`install_pause_for_limit`, :func:`install_check_budget`, :func:`installs_resume_due`.
"""

from __future__ import annotations

from runs.services.deferral import run_defer, runs_redispatch_orphans
from runs.services.execute import (
    UNEXPECTED_MESSAGE,
    ExecuteResult,
    run_claim,
    run_execute,
    run_execute_now,
    run_finish,
)
from runs.services.heartbeats import heartbeat_record
from runs.services.history import runs_cleanup
from runs.services.limits import (
    budget_exhausted,
    install_check_budget,
    install_pause_for_limit,
    installs_resume_due,
    next_midnight_utc,
    parse_api_usage,
)
from runs.services.reaping import STALE_MESSAGE, runs_reap_stale
from runs.services.requests import (
    RunRefused,
    run_enqueue,
    run_request,
    run_request_for_user,
    runs_enqueue,
    runs_request_scheduled,
    user_can_run_workflow,
    workflow_refusal,
)
from runs.services.saving import WorkflowSaved, workflow_save
from runs.services.state import sync_state_get_or_create
from runs.services.transitions import InvalidTransition, run_transition

__all__ = [
    "STALE_MESSAGE",
    "UNEXPECTED_MESSAGE",
    "ExecuteResult",
    "InvalidTransition",
    "RunRefused",
    "budget_exhausted",
    "heartbeat_record",
    "install_check_budget",
    "install_pause_for_limit",
    "installs_resume_due",
    "next_midnight_utc",
    "parse_api_usage",
    "run_claim",
    "run_defer",
    "run_enqueue",
    "runs_enqueue",
    "run_execute",
    "run_execute_now",
    "run_finish",
    "run_request",
    "run_request_for_user",
    "run_transition",
    "runs_cleanup",
    "runs_reap_stale",
    "runs_request_scheduled",
    "runs_redispatch_orphans",
    "sync_state_get_or_create",
    "user_can_run_workflow",
    "WorkflowSaved",
    "workflow_save",
    "workflow_refusal",
]
