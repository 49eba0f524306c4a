"""The Prometheus collector behind ``GET /metrics``.

Every figure is read from the database at scrape time — not kept in a process — so the
answer is the same whichever web process serves it and counts the work of every worker
on every host. Three queries whatever the number of runs, workflows or installs; labels
take bounded values only (run statuses, the two services, install ids).
"""

from __future__ import annotations

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.registry import CollectorRegistry

from runs.models import FINISHED_STATUSES, RunStatus
from runs.selectors import (
    DURATION_BUCKETS,
    installs_api_usage,
    open_errors_count,
    run_stats_by_status,
)
from runs.services.limits import parse_api_usage


class SheetforceCollector:
    """Runs, their durations and API calls, open errors, the queue, API budgets."""

    def collect(self):
        stats = run_stats_by_status()
        empty = {"runs": 0, "timed": 0, "salesforce_calls": 0, "smartsheet_calls": 0,
                 "duration_seconds": 0.0, "le": dict.fromkeys(DURATION_BUCKETS, 0)}
        finished = {str(status): stats.get(status, empty) for status in FINISHED_STATUSES}

        runs = CounterMetricFamily("sheetforce_runs", "Runs finished, by final status "
                                   "(over the run history kept).", labels=["status"])
        for status, row in finished.items():
            runs.add_metric([status], row["runs"])
        yield runs

        buckets = [(str(float(b)), sum(r["le"][b] for r in finished.values()))
                   for b in DURATION_BUCKETS]
        buckets.append(("+Inf", sum(r["timed"] for r in finished.values())))
        yield HistogramMetricFamily(
            "sheetforce_run_duration_seconds", "Time from a run's start to its end.",
            buckets=buckets, sum_value=sum(r["duration_seconds"] for r in finished.values()))

        calls = CounterMetricFamily("sheetforce_api_calls", "API calls made by runs, by "
                                    "service (over the run history kept).", labels=["service"])
        for service in ("salesforce", "smartsheet"):
            calls.add_metric([service], sum(r[f"{service}_calls"] for r in stats.values()))
        yield calls

        for status in (RunStatus.QUEUED, RunStatus.RUNNING):
            yield GaugeMetricFamily(f"sheetforce_{status}_runs", f"Runs {status} now.",
                                    value=stats.get(status, empty)["runs"])

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
