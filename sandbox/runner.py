"""Start both emulators on loopback, each in its own threaded HTTP server.

``start_sandbox()`` is what the ``sandbox`` command, the pytest fixtures and the
benchmarks call. It returns a :class:`Sandbox` whose ``info`` is exactly the JSON the
command writes to ``--info-file``.

Emulator contract (both :class:`sandbox.salesforce.SalesforceEmulator` and
:class:`sandbox.smartsheet.SmartsheetEmulator` implement it):

- ``Emulator(control, *, state_dir: Path | None, seed: str, **options)``
- ``emulator.service``: ``"salesforce"`` or ``"smartsheet"``
- ``emulator.base_url``: set by the runner once the server is bound
- ``emulator(environ, start_response)``: the WSGI application
- ``emulator.endpoint_key(method, path) -> str | None``: the name a request is counted
  under (``None``: not an API call, not counted, no faults — e.g. an authorize page)
- ``emulator.fault_response(kind) -> (status: int, headers: list, body: bytes)``
- ``emulator.credentials() -> dict``: this service's part of the info file (without
  the URLs the runner adds)
- ``emulator.control(action, payload) -> dict``: service-specific control actions
- ``emulator.save()``: persist state under ``state_dir`` (no-op in memory)
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from sandbox.control import AFTER_FAULTS, Control
from sandbox.tls import load_or_create_ca, server_context

log = logging.getLogger("sandbox")


class _ControlledApp:
    """WSGI middleware: count, delay and inject faults before the emulator answers (or,
    for :data:`sandbox.control.AFTER_FAULTS`, after it applied the request)."""

    def __init__(self, emulator, control: Control, control_app=None) -> None:
        self.emulator = emulator
        self.control = control
        self.control_app = control_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.control_app is not None and path.startswith("/__sandbox__"):
            return self.control_app(environ, start_response)
        service = self.emulator.service
        key = self.emulator.endpoint_key(environ.get("REQUEST_METHOD", "GET"), path)
        if key is None:
            return self.emulator(environ, start_response)
        self.control.count(service, key)
        self.control.delay(service)
        fault = self.control.draw_fault(service, path)
        if fault in AFTER_FAULTS:
            return self._fault_after(fault, environ, start_response)
        if fault == "stall":
            time.sleep(self.control.settings[service].stall_seconds)
        elif fault == "drop":
            _drop(environ)
        elif fault is not None:
            status, headers, body = self.emulator.fault_response(fault)
            return Response(body, status=status, headers=headers)(environ, start_response)
        started = time.process_time()
        try:
            return self.emulator(environ, start_response)
        finally:
            # process_time is the whole process: an approximation, good enough to show
            # that the sandbox is not the bottleneck (bench reports it separately).
            self.control.add_serve_time(service, time.process_time() - started)

    def _fault_after(self, fault: str, environ, start_response):
        """Serve the request in full (the write is applied), throw the answer away, then
        answer 500 or drop the connection: the client cannot know the write happened."""
        service = self.emulator.service
        started = time.process_time()
        try:
            answer = self.emulator(environ, lambda status, headers, exc_info=None: None)
            try:
                for _ in answer:
                    pass
            finally:
                if hasattr(answer, "close"):
                    answer.close()
        finally:
            self.control.add_serve_time(service, time.process_time() - started)
        if fault == "drop_after":
            _drop(environ)
        status, headers, body = self.emulator.fault_response("http_500")
        return Response(body, status=status, headers=headers)(environ, start_response)


def _drop(environ) -> None:
    """Close the client's connection without an answer."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionResetError("sandbox: injected dropped connection")


def _control_app(sandbox: Sandbox):
    """The ``/__sandbox__`` endpoint: read and change the shared control."""

    def app(environ, start_response):
        request = Request(environ)
        parts = [p for p in request.path.split("/") if p][1:]  # drop "__sandbox__"
        try:
            payload = request.get_json(silent=True) or {}
            result = sandbox.handle_control(request.method, parts, payload)
            response = Response(json.dumps(result), status=200, mimetype="application/json")
        except (ValueError, KeyError) as exc:
            response = Response(
                json.dumps({"error": str(exc)}), status=400, mimetype="application/json"
            )
        return response(environ, start_response)

    return app


