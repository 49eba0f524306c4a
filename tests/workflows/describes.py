"""Small plain describes (the REST API's shape) for the pure validation tests."""

from __future__ import annotations


def f(name, type_="string", **kw) -> dict:
    base = {"name": name, "label": kw.pop("label", name), "type": type_, "updateable": True,
            "createable": True, "nillable": True, "calculated": False, "autoNumber": False,
            "filterable": True, "referenceTo": [], "relationshipName": None,
            "picklistValues": []}
    base.update(kw)
    return base


def ro(name, type_="string", **kw) -> dict:
    return f(name, type_, updateable=False, createable=False, **kw)


DESCRIBES = {
    "Account": {"name": "Account", "queryable": True, "fields": [
        ro("Id", "id"), f("Name"), f("Industry", "picklist", picklistValues=[
            {"value": "Energy", "label": "Energy", "active": True},
            {"value": "Retail", "label": "Retail", "active": True}]),
        f("AnnualRevenue", "currency"), f("IsActive__c", "boolean"),
        f("Since__c", "date"), ro("Score__c", "double", calculated=True),
        f("Description", "textarea", filterable=False),
        f("OwnerId", "reference", referenceTo=["User"], relationshipName="Owner"),
        ro("LastModifiedDate", "datetime"),
    ]},
    "User": {"name": "User", "queryable": True, "fields": [
        ro("Id", "id"), f("Email", "email"), f("Name"),
        f("ManagerId", "reference", referenceTo=["User"], relationshipName="Manager"),
    ]},
    "Case": {"name": "Case", "queryable": True, "fields": [
        ro("Id", "id"), ro("CaseNumber", autoNumber=True), f("Priority", "picklist"),
        f("Subject"),
    ]},
}


def describe(name: str) -> dict | None:
    for key, value in DESCRIBES.items():
        if key.lower() == name.lower():
            return value
    return None


COLUMNS = (
    {"id": 1, "title": "Account", "type": "TEXT_NUMBER", "primary": True},
    {"id": 2, "title": "Industry", "type": "PICKLIST"},
    {"id": 3, "title": "Revenue", "type": "TEXT_NUMBER"},
    {"id": 4, "title": "Active", "type": "CHECKBOX"},
    {"id": 5, "title": "Since", "type": "DATE"},
    {"id": 6, "title": "Case number", "type": "TEXT_NUMBER"},
)
