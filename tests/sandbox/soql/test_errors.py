"""Refused queries: error codes, and messages in Salesforce's shape."""

from __future__ import annotations

import pytest

from sandbox.salesforce.soql import SoqlError, compile_query

from .support import SCHEMA


def error_of(text: str) -> SoqlError:
    with pytest.raises(SoqlError) as caught:
        compile_query(text, SCHEMA)
    return caught.value


def test_it_quotes_the_query_with_a_caret_for_an_unknown_column():
    error = error_of("SELECT Foo FROM Account")
    assert error.code == "INVALID_FIELD"
    assert error.message == (
        "\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\n"
        "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. Please reference "
        "your WSDL or the describe call for the appropriate names."
    )


def test_it_names_the_unknown_object():
    error = error_of("SELECT Id FROM Foo")
    assert error.code == "INVALID_TYPE"
    assert error.message.startswith("\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\n")
    assert "sObject type 'Foo' is not supported." in error.message


def test_it_points_at_the_row_and_column_of_a_multi_line_query():
    error = error_of("SELECT Id\nFROM Account\nWHERE Nme = 'x'")
    assert error.message.startswith("\nWHERE Nme = 'x'\n      ^\nERROR at Row:3:Column:7\n")


@pytest.mark.parametrize(("text", "code", "reason"), [
    # syntax
    ("SELECT FROM Account", "MALFORMED_QUERY", "unexpected token: 'Account'"),
    ("SELECT Id FROM", "MALFORMED_QUERY", "unexpected token: <EOF>"),
    ("SELECT Id, FROM Account", "MALFORMED_QUERY", "unexpected token: 'Account'"),
    ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY", "unexpected token: <EOF>"),
    ("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'",
     "MALFORMED_QUERY", "unexpected token: 'OR'"),
    ("SELECT Id FROM Account WHERE Name = 'abc", "MALFORMED_QUERY",
     "mismatched character '<EOF>' expecting '''"),
    ("SELECT Id FROM Account WHERE Name = 'abc\\'", "MALFORMED_QUERY",
     "mismatched character '<EOF>' expecting '''"),
    ("SELECT Id FROM Account WHERE Name = 'a\\qb'", "MALFORMED_QUERY",
     "Illegal character sequence '\\q' in string literal."),
    ("SELECT Id FROM Account WHERE Name = '100\\%'", "MALFORMED_QUERY",
     "Illegal character sequence '\\%' in string literal."),
    ("SELECT Id FROM Account WHERE Name = \"x\"", "MALFORMED_QUERY",
     "no viable alternative at character '\"'"),
    ("SELECT Id FROM Account WHERE Name IN ()", "MALFORMED_QUERY", "unexpected token: ')'"),
    ("SELECT Id FROM Account WHERE Name = :name", "MALFORMED_QUERY",
     "no viable alternative at character ':'"),
    ("SELECT Id, (SELECT Id FROM Contacts) FROM Account", "MALFORMED_QUERY",
     "unexpected token: '('"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)",
     "MALFORMED_QUERY", "unexpected token: 'AccountId'"),
    ("SELECT Id FROM Account a", "MALFORMED_QUERY", "unexpected token: 'a'"),
    ("SELECT Id FROM Account GROUP BY Name", "MALFORMED_QUERY", "unexpected token: 'GROUP'"),
    ("SELECT Id FROM Account LIMIT -1", "MALFORMED_QUERY", "unexpected token: '-1'"),
    ("SELECT Id FROM Account LIMIT 1.5", "MALFORMED_QUERY", "unexpected token: '1.5'"),
    ("SELECT Id FROM Account OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE",
     "Maximum SOQL offset allowed is 2000"),
    ("SELECT Id, Name, id FROM Account", "INVALID_FIELD", "duplicate field selected: Id"),
    ("SELECT Id FROM Account WHERE CreatedDate > 2026-02-30T00:00:00Z", "MALFORMED_QUERY",
     "invalid datetime"),
    ("SELECT Id FROM Account WHERE FoundedOn__c = 2026-13-01", "MALFORMED_QUERY",
     "invalid date"),
    # names
    ("SELECT Foo.Name FROM Account", "INVALID_FIELD",
     "Didn't understand relationship 'Foo' in field path."),
    ("SELECT Name.Foo FROM Account", "INVALID_FIELD",
     "Didn't understand relationship 'Name' in field path."),
    ("SELECT Owner FROM Account", "INVALID_FIELD", "No such column 'Owner' on entity 'Account'"),
    ("SELECT Owner.Foo FROM Account", "INVALID_FIELD", "No such column 'Foo' on entity 'User'"),
    ("SELECT What.Industry FROM Task", "INVALID_FIELD",
     "No such column 'Industry' on entity 'Name'"),
    ("SELECT What.Owner.Name FROM Task", "INVALID_FIELD",
     "Didn't understand relationship 'Owner' in field path."),
    ("SELECT Id FROM Account WHERE Bogus = 1", "INVALID_FIELD",
     "No such column 'Bogus' on entity 'Account'"),
    ("SELECT Id FROM Account ORDER BY Bogus", "INVALID_FIELD",
     "No such column 'Bogus' on entity 'Account'"),
    ("SELECT Account.Parent.Parent.Owner.Manager.Manager.Name FROM Contact",
     "MALFORMED_QUERY", "more than 5 levels"),
    # types
    ("SELECT Id FROM Account WHERE Name = 5", "INVALID_FIELD",
     "value of filter criterion for field 'Name' must be of type string and should be "
     "enclosed in quotes"),
    ("SELECT Id FROM Account WHERE AnnualRevenue = '5'", "INVALID_FIELD",
     "value of filter criterion for field 'AnnualRevenue' must be of type currency and "
     "should not be enclosed in quotes"),
    ("SELECT Id FROM Account WHERE NumberOfEmployees > 2026-01-01", "INVALID_FIELD",
     "must be of type integer"),
    ("SELECT Id FROM Account WHERE FoundedOn__c = '2026-01-01'", "INVALID_FIELD",
     "value of filter criterion for field 'FoundedOn__c' must be of type date and should "
     "not be enclosed in quotes"),
    ("SELECT Id FROM Account WHERE FoundedOn__c = 2026-01-01T00:00:00Z", "INVALID_FIELD",
     "must be of type date"),
    ("SELECT Id FROM Account WHERE CreatedDate > 2026-01-01", "INVALID_FIELD",
     "must be of type dateTime"),
    ("SELECT Id FROM Account WHERE Name = TODAY", "INVALID_FIELD", "must be of type string"),
    ("SELECT Id FROM Account WHERE IsDeleted = 'true'", "INVALID_FIELD",
     "must be of type boolean"),
    ("SELECT Id FROM Account WHERE IsDeleted = 1", "INVALID_FIELD", "must be of type boolean"),
    ("SELECT Id FROM Account WHERE Name = Acme", "MALFORMED_QUERY", "unexpected token: 'Acme'"),
    ("SELECT Id FROM Account WHERE CreatedDate = SOMEDAY", "MALFORMED_QUERY",
     "unexpected token: 'SOMEDAY'"),
    ("SELECT Id FROM Account WHERE CreatedDate = TODAY:3", "MALFORMED_QUERY",
     "unexpected token: 'TODAY:3'"),
    ("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS", "MALFORMED_QUERY",
     "unexpected token: 'LAST_N_DAYS'"),
    ("SELECT Id FROM Account WHERE Name IN ('a', 1)", "INVALID_FIELD", "must be of type string"),
    ("SELECT Id FROM Account WHERE Name < NULL", "MALFORMED_QUERY", "invalid operator < with null"),
    ("SELECT Id FROM Account WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR",
     "invalid ID field: abc"),
    ("SELECT Id FROM Account WHERE OwnerId IN ('005000000000001AAA', 'nope')",
     "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: nope"),
    # operators and field flags
    ("SELECT Id FROM Account WHERE AnnualRevenue LIKE '1%'", "INVALID_QUERY_FILTER_OPERATOR",
     "invalid operator on currency field"),
    ("SELECT Id FROM Account WHERE IsDeleted > false", "INVALID_QUERY_FILTER_OPERATOR",
     "invalid operator on boolean field"),
    ("SELECT Id FROM Account WHERE Tags__c LIKE 'a%'", "INVALID_QUERY_FILTER_OPERATOR",
     "invalid operator on multipicklist field"),
    ("SELECT Id FROM Account WHERE Name INCLUDES ('a')", "INVALID_QUERY_FILTER_OPERATOR",
     "includes or excludes operator only valid on multipicklist field"),
    ("SELECT Id FROM Account WHERE Id LIKE '001%'", "INVALID_QUERY_FILTER_OPERATOR",
     "invalid operator on id field"),
    ("SELECT Id FROM Account WHERE Description = 'x'", "INVALID_FIELD",
     "field 'Description' can not be filtered in a query call"),
    ("SELECT Id FROM Account WHERE Logo__c = null", "INVALID_FIELD",
     "field 'Logo__c' can not be filtered in a query call"),
    ("SELECT Id FROM Account ORDER BY Description", "INVALID_FIELD",
     "field 'Description' can not be sorted in a query call"),
])
def test_it_refuses_with_the_salesforce_code(text, code, reason):
    error = error_of(text)
    assert (error.code, reason in error.message) == (code, True), error.message
    assert "\nERROR at Row:1:Column:" in error.message
