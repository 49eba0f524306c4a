"""The org's rules checked on every save (validation rules, unique fields, required fields,
duplicate rules) and its automation (before-save and deferred flows): a mixin of
:class:`~sandbox.salesforce.store.Store`, which holds the state they use."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sandbox.salesforce import duplicates
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.validate import coerce
from sandbox.salesforce.values import format_datetime


class OrgRules:
    """Needs the Store's ``records``, ``schema``, ``automations``, ``pending``,
    ``validation_rules``, ``view()``, ``update()``, ``find()`` and ``_now``."""

    def run_due(self) -> None:
        """Apply deferred automation whose time has come."""
        if not self.pending:
            return
        now = format_datetime(self._now())
        due = [p for p in self.pending if p[0] <= now]
        if not due:
            return
        self.pending = [p for p in self.pending if p[0] > now]
        rules = {a[0]: a for a in self.automations}
        for _, name, object_name, record_id in due:
            rule = rules.get(name)
            found = self.find(record_id)
            if rule is None or found is None or found[1]["IsDeleted"]:
                continue
            self.update(object_name, record_id, rule[3], user_id=None)

    def _after_write(self, object_name: str, rec: dict, kind: str) -> None:
        for name, target, matcher, values, after in self.automations:
            if target != object_name:
                continue
            if matcher is not None and not matcher(object_name, self.view(object_name, rec)):
                continue
            if after > 0:
                due = format_datetime(self._now() + timedelta(seconds=after))
                self.pending.append((due, name, object_name, rec["Id"]))
            else:
                # A before-save flow: the change lands in the same write, no extra stamp.
                for field_name, value in values.items():
                    rec[field_name] = coerce(self.schema.fields[object_name][field_name], value)

    def _check_rules(self, object_name: str, rec: dict) -> None:
        for _name, matcher, message, field_name in self.validation_rules.get(object_name, []):
            if matcher(object_name, self.view(object_name, rec)):
                raise ApiError("FIELD_CUSTOM_VALIDATION_EXCEPTION", message,
                               [field_name] if field_name else [])

    def _check_unique(self, object_name: str, rec: dict, changed: dict) -> None:
        for name in changed:
            f = self.schema.fields[object_name].get(name)
            value = rec.get(name)
            if f is None or not f["unique"] or value is None:
                continue
            folded = value if f["caseSensitive"] else str(value).lower()
            for other in self.records[object_name].values():
                if other["Id"] == rec["Id"] or other["IsDeleted"]:
                    continue
                theirs = other.get(name)
                if theirs is not None and (
                    theirs if f["caseSensitive"] else str(theirs).lower()
                ) == folded:
                    raise ApiError("DUPLICATE_VALUE",
                                   f"duplicate value found: {name} duplicates value on record "
                                   f"with id: {other['Id']}", [name])

    def _check_required(self, object_name: str, rec: dict, names: Iterable[str]) -> None:
        missing = [
            n for n in names
            if (f := self.schema.fields[object_name].get(n)) is not None
            and not f["nillable"] and f["type"] not in ("boolean", "id")
            and (f["createable"] or f["updateable"]) and rec.get(n) in (None, "")
        ]
        if missing:
            raise ApiError("REQUIRED_FIELD_MISSING",
                           f"Required fields are missing: [{', '.join(missing)}]", missing)

    def _check_duplicates(self, object_name: str, rec: dict, *, privileged: bool) -> None:
        if not privileged:
            duplicates.check(self, object_name, rec)
