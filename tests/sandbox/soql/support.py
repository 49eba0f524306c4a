"""Plain-data fixtures for the SOQL engine: small describes and an in-memory source."""

from __future__ import annotations

from datetime import UTC, datetime

#: A Wednesday, so this week (Sunday start) is 2026-05-17 .. 2026-05-23.
NOW = datetime(2026, 5, 20, 15, 30, tzinfo=UTC)


def fld(name: str, type_: str, **extra) -> dict:
    spec = {"name": name, "type": type_, "filterable": type_ != "textarea",
            "sortable": type_ not in ("textarea", "multipicklist"), "referenceTo": [],
            "relationshipName": None, "polymorphicForeignKey": False, "nameField": False}
    spec.update(extra)
    return spec


def ref(name: str, relationship: str, *targets: str) -> dict:
    return fld(name, "reference", referenceTo=list(targets), relationshipName=relationship,
               polymorphicForeignKey=len(targets) > 1)


SCHEMA = {
    "User": {"name": "User", "fields": [
        fld("Id", "id"), fld("Name", "string", nameField=True), fld("Email", "email"),
        fld("IsActive", "boolean"), ref("ManagerId", "Manager", "User"),
    ]},
    "Group": {"name": "Group", "fields": [fld("Id", "id"), fld("Name", "string", nameField=True)]},
    "Account": {"name": "Account", "fields": [
        fld("Id", "id"), fld("IsDeleted", "boolean"), fld("Name", "string", nameField=True),
        fld("Industry", "picklist"), fld("AnnualRevenue", "currency"),
        fld("NumberOfEmployees", "int"), fld("Description", "textarea"),
        fld("Tags__c", "multipicklist"), fld("FoundedOn__c", "date"),
        fld("CreatedDate", "datetime"), fld("SystemModstamp", "datetime"),
        ref("OwnerId", "Owner", "User"), ref("ParentId", "Parent", "Account"),
        fld("Logo__c", "base64", filterable=False, sortable=False),
    ]},
    "Contact": {"name": "Contact", "fields": [
        fld("Id", "id"), fld("IsDeleted", "boolean"), fld("LastName", "string"),
        fld("Name", "string", nameField=True), fld("Email", "email"),
        ref("AccountId", "Account", "Account"), ref("OwnerId", "Owner", "User"),
        fld("Birthdate", "date"), fld("SystemModstamp", "datetime"),
    ]},
    "Case": {"name": "Case", "fields": [
        fld("Id", "id"), fld("IsDeleted", "boolean"), fld("CaseNumber", "string", nameField=True),
        fld("Subject", "string"), ref("AccountId", "Account", "Account"),
        ref("OwnerId", "Owner", "Group", "User"),
    ]},
    "Task": {"name": "Task", "fields": [
        fld("Id", "id"), fld("IsDeleted", "boolean"), fld("Subject", "string"),
        ref("WhatId", "What", "Account", "Case"), ref("WhoId", "Who", "Contact", "Lead"),
        fld("ActivityDate", "date"),
    ]},
}

PREFIXES = {"User": "005", "Group": "00G", "Account": "001", "Contact": "003", "Case": "500",
            "Task": "00T"}


def make_id(object_name: str, number: int) -> str:
    """An 18-character id with the object's key prefix (checksum not modelled here)."""
    return f"{PREFIXES[object_name]}{number:012d}AAA"


class MemorySource:
    """The record source contract over dicts: records(object) and get_by_id(id)."""

    def __init__(self, **records_by_object: list[dict]) -> None:
        self._by_object = records_by_object
        self._by_id = {
            record["Id"]: (name, record)
            for name, records in records_by_object.items() for record in records
        }
        self.lookups = 0

    def records(self, object_name: str) -> list[dict]:
        return self._by_object.get(object_name, [])

    def get_by_id(self, record_id: str) -> tuple[str, dict] | None:
        self.lookups += 1
        return self._by_id.get(record_id)


def ids(result) -> list[str]:
    return [record["Id"] for record in result.records]
