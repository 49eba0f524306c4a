"""Fields Salesforce computes: formulas on read, derived values on write.

Formula fields (``calculated: true``) are evaluated every time a record is read, so they
follow the fields they depend on and the clock. Derived fields (full names, opportunity
stage flags, case closure) are set on every write, as Salesforce does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sandbox.salesforce.metadata.standard import CLOSED_CASE_STATUSES, OPPORTUNITY_STAGES
from sandbox.salesforce.values import format_datetime, parse_datetime

Formula = Callable[[dict, datetime], object]

_STAGES = {s[0]: s for s in OPPORTUNITY_STAGES}


def _expected_revenue(rec: dict, now: datetime) -> object:
    amount, probability = rec.get("Amount"), rec.get("Probability")
    if amount is None or probability is None:
        return None
    return round(amount * probability / 100, 2)


def _close_date(rec: dict) -> date | None:
    value = rec.get("CloseDate")
    return date.fromisoformat(value) if value else None


def _entitlement_status(rec: dict, now: datetime) -> object:
    today = now.date().isoformat()
    if rec.get("StartDate") and today < rec["StartDate"]:
        return "Inactive"
    if rec.get("EndDate") and today > rec["EndDate"]:
        return "Expired"
    return "Active"


def _milestone_elapsed(rec: dict, now: datetime) -> int | None:
    if not rec.get("StartDate"):
        return None
    end = parse_datetime(rec["CompletionDate"]) if rec.get("CompletionDate") else now
    return max(0, int((end - parse_datetime(rec["StartDate"])).total_seconds() // 60))


def _milestone_remaining(rec: dict, now: datetime) -> str | None:
    if not rec.get("TargetDate") or rec.get("CompletionDate"):
        return None
    seconds = max(0, int((parse_datetime(rec["TargetDate"]) - now).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _milestone_violated(rec: dict, now: datetime) -> bool:
    if not rec.get("TargetDate"):
        return False
    end = parse_datetime(rec["CompletionDate"]) if rec.get("CompletionDate") else now
    return end > parse_datetime(rec["TargetDate"])


#: object -> [(field, formula)], evaluated on every read.
FORMULAS: dict[str, list[tuple[str, Formula]]] = {
    "Case": [("IsClosed", lambda r, now: r.get("Status") in CLOSED_CASE_STATUSES)],
    "Opportunity": [
        ("ExpectedRevenue", _expected_revenue),
        ("FiscalQuarter", lambda r, now: (d.month - 1) // 3 + 1 if (d := _close_date(r)) else None),
        ("FiscalYear", lambda r, now: d.year if (d := _close_date(r)) else None),
    ],
    "Entitlement": [("Status", _entitlement_status)],
    "CaseMilestone": [
        ("IsCompleted", lambda r, now: r.get("CompletionDate") is not None),
        ("IsViolated", _milestone_violated),
        ("ElapsedTimeInMins", _milestone_elapsed),
        ("TimeRemainingInMins", _milestone_remaining),
    ],
}


def derive(object_name: str, rec: dict, changed: dict, *, now: datetime,
           lookup: Callable[[str], dict | None]) -> None:
    """Set the fields Salesforce derives on write, in place.

    ``changed`` holds the values this write set (derived values a privileged write gave
    explicitly are kept); ``lookup(id)`` returns a stored record or None.
    """
    if object_name in ("Contact", "Lead", "User"):
        rec["Name"] = " ".join(p for p in (rec.get("FirstName"), rec.get("LastName")) if p)
    if object_name == "Opportunity" and "StageName" in changed:
        stage = _STAGES.get(rec.get("StageName"))
        if stage is not None:
            _, probability, forecast, closed, won = stage
            rec["IsClosed"], rec["IsWon"] = closed, won
            if "Probability" not in changed:
                rec["Probability"] = probability
            if "ForecastCategoryName" not in changed:
                rec["ForecastCategoryName"] = forecast
    if object_name == "Case":
        closed = rec.get("Status") in CLOSED_CASE_STATUSES
        if "ClosedDate" not in changed:
            if closed and not rec.get("ClosedDate"):
                rec["ClosedDate"] = format_datetime(now)
            elif not closed:
                rec["ClosedDate"] = None
        if "ContactId" in changed:
            contact = lookup(rec["ContactId"]) if rec.get("ContactId") else None
            rec["ContactEmail"] = contact.get("Email") if contact else None
            rec["ContactPhone"] = contact.get("Phone") if contact else None
    if object_name == "Task":
        rec["IsClosed"] = rec.get("Status") == "Completed"
    if object_name in ("Task", "Event") and ("WhatId" in changed or "WhoId" in changed):
        rec["AccountId"] = None
        what = rec.get("WhatId")
        if what and what.startswith("001"):
            rec["AccountId"] = what
        elif rec.get("WhoId") and (who := lookup(rec["WhoId"])) is not None:
            rec["AccountId"] = who.get("AccountId")