@dataclass
class Sandbox:
    control: Control
    salesforce: object
    smartsheet: object
    state_dir: Path
    servers: list[BaseWSGIServer] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    info: dict = field(default_factory=dict)

    def handle_control(self, method: str, parts: list[str], payload: dict) -> dict:
        """Dispatch one control request (also usable in-process by tests)."""
        c = self.control
        if not parts:
            return {**c.state(), "counts": c.counts()}
        head, rest = parts[0], parts[1:]
        if head == "counts":
            if rest == ["reset"] and method == "POST":
                c.reset_counts()
            return c.counts()
        if head == "config" and method == "POST":
            service = payload.pop("service")
            if "seed" in payload:
                c.reseed(int(payload.pop("seed")))
            c.configure(service, **payload)
            return c.state()
        if head == "clock" and method == "POST":
            if "advance_seconds" in payload:
                c.clock.advance(float(payload["advance_seconds"]))
            if payload.get("freeze"):
                from datetime import datetime

                at = payload["freeze"]
                c.clock.freeze(None if at is True else datetime.fromisoformat(at))
            if payload.get("unfreeze"):
                c.clock.unfreeze()
            return c.clock.state()
        if head == "save" and method == "POST":
            self.save()
            return {"saved": True}
        if head in ("salesforce", "smartsheet") and rest:
            emulator = getattr(self, head)
            return emulator.control(rest[0], payload)
        raise KeyError(f"unknown control path /__sandbox__/{'/'.join(parts)}")

    def save(self) -> None:
        self.salesforce.save()
        self.smartsheet.save()

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
        self.save()


def start_sandbox(
    *,
    host: str = "127.0.0.1",
    salesforce_port: int = 0,
    smartsheet_port: int = 0,
    state_dir: Path | str | None = None,
    seed: str = "empty",
    control: Control | None = None,
    salesforce_options: dict | None = None,
    smartsheet_options: dict | None = None,
    allow_insecure_callbacks: bool | None = None,
    webhook_delay_seconds: float | None = None,
) -> Sandbox:
    """Start both emulators in background threads; return once both accept connections.

    ``state_dir=None`` keeps state in memory (the CA goes to a temporary directory).

    ``allow_insecure_callbacks=True`` lets Smartsheet webhooks call ``http`` and loopback
    URLs on any port (the real service wants public ``https`` on a few ports): for the
    local demo and tests whose subscriber listens on 127.0.0.1. ``webhook_delay_seconds``
    shortens the real service's one-minute callback batching (0: one callback per write,
    at once). Both default to the real behaviour and are shorthands for the same keys of
    ``smartsheet_options``.
    """
    smartsheet_options = dict(smartsheet_options or {})
    if allow_insecure_callbacks is not None:
        smartsheet_options["allow_insecure_callbacks"] = allow_insecure_callbacks
    if webhook_delay_seconds is not None:
        smartsheet_options["webhook_delay_seconds"] = webhook_delay_seconds
    from sandbox.salesforce import SalesforceEmulator
    from sandbox.smartsheet import SmartsheetEmulator

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    control = control or Control()
    persistent = state_dir is not None
    base_dir = Path(state_dir) if persistent else Path(tempfile.mkdtemp(prefix="sandbox-"))
    base_dir.mkdir(parents=True, exist_ok=True)
    emulator_dir = base_dir if persistent else None

    salesforce = SalesforceEmulator(
        control, state_dir=emulator_dir, seed=seed, **(salesforce_options or {})
    )
    smartsheet = SmartsheetEmulator(
        control, state_dir=emulator_dir, seed=seed, **(smartsheet_options or {})
    )
    sandbox = Sandbox(control=control, salesforce=salesforce, smartsheet=smartsheet,
                      state_dir=base_dir)

    ca = load_or_create_ca(base_dir / "tls")
    sf_server = make_server(
        host, salesforce_port, _ControlledApp(salesforce, control), threaded=True,
        ssl_context=server_context(ca, host),
    )
    ss_server = make_server(
        host, smartsheet_port, _ControlledApp(smartsheet, control, _control_app(sandbox)),
        threaded=True,
    )
    sf_url = f"https://{host}:{sf_server.server_port}"
    ss_url = f"http://{host}:{ss_server.server_port}"
    salesforce.base_url = sf_url
    smartsheet.base_url = ss_url
    for server in (sf_server, ss_server):
        thread = threading.Thread(target=server.serve_forever, name="sandbox-http", daemon=True)
        thread.start()
        sandbox.servers.append(server)
        sandbox.threads.append(thread)

    sandbox.info = {
        "salesforce": {
            "instance_url": sf_url,
            "login_url": sf_url,
            "ca_bundle": str((base_dir / "tls" / "ca.pem").resolve()),
            **salesforce.credentials(),
        },
        "smartsheet": {"api_base": f"{ss_url}/2.0", **smartsheet.credentials()},
        "control_url": f"{ss_url}/__sandbox__",
    }
    return sandbox
