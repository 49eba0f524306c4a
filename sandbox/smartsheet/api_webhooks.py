"""The webhook handlers (``/webhooks``), in the same shape as :mod:`.api`'s."""

from __future__ import annotations

from . import webhooks as hooks
from .api import Call, page
from .errors import ApiError


def _hook(emu, call: Call) -> dict:
    hook = emu.webhooks.get(call.ids[0])
    if hook is None or hook["ownerId"] != call.user["id"]:
        raise ApiError(1006)
    return hook


def webhooks_list(emu, call: Call) -> tuple[int, dict]:
    mine = [hooks.public(h) for h in emu.webhooks.values() if h["ownerId"] == call.user["id"]]
    return 200, page(mine, call)


def webhook_create(emu, call: Call) -> tuple[int, dict]:
    body = call.json()
    if not isinstance(body, dict):
        raise ApiError(1008, "expected a webhook object")
    hook = hooks.new_webhook(body, webhook_id=emu.new_id(), owner_id=call.user["id"],
                             at=emu.now_iso(), settings=emu.hook_settings)
    # The documentation asks for access to the sheet (a lost share disables the webhook:
    # "Webhook status"), not a level: any share will do. No sheet, or none visible: 1151
    # ("Webhook errors").
    sheet = emu.sheets.get(hook["scopeObjectId"])
    if sheet is None or call.user["id"] not in sheet.shares:
        raise ApiError(1151, "sheet", hook["scopeObjectId"])
    emu.webhooks[hook["id"]] = hook
    return 200, {"message": "SUCCESS", "resultCode": 0, "result": hooks.public(hook)}


def webhook_get(emu, call: Call) -> tuple[int, dict]:
    return 200, hooks.public(_hook(emu, call))


def webhook_update(emu, call: Call) -> tuple[int, dict]:
    hook = _hook(emu, call)
    body = call.json()
    if not isinstance(body, dict):
        raise ApiError(1008, "expected a webhook object")
    if "callbackUrl" in body and body["callbackUrl"] != hook["callbackUrl"]:
        hook["callbackUrl"] = hooks.check_callback_url(body["callbackUrl"], emu.hook_settings)
        hook["enabled"], hook["status"] = False, "NEW_NOT_VERIFIED"
    if "name" in body:
        hook["name"] = str(body["name"])
    if body.get("events") not in (None, ["*.*"]):
        raise ApiError(1018, body["events"], "events")
    if body.get("enabled") is True and not hook["enabled"]:
        if hook["status"] == "DISABLED_SCOPE_INACCESSIBLE":
            raise ApiError(1004)
        emu.verify_webhook(hook)
    elif body.get("enabled") is False and hook["enabled"]:
        hook["enabled"], hook["status"] = False, "DISABLED_BY_OWNER"
    hook["modifiedAt"] = emu.now_iso()
    return 200, {"message": "SUCCESS", "resultCode": 0, "result": hooks.public(hook)}


def webhook_delete(emu, call: Call) -> tuple[int, dict]:
    hook = _hook(emu, call)
    del emu.webhooks[hook["id"]]
    return 200, {"message": "SUCCESS", "resultCode": 0}
