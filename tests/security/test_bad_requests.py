"""Requests no page or endpoint may answer with a 500: JSON nested beyond 100 levels, ids
no database row can have."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from core.jsonlimits import MAX_JSON_DEPTH, json_too_deep

pytestmark = pytest.mark.django_db

DEEP = b"[" * 100_000 + b"]" * 100_000
BARELY = b'{"a": ' * MAX_JSON_DEPTH + b"1" + b"}" * MAX_JSON_DEPTH


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_it_measures_nesting_without_counting_brackets_in_strings():
    assert json_too_deep(DEEP)
    assert not json_too_deep(BARELY)
    assert json_too_deep(b"[" + BARELY + b"]")
    assert not json_too_deep(b'["' + b"[" * 500 + b'"]')
    assert not json_too_deep(b'["\\"' + b"[" * 500 + b'"]')  # an escaped quote stays inside


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/workflows/",
                                  "/api/v1/workflows/preview/", "/api/v1/installs/",
                                  "/api/v1/connections/"])
def test_every_api_endpoint_answers_400_to_json_nested_too_deeply(client, sam, path):
    client.force_login(sam)
    response = client.post(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


@pytest.mark.parametrize("path", [
    "/runs/99999999999999999999/", "/runs/9223372036854775808/",
    "/workflows/99999999999999999999/runs/", "/workflows/9223372036854775808/edit/",
    "/api/v1/runs/99999999999999999999/", "/api/v1/workflows/9223372036854775808/",
    "/api/v1/installs/99999999999999999999/salesforce/objects/",
    "/hooks/smartsheet/99999999999999999999/",
])
def test_an_id_no_row_can_have_is_a_404(client, sam, path):
    client.force_login(sam)
    response = client.get(path) if not path.startswith("/hooks/") else client.post(
        path, b"{}", content_type="application/json")
    assert response.status_code == 404
