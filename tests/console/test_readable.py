"""Machine data as people read it: human run titles, counts, plans, conflicts and audit
changes as tables — no JSON anywhere in the console."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_update_roles
from audit.models import AuditEntry
from runs.models import Conflict, RunStatus
from tests import factories

pytestmark = pytest.mark.django_db
JSON = re.compile(r"[{\[]\s*&quot;|\{&#x27;|\{'|\{\"")


@pytest.fixture
def run(workflow):
    run = factories.run(workflow, status=RunStatus.PARTIAL, rows_added=3, errors_count=1,
                        salesforce_api_usage="1200/15000",
                        summary={"smartsheet": {"rows_to_add": 3, "rows_to_update": 0},
                                 "fields_to_update": {"Name": 2}, "full": False,
                                 "calls": {"salesforce": 2, "smartsheet": 3}})
    moment = timezone.make_aware(datetime(2025, 12, 5, 0, 48))
    type(run).objects.filter(pk=run.pk).update(queued_at=moment)
    run.refresh_from_db()
    factories.run_error(run, row_number=4, field="Phone", message="Not a phone number")
    Conflict.objects.create(run=run, record_id="001000000000001AAA", field="Name",
                            salesforce_value={"first": "Ada"}, smartsheet_value=["A", "B"],
                            winner="salesforce")
    return run


def test_a_run_has_a_human_title(run):
    assert str(run) == f"Accounts — run #{run.pk}, 5 Dec 00:48, succeeded with errors"


def test_the_run_page_shows_tables_not_json(client, sam, run):
    client.force_login(sam)
    body = client.get(reverse("admin:runs_run_change", args=[run.pk])).content.decode()
    assert "Rows to add" in body and "Full reconciliation" in body
    assert "1,200 of 15,000" in body and "Not a phone number" in body
    assert "Ada" in body and "<li>A</li>" in body  # the conflict's values, as values
    content = body[body.index('id="content-main"'):]
    assert not JSON.search(content.split("data-inline-formset")[0]), "JSON shown"
    assert f"Accounts — run #{run.pk}" in body


def test_the_run_list_fits_a_few_plain_columns(client, sam, run):
    client.force_login(sam)
    response = client.get(reverse("admin:runs_run_changelist"))
    assert len(response.context["cl"].list_display) <= 9  # the checkbox-less list


def test_an_audit_entry_shows_before_and_after(client, sam, uma):
    user_update_roles(actor=sam, user=uma, licensed=True)
    entry = AuditEntry.objects.get()
    client.force_login(sam)
    body = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])
                      ).content.decode()
    assert re.search(r"<th scope=\"row\">Licensed</th><td>No</td><td>Yes</td>", body)
    listing = client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert "Licensed: No → Yes" in listing and "Roles or licence changed" in listing


def test_the_audit_log_answers_who_changed_what_yesterday(client, sam, uma, alice):
    user_update_roles(actor=sam, user=uma, licensed=True)
    user_update_roles(actor=sam, user=alice, salesforce_user=False)
    AuditEntry.objects.filter(target_label="Uma Ng").update(
        at=timezone.localtime() - timedelta(days=1))
    AuditEntry.objects.filter(target_label="Alice Martin").update(
        at=timezone.localtime() - timedelta(days=3))
    client.force_login(sam)
    response = client.get(reverse("admin:audit_auditentry_changelist") + "?when=yesterday")
    assert [e.target_label for e in response.context["cl"].result_list] == ["Uma Ng"]
