"""Change events as Salesforce's Change Data Capture shapes them: compound fields nested
and named by their compound name in ``changedFields`` (``BillingAddress.City``), and
``LastModifiedDate`` in every update. The listener runs a workflow for a change to a
field it syncs, compound or not, and not for a change to fields it does not."""

from __future__ import annotations

import pytest
from django.test import override_settings

from runs.engine import sync_workflow
from runs.realtime.listener import (
    InstallListener,
    changed_fields,
    concerns,
    listener_plan,
    watched_fields,
)
from runs.realtime.models import RealtimeSignal
from tests import factories
from tests.runs.realtime.conftest import wait_for
from tests.runs.realtime.world import connected_alice

pytestmark = pytest.mark.usefixtures("transactional_db")


def _header(*fields: str, change: str = "UPDATE") -> dict:
    return {"changeType": change, "changedFields": list(fields)}


def test_it_reads_compound_names_as_the_fields_they_stand_for():
    assert changed_fields(_header("BillingAddress.City", "LastModifiedDate")) == {
        "billingaddress", "billingcity", "lastmodifieddate"}
    assert changed_fields(_header("Name.FirstName", "LastModifiedDate")) == {
        "name", "firstname", "lastmodifieddate"}
    assert changed_fields(_header("Address.PostalCode")) == {"address", "postalcode"}
    assert changed_fields(_header(change="CREATE")) is None  # anything may be new
    assert changed_fields(_header()) is None  # an update that does not say


@pytest.mark.parametrize(("fields", "watched", "concerned"), [
    (("BillingAddress.City", "LastModifiedDate"), {"billingcity"}, True),
    (("Name.LastName", "LastModifiedDate"), {"name"}, True),  # the compound Name field
    (("Fax", "LastModifiedDate"), {"billingcity", "phone"}, False),
    (("LastModifiedDate",), {"phone"}, False),  # always listed: not a change of ours
    (("Fax",), None, True),  # a workflow that cannot tell watches everything
])
def test_a_change_concerns_a_workflow_through_the_fields_it_watches(fields, watched,
                                                                     concerned):
    assert concerns(_header(*fields), frozenset(watched) if watched else None) is concerned


@pytest.fixture
def world(rt_sandbox, org):
    """alice's Billing City workflow, after its first run (its fields are described)."""
    with override_settings(SHEETFORCE_REALTIME_QUIET_SECONDS=30):
        alice, install = connected_alice(rt_sandbox)
        sheet_id, _ = factories.sheet(rt_sandbox, ["Name", "City"])
        workflow = factories.workflow(
            alice, install, sheet_id=sheet_id, direction="bidirectional",
            mappings=[("Name", "Name", "both"), ("BillingCity", "City", "both")])
        yield workflow


def _pending(workflow) -> int:
    signal = RealtimeSignal.objects.filter(workflow=workflow).first()
    return signal.pending_events if signal else 0


def test_a_workflow_watches_its_fields_once_they_are_described(world, org):
    assert watched_fields(world) is None  # never run: not described yet
    [record_id] = org.insert("Account", [{"Name": "Acme"}])
    sync_workflow(run=factories.start_run(world))
    world.refresh_from_db()
    assert watched_fields(world) == {"name", "billingcity"}
    [targets] = listener_plan(install_id=world.install_id).channels.values()
    assert targets[0].fields == {"name", "billingcity"}
    assert record_id


def test_a_billing_city_change_runs_the_workflow_and_a_fax_change_does_not(world, org,
                                                                           rt_sandbox):
    [record_id] = org.insert("Account", [{"Name": "Acme", "BillingCity": "Lyon"}])
    sync_workflow(run=factories.start_run(world))
    listener = InstallListener(world.install_id, poll_timeout=1, reconcile_seconds=30)
    listener.start()
    try:
        assert listener.subscribed.wait(10), listener.stats
        org.update("Account", [{"Id": record_id, "Fax": "555-0199"}], user="ada@example.com")
        assert wait_for(lambda: listener.stats["events"] == 1)
        assert _pending(world) == 0

        org.update("Account", [{"Id": record_id, "BillingCity": "Nice"}],
                   user="ada@example.com")
        assert wait_for(lambda: _pending(world) == 1)
        event = org.changes.events[-1]["message"]["data"]["payload"]
        assert event["BillingAddress"] == {"City": "Nice"}
        assert event["ChangeEventHeader"]["changedFields"] == [
            "BillingAddress.City", "LastModifiedDate"]
        assert event["LastModifiedDate"].endswith(".000Z")
    finally:
        listener.stop()
        listener.join(timeout=5)
