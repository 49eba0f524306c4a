"""Complex column types are shown only to requests that ask for their ``level``: the
client asks for level 2 when it reads sheets and columns, so a multi-select dropdown is
a MULTI_PICKLIST column (with its options), not the TEXT_NUMBER older clients see."""

from __future__ import annotations


def test_it_reads_columns_and_sheets_at_the_level_of_multi_picklists(make_smartsheet, unique):
    client = make_smartsheet()
    sheet = client.create_sheet(f"levels-{unique}", [
        {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
        {"title": "Tags", "type": "MULTI_PICKLIST", "options": ["a", "b"]}])
    tags = next(c for c in sheet["columns"] if c["title"] == "Tags")["id"]
    client.add_rows(sheet["id"], [{"cells": [
        {"columnId": tags, "objectValue": {"objectType": "MULTI_PICKLIST",
                                           "values": ["a", "b"]}}]}])

    (listed,) = [c for c in client.list_columns(sheet["id"]) if c["id"] == tags]
    body = client.get_sheet(sheet["id"], include=("objectValue",))

    assert (listed["type"], listed["options"]) == ("MULTI_PICKLIST", ["a", "b"])
    (read,) = [c for c in body["columns"] if c["id"] == tags]
    assert read["type"] == "MULTI_PICKLIST"
    (cell,) = [c for c in body["rows"][0]["cells"] if c["columnId"] == tags]
    assert cell["objectValue"] == {"objectType": "MULTI_PICKLIST", "values": ["a", "b"]}
