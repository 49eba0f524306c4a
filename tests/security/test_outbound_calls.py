"""Outbound calls reach only the allowed API hosts: a bearer token never goes to another
host (not by an install URL, a redirect or an instance_url a service hands back), and
no error message repeats a body some other server answered."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connector.clients import CallCounter, ClientError, SmartsheetClient
from connector.clients.transport import CountingSession
from connector.outbound import OutboundPolicy
from connector.services import salesforce_client_for, smartsheet_client_for
from runs.models import RunStatus
from runs.services import run_execute_now
from tests import factories

SECRET_PAGE = "INTERNAL-ONLY-PAGE-CONTENT"


class Listener:
    """A local HTTP server that records every request (and its Authorization header)."""

    def __init__(self, *, status: int = 200, body: bytes = b"{}", location: str = "") -> None:
        self.hits: list[tuple[str, str]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                listener.hits.append((self.path, self.headers.get("Authorization", "")))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "text/html" if status >= 400 else
                                 "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def listener():
    box = Listener()
    yield box
    box.close()


def test_a_redirect_to_a_host_outside_the_policy_is_not_followed(listener):
    bouncer = Listener(status=302, location=f"{listener.url}/steal")
    try:
        policy = OutboundPolicy.from_text(f"http://127.0.0.1:{bouncer.server.server_port}")
        session = CountingSession(service="smartsheet", counter=CallCounter(), timeout=5,
                                  check_url=policy.check)
        with pytest.raises(ClientError) as refused:
            session.get(f"{bouncer.url}/2.0/sheets", headers={"Authorization": "Bearer tok"})
        assert "not an allowed API host" in refused.value.message
        assert len(bouncer.hits) == 1 and listener.hits == []
    finally:
        bouncer.close()


def test_a_colleagues_token_never_reaches_a_host_outside_the_policy(
        db, alice, sam, sandbox, listener):
    install = factories.install(sandbox=sandbox)
    factories.connect(alice, install, sandbox)
    workflow = factories.workflow(alice, install, sheet_id=1,
                                  mappings=[("Name", "Name", "to_smartsheet")])
    # An install saved before the policy narrowed (the services refuse such a URL now).
    type(install).objects.filter(pk=install.pk).update(smartsheet_api_base=f"{listener.url}/2.0")
    run = run_execute_now(workflow=workflow)
    assert run.status == RunStatus.FAILED
    assert "not an allowed API host" in run.message
    assert listener.hits == []


def test_an_instance_url_outside_the_policy_is_refused(db, alice, sandbox, listener):
    install = factories.install(sandbox=sandbox)
    factories.connect(alice, install, sandbox)
    # As if the token endpoint had answered with an instance_url elsewhere.
    alice.connections.filter(service="salesforce").update(
        instance_url=listener.url.replace("http://", "https://"))
    with pytest.raises(ClientError) as refused:
        salesforce_client_for(user=alice, install=install).describe_global()
    assert "not an allowed API host" in refused.value.message
    assert listener.hits == []


def test_an_error_message_never_carries_the_body_another_server_answered(settings):
    page = Listener(status=400, body=f"<html>{SECRET_PAGE}</html>".encode())
    try:
        settings.SHEETFORCE_ALLOWED_API_HOSTS = [f"http://127.0.0.1:{page.server.server_port}"]
        client = SmartsheetClient(api_base=f"{page.url}/2.0", access_token="tok",
                                  counter=CallCounter())
        with pytest.raises(ClientError) as caught:
            client.list_sheets()
        assert SECRET_PAGE not in caught.value.message
        assert "HTTP 400" in caught.value.message
    finally:
        page.close()


def test_a_salesforce_error_without_the_apis_shape_shows_no_body(db, alice, sandbox):
    install = factories.install(sandbox=sandbox)
    factories.connect(alice, install, sandbox)
    client = salesforce_client_for(user=alice, install=install)
    error = client._error_from_sdk(SalesforceMalformedRequest(
        "https://x/services", 400, "query", f"<html>{SECRET_PAGE}</html>".encode()))
    assert SECRET_PAGE not in error.message and "HTTP 400" in error.message


def test_the_smartsheet_client_of_a_colleague_refuses_before_sending(db, alice, sandbox,
                                                                     listener, settings):
    install = factories.install(sandbox=sandbox)
    factories.connect(alice, install, sandbox)
    type(install).objects.filter(pk=install.pk).update(smartsheet_api_base=f"{listener.url}/2.0")
    install.refresh_from_db()
    with pytest.raises(ClientError):
        smartsheet_client_for(user=alice, install=install).list_sheets()
    assert listener.hits == []
