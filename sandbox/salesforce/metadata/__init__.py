"""The org's metadata: standard objects, custom objects and fields, describe results.

:class:`Schema` is the one source of truth for what objects and fields exist. The store
validates writes against it, the SOQL engine compiles queries against
:meth:`Schema.describes`, and the describe endpoints serve it (adjusted per user for
field-level security set through control).
"""

from __future__ import annotations

import copy
import json
import string
from pathlib import Path

from sandbox.salesforce.metadata.fields import field, picklist, reference, system_fields
from sandbox.salesforce.metadata.permissions import PERMISSION_OBJECTS
from sandbox.salesforce.metadata.standard import STANDARD_OBJECTS

_OBJECT_DEFAULTS = {
    "activateable": False, "compactLayoutable": True, "createable": True,
    "customSetting": False, "deletable": True, "deprecatedAndHidden": False,
    "feedEnabled": False, "hasSubtypes": False, "isInterface": False, "isSubtype": False,
    "layoutable": True, "mergeable": False, "mruEnabled": True, "queryable": True,
    "replicateable": True, "retrieveable": True, "searchable": True, "triggerable": True,
    "undeletable": True, "updateable": True, "associateEntityType": None,
    "associateParentEntity": None, "defaultImplementation": None, "extendedBy": None,
    "extendsInterfaces": None, "implementedBy": None, "implementsInterfaces": None,
    "listviewable": None, "lookupLayoutable": None, "networkScopeFieldName": None,
    "searchLayoutable": True, "sobjectDescribeOption": "FULL",
}
_GLOBAL_KEYS = (
    "activateable", "createable", "custom", "customSetting", "deletable",
    "deprecatedAndHidden", "feedEnabled", "hasSubtypes", "isInterface", "isSubtype",
    "keyPrefix", "label", "labelPlural", "layoutable", "mergeable", "mruEnabled", "name",
    "queryable", "replicateable", "retrieveable", "searchable", "triggerable",
    "undeletable", "updateable", "urls",
)
_CUSTOM_PREFIX_CHARS = string.digits + string.ascii_uppercase + string.ascii_lowercase


class SchemaError(ValueError):
    """A custom schema definition that cannot be applied."""


