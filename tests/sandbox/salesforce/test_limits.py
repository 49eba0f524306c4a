from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceRefusedRequest

from tests.sandbox.salesforce.conftest import https_session


def test_it_reports_usage_on_every_api_response(sf, info):
    sf.query("SELECT Id FROM Account")
    used = sf.api_usage["api-usage"].used
    sf.query("SELECT Id FROM Account")
    assert sf.api_usage["api-usage"].used == used + 1
    assert sf.api_usage["api-usage"].total == 100_000
    versions = https_session(info["ca_bundle"]).get(f"{info['instance_url']}/services/data/")
    assert "Sforce-Limit-Info" not in versions.headers
    assert {"52.0", "59.0", "62.0"} <= {v["version"] for v in versions.json()}


def test_it_refuses_calls_past_the_daily_limit(org, sf):
    org.set_limit(5, used=0)
    try:
        for _ in range(4):
            sf.query("SELECT Id FROM Account")
        limits = sf.limits()
        assert limits["DailyApiRequests"] == {"Max": 5, "Remaining": 0}
        with pytest.raises(SalesforceRefusedRequest) as caught:
            sf.query("SELECT Id FROM Account")
        assert caught.value.content == [{"message": "TotalRequests Limit exceeded.",
                                         "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    finally:
        org.set_limit(100_000, used=0)
