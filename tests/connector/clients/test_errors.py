"""The clients' errors: whether a retry can help, and never a secret in a message."""

from __future__ import annotations

from connector.clients import ClientError
from connector.clients.errors import redact


def test_it_redacts_known_secrets_and_token_shapes():
    text = redact("token abc123secretvalue and Bearer 00Dxx!AQ.very.long.token leaked",
                  ["abc123secretvalue"])

    assert "abc123secretvalue" not in text
    assert "00Dxx!AQ.very.long.token" not in text
    assert text.count("[redacted]") == 2


def test_it_says_which_errors_are_worth_retrying():
    kinds = {k: ClientError(service="smartsheet", kind=k, message="m").retryable
             for k in ("transient", "rate", "auth", "revoked", "limit", "invalid")}

    assert kinds == {"transient": True, "rate": True, "auth": False, "revoked": False,
                     "limit": False, "invalid": False}
