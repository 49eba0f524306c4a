"""django-q2 tasks of real-time sync. Thin: they take ids and call a service.

The dotted paths are a stable interface (queued tasks refer to them by name).
"""

from __future__ import annotations

from runs.realtime.debounce import realtime_fire
from runs.realtime.webhooks import webhook_repair


def fire_signal(workflow_id: int) -> int | None:
    """Request the debounced run of ``workflow_id`` (see :func:`realtime_fire`)."""
    run = realtime_fire(workflow_id=workflow_id)
    return run.pk if run is not None else None


def repair_webhook(workflow_id: int) -> str | None:
    """Enable the webhook of ``workflow_id`` again (see :func:`webhook_repair`); its
    status afterwards."""
    sub = webhook_repair(workflow_id=workflow_id)
    return sub.status if sub is not None else None
