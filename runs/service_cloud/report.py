"""The service report: SLA compliance, time to close, escalations, key accounts/contacts.

A pure function of case records (Salesforce API shape, with ``Account.Name`` and
``Contact.Name`` nested as the query returns them), so tests can check every number
against a direct computation over the sandbox's data.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.times import parse_timestamp
from runs.service_cloud.metrics import BusinessHours, case_metrics
from workflows.service_cloud import SlaStatus

#: Fields the report's SOQL query selects.
REPORT_FIELDS = ("Id", "CaseNumber", "Subject", "Status", "Priority", "IsClosed", "ClosedDate",
                 "CreatedDate", "IsEscalated", "Account.Name", "Contact.Name")


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in (0, 1]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass
class Compliance:
    met: int = 0
    breached: int = 0

    @property
    def judged(self) -> int:
        return self.met + self.breached

    @property
    def rate(self) -> float | None:
        return None if not self.judged else self.met / self.judged


@dataclass
class ServiceReport:
    total_cases: int = 0
    open_cases: int = 0
    closed_cases: int = 0
    escalated_cases: int = 0
    compliance_by_priority: dict[str, Compliance] = field(default_factory=dict)
    #: ISO week start (Monday, date text) → compliance of cases closed (or breached) that week.
    compliance_by_week: dict[str, Compliance] = field(default_factory=dict)
    time_to_close_median: float | None = None
    time_to_close_p90: float | None = None
    #: Histogram buckets of time to close: label → count.
    time_to_close_histogram: dict[str, int] = field(default_factory=dict)
    at_risk: list[dict] = field(default_factory=list)
    escalations_by_account: list[tuple[str, int]] = field(default_factory=list)
    top_accounts: list[tuple[str, int]] = field(default_factory=list)
    top_contacts: list[tuple[str, int]] = field(default_factory=list)
    #: Whose Salesforce connection read the cases (set by ``runs.service_cloud.services``).
    read_as: str = ""


HISTOGRAM_EDGES = (4, 8, 24, 72, 168)


def _bucket(hours: float) -> str:
    previous = 0
    for edge in HISTOGRAM_EDGES:
        if hours <= edge:
            return f"{previous}–{edge} h"
        previous = edge
    return f"> {HISTOGRAM_EDGES[-1]} h"


def _name(record: dict, relationship: str) -> str:
    parent = record.get(relationship)
    return (parent or {}).get("Name") or "(none)"


def _week(moment: datetime) -> str:
    monday = (moment - timedelta(days=moment.weekday())).date()
    return monday.isoformat()


def service_report(records, *, now: datetime, sla_hours: dict[str, float],
                   business: BusinessHours | None = None, top: int = 10) -> ServiceReport:
    """Build the report from case records (an iterable; read once)."""
    report = ServiceReport()
    report.time_to_close_histogram = {_bucket(e): 0 for e in HISTOGRAM_EDGES}
    report.time_to_close_histogram[_bucket(math.inf)] = 0
    by_priority: dict[str, Compliance] = defaultdict(Compliance)
    by_week: dict[str, Compliance] = defaultdict(Compliance)
    closes: list[float] = []
    escalations: Counter[str] = Counter()
    accounts: Counter[str] = Counter()
    contacts: Counter[str] = Counter()

    for record in records:
        m = case_metrics(record, now=now, sla_hours=sla_hours, business=business)
        report.total_cases += 1
        account, contact = _name(record, "Account"), _name(record, "Contact")
        accounts[account] += 1
        contacts[contact] += 1
        if m.escalated:
            report.escalated_cases += 1
            escalations[account] += 1
        if record.get("IsClosed"):
            report.closed_cases += 1
        else:
            report.open_cases += 1
        if m.time_to_close is not None:
            closes.append(m.time_to_close)
            report.time_to_close_histogram[_bucket(m.time_to_close)] += 1
        priority = record.get("Priority") or "(none)"
        if m.sla_status in (SlaStatus.MET, SlaStatus.BREACHED):
            bucket = by_priority[priority]
            week_bucket = by_week[_week(parse_timestamp(record.get("ClosedDate"))
                                        if record.get("IsClosed") else now)]
            if m.sla_status == SlaStatus.MET:
                bucket.met += 1
                week_bucket.met += 1
            else:
                bucket.breached += 1
                week_bucket.breached += 1
        if m.sla_status == SlaStatus.AT_RISK:
            report.at_risk.append({
                "id": record.get("Id"), "case_number": record.get("CaseNumber"),
                "subject": record.get("Subject"), "priority": priority,
                "age": round(m.age or 0.0, 2), "sla_target": m.sla_target, "account": account,
            })

    report.compliance_by_priority = dict(sorted(by_priority.items()))
    report.compliance_by_week = dict(sorted(by_week.items()))
    report.time_to_close_median = median(closes)
    report.time_to_close_p90 = percentile(closes, 0.9)
    report.at_risk.sort(key=lambda c: -(c["age"] / (c["sla_target"] or 1)))
    report.escalations_by_account = escalations.most_common(top)
    report.top_accounts = accounts.most_common(top)
    report.top_contacts = contacts.most_common(top)
    return report
