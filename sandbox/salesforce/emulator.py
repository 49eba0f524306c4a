"""The Salesforce emulator: the runner's Emulator contract, control actions, persistence.

Everything a test can do over ``/__sandbox__/salesforce/<action>`` it can also do
in-process through the plain methods of :class:`SalesforceEmulator` (``insert``,
``update``, ``reset``...), which bypass HTTP but not the org's rules.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import timedelta
from pathlib import Path

from werkzeug.wrappers import Request

from sandbox.control import Control
from sandbox.personas import PASSWORD, PERSONAS
from sandbox.salesforce import ids
from sandbox.salesforce.auth import Grant, TokenStore
from sandbox.salesforce.controls import ControlActions
from sandbox.salesforce.metadata import Schema
from sandbox.salesforce.query_api import Cursors
from sandbox.salesforce.streaming import ChangeBus, PublishingStore, StreamingApi
from sandbox.salesforce.web import endpoint_key as _endpoint_key
from sandbox.salesforce.web import handle

STATE_FILE = "salesforce.json"


class SalesforceEmulator(ControlActions):
    """A Salesforce org over the REST API (see :mod:`sandbox.runner` for the contract).

    Options: ``schema_file`` (custom objects and fields, see
    :meth:`~sandbox.salesforce.metadata.Schema.load_custom`), ``token_ttl_seconds``
    (default 7200), ``daily_api_limit`` (default 100,000), ``redirect_uris`` (OAuth
    callbacks allowed besides loopback ones), ``streaming_timeout_seconds`` (the CometD
    long poll, default 110), ``duplicate_rules`` (the standard duplicate rules, active by
    default as in a new org; see :mod:`.duplicates`), ``rotate_refresh_tokens`` (the
    connected app's refresh token rotation, off by default). None keeps the saved state's
    setting.
    """

    service = "salesforce"

    def __init__(self, control: Control, *, state_dir: Path | None, seed: str = "empty",
                 schema_file: str | Path | None = None, token_ttl_seconds: float = 7200,
                 daily_api_limit: int = 100_000, redirect_uris: list[str] | None = None,
                 streaming_timeout_seconds: float = 110, duplicate_rules: bool | None = None,
                 rotate_refresh_tokens: bool | None = None) -> None:
        if seed not in ("empty", "demo"):
            raise ValueError(f"unknown seed {seed!r}")
        self.shared = control
        self.clock = control.clock
        self.base_url = "https://127.0.0.1"
        self.state_path = Path(state_dir) / STATE_FILE if state_dir else None
        self.org_id = ids.make_id("00D", 1)
        self.schema = Schema()
        if schema_file:
            self.schema.load_custom_file(schema_file)
        # Change Data Capture (sandbox/salesforce/streaming): the store publishes an event
        # per committed write once the bus is attached below, after seeding/loading.
        self.store = PublishingStore(self.schema, self.clock.now)
        self.changes = ChangeBus(self.clock.now)
        self.streaming = StreamingApi(self, self.changes,
                                      timeout_seconds=streaming_timeout_seconds)
        self.tokens = TokenStore(self.org_id, timedelta(seconds=token_ttl_seconds))
        self.cursors = Cursors()
        self.redirect_uris = set(redirect_uris or ())
        self.daily_limit = int(daily_api_limit)
        self.api_used = 0
        self._api_day = self.clock.now().date().isoformat()
        self._api_lock = threading.Lock()
        self._rule_specs: list[dict] = []
        self._automation_specs: list[dict] = []
        #: user id -> {permission: granted} on top of the profile's (control ``permissions``)
        self.permission_overrides: dict[str, dict[str, bool]] = {}
        if self.state_path is not None and self.state_path.exists():
            self._load(json.loads(self.state_path.read_text()))
        else:
            self._create_org_users()
            if seed == "demo":
                from sandbox.salesforce.seed import seed_demo

                seed_demo(self)
        self.admin_id = self.user_id(PERSONAS[0].salesforce_username)
        if duplicate_rules is not None:
            self.store.duplicate_rules = bool(duplicate_rules)
        if rotate_refresh_tokens is not None:
            self.set_refresh_rotation(rotate_refresh_tokens)
        #: what a control ``reset`` goes back to
        self.org_defaults = {"duplicate_rules": self.store.duplicate_rules,
                             "rotation": dict(self.tokens.rotation)}
        self.store.bus = self.changes
        from sandbox.personas import SALESFORCE_CLIENT_ID

        self._admin_tokens = self.tokens.issue(self.admin_id, SALESFORCE_CLIENT_ID,
                                               "api refresh_token", self.clock.now(),
                                               with_refresh=True)

    # -- the Emulator contract ---------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        return handle(self, request)(environ, start_response)

    def endpoint_key(self, method: str, path: str) -> str | None:
        return _endpoint_key(method, path)

    def fault_response(self, kind: str) -> tuple[int, list, bytes]:
        """Salesforce's answers for injected faults (JSON error arrays)."""
        status, code, message = {
            "http_429": (429, "REQUEST_LIMIT_EXCEEDED",
                         "ConcurrentPerOrgLongTxn Limit exceeded."),
            "http_500": (500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please "
                         "include this ErrorId if you contact support: 1234567890-12345 "
                         "(-1234567890)"),
            "http_503": (503, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please "
                         "retry your request"),
            "limit": (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
        }[kind]
        body = json.dumps([{"message": message, "errorCode": code}]).encode()
        headers = [("Content-Type", "application/json;charset=UTF-8"),
                   ("Sforce-Limit-Info", f"api-usage={self.api_used}/{self.daily_limit}")]
        return status, headers, body

    def credentials(self) -> dict:
        from sandbox.personas import SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET

        access, refresh = self._admin_tokens
        return {"access_token": access, "refresh_token": refresh,
                "client_id": SALESFORCE_CLIENT_ID, "client_secret": SALESFORCE_CLIENT_SECRET,
                "username": PERSONAS[0].salesforce_username, "password": PASSWORD}

    def control(self, action: str, payload: dict) -> dict:
        """Service-specific control actions (``/__sandbox__/salesforce/<action>``)."""
        p = dict(payload or {})
        if action == "reset":
            self.reset()
            return {"reset": True}
        if action == "set_limit":
            return self.set_limit(p.get("max"), used=p.get("used"))
        if action == "automation":
            self.add_automation(**p)
            return {"automations": len(self._automation_specs)}
        if action == "validation_rule":
            self.add_validation_rule(**p)
            return {"validation_rules": len(self._rule_specs)}
        if action == "readonly_field":
            self.set_read_only_field(p["user"], p["object"], p["field"],
                                     p.get("read_only", True))
            return {"ok": True}
        if action == "revoke":
            return {"revoked": self.revoke(p["user"])}
        if action == "expire_tokens":
            return {"expired": self.expire_tokens(p.get("user"))}
        if action == "token_ttl":
            self.tokens.token_ttl = timedelta(seconds=float(p["seconds"]))
            return {"token_ttl_seconds": float(p["seconds"])}
        if action == "insert":
            return {"ids": self.insert(p["object"], p["records"], user=p.get("user"))}
        if action == "update":
            self.update(p["object"], p["records"], user=p.get("user"),
                        automation=p.get("automation", False))
            return {"updated": len(p["records"])}
        if action == "delete":
            self.delete(p["ids"], user=p.get("user"))
            return {"deleted": len(p["ids"])}
        if action == "remove_field":
            self.remove_field(p["object"], p["field"])
            return {"removed": f"{p['object']}.{p['field']}"}
        if action == "schema":
            self.load_schema(p)
            return {"objects": sorted(self.schema.objects)}
        if action == "count":
            return self.count(p.get("object"))
        if action == "duplicate_rules":
            return self.set_duplicate_rules(p["enabled"])
        if action == "connected_app":
            return self.set_refresh_rotation(p["rotate_refresh_tokens"], p.get("client_id"))
        if action == "permissions":
            return self.set_permissions(p["user"], p["permissions"])
        if action == "create_user":
            return self.create_user(**p)
        if action == "token":
            access, refresh = self.tokens.issue(self.user_id(p["user"]),
                                                p.get("client_id", "3MVG9sandbox.sheetforce."
                                                      "connected.app"), "api refresh_token",
                                                self.clock.now(), with_refresh=True)
            return {"access_token": access, "refresh_token": refresh}
        raise KeyError(f"unknown salesforce control action {action!r}")

    def save(self) -> None:
        if self.state_path is None:
            return
        with self.store.lock:
            state = {
                "format": 1, "store": self.store.dump(), "tokens": self.tokens.dump(),
                "schema": {"custom": self.schema.custom_definitions,
                           "removed": self.schema.removed_fields,
                           "read_only": {u: sorted(s) for u, s in
                                         self.schema.read_only.items()}},
                "rules": self._rule_specs, "automations": self._automation_specs,
                "limits": {"max": self.daily_limit, "used": self.api_used,
                           "day": self._api_day},
                "streaming": self.changes.dump(),
                "org": {"duplicate_rules": self.store.duplicate_rules,
                        "permissions": self.permission_overrides},
            }
            text = json.dumps(state, separators=(",", ":"))
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, self.state_path)

    # -- sessions and limits -------------------------------------------------------------------
    def authenticate(self, request: Request) -> Grant | None:
        """The live grant of the request's bearer token (``Bearer`` or ``OAuth``)."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token:
            token = request.args.get("oauth_token", "")
        grant = self.tokens.session(token.strip(), self.clock.now())
        if grant is None or not self.user_active(grant.user_id):
            return None
        return grant

    def virtual_records(self, user_id: str) -> dict[str, list[dict]]:
        """Objects computed per query for the running user (UserPermissionAccess)."""
        from sandbox.salesforce.metadata.permissions import PERMISSION_ACCESS_ID
        from sandbox.salesforce.values import format_datetime

        row = {"Id": PERMISSION_ACCESS_ID, "LastCacheUpdate": format_datetime(self.clock.now()),
               **self.permissions_of(user_id)}
        return {"UserPermissionAccess": [row]}

    def use_api_call(self) -> tuple[bool, str]:
        """Count one API call; ``(allowed, "USED/MAX")``. Refused calls are not counted."""
        with self._api_lock:
            today = self.clock.now().date().isoformat()
            if today != self._api_day:  # a rolling 24 h window, simplified to the UTC day
                self._api_day, self.api_used = today, 0
            if self.api_used >= self.daily_limit:
                return False, f"{self.api_used}/{self.daily_limit}"
            self.api_used += 1
            return True, f"{self.api_used}/{self.daily_limit}"

    def limits(self) -> dict:
        def pair(maximum: int, remaining: int) -> dict:
            return {"Max": maximum, "Remaining": remaining}

        return {
            "DailyApiRequests": pair(self.daily_limit, max(0, self.daily_limit - self.api_used)),
            "DailyAsyncApexExecutions": pair(250000, 250000),
            "DailyBulkApiBatches": pair(15000, 15000),
            "DailyBulkV2QueryJobs": pair(10000, 10000),
            "DailyBulkV2QueryFileStorageMB": pair(976562, 976562),
            "DailyStreamingApiEvents": pair(1000000, 1000000),
            "DataStorageMB": pair(1024, 1000),
            "FileStorageMB": pair(20480, 20480),
            "HourlyODataCallout": pair(10000, 10000),
            "SingleEmail": pair(5000, 5000),
        }

    def set_limit(self, maximum: int | None = None, *, used: int | None = None) -> dict:
        with self._api_lock:
            if maximum is not None:
                self.daily_limit = int(maximum)
            if used is not None:
                self.api_used = int(used)
            return {"max": self.daily_limit, "used": self.api_used}

    # -- users -----------------------------------------------------------------------------------
    def user_id(self, who: str) -> str:
        """A User id from an id, username, email or persona first name (``KeyError``)."""
        lowered = who.lower()
        with self.store.lock:
            for rec in self.store.records["User"].values():
                if lowered in (rec["Id"].lower(), rec["Username"].lower(),
                               rec["Email"].lower(), (rec["FirstName"] or "").lower()) or (
                    len(who) == 15 and rec["Id"].startswith(who)
                ):
                    return rec["Id"]
        raise KeyError(f"no user {who!r}")

    def user(self, user_id: str) -> dict:
        return self.store.records["User"][user_id]

    def user_active(self, user_id: str) -> bool:
        rec = self.store.records["User"].get(user_id)
        return bool(rec and rec["IsActive"])

    def check_password(self, username: str, password: str) -> str | None:
        """The user id for a correct username (or email) and password, else None."""
        try:
            user_id = self.user_id(username)
        except KeyError:
            return None
        if password != PASSWORD or not self.user_active(user_id):
            return None
        return user_id

    def identity_url(self, user_id: str) -> str:
        return f"{self.base_url}/id/{self.org_id}/{user_id}"

    def _create_org_users(self) -> None:
        profiles = {
            name: self.store.create("Profile", {"Name": name, "UserType": "Standard"},
                                    user_id=None, privileged=True)
            for name in sorted({p.salesforce_profile for p in PERSONAS})
        }
        self.store.create("BusinessHours", {"Name": "Default", "IsActive": True,
                                            "IsDefault": True, "TimeZoneSidKey": "GMT"},
                          user_id=None, privileged=True)
        for persona in PERSONAS:
            user_id = self.store.create("User", {
                "FirstName": persona.first_name, "LastName": persona.last_name,
                "Username": persona.salesforce_username, "Email": persona.email,
                "Alias": (persona.first_name[:1] + persona.last_name[:4]).lower(),
                "CommunityNickname": persona.first_name.lower(),
                "ProfileId": profiles[persona.salesforce_profile], "IsActive": True,
                "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US",
                "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
            }, user_id=None, privileged=True)
            if persona is PERSONAS[0]:
                # The first user creates the org: they are its own creator.
                for obj in self.store.records.values():
                    for rec in obj.values():
                        rec["CreatedById"] = rec["LastModifiedById"] = user_id

    # -- rendering and persistence ---------------------------------------------------------------
    def render(self, object_name: str, rec: dict, version: str,
               fields: list[str] | None = None) -> dict:
        """A record in the REST shape (all fields, or ``fields``), formulas computed."""
        view = self.store.view(object_name, rec)
        out: dict = {"attributes": {
            "type": object_name,
            "url": f"/services/data/v{version}/sobjects/{object_name}/{rec['Id']}"}}
        for f in self.schema.objects[object_name]["fields"]:
            if fields is not None and f["name"] not in fields:
                continue
            if f["type"] == "address":
                prefix = f["name"][: -len("Address")]
                parts = {k: view.get(prefix + s) for k, s in (
                    ("city", "City"), ("country", "Country"), ("postalCode", "PostalCode"),
                    ("state", "State"), ("street", "Street"))}
                out[f["name"]] = ({**parts, "geocodeAccuracy": None, "latitude": None,
                                   "longitude": None} if any(parts.values()) else None)
            else:
                out[f["name"]] = view.get(f["name"])
        return out

    def _load(self, state: dict) -> None:
        for definition in state["schema"]["custom"]:
            self.schema.load_custom(definition)
        for object_name, field_name in state["schema"]["removed"]:
            self.schema.remove_field(object_name, field_name)
        for user_id, pairs in state["schema"]["read_only"].items():
            for object_name, field_name in pairs:
                self.schema.set_read_only(user_id, object_name, field_name)
        for name in self.schema.objects:
            self.store.records.setdefault(name, {})
        self.store.load(state["store"])
        self.tokens.load(state["tokens"])
        for spec in state["rules"]:
            self.add_validation_rule(**spec)
        for spec in state["automations"]:
            self.add_automation(**spec)
        limits = state["limits"]
        self.daily_limit, self.api_used, self._api_day = (limits["max"], limits["used"],
                                                           limits["day"])
        self.changes.load(state.get("streaming") or {})
        org = state.get("org") or {}
        self.store.duplicate_rules = org.get("duplicate_rules", True)
        self.permission_overrides = org.get("permissions", {})

