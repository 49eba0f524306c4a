"""The deterministic demo org: accounts, contacts, opportunities in every stage, and
2,000+ cases over the last 90 days with realistic priorities, escalations and closures.

Records go straight into the store (privileged creates), so their audit dates can lie in
the past; the same ``random.Random`` seed always gives the same org relative to now.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from sandbox.salesforce.metadata.standard import (
    ACCOUNT_TYPES,
    CASE_REASONS,
    CASE_TYPES,
    INDUSTRIES,
    LEAD_SOURCES,
    OPPORTUNITY_STAGES,
)
from sandbox.salesforce.values import format_datetime

if TYPE_CHECKING:
    from sandbox.salesforce.emulator import SalesforceEmulator

SEED = 20240917
ACCOUNTS, CONTACTS, OPPORTUNITIES, CASES = 300, 600, 400, 2200
_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli",
          "Vandelay", "Soylent", "Tyrell", "Cyberdyne", "Aperture", "Oscorp", "Massive",
          "Dynamic", "Northwind", "Contoso", "Fabrikam", "Litware"]
_SUFFIXES = ["Inc.", "LLC", "Corp.", "Group", "Ltd.", "Partners", "Systems", "Labs"]
_FIRST = ["Liam", "Olivia", "Noah", "Emma", "Mia", "Lucas", "Sofia", "Mateo", "Aria", "Leo",
          "Zoe", "Ivan", "Nora", "Omar", "Yuki", "Priya", "Tom", "Lena", "Hugo", "Sara"]
_LAST = ["Smith", "Garcia", "Kim", "Müller", "Rossi", "Dubois", "Silva", "Nakamura",
         "Okafor", "Johansson", "Kowalski", "Nguyen", "Patel", "Brown", "Lopez"]
_CITIES = [("Paris", "France"), ("Berlin", "Germany"), ("Austin", "USA"),
           ("Toronto", "Canada"), ("Lyon", "France"), ("Boston", "USA")]
_SUBJECTS = ["Cannot log in", "Invoice is wrong", "Device overheating", "Slow performance",
             "Installation help", "Feature request", "Data export fails", "Broken part",
             "Password reset", "Shipping delay"]


def seed_demo(em: SalesforceEmulator) -> None:
    """Fill ``em`` with the demo org (in one transaction, well under two seconds)."""
    rng = random.Random(SEED)
    now = em.clock.now().replace(microsecond=0)
    users = list(em.store.records["User"])
    store = em.store

    def create(object_name: str, values: dict, created, owner: str | None = None) -> str:
        stamp = format_datetime(created)
        values.update(CreatedDate=stamp, LastModifiedDate=stamp, SystemModstamp=stamp)
        return store.create(object_name, values, user_id=owner or rng.choice(users),
                            privileged=True)

    with store.transaction():
        accounts = []
        for i in range(ACCOUNTS):
            city, country = rng.choice(_CITIES)
            name = f"{rng.choice(_WORDS)} {rng.choice(_SUFFIXES)} {i + 1:03d}"
            accounts.append(create("Account", {
                "Name": name, "Type": rng.choice(ACCOUNT_TYPES), "Industry": rng.choice(INDUSTRIES),
                "BillingCity": city, "BillingCountry": country,
                "Phone": f"+1 555 {rng.randint(1000000, 9999999)}",
                "AnnualRevenue": rng.choice([None, rng.randint(1, 500) * 100000]),
                "NumberOfEmployees": rng.randint(5, 20000), "Rating": rng.choice(["Hot", "Warm", "Cold"]),
                "AccountSource": rng.choice(LEAD_SOURCES),
            }, now - timedelta(days=rng.randint(120, 900))))
        contacts: dict[str, list[str]] = {a: [] for a in accounts}
        names: set[tuple[str, str, str]] = set()
        for i in range(CONTACTS):
            account = accounts[i % ACCOUNTS]
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            while (first, last, account) in names:
                # The standard duplicate rule would match two people of one name at one
                # account: the demo has none (the next surname; no extra random draw).
                last = _LAST[(_LAST.index(last) + 1) % len(_LAST)]
            names.add((first, last, account))
            contacts[account].append(create("Contact", {
                "AccountId": account, "FirstName": first, "LastName": last,
                "Email": f"{first.lower()}.{i}@example.org",
                "Phone": f"+1 555 {rng.randint(1000000, 9999999)}",
                "Title": rng.choice(["CEO", "CTO", "Buyer", "Engineer", "Office Manager"]),
                "LeadSource": rng.choice(LEAD_SOURCES),
            }, now - timedelta(days=rng.randint(95, 800))))
        for i in range(OPPORTUNITIES):
            stage = OPPORTUNITY_STAGES[i % len(OPPORTUNITY_STAGES)][0]
            created = now - timedelta(days=rng.randint(1, 365))
            create("Opportunity", {
                "AccountId": rng.choice(accounts), "Name": f"Deal {i + 1:04d}",
                "StageName": stage, "Amount": float(rng.randint(5, 500) * 1000),
                "CloseDate": (created + timedelta(days=rng.randint(10, 120))).date().isoformat(),
                "LeadSource": rng.choice(LEAD_SOURCES),
            }, created)
        business_hours = next(iter(store.records["BusinessHours"]))
        milestone = create("MilestoneType", {"Name": "First Response"}, now - timedelta(days=400))
        entitlements = [create("Entitlement", {
            "Name": f"{kind} Support", "AccountId": accounts[i], "Type": f"{kind} Support",
            "StartDate": (now - timedelta(days=365)).date().isoformat(),
            "EndDate": (now + timedelta(days=365)).date().isoformat(),
            "BusinessHoursId": business_hours,
        }, now - timedelta(days=365)) for i, kind in enumerate(["Phone", "Web", "Email"])]
        for i in range(CASES):
            created = now - timedelta(seconds=rng.randint(0, 90 * 86400))
            account = rng.choice(accounts)
            priority = rng.choices(["High", "Medium", "Low"], [2, 5, 3])[0]
            age_days = (now - created).total_seconds() / 86400
            # Time to close: log-normal, faster for high priority; older cases mostly closed.
            hours = rng.lognormvariate({"High": 2.0, "Medium": 3.0, "Low": 3.6}[priority], 1.0)
            closed = hours / 24 < age_days and rng.random() < 0.9
            escalated = rng.random() < (0.25 if priority == "High" else 0.05)
            status = "Closed" if closed else rng.choice(
                ["New", "Working", "Escalated" if escalated else "Working", "On Hold"])
            values = {
                "AccountId": account, "ContactId": rng.choice(contacts[account] or [None]),
                "Subject": rng.choice(_SUBJECTS), "Status": status, "Priority": priority,
                "Origin": rng.choice(["Phone", "Email", "Web"]), "Reason": rng.choice(CASE_REASONS),
                "Type": rng.choice(CASE_TYPES), "IsEscalated": escalated,
                "Description": f"Reported by customer on {created:%Y-%m-%d}.",
            }
            if closed:
                values["ClosedDate"] = format_datetime(created + timedelta(hours=hours))
            if i % 10 == 0:
                values["EntitlementId"] = rng.choice(entitlements)
                values["SlaStartDate"] = format_datetime(created)
            case_id = create("Case", values, created)
            if closed:
                stamp = values["ClosedDate"]
                store.records["Case"][case_id].update(LastModifiedDate=stamp,
                                                      SystemModstamp=stamp)
            if i % 10 == 0:
                target = created + timedelta(hours={"High": 4, "Medium": 8, "Low": 24}[priority])
                done = created + timedelta(hours=min(hours, rng.uniform(0.5, 30)))
                create("CaseMilestone", {
                    "CaseId": case_id, "MilestoneTypeId": milestone,
                    "StartDate": format_datetime(created), "TargetDate": format_datetime(target),
                    "CompletionDate": format_datetime(done) if done < now else None,
                    "TargetResponseInMins": int((target - created).total_seconds() // 60),
                    "BusinessHoursId": business_hours,
                }, created)
            if i % 7 == 0:
                create("CaseComment", {"ParentId": case_id, "IsPublished": i % 2 == 0,
                                       "CommentBody": "Called the customer back."},
                       created + timedelta(hours=1) if created + timedelta(hours=1) < now else created)
        store.last_stamp = max(store.last_stamp, format_datetime(now))
