"""Builders for describe-shaped field metadata.

A field is the dict the REST describe returns, with every attribute clients read. The
builders fill Salesforce's per-type defaults (lengths, SOAP types, filterability) so an
object definition only states what differs.
"""

from __future__ import annotations

from typing import Any

_SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "string": "xsd:string", "textarea": "xsd:string",
    "picklist": "xsd:string", "multipicklist": "xsd:string", "combobox": "xsd:string",
    "email": "xsd:string", "phone": "xsd:string", "url": "xsd:string",
    "encryptedstring": "xsd:string", "boolean": "xsd:boolean", "int": "xsd:int",
    "double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double",
    "date": "xsd:date", "datetime": "xsd:dateTime", "time": "xsd:time",
    "base64": "xsd:base64Binary", "address": "urn:address", "location": "urn:location",
}
#: Default lengths of text-like types (0 for the others, as describe reports).
_LENGTHS = {
    "id": 18, "reference": 18, "string": 255, "textarea": 32000, "picklist": 255,
    "multipicklist": 4099, "combobox": 255, "email": 80, "phone": 40, "url": 255,
}
#: Types that cannot be filtered, sorted or grouped in SOQL.
_UNFILTERABLE = {"textarea", "base64", "address", "location"}
_NUMERIC_PRECISION = {"currency": (18, 2), "percent": (3, 0), "double": (18, 0)}


def field(name: str, type_: str, label: str | None = None, **overrides: Any) -> dict:
    """One describe field. ``overrides`` may set any describe attribute by its API name."""
    length = _LENGTHS.get(type_, 0)
    precision, scale = _NUMERIC_PRECISION.get(type_, (0, 0))
    custom = name.endswith("__c")
    text_like = type_ in _LENGTHS and type_ not in ("id", "reference")
    result = {
        "aggregatable": type_ not in _UNFILTERABLE,
        "aiPredictionField": False,
        "autoNumber": False,
        "byteLength": length * 3,
        "calculated": False,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": True,
        "custom": custom,
        "defaultValue": None,
        "defaultValueFormula": None,
        "defaultedOnCreate": False,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": 9 if type_ == "int" else 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": False,
        "extraTypeInfo": None,
        "filterable": type_ not in _UNFILTERABLE,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": type_ not in _UNFILTERABLE and type_ not in ("double", "currency", "percent", "datetime"),
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": type_ == "id",
        "inlineHelpText": None,
        "label": label or _label_of(name),
        "length": length,
        "mask": None,
        "maskType": None,
        "name": name,
        "nameField": False,
        "namePointing": False,
        "nillable": type_ not in ("id", "boolean"),
        "permissionable": custom,
        "picklistValues": [],
        "polymorphicForeignKey": False,
        "precision": precision,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": [],
        "relationshipName": None,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": False,
        "scale": scale,
        "searchPrefilterable": type_ == "reference",
        "soapType": _SOAP_TYPES[type_],
        "sortable": type_ not in _UNFILTERABLE and type_ != "multipicklist",
        "type": type_,
        "unique": False,
        "updateable": True,
        "writeRequiresMasterRead": False,
    }
    if type_ == "boolean":
        result["defaultedOnCreate"] = True
        result["defaultValue"] = False
    if text_like and type_ in ("string", "email", "phone", "url") and name in ("Name", "Subject"):
        result["nameField"] = name == "Name"
    result.update(overrides)
    return result


def read_only(name: str, type_: str, label: str | None = None, **overrides: Any) -> dict:
    """A field the API never writes (system or derived)."""
    overrides.setdefault("createable", False)
    overrides.setdefault("updateable", False)
    return field(name, type_, label, **overrides)


def reference(name: str, targets: list[str], relationship: str | None,
              label: str | None = None, **overrides: Any) -> dict:
    """A lookup; several targets make it polymorphic (e.g. ``WhoId``)."""
    return field(
        name, "reference", label,
        referenceTo=list(targets), relationshipName=relationship,
        polymorphicForeignKey=len(targets) > 1, **overrides,
    )


def picklist(name: str, values: list[str], default: str | None = None, *,
             restricted: bool = False, inactive: tuple[str, ...] = (),
             label: str | None = None, multi: bool = False, **overrides: Any) -> dict:
    """A picklist with its values (``inactive`` ones are listed with ``active: false``)."""
    entries = [
        {"active": value not in inactive, "defaultValue": value == default,
         "label": value, "validFor": None, "value": value}
        for value in values
    ]
    extra: dict[str, Any] = {"picklistValues": entries, "restrictedPicklist": restricted}
    if default is not None:
        extra["defaultedOnCreate"] = True
    extra.update(overrides)
    return field(name, "multipicklist" if multi else "picklist", label, **extra)


def formula(name: str, type_: str, expression: str, label: str | None = None,
            **overrides: Any) -> dict:
    """A formula field: calculated on read, never written."""
    overrides.setdefault("calculated", True)
    overrides.setdefault("calculatedFormula", expression)
    return read_only(name, type_, label, **overrides)


def system_fields(*, owner: list[str] | None = None) -> list[dict]:
    """Id, IsDeleted, the audit fields and (when ``owner``) OwnerId of an object."""
    fields = [
        field("Id", "id", "Record ID", createable=False, updateable=False, nillable=False,
              defaultedOnCreate=True, caseSensitive=False),
        read_only("IsDeleted", "boolean", "Deleted", defaultedOnCreate=True),
        read_only("CreatedDate", "datetime", "Created Date", nillable=False, defaultedOnCreate=True),
        reference("CreatedById", ["User"], "CreatedBy", "Created By ID", createable=False,
                  updateable=False, nillable=False, defaultedOnCreate=True),
        read_only("LastModifiedDate", "datetime", "Last Modified Date", nillable=False,
                  defaultedOnCreate=True),
        reference("LastModifiedById", ["User"], "LastModifiedBy", "Last Modified By ID",
                  createable=False, updateable=False, nillable=False, defaultedOnCreate=True),
        read_only("SystemModstamp", "datetime", "System Modstamp", nillable=False,
                  defaultedOnCreate=True),
    ]
    if owner:
        fields.append(reference("OwnerId", owner, "Owner", "Owner ID", nillable=False,
                                defaultedOnCreate=True))
    return fields


def _label_of(name: str) -> str:
    base = name[:-3] if name.endswith("__c") else name
    if base.endswith("Id") and len(base) > 2:
        base = base[:-2] + " ID"
    words, current = [], ""
    for char in base.replace("_", " "):
        if char.isupper() and current and not current[-1].isupper() and current[-1] != " ":
            words.append(current)
            current = char
        else:
            current += char
    words.append(current)
    return " ".join(w.strip() for w in words if w.strip())
