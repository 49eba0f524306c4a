"""Change Data Capture events of the emulated org: building, retaining, replaying.

One :class:`ChangeBus` per org. Every committed write becomes one change event per
record (Salesforce may merge several records of one transaction into one event; one
per record is a valid subset of its behaviour, and simpler to consume). Events get
consecutive replay ids, are kept for ``retention`` measured on the sandbox clock
(72 hours, as in Salesforce) and at most ``max_events`` of them (the sandbox's own cap,
so a volume test cannot grow the state file without bound).

Waiting clients (CometD long polls) block on :attr:`ChangeBus.changed`, which every
publish notifies.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timedelta

from sandbox.salesforce import ids

#: Fields Salesforce leaves out of change events.
_NOT_IN_EVENTS = frozenset({"SystemModstamp", "IsDeleted", "Id"})
#: commitUser of changes made by automation without a user (the org's "Automated
#: Process" user; the sandbox has no such User record, only the id).
AUTOMATED_PROCESS_USER = ids.make_id("005", 0)
RETENTION = timedelta(hours=72)


def channel_for(object_name: str) -> str:
    """``/data/AccountChangeEvent``; custom ``Foo__c`` → ``/data/Foo__ChangeEvent``."""
    if object_name.endswith("__c"):
        return f"/data/{object_name[:-1]}ChangeEvent"
    return f"/data/{object_name}ChangeEvent"


def _schema_id(object_name: str) -> str:
    digest = hashlib.sha256(f"sandbox-cdc-schema:{object_name}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


_origin = threading.local()


@contextmanager
def change_origin(value: str):
    """Writes made inside this block report ``changeOrigin=value`` (the REST layer
    sets ``com/salesforce/api/rest/<version>``; control writes, like the web UI, none)."""
    previous = getattr(_origin, "value", "")
    _origin.value = value
    try:
        yield
    finally:
        _origin.value = previous


def current_origin() -> str:
    return getattr(_origin, "value", "")


class ChangeBus:
    """The retained change events of one org; thread-safe."""

    def __init__(self, now: Callable[[], datetime], *, retention: timedelta = RETENTION,
                 max_events: int = 50_000) -> None:
        self._now = now
        self.retention = retention
        self.max_events = max_events
        self.changed = threading.Condition()
        #: Retained events, oldest first; each ``{"object", "replayId", "created",
        #: "message"}`` where message is the Bayeux data message without its channel.
        self.events: list[dict] = []
        self.last_id = 0
        #: Highest replay id no longer retained (0: nothing dropped yet).
        self.purged_up_to = 0
        self.commit_number = 0

    # -- publishing ------------------------------------------------------------------------
    def publish(self, changes: list[dict]) -> None:
        """Publish one transaction's changes: ``{"object", "id", "kind", "old", "new",
        "user_id", "origin"}`` each (``kind`` create/update/delete)."""
        if not changes:
            return
        now = self._now()
        stamp_ms = int(now.timestamp() * 1000)
        created = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        with self.changed:
            self.commit_number += 1
            transaction_key = str(uuid.uuid4())
            for sequence, change in enumerate(changes, start=1):
                self.last_id += 1
                payload = _payload(change)
                payload["ChangeEventHeader"] = {
                    "entityName": change["object"],
                    "recordIds": [change["id"]],
                    "changeType": change["kind"].upper(),
                    "changeOrigin": change.get("origin", ""),
                    "transactionKey": transaction_key,
                    "sequenceNumber": sequence,
                    "commitTimestamp": stamp_ms,
                    "commitNumber": self.commit_number,
                    "commitUser": change.get("user_id") or AUTOMATED_PROCESS_USER,
                    "changedFields": payload.pop("_changed"),
                    "diffFields": [],
                    "nulledFields": payload.pop("_nulled"),
                }
                self.events.append({
                    "object": change["object"], "replayId": self.last_id,
                    "created": now.isoformat(),
                    "message": {"data": {
                        "schema": _schema_id(change["object"]),
                        "payload": payload,
                        "event": {"replayId": self.last_id, "createdDate": created},
                    }},
                })
            self._purge_locked(now)
            self.changed.notify_all()

    # -- reading ---------------------------------------------------------------------------
    def purge(self) -> None:
        with self.changed:
            self._purge_locked(self._now())

    def _purge_locked(self, now: datetime) -> None:
        oldest = (now - self.retention).isoformat()
        drop = 0
        while drop < len(self.events) and self.events[drop]["created"] < oldest:
            drop += 1
        drop = max(drop, len(self.events) - self.max_events)
        if drop > 0:
            self.purged_up_to = self.events[drop - 1]["replayId"]
            del self.events[:drop]

    def replay_valid(self, replay_id: int) -> bool:
        """Whether a client may resume after ``replay_id`` (it is still retained, or
        nothing after it was dropped)."""
        with self.changed:
            self._purge_locked(self._now())
            return self.purged_up_to <= replay_id <= self.last_id

    def after(self, cursors: dict[str, int], channels: dict[str, set[str] | None],
              limit: int) -> list[tuple[str, dict]]:
        """``(channel, event)`` pairs newer than each channel's cursor, oldest first.

        ``channels`` maps a subscribed channel to the objects it carries (None: all).
        """
        out: list[tuple[str, dict]] = []
        with self.changed:
            if not self.events:
                return out
            low = min(cursors.values(), default=self.last_id)
            start = _first_after(self.events, low)
            for event in self.events[start:]:
                for channel, objects in channels.items():
                    if event["replayId"] > cursors[channel] and (
                        objects is None or event["object"] in objects
                    ):
                        out.append((channel, event))
                if len(out) >= limit:
                    break
        return out

    # -- persistence -----------------------------------------------------------------------
    def reset(self) -> None:
        """Forget retained events; replay ids go on (a resuming client is told its id
        is no longer valid rather than silently missing events)."""
        with self.changed:
            self.purged_up_to = self.last_id
            self.events.clear()
            self.changed.notify_all()

    def dump(self) -> dict:
        with self.changed:
            return {"events": self.events, "last_id": self.last_id,
                    "purged_up_to": self.purged_up_to, "commit_number": self.commit_number}

    def load(self, data: dict) -> None:
        with self.changed:
            self.events = list(data.get("events", []))
            self.last_id = int(data.get("last_id", 0))
            self.purged_up_to = int(data.get("purged_up_to", 0))
            self.commit_number = int(data.get("commit_number", 0))


def _first_after(events: list[dict], replay_id: int) -> int:
    """Index of the first event whose replay id is above ``replay_id`` (ids ascend)."""
    lo, hi = 0, len(events)
    while lo < hi:
        mid = (lo + hi) // 2
        if events[mid]["replayId"] <= replay_id:
            lo = mid + 1
        else:
            hi = mid
    return lo


def event_shape(fields: dict[str, dict]) -> dict:
    """How an object's fields appear in its change events: component fields of compound
    fields (addresses, person names) nested under the compound name, date-times in
    ``...000Z`` form ("Compound fields in change events", "Change event body")."""
    components: dict[str, tuple[str, str]] = {}
    for name, f in fields.items():
        compound = f.get("compoundFieldName")
        if not compound or f["type"] == "address":
            continue
        if compound.endswith("Address"):
            prefix = compound[: -len("Address")]
            components[name] = (compound, name[len(prefix):])
        else:
            components[name] = (compound, name)
    datetimes = {name for name, f in fields.items() if f["type"] == "datetime"}
    return {"components": components, "datetimes": datetimes}


def _event_value(name: str, value: object, datetimes: set[str]) -> object:
    if name in datetimes and isinstance(value, str) and value.endswith("+0000"):
        return value[:-5] + "Z"
    return value


def _payload(change: dict) -> dict:
    """The event body fields: all set fields on create, only changed ones on update,
    none on delete; with ``_changed`` / ``_nulled`` lists for the header. Compound
    components nest (``BillingAddress: {City}``) and are listed as
    ``BillingAddress.City``; an update always lists ``LastModifiedDate``."""
    old, new = change.get("old") or {}, change.get("new") or {}
    if change["kind"] == "delete":
        return {"_changed": [], "_nulled": []}
    shape = change.get("shape") or {"components": {}, "datetimes": set()}
    components, datetimes = shape["components"], shape["datetimes"]
    compounds = {c for c, _ in components.values()}
    update = change["kind"] == "update"
    if update:
        names = [k for k in new if k not in _NOT_IN_EVENTS and old.get(k) != new.get(k)]
        if "LastModifiedDate" in new and "LastModifiedDate" not in names:
            names.append("LastModifiedDate")
    else:
        names = [k for k, v in new.items() if v is not None and k not in _NOT_IN_EVENTS]
    payload: dict = {}
    changed, nulled = [], []
    for name in names:
        if name in compounds:  # a derived full name: the nested components carry it
            continue
        value = _event_value(name, new.get(name), datetimes)
        if name in components:
            compound, component = components[name]
            payload.setdefault(compound, {})[component] = value
            label = f"{compound}.{component}"
        else:
            payload[name] = value
            label = name
        changed.append(label)
        if value is None:
            nulled.append(label)
    if not update:
        return {**payload, "_changed": [], "_nulled": []}
    return {**payload, "_changed": sorted(changed), "_nulled": sorted(nulled)}
