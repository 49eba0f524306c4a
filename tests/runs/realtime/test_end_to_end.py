"""End to end, no poll: an edit in Salesforce reaches the sheet and an edit in the sheet
reaches Salesforce through change events and webhooks alone.

The runs execute synchronously in the thread that requested them (django-q2's ``sync``
mode: the listener thread for change events, the live server's request thread for
webhook callbacks), because the live server's test database lives in this process. The
benchmark (``python -m bench.realtime``) does the same with a real qcluster.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_q.conf import Conf

from runs.models import Run, RunTrigger
from runs.realtime.listener import InstallListener
from runs.realtime.webhooks import webhook_ensure
from runs.services import run_execute_now
from tests import factories
from tests.runs.realtime.conftest import wait_for
from tests.runs.realtime.world import account_workflow, connected_alice

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_edits_on_each_side_arrive_on_the_other_without_a_poll(
        rt_sandbox, org, live_server, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)
    with override_settings(PUBLIC_BASE_URL=live_server.url, SHEETFORCE_WEBHOOKS_ENABLED=True,
                           SHEETFORCE_REALTIME_QUIET_SECONDS=0.2,
                           SHEETFORCE_REALTIME_MAX_WAIT_SECONDS=1):
        alice, install = connected_alice(rt_sandbox)
        [record_id] = org.insert("Account", [{"Name": "Acme", "Phone": "555-0000"}])
        workflow, columns = account_workflow(rt_sandbox, alice, install)
        first = run_execute_now(workflow=workflow)
        assert first.rows_added == 1, first.message
        assert webhook_ensure(workflow=workflow).status == "ENABLED"
        listener = InstallListener(install.pk, poll_timeout=1, reconcile_seconds=5)
        listener.start()
        try:
            assert listener.subscribed.wait(10)

            def sheet_phone():
                rows = factories.rows_by_title(rt_sandbox, workflow.sheet_id)
                return rows[0].get("Phone") if rows else None

            org.update("Account", [{"Id": record_id, "Phone": "555-1111"}],
                       user="alice@example.com")
            assert wait_for(lambda: sheet_phone() == "555-1111", timeout=10), (
                listener.stats, list(Run.objects.values("trigger", "status", "message", "records_read", "rows_updated")))

            row_id = factories.rows_by_title(rt_sandbox, workflow.sheet_id)[0]["_id"]
            rt_sandbox.smartsheet.edit_cells(
                sheet_id=workflow.sheet_id, email="ada@example.com",
                rows=[{"id": row_id, "cells": [{"columnId": columns["Phone"],
                                                "value": "555-2222"}]}])

            def salesforce_phone():
                return org.store.records["Account"][record_id]["Phone"]

            assert wait_for(lambda: salesforce_phone() == "555-2222", timeout=10)
            # Let the echoes of the engine's own writes arrive: they must not run again.
            wait_for(lambda: False, timeout=2)
        finally:
            listener.stop()
            listener.join(timeout=5)
        triggers = sorted(Run.objects.filter(workflow=workflow).exclude(pk=first.pk)
                          .values_list("trigger", flat=True))
        assert triggers == sorted([RunTrigger.EVENT, RunTrigger.WEBHOOK])
        assert listener.stats["echoes"] >= 1
        assert not Run.objects.filter(trigger=RunTrigger.SCHEDULE).exists()
