"""The Prometheus collector behind ``GET /metrics``.

Every figure is read from the database at scrape time — not kept in a process — so the
answer is the same whichever web process serves it and counts the work of every worker
on every host. The counters come from ``RunTally`` (totals kept as runs end: they never
go down when old runs are deleted); the gauges from the runs, errors and installs as
they are. Four queries whatever the number of runs, workflows or installs; labels take
bounded values only (run statuses, the two services, install ids and names).
"""

from __future__ import annotations

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.registry import CollectorRegistry

from runs.models import DURATION_BUCKETS, FINISHED_STATUSES, RunTally
from runs.selectors import (
    installs_api_usage,
    open_errors_count,
    run_tallies,
    runs_active_counts,
)
from runs.services.limits import parse_api_usage


class SheetforceCollector:
    """Runs, their durations and API calls, open errors, the queue, API budgets."""

    def collect(self):
        tallies = run_tallies()
        finished = [tallies.get(status) or RunTally(status=status)
                    for status in FINISHED_STATUSES]

        runs = CounterMetricFamily("sheetforce_runs", "Runs ended, by final status.",
                                   labels=["status"])
        for tally in finished:
            runs.add_metric([tally.status], tally.runs)
        yield runs

        buckets = [(str(float(bound)), sum(getattr(t, f"le_{bound}") for t in finished))
                   for bound in DURATION_BUCKETS]
        buckets.append(("+Inf", sum(t.timed for t in finished)))
        yield HistogramMetricFamily(
            "sheetforce_run_duration_seconds", "Time from a run's start to its end.",
            buckets=buckets, sum_value=sum(t.duration_seconds for t in finished))

        calls = CounterMetricFamily("sheetforce_api_calls", "API calls made by the runs "
                                    "that ended, by service.", labels=["service"])
        for service in ("salesforce", "smartsheet"):
            calls.add_metric([service], sum(getattr(t, f"{service}_calls") for t in finished))
        yield calls

        for status, count in runs_active_counts().items():
            yield GaugeMetricFamily(f"sheetforce_{status}_runs", f"Runs {status} now.",
                                    value=count)

        yield GaugeMetricFamily("sheetforce_open_errors", "Row and record errors not yet "
                                "synced cleanly, across all workflows.", value=open_errors_count())

        ratio = GaugeMetricFamily(
            "sheetforce_api_budget_used_ratio", "Salesforce API requests used in the last "
            "24 hours over the install's budget (1 pauses the install), as its latest run "
            "of the last 24 hours reported.", labels=["install", "name"])
        paused = GaugeMetricFamily("sheetforce_install_paused", "1 while the install is "
                                   "paused on an API limit.", labels=["install", "name"])
        for install in installs_api_usage():
            labels = [str(install["id"]), install["name"]]
            paused.add_metric(labels, 1 if install["status"] == "paused_limit" else 0)
            usage = parse_api_usage(install["usage"])
            if usage and install["api_budget_percent"]:
                used, maximum = usage
                ratio.add_metric(labels, used / (maximum * install["api_budget_percent"] / 100))
        yield ratio
        yield paused


def metrics_registry() -> CollectorRegistry:
    """A registry with our collector only: a web process's own figures (memory, CPU)
    would describe whichever process happened to answer."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SheetforceCollector())
    return registry
