"""The org's standard duplicate rules on Account, Contact and Lead.

A new org has them active, with "Allow" + "Alert" on create and edit. Through the API an
alert is an error: a save that matches an existing record is refused with
DUPLICATES_DETECTED "Use one of these records?" (with a ``duplicateResult``), unless the
request sends ``Sforce-Duplicate-Rule-Header: allowSave=true`` (REST API Developer Guide,
"DuplicateRuleHeader"; the error shape as reported from real orgs).

The standard matching rules are fuzzy; the sandbox matches exactly on normalised values
(case, spaces and punctuation ignored), which is enough for a connector's tests:

- Account: the same Name;
- Contact: the same Email, or the same FirstName + LastName on the same AccountId;
- Lead: the same Email, or the same FirstName + LastName at the same Company.

The rules apply to API saves (REST and collections) only: seeds and control inserts are
data loaded by an administrator. ``duplicate_rules=False`` (emulator option, control action
``duplicate_rules``) turns them off, like deactivating the rules in Setup.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sandbox.salesforce.errors import ApiError

if TYPE_CHECKING:
    from sandbox.salesforce.store import Store

RULES = {
    "Account": ("Standard_Account_Duplicate_Rule", "Standard_Account_Match_Rule_v1_0"),
    "Contact": ("Standard_Contact_Duplicate_Rule", "Standard_Contact_Match_Rule_v1_1"),
    "Lead": ("Standard_Lead_Duplicate_Rule", "Standard_Lead_Match_Rule_v1_0"),
}
ALERT = "You're creating a duplicate record. We recommend you use an existing record instead."
_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")

_request = threading.local()


@contextmanager
def api_request(version: str, header: str | None) -> Iterator[None]:
    """Saves inside this block are API saves under ``Sforce-Duplicate-Rule-Header``."""
    previous = getattr(_request, "state", None)
    _request.state = (version, allow_save(header))
    try:
        yield
    finally:
        _request.state = previous


def allow_save(header: str | None) -> bool:
    for part in re.split(r"[;,]", header or ""):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "allowsave":
            return value.strip().lower() == "true"
    return False


def _norm(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", value)).strip().casefold()


def keys(object_name: str, rec: dict) -> list[tuple]:
    """The match keys of a record (two records match when they share one)."""
    if rec.get("IsDeleted"):
        return []
    out: list[tuple] = []
    if object_name == "Account":
        name = _norm(rec.get("Name"))
        return [("name", name)] if name else []
    email = (rec.get("Email") or "").strip().lower()
    if email:
        out.append(("email", email))
    last, first = _norm(rec.get("LastName")), _norm(rec.get("FirstName"))
    where = rec.get("AccountId") if object_name == "Contact" else _norm(rec.get("Company"))
    if last and where:
        out.append(("person", first, last, where))
    return out


def _index(store: Store, object_name: str) -> dict[tuple, set[str]]:
    if store.dup_index is None:
        store.dup_index = {}
    index = store.dup_index.get(object_name)
    if index is None:
        index = {}
        for rec in store.records[object_name].values():
            for key in keys(object_name, rec):
                index.setdefault(key, set()).add(rec["Id"])
        store.dup_index[object_name] = index
    return index


def note(store: Store, object_name: str, old: dict | None, new: dict | None) -> None:
    """Keep the match index up to date after a write (a no-op until it is built)."""
    if object_name not in RULES or store.dup_index is None:
        return
    index = store.dup_index.get(object_name)
    if index is None:
        return
    for key in keys(object_name, old or {}):
        index.get(key, set()).discard(old["Id"])
    for key in keys(object_name, new or {}):
        index.setdefault(key, set()).add(new["Id"])


def check(store: Store, object_name: str, rec: dict) -> None:
    """Refuse an API save that matches another live record, unless allowed."""
    state = getattr(_request, "state", None)
    if state is None or object_name not in RULES or not store.duplicate_rules:
        return
    version, allowed = state
    if allowed:
        return
    index = _index(store, object_name)
    found: set[str] = set()
    for key in keys(object_name, rec):
        found |= index.get(key, set())
    found.discard(rec["Id"])
    if not found:
        return
    rule, match_rule = RULES[object_name]
    records = [{"additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100.0,
                "record": {"attributes": {
                    "type": object_name,
                    "url": f"/services/data/v{version}/sobjects/{object_name}/{record_id}"},
                    "Id": record_id}}
               for record_id in sorted(found)]
    raise ApiError("DUPLICATES_DETECTED", "Use one of these records?", extra={
        "duplicateResult": {
            "allowSave": True, "duplicateRule": rule, "duplicateRuleEntityType": object_name,
            "errorMessage": ALERT,
            "matchResults": [{"entityType": object_name, "errorMessage": None,
                              "matchEngine": "FuzzyMatchEngine", "matchRecords": records,
                              "rule": match_rule, "size": len(records), "success": True}],
        }})
