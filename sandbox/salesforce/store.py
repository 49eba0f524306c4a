"""The org's records: writes with Salesforce's checks, audit fields and rollback.

All state changes happen under one re-entrant lock. A write is validated completely
before anything changes; :meth:`Store.transaction` adds an undo log so a whole request
(collections with ``allOrNone``) can be rolled back.

Records are dicts keyed by API field name with JSON-shaped values (dates
``YYYY-MM-DD``, datetimes ``YYYY-MM-DDTHH:MM:SS.000+0000`` in UTC). Deleted records stay
with ``IsDeleted: true`` (the recycle bin) and are seen by ``queryAll`` and getDeleted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sandbox.salesforce import duplicates, ids
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.formulas import FORMULAS, derive
from sandbox.salesforce.metadata import Schema
from sandbox.salesforce.org_rules import OrgRules
from sandbox.salesforce.validate import coerce
from sandbox.salesforce.values import format_datetime, parse_datetime

_AUDIT = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
          "SystemModstamp")
_ALWAYS_READ_ONLY = {"Id", "IsDeleted"}

#: A compiled condition: ``matches(object_name, view_of_record) -> bool``.
Matcher = Callable[[str, dict], bool]


class Store(OrgRules):
    """Records of every object of ``schema``; time comes from ``now()``."""

    def __init__(self, schema: Schema, now: Callable[[], datetime]) -> None:
        self.lock = threading.RLock()
        self.schema = schema
        self._now = now
        self.records: dict[str, dict[str, dict]] = {name: {} for name in schema.objects}
        self.object_of: dict[str, str] = {}
        self.counters: dict[str, int] = {}
        self.case_number = 0
        #: id -> deletion datetime string (getDeleted).
        self.deleted_at: dict[str, str] = {}
        self.last_stamp = ""
        #: object -> [(name, matcher, message, field)]
        self.validation_rules: dict[str, list[tuple[str, Matcher, str, str | None]]] = {}
        #: [(name, object, matcher | None, values, after_seconds)]
        self.automations: list[tuple[str, str, Matcher | None, dict, float]] = []
        #: [(due, automation name, object, id)]
        self.pending: list[tuple[str, str, str, str]] = []
        self._undo: list[tuple] | None = None
        #: the standard duplicate rules are active (see :mod:`.duplicates`)
        self.duplicate_rules = True
        #: object -> match key -> ids; built on first use, dropped when unsure
        self.dup_index: dict[str, dict[tuple, set[str]]] | None = None

    # -- time ----------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._now()

    def _stamp(self, at_least: str = "") -> str:
        """The next SystemModstamp: now, but never before an earlier stamp."""
        stamp = max(format_datetime(self._now()), self.last_stamp, at_least)
        self.last_stamp = stamp
        return stamp

    # -- reads ---------------------------------------------------------------------------
    def find(self, record_id: str) -> tuple[str, dict] | None:
        """``(object, stored record)`` for a 15- or 18-char id (deleted included)."""
        if not ids.is_valid(record_id):
            return None
        full = ids.to18(record_id)
        object_name = self.object_of.get(full)
        if object_name is None:
            return None
        return object_name, self.records[object_name][full]

    def view(self, object_name: str, rec: dict, now: datetime | None = None) -> dict:
        """The record as the API sees it: stored values plus formulas."""
        formulas = FORMULAS.get(object_name)
        if not formulas:
            return rec
        now = now or self._now()
        fields = self.schema.fields[object_name]
        result = dict(rec)
        for name, formula in formulas:
            if name in fields:
                result[name] = formula(rec, now)
        return result

    def iter_views(self, object_name: str, now: datetime | None = None) -> Iterator[dict]:
        now = now or self._now()
        for rec in self.records.get(object_name, {}).values():
            yield self.view(object_name, rec, now)

    # -- transactions --------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run writes atomically: on any exception every change is undone."""
        with self.lock:
            if self._undo is not None:  # nested: the outer transaction decides
                yield
                return
            self._undo = []
            saved = (dict(self.counters), self.case_number, len(self.pending))
            try:
                yield
            except BaseException:
                for object_name, record_id, old, old_deleted in reversed(self._undo):
                    if old is None:
                        self.records[object_name].pop(record_id, None)
                        self.object_of.pop(record_id, None)
                    else:
                        self.records[object_name][record_id] = old
                    if old_deleted is None:
                        self.deleted_at.pop(record_id, None)
                    else:
                        self.deleted_at[record_id] = old_deleted
                self.counters, self.case_number = saved[0], saved[1]
                del self.pending[saved[2]:]
                self.dup_index = None
                raise
            finally:
                self._undo = None

    def _remember(self, object_name: str, record_id: str) -> None:
        if self._undo is not None:
            old = self.records[object_name].get(record_id)
            self._undo.append((object_name, record_id, dict(old) if old else None,
                               self.deleted_at.get(record_id)))

    # -- writes --------------------------------------------------------------------------
    def create(self, object_name: str, values: dict, *, user_id: str | None,
               privileged: bool = False) -> str:
        """Insert one record as ``user_id``; return its id. ``ApiError`` on any problem.

        ``privileged`` (control inserts and seeds only) may set audit and other
        read-only fields, like Salesforce's "Set Audit Fields upon Record Creation".
        """
        with self.lock:
            self.run_due()
            obj = self.schema.objects[object_name]
            if not obj["createable"] and not privileged:
                raise ApiError("INVALID_TYPE",
                               f"sObject type '{object_name}' is not supported for create.")
            if any(k.lower() == "id" for k in values):
                raise ApiError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            changed = self._check_values(object_name, values, user_id, creating=True,
                                         privileged=privileged)
            prefix = obj["keyPrefix"]
            self.counters[prefix] = self.counters.get(prefix, 0) + 1
            record_id = ids.make_id(prefix, self.counters[prefix])
            rec = {f: self._default(fd) for f, fd in self.schema.fields[object_name].items()
                   if fd["type"] != "address" and not fd["calculated"]}
            rec.update(changed)
            rec["Id"] = record_id
            rec["IsDeleted"] = False
            if "OwnerId" in rec and not rec["OwnerId"]:
                rec["OwnerId"] = user_id
            if object_name == "Case" and not rec.get("CaseNumber"):
                self.case_number += 1
                rec["CaseNumber"] = str(self.case_number).zfill(8)
            stamp = self._stamp(changed.get("SystemModstamp", ""))
            now = parse_datetime(changed.get("CreatedDate", stamp))
            derive(object_name, rec, changed, now=now, lookup=self._lookup)
            for key, value in (("CreatedDate", stamp), ("LastModifiedDate", stamp),
                               ("SystemModstamp", stamp), ("CreatedById", user_id),
                               ("LastModifiedById", user_id)):
                if not changed.get(key):
                    rec[key] = value
            self._check_required(object_name, rec, list(rec))
            self._check_rules(object_name, rec)
            self._check_unique(object_name, rec, changed)
            self._check_duplicates(object_name, rec, privileged=privileged)
            self._remember(object_name, record_id)
            self.records[object_name][record_id] = rec
            self.object_of[record_id] = object_name
            duplicates.note(self, object_name, None, rec)
            self._after_write(object_name, rec, "create")
            return record_id

    def update(self, object_name: str | None, record_id: str, values: dict, *,
               user_id: str | None, privileged: bool = False) -> None:
        """Change one record as ``user_id`` (None: automation, which moves only
        SystemModstamp). ``object_name`` None accepts any object."""
        with self.lock:
            self.run_due()
            object_name, rec = self._existing(object_name, record_id)
            values = {k: v for k, v in values.items() if k.lower() != "id"}
            changed = self._check_values(object_name, values, user_id, creating=False,
                                         privileged=privileged or user_id is None)
            new = {**rec, **changed}
            derive(object_name, new, changed, now=self._now(), lookup=self._lookup)
            self._check_required(object_name, new, list(changed))
            self._check_rules(object_name, new)
            self._check_unique(object_name, new, changed)
            self._check_duplicates(object_name, new, privileged=privileged or user_id is None)
            stamp = self._stamp()
            new["SystemModstamp"] = stamp
            if user_id is not None:
                new["LastModifiedDate"] = stamp
                new["LastModifiedById"] = user_id
            self._remember(object_name, rec["Id"])
            self.records[object_name][rec["Id"]] = new
            duplicates.note(self, object_name, rec, new)
            if user_id is not None:
                self._after_write(object_name, new, "update")

    def delete(self, object_name: str | None, record_id: str, *, user_id: str | None) -> str:
        """Move a record to the recycle bin; return its object name."""
        with self.lock:
            self.run_due()
            object_name, rec = self._existing(object_name, record_id)
            if not self.schema.objects[object_name]["deletable"]:
                raise ApiError("INSUFFICIENT_ACCESS_OR_READONLY",
                               "insufficient access rights on object id", status=400)
            self._remember(object_name, rec["Id"])
            stamp = self._stamp()
            self.records[object_name][rec["Id"]] = {
                **rec, "IsDeleted": True, "SystemModstamp": stamp, "LastModifiedDate": stamp,
                "LastModifiedById": user_id or rec["LastModifiedById"],
            }
            self.deleted_at[rec["Id"]] = stamp
            duplicates.note(self, object_name, rec, None)
            return object_name

    def _check_values(self, object_name: str, values: dict, user_id: str | None, *,
                      creating: bool, privileged: bool) -> dict:
        fields = self.schema.fields[object_name]
        resolved: list[tuple[dict, object]] = []
        unknown, read_only = [], []
        for key, value in values.items():
            if key == "attributes":
                continue
            f = fields.get(key) or self.schema.field_of(object_name, key)
            if f is None:
                unknown.append(key)
                continue
            writable = f["createable"] if creating else f["updateable"]
            if f["name"] in _ALWAYS_READ_ONLY or f["calculated"] or f["type"] == "address":
                writable = False
            elif privileged:
                writable = True
            elif not self.schema.is_writable(user_id, object_name, f["name"]):
                writable = False
            if not writable:
                read_only.append(f["name"])
                continue
            resolved.append((f, value))
        if unknown:
            raise ApiError("INVALID_FIELD",
                           f"No such column '{unknown[0]}' on sobject of type {object_name}",
                           unknown)
        if read_only:
            raise ApiError("INVALID_FIELD_FOR_INSERT_UPDATE",
                           f"Unable to create/update fields: {', '.join(read_only)}. Please "
                           "check the security settings of this field and verify that it "
                           "is read/write for your profile or permission set.", read_only)
        changed = {}
        for f, value in resolved:
            stored = coerce(f, value)
            if f["type"] == "reference" and stored is not None:
                self._check_reference(f, stored)
            changed[f["name"]] = stored
        return changed

    def _check_reference(self, f: dict, target_id: str) -> None:
        found = self.find(target_id)
        prefix_object = self.schema.object_for_prefix(target_id[:3])
        if prefix_object is not None and prefix_object not in f["referenceTo"]:
            raise ApiError("FIELD_INTEGRITY_EXCEPTION",
                           f"{f['label']}: id value of incorrect type: {target_id}",
                           [f["name"]])
        if found is None:
            raise ApiError("INVALID_CROSS_REFERENCE_KEY",
                           "invalid cross reference id", [f["name"]])
        if found[1]["IsDeleted"]:
            raise ApiError("ENTITY_IS_DELETED", "entity is deleted", [f["name"]])

    def _existing(self, object_name: str | None, record_id: str) -> tuple[str, dict]:
        if not ids.is_valid(record_id):
            raise ApiError("MALFORMED_ID", f"malformed id {record_id}", status=400)
        found = self.find(record_id)
        if found is None or (object_name is not None and found[0] != object_name):
            if object_name is not None and self.schema.object_for_prefix(
                record_id[:3]
            ) not in (None, object_name):
                raise ApiError("MALFORMED_ID", f"{object_name} ID: id value of incorrect type: "
                               f"{record_id}", ["Id"])
            raise ApiError("NOT_FOUND",
                           "The requested resource does not exist", status=404)
        if found[1]["IsDeleted"]:
            raise ApiError("ENTITY_IS_DELETED", "entity is deleted", status=404)
        return found

    def _lookup(self, record_id: str) -> dict | None:
        found = self.find(record_id)
        return found[1] if found else None

    @staticmethod
    def _default(f: dict) -> object:
        if f["type"] == "boolean":
            return bool(f["defaultValue"])
        for entry in f["picklistValues"]:
            if entry["defaultValue"] and entry["active"]:
                return entry["value"]
        return None

    # -- persistence -----------------------------------------------------------------------
    def dump(self) -> dict:
        with self.lock:
            return {"records": self.records, "counters": self.counters,
                    "case_number": self.case_number, "deleted_at": self.deleted_at,
                    "last_stamp": self.last_stamp}

    def load(self, data: dict) -> None:
        with self.lock:
            for object_name, records in data["records"].items():
                if object_name in self.records:
                    self.records[object_name] = records
                    for record_id in records:
                        self.object_of[record_id] = object_name
            self.counters = data["counters"]
            self.case_number = data["case_number"]
            self.deleted_at = data["deleted_at"]
            self.last_stamp = data["last_stamp"]
            self.dup_index = None

    def clear(self, keep: Iterable[str] = ()) -> None:
        """Empty every object except ``keep`` (id counters go on: ids are never reused)."""
        with self.lock:
            kept = set(keep)
            for object_name in self.records:
                if object_name not in kept:
                    for record_id in self.records[object_name]:
                        self.object_of.pop(record_id, None)
                        self.deleted_at.pop(record_id, None)
                    self.records[object_name] = {}
            self.pending.clear()
            self.dup_index = None
