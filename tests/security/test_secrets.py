"""No secret — OAuth access or refresh token, client secret, FIELD_ENCRYPTION_KEY,
SECRET_KEY — ever appears in an API response, admin page, web page, log line or email;
tokens are encrypted at rest (read from the raw database column).

One world goes through a full sync, a token refresh (the Salesforce access token
expired: the client refreshes and rotates), a sync with row errors (error email) and a
failing sync (the sheet deleted), with every log record of every logger captured.
"""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import connection as database

from connector.models import Connection, Service
from connector.services import connection_create_from_token
from runs.engine import SyncFailed, sync_workflow
from runs.models import RunStatus
from runs.notifications import run_errors_notify
from tests import factories, personas


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    handler, root = Everything(), logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


def _run(workflow):
    run = factories.start_run(workflow)
    try:
        sync_workflow(run=run)
        run.status = RunStatus.SUCCEEDED
    except SyncFailed as exc:
        run.status, run.message = RunStatus.FAILED, exc.message
    run.save()
    return run


def test_no_secret_leaks_anywhere(rotating_refresh_tokens, db, sandbox, settings, captured,
                                  client):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alice, sam = personas.alice(), personas.sam()
    install = factories.install(sandbox=sandbox)
    sf_tokens = sandbox.salesforce.control("token", {"user": "carol"})
    ss = sandbox.info["smartsheet"]
    connection_create_from_token(user=alice, install=install, service=Service.SALESFORCE,
                                 access_token=sf_tokens["access_token"],
                                 refresh_token=sf_tokens["refresh_token"])
    connection_create_from_token(user=alice, install=install, service=Service.SMARTSHEET,
                                 access_token=ss["access_token"])
    tag = factories.unique("sec")
    sandbox.salesforce.insert("Account", [{"Name": f"Sec {i}", "AccountNumber": tag}
                                          for i in range(3)])
    sheet_id, columns = factories.sheet(sandbox, ["Name", "Number", "Employees"])
    sandbox.smartsheet.share(sheet_id=sheet_id, email="carol@example.com",
                             access_level="ADMIN")
    workflow = factories.workflow(
        alice, install, sheet_id=sheet_id, direction="bidirectional",
        mappings=[("Name", "Name", "both"), ("AccountNumber", "Number", "both"),
                  ("NumberOfEmployees", "Employees", "both")],
        filters=[("salesforce", "AccountNumber", "equals", tag)])

    first = _run(workflow)                                   # a full sync
    assert first.status == RunStatus.SUCCEEDED, first.message
    sandbox.salesforce.expire_tokens("carol")                # forces a refresh + rotation
    factories.smartsheet_client(sandbox).add_rows(sheet_id, [{"toBottom": True, "cells": [
        {"columnId": columns["Name"], "value": "Bad employees"},
        {"columnId": columns["Number"], "value": tag},
        {"columnId": columns["Employees"], "value": "not a number"}]}])
    with_errors = _run(workflow)                             # row errors → email
    assert with_errors.errors.exists()
    assert run_errors_notify(run=with_errors) >= 1
    stored = Connection.objects.get(user=alice, service=Service.SALESFORCE)
    assert stored.refresh_token != sf_tokens["refresh_token"]  # the refresh happened
    sandbox.smartsheet.delete_sheet(sheet_id=sheet_id)
    failed = _run(workflow)                                  # a failing sync
    assert failed.status == RunStatus.FAILED

    secrets = {
        "salesforce access token": sf_tokens["access_token"],
        "salesforce refresh token": sf_tokens["refresh_token"],
        "rotated access token": stored.access_token,
        "rotated refresh token": stored.refresh_token,
        "smartsheet access token": ss["access_token"],
        "salesforce client secret": install.salesforce_client_secret,
        "smartsheet client secret": install.smartsheet_client_secret,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        "SECRET_KEY": settings.SECRET_KEY,
    }
    assert all(len(v) >= 8 for v in secrets.values())

    pages: dict[str, str] = {}
    client.force_login(alice)
    for path in ("/", "/connections/", f"/workflows/{workflow.pk}/runs/",
                 f"/runs/{with_errors.pk}/", f"/runs/{failed.pk}/",
                 f"/runs/{failed.pk}/progress/", "/api/v1/me/", "/api/v1/connections/",
                 "/api/v1/installs/", f"/api/v1/installs/{install.pk}/",
                 f"/api/v1/workflows/{workflow.pk}/", f"/api/v1/runs/{with_errors.pk}/",
                 "/api/v1/runs/", "/api/schema/"):
        response = client.get(path)
        assert response.status_code == 200, path  # a page that is not there shows nothing
        pages[path] = response.content.decode(errors="replace")
    client.force_login(sam)
    # The Install change page as a System Admin (view-only) is its own test below.
    for path in ("/admin/connector/connection/", f"/admin/connector/connection/{stored.pk}/change/",
                 "/admin/connector/install/",
                 f"/admin/runs/run/{with_errors.pk}/change/", "/admin/runs/run/",
                 f"/admin/accounts/user/{alice.pk}/change/", "/api/v1/users/"):
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content.decode(errors="replace")

    places = {**{f"page {p}": text for p, text in pages.items()},
              "log": "\n".join(captured.lines),
              **{f"email {i}": f"{m.subject}\n{m.body}\n{m.alternatives}"
                 for i, m in enumerate(mail.outbox)}}
    assert mail.outbox and captured.lines
    leaks = [(name, where) for name, secret in secrets.items()
             for where, text in places.items() if secret in text]
    assert leaks == [], leaks

    with database.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM connector_connection")
        raw = " ".join(v or "" for pair in cursor.fetchall() for v in pair)
        cursor.execute("SELECT salesforce_client_secret, smartsheet_client_secret "
                       "FROM connector_install")
        raw += " ".join(v or "" for pair in cursor.fetchall() for v in pair)
    at_rest = [name for name, secret in secrets.items() if secret in raw]
    assert at_rest == []
    assert stored.access_token and stored.access_token not in raw


def test_the_install_admin_page_never_shows_client_secrets(db, sandbox, client):
    install = factories.install(sandbox=sandbox)
    client.force_login(personas.sam())
    html = client.get(f"/admin/connector/install/{install.pk}/change/").content.decode()
    assert install.salesforce_client_secret not in html
    assert install.smartsheet_client_secret not in html
