"""django-q2 tasks of real-time sync. Thin: they take ids and call a service.

The dotted paths are a stable interface (queued tasks refer to them by name).
"""

from __future__ import annotations

from runs.realtime.debounce import realtime_fire


def fire_signal(workflow_id: int) -> int | None:
    """Request the debounced run of ``workflow_id`` (see :func:`realtime_fire`)."""
    run = realtime_fire(workflow_id=workflow_id)
    return run.pk if run is not None else None
