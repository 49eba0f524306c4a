"""Factories: installs, connections, sheets, workflows, runs — the things tests build.

Everything is written straight to the database (no service, no validation) unless the
name says otherwise (:func:`workflow_via_service`). Functions that talk to a sandbox take
it as their first argument; anything with the sandbox's ``info`` dict will do (a
subprocess that has only the info file passes a stand-in).

The people are in ``tests/personas.py``; the fixtures that combine both are in
``tests/conftest.py``.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from accounts.models import Team, User
from connector.clients import CallCounter, SalesforceClient, SmartsheetClient
from connector.models import Connection, Install, Service
from runs.models import Link, OpenError, Run, RunError, RunStatus, RunTrigger
from tests import personas
from workflows.models import Filter, Mapping, RowGroup, Workflow

#: Nothing listens on the discard port: an install pointed here never reaches a network.
CLOSED = "127.0.0.1:9"

_numbers = itertools.count(7_000_000_000_001)


def unique(prefix: str = "t") -> str:
    """A name no other test uses (tests share the session's sandbox)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# -- installs and connections ---------------------------------------------------------------

def install(*, team: Team | None = None, sandbox=None, **fields) -> Install:
    """An install of Acme (or ``team``), fully set up, keeping Paris time.

    Its endpoints point at a closed loopback port — nothing a test does can reach the
    internet — or, with ``sandbox``, at the sandbox's emulators, with their OAuth clients
    and CA. The Paris time zone is on purpose: a datetime handled as UTC by mistake shows.
    """
    values = {
        "name": "Acme org", "kind": "salesforce", "time_zone": "Europe/Paris",
        "salesforce_login_url": f"https://{CLOSED}",
        "salesforce_instance_url": f"https://{CLOSED}",
        "salesforce_client_id": "acme-salesforce-client",
        "salesforce_client_secret": "top-secret-sf",
        "smartsheet_api_base": f"http://{CLOSED}/2.0",
        "smartsheet_authorize_url": f"http://{CLOSED}/b/authorize",
        "smartsheet_client_id": "acme-smartsheet-client",
        "smartsheet_client_secret": "top-secret-ss",
    }
    if sandbox is not None:
        sf, ss = sandbox.info["salesforce"], sandbox.info["smartsheet"]
        values.update(
            name="Acme sandbox org",
            salesforce_login_url=sf["login_url"], salesforce_instance_url=sf["instance_url"],
            salesforce_client_id=sf["client_id"], salesforce_client_secret=sf["client_secret"],
            smartsheet_api_base=ss["api_base"],
            smartsheet_authorize_url=ss["api_base"].rsplit("/2.0", 1)[0] + "/b/authorize",
            smartsheet_client_id=ss["client_id"], smartsheet_client_secret=ss["client_secret"],
            tls_ca_bundle=Path(sf["ca_bundle"]).read_text(),
        )
    # Set up (a Salesforce administrator connected first): tests of the set-up itself
    # pass salesforce_setup_at=None.
    values.setdefault("salesforce_setup_at", timezone.now())
    values.update(fields)
    return Install.objects.create(team=team or personas.acme(), **values)


def connect(user: User, install: Install, sandbox, *, salesforce_as: str | None = None,
            smartsheet_as: str | None = None) -> None:
    """Connect ``user`` to both services of ``install``, as the service would store it.

    By default with the tokens of the sandbox's integration user, Ada (``sandbox.info``);
    ``salesforce_as`` (a sandbox username) gets fresh Salesforce tokens of that sandbox
    user, ``smartsheet_as`` (an email) that sandbox user's Smartsheet token — for tests
    that expire or revoke them without touching the tokens other tests share.
    """
    sf, ss = sandbox.info["salesforce"], sandbox.info["smartsheet"]
    if salesforce_as is None:
        access, refresh = sf["access_token"], sf["refresh_token"]
        identity, external_id = sf["username"], sandbox.salesforce.admin_id
    else:
        tokens = sandbox.salesforce.control("token", {"user": salesforce_as})
        access, refresh = tokens["access_token"], tokens["refresh_token"]
        identity, external_id = salesforce_as, sandbox.salesforce.user_id(salesforce_as)
    Connection.objects.create(user=user, install=install, service=Service.SALESFORCE,
                              access_token=access, refresh_token=refresh,
                              instance_url=sf["instance_url"], identity=identity,
                              external_user_id=external_id)
    if smartsheet_as is None:
        token, email = ss["access_token"], "ada@example.com"
    else:
        token, email = sandbox.smartsheet.persona_tokens()[smartsheet_as], smartsheet_as
    Connection.objects.create(user=user, install=install, service=Service.SMARTSHEET,
                              access_token=token, identity=email)


# -- the sandbox, as its integration user sees it -----------------------------------------

def salesforce_client(sandbox) -> SalesforceClient:
    """Our Salesforce client as Ada (the sandbox's integration user)."""
    sf = sandbox.info["salesforce"]
    return SalesforceClient(instance_url=sf["instance_url"], access_token=sf["access_token"],
                            refresh_token=sf["refresh_token"], login_url=sf["login_url"],
                            client_id=sf["client_id"], client_secret=sf["client_secret"],
                            ca_bundle=sf["ca_bundle"], counter=CallCounter())


def smartsheet_client(sandbox) -> SmartsheetClient:
    """Our Smartsheet client as Ada (the sandbox's integration user)."""
    ss = sandbox.info["smartsheet"]
    return SmartsheetClient(api_base=ss["api_base"], access_token=ss["access_token"],
                            client_id=ss["client_id"], client_secret=ss["client_secret"],
                            counter=CallCounter())


def sheet(sandbox, titles: list[str], *, name: str | None = None) -> tuple[int, dict[str, int]]:
    """A new sheet of text columns, the first one primary: (sheet id, title → column id)."""
    columns = [{"title": t, "type": "TEXT_NUMBER", **({"primary": True} if i == 0 else {})}
               for i, t in enumerate(titles)]
    created = smartsheet_client(sandbox).create_sheet(name or unique("sheet"), columns)
    return created["id"], {c["title"]: c["id"] for c in created["columns"]}


def sheet_rows(sandbox, sheet_id: int) -> tuple[list[dict], dict[int, str]]:
    """Every row of the sheet (raw) and column id → title."""
    body = smartsheet_client(sandbox).get_sheet(sheet_id)
    return body.get("rows", []), {c["id"]: c["title"] for c in body["columns"]}


def rows_by_title(sandbox, sheet_id: int) -> list[dict]:
    """Rows as ``{title: value, "_id", "_parent", "_links": {title: url}}`` dicts."""
    rows, titles = sheet_rows(sandbox, sheet_id)
    out = []
    for row in rows:
        item = {"_id": row["id"], "_parent": row.get("parentId"), "_links": {}}
        for cell in row.get("cells", []):
            title = titles[cell["columnId"]]
            item[title] = cell.get("value")
            if cell.get("hyperlink"):
                item["_links"][title] = cell["hyperlink"].get("url")
        out.append(item)
    return out


# -- workflows --------------------------------------------------------------------------------

def workflow(owner: User, install_: Install | None = None, *, name: str | None = None,
             sheet_id: int | None = None, direction: str = "to_smartsheet",
             salesforce_object: str = "Account", mappings=(), filters=(), groups=(),
             **fields) -> Workflow:
    """A workflow of ``owner`` saved straight to the database (nothing validated).

    ``install_``: a new install of the owner's team when omitted. ``mappings``: tuples
    (field, column title, direction[, lookup field[, new column]]) or dicts of Mapping
    fields; ``filters``: (side, field, operator, value); ``groups``: (field, value), one
    per level.
    """
    number = next(_numbers)
    created = Workflow.objects.create(
        owner=owner, install=install_ or install(team=owner.team),
        name=name or f"Accounts {number % 1000}", sheet_id=sheet_id or number,
        direction=direction, salesforce_object=salesforce_object, **fields)
    for position, item in enumerate(mappings):
        if isinstance(item, dict):
            Mapping.objects.create(workflow=created, position=position, **item)
            continue
        field, title, mapping_direction, *rest = item
        Mapping.objects.create(workflow=created, position=position, salesforce_field=field,
                               column_title=title, direction=mapping_direction,
                               lookup_field=rest[0] if rest else "",
                               new_column=bool(rest[1]) if len(rest) > 1 else False)
    for position, (side, field, operator, value) in enumerate(filters):
        Filter.objects.create(workflow=created, side=side, field=field, operator=operator,
                              value=value, position=position)
    for level, (field, value) in enumerate(groups, start=1):
        RowGroup.objects.create(workflow=created, level=level, field=field, value=value)
    return created


def accounts_workflow(owner: User, install_: Install, **fields) -> Workflow:
    """Energy Accounts to a sheet, with one of every part: a mapping (Name → column 1
    "Account"), a Salesforce filter (Industry = Energy) and a row group (by Industry).
    Saved straight to the database: the sheet (111) exists nowhere."""
    fields.setdefault("name", "Accounts")
    fields.setdefault("sheet_id", 111)
    fields.setdefault("sheet_name", "Accounts sheet")
    return workflow(
        owner, install_,
        mappings=[{"salesforce_field": "Name", "column_title": "Account", "column_id": 1,
                   "direction": "to_smartsheet"}],
        filters=[("salesforce", "Industry", "equals", "Energy")],
        groups=[("Industry", "")], **fields)


def workflow_via_service(owner: User, install_: Install, **draft) -> Workflow:
    """A workflow created by ``workflows.services.workflow_create``: validated live
    against the sandbox through the owner's connections, as the wizard and the API do.
    ``draft``: the service's keyword arguments (name, direction, salesforce_object,
    sheet_id or new_sheet_name, mappings, filters, ...)."""
    from workflows.services import workflow_create

    return workflow_create(user=owner, install=install_, **draft)


# -- runs and links -------------------------------------------------------------------------

def run(workflow_: Workflow, *, status: str = RunStatus.QUEUED, age: timedelta | None = None,
        **fields) -> Run:
    """A run of ``workflow_`` (queued, manual, unless told); ``age`` moves its queued_at
    back."""
    fields.setdefault("trigger", RunTrigger.MANUAL)
    created = Run.objects.create(workflow=workflow_, status=status, **fields)
    if age is not None:
        # queued_at is auto_now_add: move it back with an update.
        Run.objects.filter(pk=created.pk).update(queued_at=timezone.now() - age)
        created.refresh_from_db()
    return created


def start_run(workflow_: Workflow, *, full: bool = False) -> Run:
    """A RUNNING run, as the engine receives it from the run services."""
    return Run.objects.create(workflow=workflow_, trigger=RunTrigger.MANUAL,
                              status=RunStatus.RUNNING, started_at=timezone.now(), full=full)


def run_error(run_: Run, **fields) -> RunError:
    fields.setdefault("message", "Value does not match a picklist option.")
    return RunError.objects.create(run=run_, **fields)


def open_error(workflow_: Workflow, **fields) -> OpenError:
    """An open error of ``workflow_`` (about row 1 unless told), as a run leaves it."""
    now = timezone.now()
    fields.setdefault("row_id", 1)
    fields.setdefault("key", f"row:{fields['row_id']}|{fields.get('column', '')}|{unique()}")
    fields.setdefault("message", "Value does not match a picklist option.")
    fields.setdefault("kind", "picklist")
    fields.setdefault("first_seen", now)
    fields.setdefault("last_seen", now)
    return OpenError.objects.create(workflow=workflow_, **fields)


def link(workflow_: Workflow, record_id: str, row_id: int, **fields) -> Link:
    """The pairing of a record and a row, as a run leaves it."""
    return Link.objects.create(workflow=workflow_, record_id=record_id, row_id=row_id, **fields)


def connections(user: User, install_: Install, *, revoked: bool = False) -> None:
    """Connections of ``user`` to both services of ``install_`` as stored rows only (made-up
    tokens: nothing is called), live unless ``revoked``."""
    for service in (Service.SALESFORCE, Service.SMARTSHEET):
        Connection.objects.create(
            user=user, install=install_, service=service, access_token=f"token-{unique()}",
            identity=user.email, revoked_at=timezone.now() if revoked else None)


def enqueued_runs(callbacks) -> list[int]:
    """The runs captured on-commit callbacks would hand to the cluster, whether one at a
    time (``run_enqueue``) or in a batch (``runs_enqueue``)."""
    from runs.services.requests import EXECUTE_TASK

    ids: list[int] = []
    for callback in callbacks:
        args = getattr(callback, "args", ())
        if args[:1] == (EXECUTE_TASK,):
            ids.extend(args[1] if isinstance(args[1], list) else [args[1]])
    return ids