class Schema:
    """Objects and fields of the org. Not thread-safe: the store's lock guards it."""

    def __init__(self, api_version: str = "59.0") -> None:
        self.api_version = api_version
        self.objects: dict[str, dict] = {}
        #: object -> {field name -> field describe}: the lookup the store uses per write.
        self.fields: dict[str, dict[str, dict]] = {}
        #: user id -> {(object, field)}: fields read-only for that user (field security).
        self.read_only: dict[str, set[tuple[str, str]]] = {}
        self.custom_definitions: list[dict] = []
        self.removed_fields: list[tuple[str, str]] = []
        self._describes: dict[str, dict] | None = None
        for name, label, plural, prefix, fields, extra in STANDARD_OBJECTS + PERMISSION_OBJECTS:
            self._add_object(name, label, plural, prefix, copy.deepcopy(fields), extra,
                             custom=False)

    # -- lookups ---------------------------------------------------------------------
    def resolve(self, name: str) -> str | None:
        """The object's canonical name for a case-insensitive ``name`` (None if unknown)."""
        if name in self.objects:
            return name
        lowered = name.lower()
        return next((n for n in self.objects if n.lower() == lowered), None)

    def field_of(self, object_name: str, field_name: str) -> dict | None:
        fields = self.fields[object_name]
        found = fields.get(field_name)
        if found is None:
            lowered = field_name.lower()
            found = next((f for n, f in fields.items() if n.lower() == lowered), None)
        return found

    def object_for_prefix(self, prefix: str) -> str | None:
        return next((n for n, o in self.objects.items() if o["keyPrefix"] == prefix), None)

    def describes(self) -> dict[str, dict]:
        """Object name -> full describe (shared, do not mutate), for the SOQL compiler."""
        if self._describes is None:
            self._describes = {name: self._describe(name) for name in self.objects}
        return self._describes

    def describe(self, name: str, user_id: str | None = None) -> dict:
        """The describe of ``name`` as ``user_id`` sees it (read-only fields not writable)."""
        base = self.describes()[name]
        hidden = {f for o, f in self.read_only.get(user_id or "", set()) if o == name}
        if not hidden:
            return base
        result = dict(base)
        result["fields"] = [
            {**f, "createable": False, "updateable": False} if f["name"] in hidden else f
            for f in base["fields"]
        ]
        return result

    def global_describe(self) -> dict:
        return {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [
                {k: d[k] for k in _GLOBAL_KEYS} for d in self.describes().values()
            ],
        }

    def is_writable(self, user_id: str | None, object_name: str, field_name: str) -> bool:
        return (object_name, field_name) not in self.read_only.get(user_id or "", set())

    # -- changes -----------------------------------------------------------------------
    def set_read_only(self, user_id: str, object_name: str, field_name: str,
                      read_only: bool = True) -> None:
        entry = self.read_only.setdefault(user_id, set())
        if read_only:
            entry.add((object_name, field_name))
        else:
            entry.discard((object_name, field_name))

    def remove_field(self, object_name: str, field_name: str) -> None:
        """Delete a field from the org (stored values become invisible)."""
        found = self.field_of(object_name, field_name)
        if found is None or found["name"] in ("Id", "Name", "IsDeleted"):
            raise SchemaError(f"cannot remove field {object_name}.{field_name}")
        del self.fields[object_name][found["name"]]
        self.objects[object_name]["fields"].remove(found)
        self.removed_fields.append((object_name, found["name"]))
        self._describes = None

    def load_custom(self, definition: dict) -> None:
        """Add custom objects and ``__c`` fields from a JSON-shaped definition::

            {"objects": [{"name": "Project__c", "label": "Project", "labelPlural":
              "Projects", "fields": [FIELD, ...]}],
             "fields": {"Account": [FIELD, ...]}}

        A FIELD is ``{"name": "Region__c", "type": "picklist", "values": [...],
        "default": ..., "restricted": bool, "referenceTo": [...], "required": bool, ...}``
        plus any describe attribute by its API name.
        """
        for obj in definition.get("objects", []):
            name = obj["name"]
            if not name.endswith("__c"):
                raise SchemaError(f"custom object names end with __c: {name!r}")
            if name in self.objects:
                continue
            prefix = "a0" + _CUSTOM_PREFIX_CHARS[sum(o["custom"] for o in self.objects.values())]
            fields = [
                *system_fields(owner=["User"]),
                field("Name", "string", obj.get("nameLabel", f"{obj.get('label', name)} Name"),
                      length=80, nameField=True),
            ]
            self._add_object(name, obj.get("label", name[:-3]),
                             obj.get("labelPlural", name[:-3] + "s"), prefix, fields, {},
                             custom=True)
            for spec in obj.get("fields", []):
                self._add_field(name, spec)
        for object_name, specs in definition.get("fields", {}).items():
            canonical = self.resolve(object_name)
            if canonical is None:
                raise SchemaError(f"unknown object {object_name!r}")
            for spec in specs:
                self._add_field(canonical, spec)
        self.custom_definitions.append(definition)
        self._describes = None

    def load_custom_file(self, path: str | Path) -> None:
        self.load_custom(json.loads(Path(path).read_text()))

    # -- internals -----------------------------------------------------------------------
    def _add_object(self, name: str, label: str, plural: str, prefix: str,
                    fields: list[dict], extra: dict, *, custom: bool) -> None:
        base = f"/services/data/v{self.api_version}/sobjects/{name}"
        self.objects[name] = {
            **_OBJECT_DEFAULTS, **extra, "name": name, "label": label, "labelPlural": plural,
            "keyPrefix": prefix, "custom": custom, "fields": fields,
            "urls": {"sobject": base, "describe": f"{base}/describe",
                     "rowTemplate": f"{base}/{{ID}}"},
        }
        self.fields[name] = {f["name"]: f for f in fields}
        self._describes = None

    def _add_field(self, object_name: str, spec: dict) -> None:
        spec = dict(spec)
        name, type_ = spec.pop("name"), spec.pop("type")
        if not name.endswith("__c"):
            raise SchemaError(f"custom field names end with __c: {name!r}")
        if name in self.fields[object_name]:
            return
        required = spec.pop("required", False)
        if required:
            spec["nillable"] = False
        if type_ in ("picklist", "multipicklist"):
            built = picklist(name, spec.pop("values", []), spec.pop("default", None),
                             restricted=spec.pop("restricted", False),
                             multi=type_ == "multipicklist", label=spec.pop("label", None),
                             **spec)
        elif type_ == "reference":
            targets = spec.pop("referenceTo")
            relationship = spec.pop("relationshipName", name[:-3] + "__r")
            built = reference(name, targets, relationship, spec.pop("label", None), **spec)
        else:
            built = field(name, type_, spec.pop("label", None), **spec)
        built["custom"] = True
        self.objects[object_name]["fields"].append(built)
        self.fields[object_name][name] = built
        self._describes = None

    def _describe(self, name: str) -> dict:
        obj = self.objects[name]
        children = []
        used: set[str] = set()
        for child_name, child in self.objects.items():
            for f in child["fields"]:
                if name not in f["referenceTo"] or f["name"] in (
                    "CreatedById", "LastModifiedById", "OwnerId"
                ):
                    continue
                rel = (child["labelPlural"].replace(" ", "") if not child["custom"]
                       else child_name[:-3] + "s__r")
                if rel in used:
                    rel = None
                else:
                    used.add(rel)
                children.append({
                    "cascadeDelete": False, "childSObject": child_name,
                    "deprecatedAndHidden": False, "field": f["name"],
                    "junctionIdListNames": [], "junctionReferenceTo": [],
                    "relationshipName": rel, "restrictedDelete": False,
                })
        return {
            **obj,
            "childRelationships": children,
            "recordTypeInfos": [{
                "active": True, "available": True, "defaultRecordTypeMapping": True,
                "developerName": "Master", "master": True, "name": "Master",
                "recordTypeId": "012000000000000AAA",
                "urls": {"layout": f"{obj['urls']['sobject']}/describe/layouts/012000000000000AAA"},
            }],
            "supportedScopes": [{"label": "All " + obj["labelPlural"].lower(),
                                 "name": "everything"}],
            "namedLayoutInfos": [], "actionOverrides": [], "networkScopeFieldName": None,
        }

