"""The OpenAPI document and the interactive docs (served from local static files)."""

from __future__ import annotations

import re

from django.test import Client


def test_it_serves_an_openapi_3_document_with_every_contract_path(db):
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    import json

    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/users/", "/api/v1/users/{id}/",
                 "/api/v1/installs/", "/api/v1/connections/", "/api/v1/connections/{id}/",
                 "/api/v1/installs/{install_id}/salesforce/objects/",
                 "/api/v1/installs/{install_id}/salesforce/objects/{name}/fields/",
                 "/api/v1/installs/{install_id}/smartsheet/sheets/",
                 "/api/v1/installs/{install_id}/smartsheet/sheets/{sheet_id}/columns/",
                 "/api/v1/workflows/", "/api/v1/workflows/{id}/",
                 "/api/v1/workflows/{id}/preview/", "/api/v1/workflows/{id}/run/",
                 "/api/v1/runs/", "/api/v1/runs/{id}/", "/api/v1/runs/{id}/errors/",
                 "/api/v1/runs/{id}/conflicts/"):
        assert path in doc["paths"], path
    def response_schema(path: str, method: str = "get", code: str = "200") -> dict:
        ref = doc["paths"][path][method]["responses"][code]["content"]["application/json"][
            "schema"]["$ref"]
        return doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]

    workflow = response_schema("/api/v1/workflows/{id}/")
    assert {"sheet_name", "last_run", "mappings", "row_groups"} <= set(workflow)
    assert "new_sheet_name" not in workflow  # write-only
    install = response_schema("/api/v1/installs/{id}/")
    assert "salesforce_client_secret" not in install


def test_it_serves_swagger_ui_from_local_static_files(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in s for s in sources)
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
