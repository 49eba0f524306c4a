"""The wizard's steps fuzzed with hypothesis (bad input): whatever is posted to
Fields, Filters, Row groups, Options and Save, the answer is a redirect (never a page a
reload would post again) to a page that renders — never a server error, never a Python
message — and nothing is saved until a valid Save."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows.models import Workflow

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=200)
#: Values a person (or a hand-crafted request) might send: real names mixed with junk.
FIELD = st.one_of(st.sampled_from(["Name", "Phone", "OwnerId>Name", "Account.Name", "Id",
                                   "CreatedDate", "AnnualRevenue", "Industry", "__new__"]), TEXT)
OPERATOR = st.one_of(st.sampled_from(["equals", "contains", "is_blank", "greater_than",
                                      "is_checked", "starts_with"]), TEXT)
ACTION = st.sampled_from(["next", "back", "add", "save", "", "remove-0", "remove:7",
                          "goto:save", "goto:settings", "goto:nowhere", "add_sf", "prepare"])


def _lands(client, response) -> None:
    """A POST answers with a redirect to a page that renders (or redirects on)."""
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    assert page.status_code in (200, 302), page.status_code
    if page.status_code == 200:
        html = page.content.decode()
        assert "None" not in html and "Traceback" not in html


def _rows(prefix: str, keys: tuple[str, ...], values: list[list[str]]) -> dict:
    data = {}
    for i, row in enumerate(values):
        for key, value in zip(keys, row, strict=False):
            data[f"{prefix}-{i}-{key}"] = value
    return data


@FUZZ
@given(rows=st.lists(st.lists(st.one_of(FIELD, TEXT), min_size=5, max_size=5), max_size=4),
       action=ACTION)
def test_it_never_errors_on_the_fields_step(client, at_fields, rows, action):
    data = _rows("m", ("field", "column", "direction", "new_title", "lookup"), rows)
    response = client.post("/wizard/fields/", {**data, "action": action})
    _lands(client, response)
    assert not Workflow.objects.exists()


@FUZZ
@given(salesforce=st.lists(st.lists(st.one_of(FIELD, OPERATOR, TEXT), min_size=3, max_size=3),
                           max_size=3),
       smartsheet=st.lists(st.lists(st.one_of(FIELD, OPERATOR, TEXT), min_size=3, max_size=3),
                           max_size=3),
       action=ACTION)
def test_it_never_errors_on_the_filters_step(client, at_fields, salesforce, smartsheet,
                                             action):
    client.post("/wizard/fields/", {"m-0-field": "Name", "m-0-column": "Account Name",
                                    "m-0-direction": "both", "action": "next"})
    data = {**_rows("sf", ("field", "operator", "value"), salesforce),
            **_rows("ss", ("column", "operator", "value"), smartsheet)}
    response = client.post("/wizard/filters/", {**data, "action": action})
    _lands(client, response)
    assert not Workflow.objects.exists()


@FUZZ
@given(groups=st.lists(st.lists(st.one_of(st.sampled_from(["field", "value"]), FIELD, TEXT),
                                min_size=3, max_size=3), max_size=4),
       name=TEXT, action=ACTION)
def test_it_never_errors_on_groups_and_save(client, at_fields, groups, name, action):
    client.post("/wizard/fields/", {"m-0-field": "Name", "m-0-column": "Account Name",
                                    "m-0-direction": "both", "action": "next"})
    client.post("/wizard/filters/", {"action": "next"})
    response = client.post("/wizard/groups/",
                           {**_rows("g", ("kind", "field", "value"), groups), "action": action})
    _lands(client, response)
    _lands(client, client.post("/wizard/options/", {
        "polling_interval_minutes": name[:8], "conflict_policy": name[:20], "action": action}))
    saved_before = Workflow.objects.count()
    response = client.post("/wizard/save/", {"name": name, "action": "save"})
    _lands(client, response)
    if not name.strip() or len(name.strip()) > 200:
        assert Workflow.objects.count() == saved_before  # nothing saved on invalid input
    Workflow.objects.all().delete()
