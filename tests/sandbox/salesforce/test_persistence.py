from __future__ import annotations

from sandbox.control import Control
from sandbox.salesforce import SalesforceEmulator


def test_it_survives_a_restart(tmp_path):
    control = Control()
    first = SalesforceEmulator(control, state_dir=tmp_path, seed="empty")
    first.load_schema({"fields": {"Account": [{"name": "Tier__c", "type": "string"}]}})
    ids = first.insert("Account", [{"Name": "Kept", "Tier__c": "Gold"}])
    first.save()
    second = SalesforceEmulator(control, state_dir=tmp_path, seed="demo")
    assert second.count("Account") == {"Account": 1}  # state wins over the seed
    assert second.store.find(ids[0])[1]["Tier__c"] == "Gold"


def test_it_seeds_a_realistic_deterministic_demo_org():
    org = SalesforceEmulator(Control(), state_dir=None, seed="demo")
    counts = org.count()
    assert counts["Case"] >= 2000 and counts["Account"] >= 200 and counts["Contact"] >= 200
    cases = list(org.store.records["Case"].values())
    closed = [c for c in cases if c["Status"] == "Closed"]
    assert closed and all(c["ClosedDate"] >= c["CreatedDate"] for c in closed)
    assert {c["Priority"] for c in cases} == {"High", "Medium", "Low"}
    stages = {o["StageName"] for o in org.store.records["Opportunity"].values()}
    assert len(stages) == 10
    again = SalesforceEmulator(Control(), state_dir=None, seed="demo")
    assert [c["Subject"] for c in again.store.records["Case"].values()] == [
        c["Subject"] for c in cases]
