"""The per-token rate limit: 429 with errorCode 4003, which the SDK retries."""

from __future__ import annotations

import pytest
from smartsheet.exceptions import ApiError

from .conftest import BOB, QuickBackoff, make_sheet


def test_it_answers_4003_and_the_sdk_retries_through_it(sandbox, client_for):
    backoff = QuickBackoff(wait=0.3)
    client = client_for(BOB, backoff=backoff)
    sandbox.handle_control("POST", ["smartsheet", "rate_limit"],
                           {"per_minute": 2, "window_seconds": 1})
    emails = [client.Users.get_current_user().email for _ in range(4)]
    assert emails == [BOB] * 4
    assert backoff.attempts >= 1
    assert sandbox.smartsheet.count()["rate_limited"] >= 1


def test_it_gives_up_when_the_window_does_not_clear(sandbox, client_for):
    client = client_for(BOB, backoff=QuickBackoff(wait=0.1, give_up_after=0.3))
    sandbox.smartsheet.rate_limit(per_minute=1)
    client.Users.get_current_user()
    with pytest.raises(ApiError) as excinfo:
        client.Users.get_current_user()
    assert excinfo.value.error.result.code == 4003
    assert excinfo.value.error.result.status_code == 429


def test_it_weighs_cell_history_as_ten_calls_and_limits_per_token(sandbox, admin, client_for):
    sheet_id, cols = make_sheet(admin)
    row_id = admin.Sheets.add_rows(sheet_id, [{"cells": [
        {"columnId": cols["Name"], "value": "x"}]}]).result[0].id
    sandbox.smartsheet.rate_limit(per_minute=12)
    quick = client_for(backoff=QuickBackoff(wait=0.05, give_up_after=0.1))
    quick.Cells.get_cell_history(sheet_id, row_id, cols["Name"])
    quick.Users.get_current_user()
    with pytest.raises(ApiError):  # 10 + 1 used; another history call would make 21
        quick.Cells.get_cell_history(sheet_id, row_id, cols["Name"])
    assert client_for(BOB).Users.get_current_user().email == BOB  # Bob has his own window


def test_it_reports_the_most_requests_a_token_sent_within_a_minute(sandbox, client_for):
    sandbox.smartsheet.rate_limit(per_minute=1_000_000)
    for _ in range(3):
        client_for(BOB).Users.get_current_user()
    counts = sandbox.smartsheet.count()
    assert counts["rate_peak_per_token"] == 3
    assert len(counts["rate_peaks"]) == 1
    assert BOB not in str(counts["rate_peaks"])  # tokens are known by a hash
