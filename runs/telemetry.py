"""The models of a deployment's own health: heartbeats of its long-lived services
(``/readyz``) and running totals of finished runs (``/metrics``). Part of the ``runs``
app, re-exported by :mod:`runs.models` — which imports this module at its end, so
import these models from ``runs.models``, never this module first."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from runs.models import RunStatus


class BeatingService(models.TextChoices):
    """The long-lived parts of a deployment that prove they are alive (see /readyz)."""

    SCHEDULER = "scheduler", _("Scheduler tick")
    LISTENER = "listener", _("Real-time listener")


class ServiceHeartbeat(models.Model):
    """When a service last showed it works, shared by every process on every host.

    One row per service, moved by the scheduler tick at the end of each pass and by
    ``listen_changes`` while it runs (see ``runs.services.heartbeats``).
    """

    service = models.CharField(max_length=20, choices=BeatingService.choices, unique=True)
    beat_at = models.DateTimeField()
    #: ``host:pid`` of the process that beat last.
    worker = models.CharField(max_length=120, blank=True)

    def __str__(self) -> str:
        return gettext("%(service)s at %(when)s") % {
            "service": self.get_service_display(), "when": f"{self.beat_at:%Y-%m-%d %H:%M:%S}"}


#: Upper bounds (seconds) of the run-duration histogram's buckets (``+Inf`` is implied);
#: ``RunTally`` has one ``le_<bound>`` column per bound.
DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)


class RunTally(models.Model):
    """Running totals of the runs that ended with one final status: the counters of
    ``/metrics``.

    Added to in the same transaction as each run's last transition
    (``runs.services.tally``), so they count every run once, whichever worker on
    whichever host ran it, and — unlike counts over ``Run`` rows — never go down when
    old runs are deleted (retention, a deleted workflow), which Prometheus would read as
    a counter reset.
    """

    status = models.CharField(max_length=20, choices=RunStatus.choices, unique=True)
    runs = models.PositiveBigIntegerField(default=0)
    salesforce_calls = models.PositiveBigIntegerField(default=0)
    smartsheet_calls = models.PositiveBigIntegerField(default=0)
    #: Runs with a start and an end (a run cancelled while queued has no duration).
    timed = models.PositiveBigIntegerField(default=0)
    duration_seconds = models.FloatField(default=0.0)
    # Timed runs that took at most <bound> seconds (cumulative, as Prometheus wants).
    le_1 = models.PositiveBigIntegerField(default=0)
    le_5 = models.PositiveBigIntegerField(default=0)
    le_15 = models.PositiveBigIntegerField(default=0)
    le_30 = models.PositiveBigIntegerField(default=0)
    le_60 = models.PositiveBigIntegerField(default=0)
    le_120 = models.PositiveBigIntegerField(default=0)
    le_300 = models.PositiveBigIntegerField(default=0)
    le_600 = models.PositiveBigIntegerField(default=0)
    le_1200 = models.PositiveBigIntegerField(default=0)
    le_1800 = models.PositiveBigIntegerField(default=0)
    le_3600 = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return gettext("%(runs)s runs %(status)s") % {"runs": self.runs, "status": self.status}
