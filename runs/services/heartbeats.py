"""Service heartbeats: the scheduler tick and the real-time listener say they are alive.

Stored in the database (``ServiceHeartbeat``), the one place every process on every host
shares; ``/readyz`` reads them (``runs.selectors.heartbeats_latest``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from runs.models import ServiceHeartbeat
from runs.services.execute import worker_name


def heartbeat_record(*, service: str, now: datetime | None = None) -> None:
    """Move the heartbeat of ``service`` (a ``BeatingService``) to ``now``.

    One UPDATE once the row exists; the first beat creates it (two processes racing the
    first beat both succeed: the loser's create becomes an update).
    """
    now = now or timezone.now()
    fields = {"beat_at": now, "worker": worker_name()}
    if ServiceHeartbeat.objects.filter(service=service).update(**fields):
        return
    try:
        with transaction.atomic():
            ServiceHeartbeat.objects.create(service=service, **fields)
    except IntegrityError:
        ServiceHeartbeat.objects.filter(service=service).update(**fields)
