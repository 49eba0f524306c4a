"""The sharing handlers (``/sheets/{id}/shares`` and ``/shares?assetType=sheet``), in the
same shape as :mod:`.api`'s."""

from __future__ import annotations

from .api import Call, page
from .errors import ApiError
from .model import ACCESS_LEVELS, RANK, Sheet


def _share_json(emu, sheet: Sheet, uid: int, asset: bool) -> dict:
    # The newer /shares API types userId as a string; /sheets/{id}/shares as a number.
    user = emu.users[uid]
    return {"id": f"U{uid:x}", "type": "USER", "userId": str(uid) if asset else uid,
            "email": user["email"],
            "name": user["name"], "accessLevel": sheet.shares[uid], "scope": "ITEM"}


def _asset_sheet(emu, call: Call, level: str) -> tuple[Sheet, str]:
    if call.arg("assetType") != "sheet":
        raise ApiError(1018, call.arg("assetType"), "assetType")
    call.ids = [call.int_arg("assetId")]
    return emu.sheet_for(call, level)


def shares_list(emu, call: Call) -> tuple[int, dict]:
    asset = not call.ids
    sheet, _ = _asset_sheet(emu, call, "VIEWER") if asset else emu.sheet_for(call, "VIEWER")
    items = [_share_json(emu, sheet, uid, asset) for uid in sheet.shares]
    if asset:
        return 200, {"items": items}
    return 200, page(items, call)


def shares_create(emu, call: Call) -> tuple[int, dict]:
    asset = not call.ids
    sheet, level = (_asset_sheet(emu, call, "EDITOR_SHARE") if asset
                    else emu.sheet_for(call, "EDITOR_SHARE"))
    body = call.json()
    items = [body] if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        raise ApiError(1008, "expected a share object or an array of them")
    granted = []
    for item in items:
        email = (item.get("email") or "").lower()
        access = item.get("accessLevel")
        if not email:
            raise ApiError(1012, "email")
        if access not in ACCESS_LEVELS or access == "OWNER":
            raise ApiError(1031, access, "accessLevel")
        if RANK[access] > RANK[level]:
            raise ApiError(1004)  # nobody can share above their own level
        user = emu.users_by_email.get(email)
        if user is None:
            raise ApiError(1020)
        if user["id"] in sheet.shares:
            raise ApiError(1025)
        granted.append((user["id"], access))
    for uid, access in granted:
        sheet.shares[uid] = access
    result = [_share_json(emu, sheet, uid, asset) for uid, _ in granted]
    return 200, {"message": "SUCCESS", "resultCode": 0,
                 "result": result[0] if isinstance(body, dict) else result}
