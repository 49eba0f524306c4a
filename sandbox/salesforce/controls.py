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
    ``_rule_specs``, ``_automation_specs``, ``_api_lock``, ``api_used``,
    ``permission_overrides`` and ``org_defaults``."""

    def _as(self, user: str | None) -> str:
        return self.user_id(user) if user else self.admin_id

    def reset(self) -> None:
        """Empty the org except its users, profiles and business hours; drop validation
        rules, automation and read-only fields (custom schema changes stay); duplicate rules,
        refresh token rotation and permission overrides go back to the options."""
        with self.store.lock:
            self.store.clear(keep=_ORG_OBJECTS)
            self.store.validation_rules.clear()
            self.store.automations.clear()
            self._rule_specs.clear()
            self._automation_specs.clear()
            self.schema.read_only.clear()
            # Org settings go back to the emulator's options; users keep their accounts.
            self.store.duplicate_rules = self.org_defaults["duplicate_rules"]
            self.tokens.rotation.update(self.org_defaults["rotation"])
            self.permission_overrides.clear()
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


    # -- org settings and people ---------------------------------------------------------
    def set_duplicate_rules(self, enabled: bool) -> dict:
        """Activate or deactivate the standard duplicate rules (see :mod:`.duplicates`)."""
        with self.store.lock:
            self.store.duplicate_rules = bool(enabled)
        return {"duplicate_rules": self.store.duplicate_rules}

    def set_refresh_rotation(self, rotate: bool, client_id: str | None = None) -> dict:
        """The connected app's "Refresh Token Rotation" setting (off by default)."""
        from sandbox.personas import SALESFORCE_CLIENT_ID

        client = client_id or SALESFORCE_CLIENT_ID
        if client not in self.tokens.clients:
            raise KeyError(f"no connected app {client!r}")
        self.tokens.rotation[client] = bool(rotate)
        return {"client_id": client, "rotate_refresh_tokens": bool(rotate)}

    def permissions_of(self, user_id: str) -> dict[str, bool]:
        """The user's system permissions: their profile's, then the control overrides."""
        from sandbox.salesforce.metadata.permissions import profile_permissions

        with self.store.lock:
            user = self.store.records["User"].get(user_id) or {}
            profile = self.store.records["Profile"].get(user.get("ProfileId") or "") or {}
            granted = profile_permissions(profile.get("Name") or "")
            granted.update(self.permission_overrides.get(user_id, {}))
        return granted

    def set_permissions(self, user: str, permissions: dict[str, bool]) -> dict:
        """Grant or take away system permissions (``PermissionsViewAllData``, ...)."""
        from sandbox.salesforce.metadata.permissions import PERMISSIONS

        unknown = set(permissions) - set(PERMISSIONS)
        if unknown:
            raise KeyError(f"unknown permissions {sorted(unknown)}")
        user_id = self.user_id(user)
        self.permission_overrides.setdefault(user_id, {}).update(
            {k: bool(v) for k, v in permissions.items()})
        return {"user": user_id, "permissions": self.permissions_of(user_id)}

    def create_user(self, first_name: str, last_name: str, email: str,
                    profile: str = "Standard User",
                    permissions: dict[str, bool] | None = None) -> dict:
        """A new active user (password: the sandbox password) with a token pair."""
        from sandbox.personas import SALESFORCE_CLIENT_ID

        with self.store.lock:
            profiles = {r["Name"]: r["Id"] for r in self.store.records["Profile"].values()}
            if profile not in profiles:
                raise KeyError(f"no profile {profile!r}; one of {sorted(profiles)}")
            user_id = self.store.create("User", {
                "FirstName": first_name, "LastName": last_name, "Email": email,
                "Username": f"{email}.sandbox", "Alias": (first_name[:1] + last_name[:4]).lower(),
                "CommunityNickname": email.split("@")[0], "ProfileId": profiles[profile],
                "IsActive": True, "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US",
                "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
            }, user_id=self.admin_id, privileged=True)
        if permissions:
            self.set_permissions(user_id, permissions)
        access, refresh = self.tokens.issue(user_id, SALESFORCE_CLIENT_ID, "api refresh_token",
                                            self.clock.now(), with_refresh=True)
        return {"id": user_id, "username": f"{email}.sandbox", "access_token": access,
                "refresh_token": refresh, "permissions": self.permissions_of(user_id)}
