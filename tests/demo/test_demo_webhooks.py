"""The demo relaxes Smartsheet's callback rules only when it turns webhooks on: its plain
http address is one the real service would refuse."""

from __future__ import annotations

import pytest
from django.test import override_settings

from sheetforce.demo import webhooks_need_insecure_callbacks


@pytest.mark.parametrize(("url", "enabled", "relaxed"), [
    ("http://127.0.0.1:8000", None, False),  # the default demo: no webhooks, polls
    ("http://127.0.0.1:8000", True, True),  # webhooks asked for on plain http
    ("https://sheetforce.example.com", True, False),  # Smartsheet can call it back
    ("https://sheetforce.example.com", None, False),
])
def test_it_relaxes_the_callback_rules_only_for_webhooks_on_a_refused_address(
        url, enabled, relaxed):
    with override_settings(PUBLIC_BASE_URL=url, SHEETFORCE_WEBHOOKS_ENABLED=enabled):
        assert webhooks_need_insecure_callbacks() is relaxed
