"""The outbound policy: which hosts the clients may call."""

from __future__ import annotations

import pytest

from connector.outbound import HostNotAllowed, HostPattern, OutboundPolicy

DEFAULTS = ("*.salesforce.com,api.smartsheet.com,app.smartsheet.com,api.smartsheet.eu,"
            "app.smartsheet.eu")


@pytest.mark.parametrize("url", [
    "https://login.salesforce.com/services/oauth2/token",
    "https://acme.my.salesforce.com/services/data/v59.0/query",
    "https://acme--uat.sandbox.my.salesforce.com",
    "https://api.smartsheet.com/2.0/sheets",
    "https://API.Smartsheet.com:443/2.0",
    "https://app.smartsheet.eu/b/authorize",
])
def test_it_allows_the_public_service_hosts(url):
    assert OutboundPolicy.from_text(DEFAULTS).allows(url)


@pytest.mark.parametrize(("url", "says"), [
    ("https://evil.example.com/2.0", "is not an allowed API host"),
    ("https://salesforce.com.evil.example/", "is not an allowed API host"),
    ("https://evilsalesforce.com/", "is not an allowed API host"),
    ("https://salesforce.com/", "is not an allowed API host"),  # the bare domain
    ("https://api.smartsheet.com:8443/2.0", "is not an allowed API host"),
    ("http://api.smartsheet.com/2.0", "must use https://"),
    ("ftp://api.smartsheet.com/", "Use an https:// URL"),
    ("https://user:pw@api.smartsheet.com/", "user name or password"),
    ("https://169.254.169.254/latest/meta-data", "is not an allowed API host"),
    ("https://[::1]:8443/", "is not an allowed API host"),
    ("not a url", "Use an https:// URL"),
    ("https://api.smartsheet.com:99999/", "not a valid URL"),
])
def test_it_refuses_other_hosts_schemes_and_ports(url, says):
    with pytest.raises(HostNotAllowed) as caught:
        OutboundPolicy.from_text(DEFAULTS).check(url)
    assert says in caught.value.message
    # The message names the host, never a path, query or credentials.
    assert "pw" not in caught.value.message and "meta-data" not in caught.value.message


def test_it_admits_plain_http_only_when_the_entry_says_so():
    policy = OutboundPolicy.from_text("127.0.0.1:8443, http://127.0.0.1:8444")
    assert policy.allows("https://127.0.0.1:8443/services/data/")
    assert policy.allows("http://127.0.0.1:8444/2.0/sheets")
    assert not policy.allows("http://127.0.0.1:8443/")  # https entry: no plain http
    assert not policy.allows("https://127.0.0.1:8444/")  # http entry: its port only
    assert not policy.allows("http://127.0.0.1:8445/2.0")


def test_it_reads_ipv6_and_wildcard_patterns():
    assert HostPattern.parse("[::1]:8443") == HostPattern("https", "::1", 8443)
    assert HostPattern.parse("*.My.Salesforce.com") == HostPattern(
        "https", "*.my.salesforce.com", 443)
    for bad in ("", "ftp://x.com", "a*.example.com", "x.com/path"):
        with pytest.raises(ValueError):
            HostPattern.parse(bad)
