"""Users and sharing: the team, share levels enforced on every call."""

from __future__ import annotations

import pytest
import smartsheet
from smartsheet.exceptions import ApiError

from .conftest import ADA, ALICE, BOB, CAROL, add_rows, make_sheet


def _code(excinfo) -> int:
    return excinfo.value.error.result.code


def test_it_lists_the_team_with_one_system_admin(admin):
    users = admin.Users.list_users(include_all=True).data
    assert len(users) >= 5 and len({u.email for u in users}) == len(users)
    assert [u.email for u in users if u.admin] == [ADA]


def test_it_hides_unshared_sheets_and_enforces_levels(admin, client_for):
    sheet_id, cols = make_sheet(admin)
    (row_id,) = add_rows(admin, sheet_id, cols, [{"Name": "a"}])
    bob, carol = client_for(BOB), client_for(CAROL)
    with pytest.raises(ApiError) as excinfo:
        bob.Sheets.get_sheet(sheet_id)
    assert _code(excinfo) == 1004
    assert bob.Sheets.list_sheets().total_count == 0

    admin.Sharing.share_asset([smartsheet.models.AssetShare({"email": BOB, "accessLevel": "EDITOR"}),
                               smartsheet.models.AssetShare({"email": CAROL, "accessLevel": "VIEWER"})],
                              "sheet", sheet_id)
    assert carol.Sheets.get_sheet(sheet_id).access_level == "VIEWER"
    with pytest.raises(ApiError) as excinfo:
        carol.Sheets.update_rows(sheet_id, [smartsheet.models.Row(
            {"id": row_id, "cells": [{"columnId": cols["Name"], "value": "x"}]})])
    assert _code(excinfo) == 1004
    bob.Sheets.update_rows(sheet_id, [smartsheet.models.Row(
        {"id": row_id, "cells": [{"columnId": cols["Name"], "value": "by bob"}]})])
    with pytest.raises(ApiError) as excinfo:  # editors do not change columns
        bob.Sheets.add_columns(sheet_id, [smartsheet.models.Column(
            {"title": "X", "type": "TEXT_NUMBER", "index": 1})])
    assert _code(excinfo) == 1004
    with pytest.raises(ApiError) as excinfo:  # nor share
        bob.Passthrough.post(f"/sheets/{sheet_id}/shares",
                             {"email": ALICE, "accessLevel": "VIEWER"})
    assert _code(excinfo) == 1004
    with pytest.raises(ApiError) as excinfo:
        bob.Sheets.delete_sheet(sheet_id)
    assert _code(excinfo) == 1004


def test_it_lists_and_creates_shares_through_the_asset_sharing_api(admin, client_for):
    sheet_id, _ = make_sheet(admin)
    admin.Sharing.share_asset(smartsheet.models.AssetShare(
        {"email": ALICE, "accessLevel": "EDITOR_SHARE"}), "sheet", sheet_id)
    shares = admin.Sharing.list_asset_shares("sheet", sheet_id).items
    assert {(s.email, str(s.access_level)) for s in shares} == {
        (ADA, "OWNER"), (ALICE, "EDITOR_SHARE")}
    alice = client_for(ALICE)
    with pytest.raises(ApiError) as excinfo:  # above her own level
        alice.Passthrough.post(f"/sheets/{sheet_id}/shares",
                               {"email": BOB, "accessLevel": "ADMIN"})
    assert _code(excinfo) == 1004
    alice.Passthrough.post(f"/sheets/{sheet_id}/shares", {"email": BOB, "accessLevel": "EDITOR"})
    with pytest.raises(ApiError) as excinfo:
        alice.Passthrough.post(f"/sheets/{sheet_id}/shares",
                               {"email": BOB, "accessLevel": "VIEWER"})
    assert _code(excinfo) == 1025
    listed = admin.Passthrough.get(f"/sheets/{sheet_id}/shares").to_dict()
    assert listed["totalCount"] == 3


def test_it_shares_through_control(sandbox, admin, client_for):
    sheet_id, _ = make_sheet(admin)
    sandbox.handle_control("POST", ["smartsheet", "share"],
                           {"sheet_id": sheet_id, "email": CAROL, "access_level": "VIEWER"})
    assert client_for(CAROL).Sheets.get_sheet(sheet_id).access_level == "VIEWER"
