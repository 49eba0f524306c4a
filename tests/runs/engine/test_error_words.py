"""What the engine writes about a refused row or record: plain words and what to do, for
each kind the clients report — never an API error code."""

from __future__ import annotations

import re

import pytest

from runs.engine import words

#: Anything shaped like a service's code: FIELD_CUSTOM_VALIDATION_EXCEPTION, 1042...
CODE = re.compile(r"\b[A-Z]{3,}(?:_[A-Z]+)+\b|\b[145]\d{3}\b")


@pytest.mark.parametrize(("kind", "says"), [
    ("picklist", ["'Won?'", "picklist Stage", "column 'Stage'", "Salesforce admin"]),
    ("required", ["Stage is required", "fill in the column 'Stage'"]),
    ("validation_rule", ["validation rule", "Close dates cannot be in the past",
                         "meets the rule"]),
    ("permission", ["may not edit Stage", "read-only", "Smartsheet only"]),
    ("duplicate", ["duplicate", "merge"]),
    ("too_long", ["too long", "shorten"]),
    ("type", ["not of the type", "correct it"]),
    ("record_not_found", ["deleted in Salesforce"]),
])
def test_salesforce_refusals_say_what_to_do(kind, says):
    message = words.refused_by_salesforce(
        kind, column="Stage", field="Stage", value="Won?",
        detail="Close dates cannot be in the past (FIELD_CUSTOM_VALIDATION_EXCEPTION)."
        if kind == "validation_rule" else "Stage: bad value")
    for text in says:
        assert text in message, (kind, text, message)


@pytest.mark.parametrize(("kind", "says"), [
    ("picklist", ["'Won?' is not an option of the column 'Stage'",
                  "add it to the column's options", "map the field to a text column"]),
    ("permission", ["column 'Stage' cannot be written", "locked column", "unlock it"]),
    ("too_long", ["too long for the column 'Stage'", "4,000 characters"]),
    ("type", ["does not fit the type of the column 'Stage'", "text column"]),
])
def test_smartsheet_refusals_say_what_to_do(kind, says):
    message = words.refused_by_smartsheet(kind, column="Stage", value="Won?",
                                          detail="The value did not conform (1042).")
    for text in says:
        assert text in message, (kind, text, message)
    assert not CODE.search(message), message


def test_an_unknown_refusal_keeps_the_services_own_words():
    assert words.refused_by_salesforce("invalid", detail="Something odd") == (
        "Salesforce refused the change: Something odd")
    assert words.refused_by_smartsheet("invalid", detail="Odd", verb="add") == (
        "Could not add a row: Odd")


def test_owned_column_titles_depend_on_the_install_kind():
    assert words.id_column_title("salesforce") == "Salesforce ID"
    assert words.id_column_title("service_cloud") == "Service Cloud ID"
    assert words.sync_error_title() == "Sync Error"
