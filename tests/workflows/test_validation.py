"""The draft rules on plain describes and columns (no service involved)."""

from __future__ import annotations

import pytest

from tests.workflows.describes import COLUMNS, describe
from workflows.validation import Draft, SheetInfo, WorkflowValidationError, check_draft

SHEET = SheetInfo(id=99, name="Accounts", columns=COLUMNS, access_level="OWNER")


def check(*, sheet=SHEET, kind="salesforce", **draft):
    values = {"direction": "bidirectional", "salesforce_object": "Account", "sheet_id": 99,
              "name": "W", "mappings": [{"salesforce_field": "Name", "column": "Account"}]}
    values.update(draft)
    if sheet is None:
        values.pop("sheet_id", None)
    return check_draft(draft=Draft(**values), describe=describe, sheet=sheet,
                       install_kind=kind, install_id=1, owner_id=2,
                       install_polling_minutes=15)


def errors_of(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(WorkflowValidationError) as caught:
        check(**kwargs)
    return caught.value.errors


def test_it_returns_a_spec_with_column_ids_and_canonical_names():
    spec = check(mappings=[
        {"salesforce_field": "name", "column": "account"},
        {"salesforce_field": "owner.email", "column": "Owner", "new_column": True},
        {"salesforce_field": "OwnerId", "column": "Revenue", "lookup_field": "name",
         "direction": "to_salesforce"},
    ], salesforce_filters=[{"field": "industry", "operator": "equals", "value": "Energy"}],
        smartsheet_filters=[{"column": "active", "operator": "equals", "value": "TRUE"}],
        row_groups=[{"field": "Industry"}, {"value": "All"}])
    assert [(m.salesforce_field, m.column_id, m.direction, m.new_column, m.lookup_field)
            for m in spec.mappings] == [
        ("Name", 1, "both", False, ""),
        ("Owner.Email", None, "to_smartsheet", True, ""),
        ("OwnerId", 3, "to_salesforce", False, "Name"),
    ]
    assert [(x.side, x.field, x.value, x.column_id) for x in spec.filters] == [
        ("salesforce", "Industry", "Energy", None), ("smartsheet", "Active", "true", 4)]
    assert [(g.level, g.field, g.value) for g in spec.row_groups] == [
        (1, "Industry", ""), (2, "", "All")]
    assert (spec.sheet_id, spec.sheet_name, spec.install_id, spec.owner_id) == (
        99, "Accounts", 1, 2)


@pytest.mark.parametrize(("field", "reason"), [
    ("Id", "record Id"), ("Score__c", "formula"), ("Owner.Email", "related record"),
    ("LastModifiedDate", "edit"),
])
def test_it_keeps_read_only_fields_flowing_to_smartsheet(field, reason):
    errors = errors_of(mappings=[{"salesforce_field": field, "column": "Account",
                                  "direction": "both"}])
    canonical = field
    assert errors == {"mappings": [
        f"Row 1: '{canonical}' is read-only: it can only flow to Smartsheet."]}
    spec = check(mappings=[{"salesforce_field": field, "column": "Account"}])
    assert spec.mappings[0].direction == "to_smartsheet"  # the default for read-only


def test_it_names_the_autonumber_case_field_in_the_documented_message():
    errors = errors_of(salesforce_object="Case", mappings=[
        {"salesforce_field": "Subject", "column": "Account"},
        {"salesforce_field": "CaseNumber", "column": "Case number", "direction": "to_salesforce"}])
    assert errors == {"mappings": [
        "Row 2: 'CaseNumber' is read-only: it can only flow to Smartsheet."]}


def test_it_keeps_mapping_directions_inside_the_workflows_direction():
    errors = errors_of(direction="to_smartsheet", mappings=[
        {"salesforce_field": "Name", "column": "Account", "direction": "both"}])
    assert errors["mappings"] == [
        "Row 1: a Salesforce to Smartsheet workflow only sends fields to Smartsheet."]
    errors = errors_of(direction="to_salesforce", mappings=[
        {"salesforce_field": "Name", "column": "Account", "direction": "to_smartsheet"}])
    assert "only sends columns to Salesforce" in errors["mappings"][0]


@pytest.mark.parametrize(("mappings", "message"), [
    ([{"salesforce_field": "Nme", "column": "Account"}], "Row 1: 'Account' has no field 'Nme'."),
    ([{"salesforce_field": "Boss.Name", "column": "Account"}],
     "Row 1: 'Account' has no relationship 'Boss' (in 'Boss.Name')."),
    ([{"salesforce_field": "Name", "column": "Account"},
      {"salesforce_field": "Industry", "column": " ACCOUNT "}],
     "Row 2: the column 'ACCOUNT' is already mapped in row 1; map each column once."),
    ([{"salesforce_field": "Name", "column": "Ghost"}],
     "Row 1: 'Accounts' has no column 'Ghost'. Choose a column, or add it as a new column."),
    ([{"salesforce_field": "Name", "column": "Industry", "new_column": True}],
     "Row 1: 'Accounts' already has a column 'Industry': map to it instead of adding a new one."),
    ([{"salesforce_field": "Name", "column": "Account", "lookup_field": "Email"}],
     "Row 1: 'look up by' is only for reference fields; 'Name' is a string field."),
    ([{"salesforce_field": "OwnerId", "column": "Account", "lookup_field": "Shoe"}],
     "Row 1: 'User' has no field 'Shoe' to look up by."),
    ([{"salesforce_field": "Name", "column": "Account"},
      {"salesforce_field": "Name", "column": "Revenue"}],
     "Row 2: 'Name' is already written from row 1; one column per Salesforce field."),
    ([], "Map at least one field to a column."),
])
def test_it_explains_bad_mappings(mappings, message):
    assert errors_of(mappings=mappings) == {"mappings": [message]}


@pytest.mark.parametrize(("flt", "fragment"), [
    ({"field": "AnnualRevenue", "operator": "contains", "value": "1"}, "does not apply"),
    ({"field": "AnnualRevenue", "operator": "greater_than", "value": "lots"}, "is a number"),
    ({"field": "Since__c", "operator": "less_than", "value": "31/12/2024"}, "YYYY-MM-DD"),
    # Looks like a date literal, is not one: refused at save, not at every run.
    ({"field": "Since__c", "operator": "less_than", "value": "SOMEDAY"}, "YYYY-MM-DD"),
    ({"field": "Since__c", "operator": "less_than", "value": "LAST_N_DAYS:0"}, "YYYY-MM-DD"),
    ({"field": "IsActive__c", "operator": "equals", "value": "yes"}, "true or false"),
    ({"field": "Industry", "operator": "equals", "value": "Mining"},
     "'Mining' is not a value of Industry. Choose one of: Energy, Retail."),
    ({"field": "Name", "operator": "equals", "value": "  "}, "enter a value"),
    ({"field": "Description", "operator": "contains", "value": "x"},
     "cannot be used in a filter"),
    ({"field": "Name", "operator": "sounds_like", "value": "x"}, "choose a condition"),
    ({"field": "Nope", "operator": "is_blank"}, "has no field 'Nope'"),
])
def test_it_checks_salesforce_filter_operators_and_values(flt, fragment):
    errors = errors_of(salesforce_filters=[flt])
    assert list(errors) == ["salesforce_filters"]
    assert fragment in errors["salesforce_filters"][0]
    assert errors["salesforce_filters"][0].startswith("Row 1: ")


@pytest.mark.parametrize("flt", [
    {"field": "AnnualRevenue", "operator": "greater_or_equal", "value": "1000.5"},
    {"field": "Since__c", "operator": "greater_than", "value": "LAST_N_DAYS:30"},
    {"field": "Since__c", "operator": "equals", "value": "this_month"},
    {"field": "LastModifiedDate", "operator": "less_than", "value": "2024-05-01T10:00:00Z"},
    {"field": "IsActive__c", "operator": "is_checked"},
    {"field": "Owner.Email", "operator": "contains", "value": "@example.com"},
    {"field": "Name", "operator": "is_blank", "value": "ignored"},
])
def test_it_accepts_valid_salesforce_filters(flt):
    spec = check(salesforce_filters=[flt])
    assert spec.salesforce_filters[0].operator == flt["operator"]
    if flt["operator"] == "is_blank":
        assert spec.salesforce_filters[0].value == ""


@pytest.mark.parametrize(("flt", "fragment"), [
    ({"column": "Active", "operator": "contains", "value": "x"}, "does not apply"),
    ({"column": "Active", "operator": "equals", "value": "1"}, "true or false"),
    ({"column": "Since", "operator": "greater_than", "value": "tomorrow"}, "YYYY-MM-DD"),
    ({"column": "Revenue", "operator": "less_than", "value": "abc"}, "needs a number"),
    ({"column": "Nowhere", "operator": "is_blank"}, "'Accounts' has no column 'Nowhere'"),
])
def test_it_checks_smartsheet_filters_by_column_type(flt, fragment):
    errors = errors_of(smartsheet_filters=[flt])
    assert fragment in errors["smartsheet_filters"][0], errors


def test_it_accepts_checkbox_filters_the_documented_ways():
    spec = check(smartsheet_filters=[
        {"column": "Active", "operator": "equals", "value": "false"},
        {"column": "Active", "operator": "is_checked"},
    ])
    assert [(x.operator, x.value) for x in spec.smartsheet_filters] == [
        ("equals", "false"), ("is_checked", "")]


@pytest.mark.parametrize(("groups", "fragment"), [
    ([{"field": "Industry", "value": "x"}], "one of them"),
    ([{}], "one of them"),
    ([{"field": "Bogus"}], "has no field 'Bogus'"),
])
def test_it_checks_row_groups(groups, fragment):
    errors = errors_of(row_groups=groups)
    assert errors["row_groups"][0].startswith("Level 1: ") and fragment in errors["row_groups"][0]


def test_it_refuses_row_groups_on_a_to_salesforce_workflow():
    errors = errors_of(direction="to_salesforce", row_groups=[{"value": "All"}], mappings=[
        {"salesforce_field": "Name", "column": "Account"}])
    assert "row_groups" in errors


def test_it_requires_one_sheet_choice_and_a_known_object():
    assert "sheet_id" in errors_of(sheet=None, new_sheet_name="")
    assert errors_of(salesforce_object="Widget") == {
        "salesforce_object": ["'Widget' is not a Salesforce object you can read."]}
    assert "direction" in errors_of(direction="sideways")


def test_it_makes_every_column_of_a_new_sheet_new():
    spec = check(sheet=None, new_sheet_name="Fresh", mappings=[
        {"salesforce_field": "Name", "column": "Anything"}],
        smartsheet_filters=[{"column": "Anything", "operator": "starts_with", "value": "A"}])
    assert (spec.sheet_id, spec.new_sheet_name) == (None, "Fresh")
    assert spec.mappings[0].new_column is True
    assert spec.smartsheet_filters[0].column_id is None


def test_it_limits_service_cloud_installs_to_their_objects_and_computed_columns():
    assert "salesforce_object" in errors_of(kind="service_cloud", salesforce_object="User")
    spec = check(kind="service_cloud", salesforce_object="Case", mappings=[
        {"salesforce_field": "Subject", "column": "Account"},
        {"salesforce_field": "$sla_status", "column": "SLA"}])
    assert spec.mappings[1].direction == "to_smartsheet" and spec.mappings[1].new_column
    errors = errors_of(kind="salesforce", salesforce_object="Case", mappings=[
        {"salesforce_field": "$sla_status", "column": "SLA"}])
    assert errors == {"mappings": ["Row 1: '$sla_status' is not a field of Case."]}


OWNED = ({"id": 7, "title": "Salesforce ID", "type": "TEXT_NUMBER"},
         {"id": 8, "title": "Sync Error", "type": "TEXT_NUMBER"})


def test_it_refuses_a_viewer_and_names_who_can_share_the_sheet():
    viewer = SheetInfo(id=99, name="Accounts", columns=COLUMNS + OWNED, access_level="VIEWER",
                       admins=("Ada Lovelace (owner)",))
    errors = errors_of(sheet=viewer)
    assert errors["sheet_id"] == [
        "You have Viewer access to “Accounts”: syncing a sheet needs Editor access or "
        "higher. Ask Ada Lovelace (owner) to share it with you as an Editor."]


def test_an_editor_syncs_a_prepared_sheet():
    editor = SheetInfo(id=99, name="Accounts", columns=COLUMNS + OWNED, access_level="EDITOR")
    assert check(sheet=editor).sheet_id == 99


def test_an_editor_is_told_who_can_prepare_a_sheet_never_synced():
    editor = SheetInfo(id=99, name="Accounts", columns=COLUMNS, access_level="EDITOR_SHARE",
                       admins=("Ada Lovelace (owner)", "Bob Chen (admin)"))
    (message,) = errors_of(sheet=editor)["sheet_id"]
    assert "needs its “Salesforce ID” and “Sync Error” columns" in message
    assert "Ada Lovelace (owner) or Bob Chen (admin) can prepare it in one click" in message
    unknown = SheetInfo(id=99, name="Accounts", columns=COLUMNS, access_level="EDITOR")
    assert "the sheet's owner can prepare it" in errors_of(sheet=unknown)["sheet_id"][0]


def test_a_service_cloud_sheet_is_prepared_with_its_service_cloud_id_column():
    columns = COLUMNS + ({"id": 7, "title": "Service Cloud ID", "type": "TEXT_NUMBER"},
                         OWNED[1])
    editor = SheetInfo(id=99, name="Cases", columns=columns, access_level="EDITOR")
    assert check(sheet=editor, kind="service_cloud", salesforce_object="Case", mappings=[
        {"salesforce_field": "Subject", "column": "Account"}]).sheet_id == 99


def test_new_columns_need_admin_access():
    editor = SheetInfo(id=99, name="Accounts", columns=COLUMNS + OWNED, access_level="EDITOR")
    errors = errors_of(sheet=editor, mappings=[
        {"salesforce_field": "Name", "column": "Account"},
        {"salesforce_field": "AnnualRevenue", "column": "Revenue 2", "new_column": True}])
    assert errors["mappings"] == [
        "Row 2: adding the column “Revenue 2” needs Admin access to “Accounts” (you are an "
        "Editor): map an existing column, or ask the sheet's owner to add it."]
    admin = SheetInfo(id=99, name="Accounts", columns=COLUMNS, access_level="ADMIN")
    assert check(sheet=admin, mappings=[
        {"salesforce_field": "AnnualRevenue", "column": "Revenue 2", "new_column": True}])


@pytest.mark.parametrize("title", ["Salesforce ID", "sync error"])
def test_it_never_maps_a_field_to_the_connectors_own_columns(title):
    errors = errors_of(mappings=[{"salesforce_field": "Name", "column": title,
                                  "new_column": True}])
    assert "is the connector's own column" in errors["mappings"][0]


def test_a_raw_reference_id_flows_to_smartsheet_only_and_lookup_by_writes_it():
    errors = errors_of(mappings=[{"salesforce_field": "OwnerId", "column": "Revenue",
                                  "direction": "both"}])
    assert errors["mappings"] == [
        "Row 1: 'OwnerId' can only flow to Smartsheet: it holds a record id: to change it "
        "from the sheet, look it up by a field of the related record (its name, an email)."]
    assert check(mappings=[{"salesforce_field": "OwnerId", "column": "Revenue"}]
                 ).mappings[0].direction == "to_smartsheet"
    assert check(mappings=[{"salesforce_field": "OwnerId", "column": "Revenue",
                            "lookup_field": "Email", "direction": "both"}]
                 ).mappings[0].direction == "both"


def test_it_carries_allow_duplicates_into_the_spec():
    assert check().allow_duplicates is False
    assert check(allow_duplicates=True).allow_duplicates is True


def test_it_allows_only_slower_polling_than_the_install():
    assert "polling_interval_minutes" in errors_of(polling_interval_minutes=5)
    assert check(polling_interval_minutes=60).extra["polling_interval_minutes"] == 60


def test_it_reports_every_problem_at_once():
    errors = errors_of(name="", mappings=[{"salesforce_field": "Nope", "column": "Account"}],
                       salesforce_filters=[{"field": "Name", "operator": "equals"}])
    assert set(errors) == {"name", "mappings", "salesforce_filters"}
