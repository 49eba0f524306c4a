"""Field paths against the schema: ``Name``, ``Account.Name``, ``What.Name``, up to five
relationship hops, each resolved once at compile time to a getter closure.

Names are matched case-insensitively; everything we hand back uses the schema's
canonical spelling. A polymorphic relationship (``What``, ``Who``, ``Owner`` on Case)
exposes only the fields of Salesforce's ``Name`` pseudo-object and must end the path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import (
    INVALID_FIELD,
    INVALID_TYPE,
    MALFORMED_QUERY,
    SoqlError,
    located,
    no_such_column,
    unknown_relationship,
    unsupported_object,
)
from .grammar import Path

MAX_RELATIONSHIP_HOPS = 5

#: Fields of the ``Name`` pseudo-object a polymorphic relationship can reach, with types.
NAME_OBJECT_FIELDS = {
    "Id": "id", "Name": "string", "FirstName": "string", "LastName": "string",
    "Alias": "string", "Email": "email", "Phone": "phone", "Title": "string",
    "Type": "picklist", "Username": "string", "IsActive": "boolean",
    "UserRoleId": "reference", "ProfileId": "reference", "RecordTypeId": "reference",
    "LastReferencedDate": "datetime", "LastViewedDate": "datetime",
}

Getter = Callable[[dict, "RunContext"], Any]


class RunContext:
    """Per-run state shared by all getters: the source and a cache of parent lookups,
    so a parent referenced by many records costs one ``get_by_id``."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self._cache: dict[str, tuple[str, dict] | None] = {}

    def parent(self, record_id: str) -> tuple[str, dict] | None:
        """``(object name, record)`` of a live record, or None if absent or deleted
        (Salesforce clears a lookup to a deleted record)."""
        try:
            return self._cache[record_id]
        except KeyError:
            pass
        found = self.source.get_by_id(record_id)
        if found is not None and found[1].get("IsDeleted"):
            found = None
        self._cache[record_id] = found
        return found


@dataclass(frozen=True)
class Hop:
    """One relationship step: the reference field holding the parent id."""

    field_name: str
    relationship_name: str
    polymorphic: bool


@dataclass(frozen=True)
class ResolvedPath:
    canonical: str
    hops: tuple[Hop, ...]
    field_name: str
    #: describe field of the final column (a synthetic one on the Name pseudo-object).
    describe: dict
    get: Getter

    @property
    def type(self) -> str:
        return self.describe["type"]


class Schema:
    """Case-insensitive view of a ``{object name: describe}`` mapping."""

    def __init__(self, describes: Mapping[str, dict]) -> None:
        self._describes = describes
        self._objects = {name.lower(): name for name in describes}
        self._fields: dict[str, dict[str, dict]] = {}
        self._relationships: dict[str, dict[str, dict]] = {}
        self._name_fields: dict[str, str] | None = None

    def object_name(self, text: str, name: str, line: int, column: int) -> str:
        canonical = self._objects.get(name.lower())
        if canonical is None:
            raise SoqlError(INVALID_TYPE, located(text, line, column, unsupported_object(name)))
        return canonical

    def _index(self, object_name: str) -> None:
        if object_name in self._fields:
            return
        fields, relationships = {}, {}
        for spec in self._describes[object_name].get("fields", []):
            fields[spec["name"].lower()] = spec
            if spec.get("type") == "reference" and spec.get("relationshipName"):
                relationships[spec["relationshipName"].lower()] = spec
        self._fields[object_name] = fields
        self._relationships[object_name] = relationships

    def field(self, object_name: str, name: str) -> dict | None:
        self._index(object_name)
        return self._fields[object_name].get(name.lower())

    def relationship(self, object_name: str, name: str) -> dict | None:
        self._index(object_name)
        return self._relationships[object_name].get(name.lower())

    def name_field(self, object_name: str) -> str:
        """The field that plays ``Name`` for an object (CaseNumber on Case)."""
        if self._name_fields is None:
            self._name_fields = {}
            for name, describe in self._describes.items():
                for spec in describe.get("fields", []):
                    if spec.get("nameField"):
                        self._name_fields[name] = spec["name"]
                        break
        return self._name_fields.get(object_name, "Name")

    def resolve(self, text: str, object_name: str, path: Path) -> ResolvedPath:
        """Resolve ``path`` from ``object_name`` or raise INVALID_FIELD / MALFORMED_QUERY."""
        *relationships, last = path.parts
        if len(relationships) > MAX_RELATIONSHIP_HOPS:
            raise SoqlError(MALFORMED_QUERY, located(
                text, path.line, path.column,
                f"SOQL statements cannot query more than {MAX_RELATIONSHIP_HOPS} levels of "
                f"parent relationships: {path.text}",
            ))
        current: str | None = object_name
        hops: list[Hop] = []
        for name in relationships:
            spec = None if current is None else self.relationship(current, name)
            if spec is None:
                raise SoqlError(INVALID_FIELD, located(
                    text, path.line, path.column, unknown_relationship(name)))
            targets = spec.get("referenceTo") or []
            polymorphic = bool(spec.get("polymorphicForeignKey")) or len(targets) != 1
            hops.append(Hop(spec["name"], spec["relationshipName"], polymorphic))
            # Past a polymorphic hop only the Name pseudo-object's plain fields exist.
            current = None if polymorphic else self._objects.get(targets[0].lower())
            if not polymorphic and current is None:
                raise SoqlError(INVALID_FIELD, located(
                    text, path.line, path.column, unknown_relationship(name)))
        if current is None:
            canonical_last = next((f for f in NAME_OBJECT_FIELDS if f.lower() == last.lower()), None)
            if canonical_last is None:
                raise SoqlError(INVALID_FIELD, located(
                    text, path.line, path.column, no_such_column(last, "Name")))
            describe = {"name": canonical_last, "type": NAME_OBJECT_FIELDS[canonical_last],
                        "filterable": True, "sortable": True}
        else:
            describe = self.field(current, last)
            if describe is None:
                raise SoqlError(INVALID_FIELD, located(
                    text, path.line, path.column, no_such_column(last, current)))
        field_name = describe["name"]
        canonical = ".".join([h.relationship_name for h in hops] + [field_name])
        return ResolvedPath(canonical, tuple(hops), field_name, describe,
                            self._getter(tuple(hops), field_name))

    def _getter(self, hops: tuple[Hop, ...], field_name: str) -> Getter:
        if not hops:
            def get_own(record: dict, ctx: RunContext) -> Any:
                return record.get(field_name)
            return get_own
        references = [hop.field_name for hop in hops]
        on_name_object = hops[-1].polymorphic
        schema = self

        def get_through_parents(record: dict, ctx: RunContext) -> Any:
            object_name, current = None, record
            for reference in references:
                parent_id = current.get(reference)
                if parent_id is None:
                    return None
                found = ctx.parent(parent_id)
                if found is None:
                    return None
                object_name, current = found
            return read_field(schema, object_name, current, field_name, on_name_object)
        return get_through_parents


def read_field(schema: Schema, object_name: str | None, record: dict, field_name: str,
               on_name_object: bool) -> Any:
    """A field of a parent record; on the Name pseudo-object ``Type`` is the object's
    name and ``Name`` falls back to the object's name field (CaseNumber on Case)."""
    if on_name_object:
        if field_name == "Type":
            return object_name
        if field_name == "Name" and "Name" not in record and object_name is not None:
            return record.get(schema.name_field(object_name))
    return record.get(field_name)
