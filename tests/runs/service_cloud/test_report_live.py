"""The service report read live from the demo sandbox (2,000+ seeded cases): its numbers
against a direct computation over the emulator's own records, and who may see it (page
and REST endpoint)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from runs.service_cloud.services import service_report_for_install, service_report_for_workflow
from sandbox.salesforce.metadata.standard import CLOSED_CASE_STATUSES
from tests import factories

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # fixed: every seeded open case is long breached
SLA = {"High": 8, "Medium": 24, "Low": 72}


def _parse(text: str) -> datetime:
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def _cases(demo_sandbox, priority: str | None = None) -> list[dict]:
    store = demo_sandbox.salesforce.store
    with store.lock:
        cases = [dict(c) for c in store.records["Case"].values() if not c.get("IsDeleted")]
        accounts = {i: a.get("Name") for i, a in store.records["Account"].items()}
    for case in cases:
        case["_account"] = accounts.get(case.get("AccountId")) or "(none)"
        # IsClosed is a formula field in the emulator (computed when read): derive it.
        case["IsClosed"] = case.get("Status") in CLOSED_CASE_STATUSES
    return [c for c in cases if priority is None or c.get("Priority") == priority]


def _expected(cases: list[dict]) -> dict:
    """The report's numbers, computed here from the raw records (calendar hours)."""
    met, breached = Counter(), Counter()
    closes = []
    for case in cases:
        target = SLA.get(case.get("Priority"))
        created = _parse(case["CreatedDate"])
        if case.get("IsClosed") and case.get("ClosedDate"):
            hours = (_parse(case["ClosedDate"]) - created).total_seconds() / 3600
            closes.append(hours)
            if target is not None:
                (met if hours <= target else breached)[case["Priority"]] += 1
        elif (not case.get("IsClosed") and target is not None
              and NOW - created > timedelta(hours=target)):
            breached[case["Priority"]] += 1
    closes.sort()
    n = len(closes)
    median = closes[n // 2] if n % 2 else (closes[n // 2 - 1] + closes[n // 2]) / 2
    return {
        "total": len(cases),
        "open": sum(1 for c in cases if not c.get("IsClosed")),
        "escalated": sum(1 for c in cases if c.get("IsEscalated")),
        "met": dict(met), "breached": dict(breached), "median": median,
        "p90": closes[math.ceil(0.9 * n) - 1],
        "top_account_count": Counter(c["_account"] for c in cases).most_common(1)[0][1],
        "escalated_accounts": Counter(c["_account"] for c in cases if c.get("IsEscalated")),
    }


@pytest.fixture
def service_install(demo_sandbox, alice, connie):
    """Acme's Service Cloud install on the demo sandbox, alice and connie connected."""
    install = factories.install(sandbox=demo_sandbox, kind="service_cloud")
    factories.connect(alice, install, demo_sandbox)
    factories.connect(connie, install, demo_sandbox)
    return install


@pytest.fixture
def high_cases(demo_sandbox, alice, service_install):
    """alice's workflow of the High priority Cases."""
    return factories.workflow(
        alice, service_install, sheet_id=1, direction="to_smartsheet", salesforce_object="Case",
        mappings=[("Subject", "Subject", "to_smartsheet")],
        filters=[("salesforce", "Priority", "equals", "High")])


def _check(report, expected: dict) -> None:
    assert report.total_cases == expected["total"]
    assert report.open_cases == expected["open"]
    assert report.escalated_cases == expected["escalated"]
    for priority, c in report.compliance_by_priority.items():
        assert c.met == expected["met"].get(priority, 0), priority
        assert c.breached == expected["breached"].get(priority, 0), priority
    assert sum(c.judged for c in report.compliance_by_week.values()) == (
        sum(expected["met"].values()) + sum(expected["breached"].values()))
    assert report.time_to_close_median == pytest.approx(expected["median"], abs=1e-6)
    assert report.time_to_close_p90 == pytest.approx(expected["p90"], abs=1e-6)
    assert report.top_accounts[0][1] == expected["top_account_count"]
    for name, count in report.escalations_by_account:
        assert expected["escalated_accounts"][name] == count


def test_it_reports_the_install_cases_as_a_direct_computation_says(
        demo_sandbox, connie, service_install):
    cases = _cases(demo_sandbox)
    assert len(cases) >= 2000  # the demo seed

    report = service_report_for_install(install=service_install, user=connie, now=NOW)

    _check(report, _expected(cases))


def test_it_reports_only_the_cases_the_workflow_filters(demo_sandbox, high_cases):
    report = service_report_for_workflow(workflow=high_cases, now=NOW)

    expected = _expected(_cases(demo_sandbox, "High"))
    _check(report, expected)
    assert set(report.compliance_by_priority) == {"High"}


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_serves_the_report_to_the_owner_and_team_admins_only(demo_sandbox, alice, connie,
                                                                charlie, high_cases):
    expected = _expected(_cases(demo_sandbox, "High"))
    url = f"/api/v1/workflows/{high_cases.pk}/service-report/"

    body = _api(alice).get(url).json()

    assert body["total_cases"] == expected["total"]
    assert body["escalated_cases"] == expected["escalated"]
    assert body["time_to_close"]["p90_hours"] == round(expected["p90"], 2)
    assert _api(connie).get(url).status_code == 200
    assert _api(charlie).get(url).status_code == 404


def test_it_shows_the_report_pages_to_owner_and_admins_and_hides_them_from_others(
        client, demo_sandbox, alice, connie, charlie, service_install, high_cases):
    client.force_login(alice)
    page = client.get(f"/workflows/{high_cases.pk}/report/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "SLA compliance per priority" in text and "<svg" in text
    assert str(_expected(_cases(demo_sandbox, "High"))["total"]) in text
    assert client.get(f"/installs/{service_install.pk}/report/").status_code == 404  # no admin

    client.force_login(connie)
    assert client.get(f"/workflows/{high_cases.pk}/report/").status_code == 200
    assert client.get(f"/installs/{service_install.pk}/report/").status_code == 200

    client.force_login(charlie)
    assert client.get(f"/workflows/{high_cases.pk}/report/").status_code == 404
    assert client.get(f"/installs/{service_install.pk}/report/").status_code == 404


def test_it_has_no_report_for_a_workflow_on_another_object(client, alice, service_install):
    other = factories.workflow(alice, service_install, sheet_id=2, direction="to_smartsheet",
                               salesforce_object="Account",
                               mappings=[("Name", "Name", "to_smartsheet")])
    client.force_login(alice)
    assert client.get(f"/workflows/{other.pk}/report/").status_code == 404
    assert _api(alice).get(f"/api/v1/workflows/{other.pk}/service-report/").status_code == 404


def test_a_system_admin_without_a_connection_reads_through_a_case_workflows_owner(
        client, demo_sandbox, sam, service_install, high_cases):
    client.force_login(sam)
    page = client.get(f"/installs/{service_install.pk}/report/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Read live through Alice Martin's Salesforce connection." in text
    assert "SLA compliance per priority" in text


def test_it_names_the_missing_connection_instead_of_failing(client, sam, alice, bob):
    install = factories.install(kind="service_cloud")
    client.force_login(sam)
    page = client.get(f"/installs/{install.pk}/report/")
    assert page.status_code == 409
    assert "you are not connected and it has no Case workflow" in page.content.decode()
    factories.workflow(alice, install, salesforce_object="Case")
    factories.workflow(bob, install, salesforce_object="Case")
    page = client.get(f"/installs/{install.pk}/report/")
    assert page.status_code == 409
    assert ("neither yours nor those of its Case workflows&#x27; owners (Alice Martin, Bob "
            "Chen) is live") in page.content.decode()
