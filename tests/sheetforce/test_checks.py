from __future__ import annotations

from sheetforce import checks


def test_it_fails_loudly_on_a_bad_encryption_key(settings):
    settings.FIELD_ENCRYPTION_KEY = "not-a-key"
    assert [e.id for e in checks.check_encryption_key()] == ["sheetforce.E001"]


def test_it_accepts_a_good_configuration():
    assert checks.check_encryption_key() == []
    assert checks.check_secret_key() == []
    assert checks.check_broker() == []
    assert checks.check_run_timeout() == []


def test_it_refuses_a_short_secret_key(settings):
    settings.SECRET_KEY = "short"
    assert [e.id for e in checks.check_secret_key()] == ["sheetforce.E002"]


def test_it_refuses_a_run_timeout_longer_than_the_worker_timeout(settings):
    settings.RUN_TIMEOUT_SECONDS = settings.Q_CLUSTER["timeout"] + 1
    assert [e.id for e in checks.check_run_timeout()] == ["sheetforce.E004"]


def test_it_refuses_a_cluster_without_broker(settings):
    settings.Q_CLUSTER = {"name": "x", "timeout": 10, "retry": 20}
    assert [e.id for e in checks.check_broker()] == ["sheetforce.E003"]
