"""The install form: SLA targets and business hours as fields with validation, plain labels,
the callback URLs to register, status moved only by pause / resume."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from connector.models import InstallStatus

pytestmark = pytest.mark.django_db


def _post(install, **changes) -> dict:
    data = {"name": install.name, "kind": install.kind,
            "salesforce_login_url": "https://login.salesforce.com",
            "salesforce_instance_url": "", "salesforce_client_id": "key",
            "smartsheet_api_base": "https://api.smartsheet.com/2.0",
            "smartsheet_authorize_url": "https://app.smartsheet.com/b/authorize",
            "smartsheet_client_id": "id", "polling_interval_minutes": 15,
            "api_budget_percent": 80, "time_zone": "Europe/Paris", "language": "en",
            "sla_high": 4, "sla_medium": 12, "sla_low": 48, "business_days": [0, 1, 2],
            "business_start": "08:30", "business_end": "18:00", "use_business_hours": "on"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _change(client, install, **changes):
    return client.post(reverse("admin:connector_install_change", args=[install.pk]),
                       _post(install, **changes))


def test_sla_targets_and_business_hours_are_fields(client, connie, install):
    install.sla_hours = {"High": 8, "Medium": 24, "Low": 72, "Urgent": 2}
    install.save()
    client.force_login(connie)
    page = client.get(reverse("admin:connector_install_change", args=[install.pk]))
    body = page.content.decode()
    assert 'name="sla_hours"' not in body and 'name="business_hours"' not in body
    assert 'name="sla_high" value="8"' in body and 'name="business_start"' in body
    response = _change(client, install)
    assert response.status_code == 302, response.context["adminform"].form.errors
    install.refresh_from_db()
    # A priority the form does not show (an org's own) is kept.
    assert install.sla_hours == {"High": 4, "Medium": 12, "Low": 48, "Urgent": 2}
    assert install.business_hours == {"days": [0, 1, 2], "start": "08:30", "end": "18:00"}
    assert install.use_business_hours is True


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"business_end": "08:00"}, "business_end", "Business hours must end after they start."),
    ({"business_days": None}, "business_days", "Pick at least one business day."),
    ({"sla_high": 0}, "sla_high", "Ensure this value is greater than or equal to 1."),
    ({"sla_low": "soon"}, "sla_low", "Enter a whole number."),
    ({"time_zone": "Mars/Olympus"}, "time_zone",
     "Unknown time zone: use a name such as Europe/Paris or UTC."),
    ({"api_budget_percent": 150}, "api_budget_percent", "Give a share between 1 and 100 %."),
])
def test_it_refuses_bad_values_in_plain_words(client, connie, install, changes, field, message):
    client.force_login(connie)
    response = _change(client, install, **changes)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]


def test_status_moves_only_by_pause_and_resume(client, connie, install):
    client.force_login(connie)
    assert _change(client, install, status="disabled").status_code == 302
    install.refresh_from_db()
    assert install.status == InstallStatus.ACTIVE


@override_settings(PUBLIC_BASE_URL="https://sheetforce.example.com")
def test_the_change_page_shows_the_callback_urls_to_register(client, connie, install):
    client.force_login(connie)
    body = client.get(reverse("admin:connector_install_change", args=[install.pk])
                      ).content.decode()
    for service in ("salesforce", "smartsheet"):
        assert (f"https://sheetforce.example.com/connections/{install.pk}/{service}/callback/"
                in body)
    assert "TLS CA bundle" in body and "Tls ca bundle" not in body


@override_settings(PUBLIC_BASE_URL="https://sheetforce.example.com")
def test_the_add_page_explains_them(client, connie):
    client.force_login(connie)
    body = client.get(reverse("admin:connector_install_add")).content.decode()
    assert "https://sheetforce.example.com/connections/&lt;number&gt;/salesforce/callback/" in body
    assert "Once saved, this page shows the exact URLs to register" in body


def test_a_system_admin_manages_installs_too(client, sam, install):
    client.force_login(sam)
    assert _change(client, install, name="By Sam").status_code == 302
    install.refresh_from_db()
    assert install.name == "By Sam"


def test_the_check_page_explains_before_it_calls_anything(client, connie, install):
    client.force_login(connie)
    body = client.get(reverse("admin:connector_install_check", args=[install.pk])
                      ).content.decode()
    assert "with <strong>your own</strong> connections" in body and "Check now" in body
