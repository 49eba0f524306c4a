"""Control actions of the Salesforce emulator as plain methods (a mixin of
:class:`~sandbox.salesforce.emulator.SalesforceEmulator`).

Tests and benchmarks call them in-process; ``control(action, payload)`` exposes the same
over ``/__sandbox__/salesforce/<action>``. Direct inserts and edits bypass HTTP but not
the org's rules (types, required fields, validation rules, automation).
"""

from __future__ import annotations

from sandbox.salesforce.query_api import OneRecordSource
from sandbox.salesforce.store import Matcher

_ORG_OBJECTS = ("Profile", "User", "BusinessHours")


class ControlActions:
    """Needs ``store``, ``schema``, ``tokens``, ``clock``, ``admin_id``, ``user_id()``,
    ``_rule_specs``, ``_automation_specs``, ``_api_lock`` and ``api_used``."""

    def _as(self, user: str | None) -> str:
        return self.user_id(user) if user else self.admin_id

    def reset(self) -> None:
        """Empty the org except its users, profiles and business hours; drop rules,
        automation, read-only fields and custom schema changes stay."""
        with self.store.lock:
            self.store.clear(keep=_ORG_OBJECTS)
            self.store.validation_rules.clear()
            self.store.automations.clear()
            self._rule_specs.clear()
            self._automation_specs.clear()
            self.schema.read_only.clear()
        # Retained change events go too (replay ids go on); CometD clients re-handshake.
        self.changes.reset()
        self.streaming.reset()
        with self._api_lock:
            self.api_used = 0

    def insert(self, object_name: str, records: list[dict], *, user: str | None = None
               ) -> list[str]:
        """Create records directly (all or none), privileged: audit fields may be set."""
        user_id = self._as(user)
        canonical = self._object(object_name)
        with self.store.transaction():
            return [self.store.create(canonical, dict(r), user_id=user_id, privileged=True)
                    for r in records]

    def update(self, object_name: str, records: list[dict], *, user: str | None = None,
               automation: bool = False) -> None:
        """Edit records (each with ``Id``) as a person in Salesforce would, or as automation
        (``automation=True``: no user, only SystemModstamp moves)."""
        user_id = None if automation else self._as(user)
        canonical = self._object(object_name)
        with self.store.transaction():
            for rec in records:
                values = {k: v for k, v in rec.items() if k.lower() != "id"}
                self.store.update(canonical, rec.get("Id") or rec["id"], values,
                                  user_id=user_id, privileged=True)

    def delete(self, record_ids: list[str], *, user: str | None = None) -> None:
        user_id = self._as(user)
        with self.store.transaction():
            for record_id in record_ids:
                self.store.delete(None, record_id, user_id=user_id)

    def count(self, object_name: str | None = None) -> dict:
        """Live (not deleted) records per object."""
        with self.store.lock:
            names = [self._object(object_name)] if object_name else list(self.store.records)
            return {n: sum(not r["IsDeleted"] for r in self.store.records[n].values())
                    for n in names}

    def remove_field(self, object_name: str, field_name: str) -> None:
        with self.store.lock:
            self.schema.remove_field(self._object(object_name), field_name)

    def load_schema(self, definition: dict) -> None:
        """Add custom objects / fields at runtime (same format as ``schema_file``)."""
        with self.store.lock:
            self.schema.load_custom(definition)
            for name in self.schema.objects:
                self.store.records.setdefault(name, {})

    def set_read_only_field(self, user: str, object_name: str, field_name: str,
                            read_only: bool = True) -> None:
        with self.store.lock:
            f = self.schema.field_of(self._object(object_name), field_name)
            if f is None:
                raise KeyError(f"no field {object_name}.{field_name}")
            self.schema.set_read_only(self.user_id(user), self._object(object_name),
                                      f["name"], read_only)

    def revoke(self, user: str) -> int:
        return self.tokens.revoke_user(self.user_id(user))

    def expire_tokens(self, user: str | None = None) -> int:
        return self.tokens.expire(self.user_id(user) if user else None, self.clock.now())

    def add_validation_rule(self, object: str, condition: str, message: str,  # noqa: A002
                            name: str | None = None, field: str | None = None,
                            remove: bool = False) -> None:
        """Refuse writes whose resulting record matches the SOQL ``condition``
        (a WHERE clause) with FIELD_CUSTOM_VALIDATION_EXCEPTION ``message``."""
        canonical = self._object(object)
        name = name or f"rule{len(self._rule_specs) + 1}"
        with self.store.lock:
            rules = self.store.validation_rules.setdefault(canonical, [])
            rules[:] = [r for r in rules if r[0] != name]
            self._rule_specs[:] = [s for s in self._rule_specs if s["name"] != name]
            if remove:
                return
            rules.append((name, self._matcher(canonical, condition), message, field))
            self._rule_specs.append({"object": canonical, "condition": condition,
                                     "message": message, "name": name, "field": field})

    def add_automation(self, object: str, set: dict, when: str | None = None,  # noqa: A002
                       name: str | None = None, after_seconds: float = 0,
                       remove: bool = False) -> None:
        """When a user writes a record of ``object`` (matching the SOQL ``when``), set the
        fields of ``set`` without a user: at once (``after_seconds=0``, within the same
        write, like a before-save flow) or later (an async flow that moves SystemModstamp
        but not LastModifiedDate)."""
        canonical = self._object(object)
        name = name or f"automation{len(self._automation_specs) + 1}"
        with self.store.lock:
            autos = self.store.automations
            autos[:] = [a for a in autos if a[0] != name]
            self._automation_specs[:] = [s for s in self._automation_specs
                                         if s["name"] != name]
            if remove:
                return
            matcher = self._matcher(canonical, when) if when else None
            autos.append((name, canonical, matcher, dict(set), float(after_seconds)))
            self._automation_specs.append({"object": canonical, "set": dict(set),
                                           "when": when, "name": name,
                                           "after_seconds": float(after_seconds)})

    def _object(self, name: str) -> str:
        canonical = self.schema.resolve(name)
        if canonical is None:
            raise KeyError(f"unknown object {name!r}")
        return canonical

    def _matcher(self, object_name: str, condition: str) -> Matcher:
        from sandbox.salesforce.soql import compile_query

        query = compile_query(f"SELECT Id FROM {object_name} WHERE {condition}",
                              self.schema.describes())

        def matches(obj: str, view: dict) -> bool:
            now = self.clock.now()
            source = OneRecordSource(self.store, now, obj, view)
            return query.run(source, now=now, include_deleted=True).total_size > 0

        return matches

