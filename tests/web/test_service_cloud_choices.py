"""The wizard's Fields step offers the computed Case columns on Service Cloud installs."""

from __future__ import annotations

from types import SimpleNamespace

from web.wizard.metadata import WizardMetadata


def test_it_offers_computed_case_columns_on_a_service_cloud_install_only():
    service_cloud = WizardMetadata(user=None, install=SimpleNamespace(kind="service_cloud"))
    choices = service_cloud.computed_choices("Case")
    assert "SLA status (computed)" in [c.label for c in choices]
    assert {c.value for c in choices} == {"$time_to_close", "$age", "$sla_target",
                                          "$sla_status", "$escalated"}
    assert all(c.locked for c in choices)
    assert service_cloud.computed_choices("Account") == []
    plain = WizardMetadata(user=None, install=SimpleNamespace(kind="salesforce"))
    assert plain.computed_choices("Case") == []
