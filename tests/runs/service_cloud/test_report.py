from __future__ import annotations

from datetime import UTC, datetime

from runs.service_cloud.report import median, percentile, service_report

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SLA = {"High": 8, "Medium": 24, "Low": 72}


def case(n, *, priority="Medium", created="2026-11-23T00:00:00.000+0000", closed=None,
         escalated=False, account="Acme", contact="Jo"):
    return {"Id": f"500{n:015d}", "CaseNumber": f"{n:08d}", "Subject": f"Case {n}",
            "Priority": priority, "CreatedDate": created, "ClosedDate": closed,
            "IsClosed": closed is not None, "IsEscalated": escalated,
            "Account": {"Name": account} if account else None,
            "Contact": {"Name": contact} if contact else None}


def test_it_computes_median_and_nearest_rank_p90():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 3]) == 2.5
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([5], 0.9) == 5
    assert median([]) is None and percentile([], 0.9) is None


def test_it_reports_compliance_distribution_and_key_accounts():
    records = [
        case(1, priority="High", closed="2026-11-23T06:00:00.000+0000"),  # 6 h: met
        case(2, priority="High", closed="2026-11-23T10:00:00.000+0000", escalated=True),  # 10 h: breached
        case(3, priority="Medium", closed="2026-11-24T00:00:00.000+0000", account="Globex"),  # 24 h: met
        case(4, priority="Low", created="2026-11-22T00:00:00.000+0000", account="Globex",
             contact=None, escalated=True),  # open 84 h > 72: breached
        case(5, priority="Medium", created="2026-11-24T16:00:00.000+0000"),  # open 20 h: at risk
    ]
    report = service_report(records, now=NOW, sla_hours=SLA)
    assert (report.total_cases, report.open_cases, report.closed_cases) == (5, 2, 3)
    assert report.escalated_cases == 2
    high = report.compliance_by_priority["High"]
    assert (high.met, high.breached, high.rate) == (1, 1, 0.5)
    assert report.compliance_by_priority["Low"].breached == 1
    assert report.time_to_close_median == 10
    assert report.time_to_close_p90 == 24
    assert [c["case_number"] for c in report.at_risk] == ["00000005"]
    assert report.escalations_by_account == [("Acme", 1), ("Globex", 1)]
    assert report.top_accounts[0] == ("Acme", 3)
    assert ("(none)", 1) in report.top_contacts
    assert sum(report.time_to_close_histogram.values()) == 3
