"""System checks for operations: a guessable METRICS_TOKEN is flagged; `check --deploy`
has no error on the shipped defaults."""

from __future__ import annotations

from django.core.management import call_command

from sheetforce import checks


def test_it_warns_about_a_short_metrics_token(settings):
    settings.METRICS_TOKEN = "x" * 15
    [warning] = checks.check_metrics_token()
    assert warning.id == "sheetforce.W003"
    assert "16" in warning.msg


def test_it_accepts_no_metrics_token_or_a_long_one(settings):
    settings.METRICS_TOKEN = ""
    assert checks.check_metrics_token() == []
    settings.METRICS_TOKEN = "x" * 16
    assert checks.check_metrics_token() == []


def test_check_deploy_passes(settings, monkeypatch):
    settings.METRICS_TOKEN = "a-long-enough-metrics-token"
    # tests/browser/conftest.py sets it for Playwright when collected; production never.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    call_command("check", deploy=True, fail_level="ERROR")  # raises on an error
