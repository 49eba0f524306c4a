"""Case metrics as pure functions: time to close, age, SLA target and status.

Inputs are plain values (aware datetimes, strings), so the engine can recompute an open
case's age and SLA status on every run from what it stored at the last sync — moving
with time costs no API call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.times import parse_timestamp
from workflows.service_cloud import SlaStatus

#: Case fields the computations read (added to the SOQL query when a computed column is
#: mapped: relationship-free, so no extra call).
INPUT_FIELDS = ("CreatedDate", "ClosedDate", "IsClosed", "Priority", "IsEscalated", "Status")

AT_RISK_SHARE = 0.8


@dataclass(frozen=True)
class BusinessHours:
    """Working days (Monday=0) and hours, in a time zone."""

    days: frozenset[int]
    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: dict, time_zone: str) -> BusinessHours:
        def parse(value: str) -> time:
            hour, minute = value.split(":")
            return time(int(hour), int(minute))

        start, end = parse(settings.get("start", "09:00")), parse(settings.get("end", "17:00"))
        if end <= start:
            raise ValueError("business hours must end after they start")
        return cls(frozenset(int(d) for d in settings.get("days", [0, 1, 2, 3, 4])),
                   start, end, ZoneInfo(time_zone or "UTC"))

    def hours_between(self, begin: datetime, finish: datetime) -> float:
        """Business hours elapsed between two aware datetimes (0 when finish ≤ begin)."""
        if finish <= begin:
            return 0.0
        begin, finish = begin.astimezone(self.zone), finish.astimezone(self.zone)
        total = 0.0
        day: date = begin.date()
        while day <= finish.date():
            if day.weekday() in self.days:
                # Local wall-clock window of that day, resolved in the zone (DST-safe).
                open_at = datetime.combine(day, self.start, self.zone)
                close_at = datetime.combine(day, self.end, self.zone)
                lo, hi = max(open_at, begin), min(close_at, finish)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total / 3600.0


def elapsed_hours(begin: datetime, finish: datetime, business: BusinessHours | None) -> float:
    if business is not None:
        return business.hours_between(begin, finish)
    return max(0.0, (finish - begin).total_seconds() / 3600.0)


@dataclass(frozen=True)
class CaseMetrics:
    time_to_close: float | None
    age: float | None
    sla_target: float | None
    sla_status: str
    escalated: bool


def case_metrics(record: dict, *, now: datetime, sla_hours: dict[str, float],
                 business: BusinessHours | None = None) -> CaseMetrics:
    """Metrics of one case from its fields (Salesforce API shape).

    - *Time to close*: ClosedDate − CreatedDate for a closed case; a closed case without
      ClosedDate has none (and its SLA status is judged as unknown: no status).
    - *Age*: now − CreatedDate for an open case. A reopened case (IsClosed false, but a
      ClosedDate left over) is open: its age counts from creation.
    - *SLA status*: Met when closed within the target (closing exactly at the target is
      met), Breached when closed after it or open past it, At risk when an open case has
      used ≥ 80 % of its target, else Within SLA. No target for the priority: no status.
    """
    created = parse_timestamp(record.get("CreatedDate"))
    closed_at = parse_timestamp(record.get("ClosedDate"))
    is_closed = bool(record.get("IsClosed"))
    target = sla_hours.get(record.get("Priority") or "")
    target = float(target) if target not in (None, "") else None
    escalated = bool(record.get("IsEscalated"))

    time_to_close = age = None
    status = SlaStatus.NO_TARGET
    if created is not None:
        if is_closed:
            if closed_at is not None:
                time_to_close = elapsed_hours(created, closed_at, business)
                if target is not None:
                    status = SlaStatus.MET if time_to_close <= target else SlaStatus.BREACHED
        else:
            age = elapsed_hours(created, now, business)
            if target is not None:
                if age > target:
                    status = SlaStatus.BREACHED
                elif age >= AT_RISK_SHARE * target - 1e-9:  # float noise at the edge
                    status = SlaStatus.AT_RISK
                else:
                    status = SlaStatus.WITHIN
    return CaseMetrics(time_to_close, age, target, status, escalated)
