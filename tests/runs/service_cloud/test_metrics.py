from __future__ import annotations

from datetime import UTC, datetime

import pytest

from runs.service_cloud.metrics import BusinessHours, case_metrics
from workflows.service_cloud import SlaStatus

SLA = {"High": 8, "Medium": 24, "Low": 72}
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def case(**fields):
    base = {"CreatedDate": "2026-11-24T00:00:00.000+0000", "IsClosed": False,
            "Priority": "Medium", "IsEscalated": False, "ClosedDate": None}
    base.update(fields)
    return base


def test_it_computes_time_to_close_for_a_closed_case():
    m = case_metrics(case(IsClosed=True, ClosedDate="2026-11-24T10:30:00.000+0000"), now=NOW, sla_hours=SLA)
    assert m.time_to_close == pytest.approx(10.5)
    assert m.age is None
    assert m.sla_status == SlaStatus.MET


def test_it_counts_closing_exactly_at_the_target_as_met():
    m = case_metrics(case(IsClosed=True, Priority="High", ClosedDate="2026-11-24T08:00:00.000+0000"),
                     now=NOW, sla_hours=SLA)
    assert m.time_to_close == 8.0 and m.sla_status == SlaStatus.MET


def test_it_marks_a_late_close_as_breached():
    m = case_metrics(case(IsClosed=True, Priority="High", ClosedDate="2026-11-24T08:00:01.000+0000"),
                     now=NOW, sla_hours=SLA)
    assert m.sla_status == SlaStatus.BREACHED


@pytest.mark.parametrize(
    "hours_open, status",
    [(10, SlaStatus.WITHIN), (19.2, SlaStatus.AT_RISK), (23.99, SlaStatus.AT_RISK),
     (24, SlaStatus.AT_RISK), (24.01, SlaStatus.BREACHED)],
)
def test_it_judges_open_cases_by_age(hours_open, status):
    created = datetime(2026, 11, 25, 12, 0, tzinfo=UTC).timestamp() - hours_open * 3600
    created_text = datetime.fromtimestamp(created, UTC).isoformat()
    m = case_metrics(case(CreatedDate=created_text), now=NOW, sla_hours=SLA)
    assert m.age == pytest.approx(hours_open)
    assert m.sla_status == status


def test_it_treats_a_reopened_case_as_open():
    m = case_metrics(case(IsClosed=False, ClosedDate="2026-11-24T02:00:00.000+0000"), now=NOW, sla_hours=SLA)
    assert m.time_to_close is None and m.age == pytest.approx(36.0)
    assert m.sla_status == SlaStatus.BREACHED


def test_it_gives_no_time_to_close_without_closed_date():
    m = case_metrics(case(IsClosed=True, ClosedDate=None), now=NOW, sla_hours=SLA)
    assert m.time_to_close is None and m.sla_status == SlaStatus.NO_TARGET


def test_it_gives_no_status_without_a_target_for_the_priority():
    m = case_metrics(case(Priority="Critical"), now=NOW, sla_hours=SLA)
    assert m.sla_target is None and m.sla_status == SlaStatus.NO_TARGET


def test_it_reports_escalation():
    assert case_metrics(case(IsEscalated=True), now=NOW, sla_hours=SLA).escalated is True


def test_it_counts_business_hours_only():
    hours = BusinessHours.from_settings({"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}, "UTC")
    # Friday 16:00 → Monday 10:00 = 1 h Friday + 1 h Monday.
    begin = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    finish = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert hours.hours_between(begin, finish) == pytest.approx(2.0)
    m = case_metrics(case(CreatedDate=begin.isoformat(), IsClosed=True, ClosedDate=finish.isoformat(),
                          Priority="High"), now=NOW, sla_hours=SLA, business=hours)
    assert m.time_to_close == pytest.approx(2.0) and m.sla_status == SlaStatus.MET


def test_it_applies_business_hours_in_the_install_time_zone():
    # 09:00–17:00 in New York is 14:00–22:00 UTC in November (EST, UTC−5).
    hours = BusinessHours.from_settings({"days": [2], "start": "09:00", "end": "17:00"}, "America/New_York")
    begin = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    finish = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert hours.hours_between(begin, finish) == pytest.approx(1.0)


def test_it_handles_a_daylight_saving_change():
    # US DST ends on 2026-11-01 (a Sunday); Monday 2 Nov 09:00–17:00 EST is 8 h.
    hours = BusinessHours.from_settings({"days": [0], "start": "09:00", "end": "17:00"}, "America/New_York")
    begin = datetime(2026, 10, 31, 0, 0, tzinfo=UTC)
    finish = datetime(2026, 11, 3, 0, 0, tzinfo=UTC)
    assert hours.hours_between(begin, finish) == pytest.approx(8.0)


def test_it_refuses_business_hours_that_end_before_they_start():
    with pytest.raises(ValueError):
        BusinessHours.from_settings({"start": "17:00", "end": "09:00"}, "UTC")
