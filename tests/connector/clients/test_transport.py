"""The clients' transport on plain data: backoff and Retry-After, CA files, counting calls."""

from __future__ import annotations

from pathlib import Path

from connector.clients import CallCounter, TokenSet
from connector.clients.transport import backoff_delay, ca_bundle_path, parse_retry_after


def test_it_honours_retry_after_and_caps_backoff():
    assert backoff_delay(1, base=1.0, retry_after=3.0) == 3.0
    assert backoff_delay(1, base=1.0, retry_after=90.0, cap=30.0) == 30.0
    assert 4.0 <= backoff_delay(3, base=1.0) <= 6.0
    assert parse_retry_after("2") == 2.0 and parse_retry_after("soon") is None


def test_it_writes_pem_text_to_one_file_and_keeps_paths():
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    first, second = ca_bundle_path(pem), ca_bundle_path(pem)

    assert first == second and Path(first).read_text().startswith("-----BEGIN")
    assert ca_bundle_path("/etc/ssl/ca.pem") == "/etc/ssl/ca.pem"
    assert ca_bundle_path(None) is True and ca_bundle_path("  ") is True


def test_it_counts_per_service_and_hides_tokens_in_reprs():
    counter = CallCounter()
    counter.add("salesforce")
    counter.add("smartsheet", 3)

    assert counter.snapshot() == {"salesforce": 1, "smartsheet": 3}
    assert "secret-token" not in repr(TokenSet(access_token="secret-token", refresh_token="r"))
