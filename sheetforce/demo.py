"""Idempotent set-up of the demo: installs, users, OAuth connections, example workflows.

Used by ``manage.py demo``. Every step checks what exists first, so running the demo
again keeps the state (and re-points the installs at the sandbox's current ports).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse, urlsplit

import requests
from django.conf import settings
from django.db import transaction

from accounts.models import Team, User
from connector.models import Connection, Install, InstallKind, Service
from connector.services import oauth_complete, oauth_start, smartsheet_client_for
from runs.realtime import conf as realtime_conf
from runs.services import workflow_save
from workflows.models import Workflow

log = logging.getLogger(__name__)

DEMO_PASSWORD = "sheetforce-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    email: str
    first_name: str
    last_name: str
    role: str
    flags: dict
    #: Connect this user's Salesforce and Smartsheet accounts through the sandbox's OAuth.
    connect: bool


DEMO_USERS = (
    # Ada connects first: she is also the org's Salesforce administrator, which setting
    # up an install requires (connector.services.setup); then the others may connect.
    DemoUser("ada", "ada@example.com", "Ada", "Lovelace", "System Admin",
             {"system_admin": True, "licensed": True, "salesforce_user": True,
              "service_cloud_user": True}, connect=True),
    DemoUser("carol", "carol@example.com", "Carol", "Diaz", "Connector Admin",
             {"connector_admin": True, "licensed": True}, connect=False),
    DemoUser("alice", "alice@example.com", "Alice", "Martin", "Connector user",
             {"licensed": True, "salesforce_user": True, "service_cloud_user": True}, connect=True),
    DemoUser("bob", "bob@example.com", "Bob", "Chen", "Connector user",
             {"licensed": True, "salesforce_user": True, "service_cloud_user": True}, connect=True),
)


class _FormParser(HTMLParser):
    """The first form of a page: its action and its inputs (enough for the sandbox's
    sign-in and consent pages)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.inputs: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._done:
            return
        if tag == "form" and self.action is None:
            self.action = a.get("action") or ""
            self.method = (a.get("method") or "get").lower()
            self._in_form = True
        elif self._in_form and tag in ("input", "button") and a.get("name"):
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind == "submit":
                self.buttons.append((a["name"], a.get("value") or ""))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.inputs[a["name"]] = a.get("value") or "on"
            else:
                self.inputs[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def oauth_code_through_sandbox(*, authorize_url: str, email: str, password: str,
                               redirect_uri: str, verify: str | bool = True) -> str:
    """Sign in and consent on a sandbox authorize page as a person would; return the code.

    Fills the page's own form (email/username and password fields, an "allow"/"approve"
    button when there is one) and follows the sandbox's pages until it redirects to
    ``redirect_uri``.
    """
    session = requests.Session()
    # REQUESTS_CA_BUNDLE in the environment would override session.verify.
    session.trust_env = False
    session.verify = verify
    response = session.get(authorize_url, allow_redirects=False, timeout=30)
    for _ in range(6):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(redirect_uri):
                query = parse_qs(urlparse(location).query)
                if "code" not in query:
                    raise RuntimeError(f"authorization refused: {query.get('error')}")
                return query["code"][0]
            response = session.get(location, allow_redirects=False, timeout=30)
            continue
        parser = _FormParser()
        parser.feed(response.text)
        if parser.action is None:
            raise RuntimeError(f"no form on {response.url} (HTTP {response.status_code})")
        data = dict(parser.inputs)
        for name in data:
            lowered = name.lower()
            if lowered in ("email", "username", "login", "user"):
                data[name] = email
            elif "password" in lowered or lowered == "pw":
                data[name] = password
        approve = [b for b in parser.buttons
                   if any(w in (b[0] + b[1]).lower() for w in ("allow", "approve", "accept"))]
        if approve or parser.buttons:
            name, value = (approve or parser.buttons)[0]
            data[name] = value
        target = urljoin(response.url, parser.action)
        if parser.method == "post":
            response = session.post(target, data=data, allow_redirects=False, timeout=30)
        else:
            response = session.get(target, params=data, allow_redirects=False, timeout=30)
    raise RuntimeError("the sandbox's authorize pages never redirected back")


def setup_team_and_users() -> tuple[Team, dict[str, User]]:
    team, _ = Team.objects.get_or_create(name="Demo team")
    users = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={"email": spec.email, "first_name": spec.first_name,
                      "last_name": spec.last_name, "team": team, **spec.flags},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[spec.username] = user
    return team, users


def webhooks_need_insecure_callbacks() -> bool:
    """Whether the demo's webhooks are on but would call back an address the real
    Smartsheet refuses (the demo serves plain http on loopback): then the sandbox is
    started with ``--allow-insecure-callbacks`` and the product may ask for such webhooks
    (``SHEETFORCE_ALLOW_INSECURE_CALLBACKS``). Off by default: without webhooks, sheet
    changes arrive with the polls."""
    return realtime_conf.webhooks_enabled() and bool(
        realtime_conf.callback_url_problem(realtime_conf.callback_url(1)))


def sandbox_host_entries(info: dict) -> list[str]:
    """The outbound-policy entries that admit exactly this sandbox: its Salesforce
    emulator (https, its own CA) and its Smartsheet emulator (plain http, written out)."""
    salesforce = urlsplit(info["salesforce"]["instance_url"])
    smartsheet = urlsplit(info["smartsheet"]["api_base"])
    return [f"{salesforce.hostname}:{salesforce.port}",
            f"http://{smartsheet.hostname}:{smartsheet.port}"]


def setup_installs(*, team: Team, info: dict) -> dict[str, Install]:
    """Create (or re-point at the sandbox's current address) the two demo installs."""
    sf, ss = info["salesforce"], info["smartsheet"]
    ca_pem = Path(sf["ca_bundle"]).read_text()
    api_base = ss["api_base"]
    common = {
        "team": team,
        "salesforce_login_url": sf["login_url"],
        "salesforce_instance_url": sf["instance_url"],
        "salesforce_client_id": sf["client_id"],
        "salesforce_client_secret": sf["client_secret"],
        "smartsheet_api_base": api_base,
        "smartsheet_authorize_url": api_base.rsplit("/2.0", 1)[0] + "/b/authorize",
        "smartsheet_client_id": ss["client_id"],
        "smartsheet_client_secret": ss["client_secret"],
        "tls_ca_bundle": ca_pem,
    }
    installs = {}
    for name, kind in (("Sandbox", InstallKind.SALESFORCE),
                       ("Sandbox Service Cloud", InstallKind.SERVICE_CLOUD)):
        install, created = Install.objects.get_or_create(
            name=name, defaults={"kind": kind, "polling_interval_minutes": 5, **common}
        )
        if not created:
            for key, value in common.items():
                setattr(install, key, value)
            install.save()
        installs[name] = install
    return installs


def setup_connections(*, users: dict[str, User], installs: dict[str, Install],
                      ca_bundle_path: str, sandbox_password: str) -> list[Connection]:
    """Connect each demo connector user through the sandbox's real OAuth code flow.

    Every sandbox person shares one password, published in the info file.
    """

    made = []
    for spec in DEMO_USERS:
        if not spec.connect:
            continue
        user = users[spec.username]
        for install in installs.values():
            for service in (Service.SALESFORCE, Service.SMARTSHEET):
                existing = Connection.objects.filter(user=user, install=install, service=service,
                                                     revoked_at__isnull=True).first()
                if existing and existing.access_token:
                    continue
                redirect_uri = f"{settings.PUBLIC_BASE_URL}/connections/{install.pk}/{service}/callback/"
                url, _state = oauth_start(user=user, install=install, service=service,
                                          redirect_uri=redirect_uri)
                code = oauth_code_through_sandbox(
                    authorize_url=url, email=spec.email, password=sandbox_password,
                    redirect_uri=redirect_uri,
                    verify=ca_bundle_path if url.startswith("https") else True,
                )
                made.append(oauth_complete(user=user, install=install, service=service,
                                           code=code, redirect_uri=redirect_uri))
    return made


@transaction.atomic
def setup_base(info: dict) -> tuple[dict[str, User], dict[str, Install]]:
    team, users = setup_team_and_users()
    return users, setup_installs(team=team, info=info)


def _example_workflows(installs: dict[str, Install]) -> list[dict]:
    sandbox, service_cloud = installs["Sandbox"], installs["Sandbox Service Cloud"]
    return [
        {
            "owner": "alice", "install": sandbox, "name": "Opportunities by stage",
            "direction": "to_smartsheet", "salesforce_object": "Opportunity",
            "new_sheet_name": "Opportunities by stage",
            "mappings": [
                {"salesforce_field": "Name", "column": "Opportunity", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "Account.Name", "column": "Account", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "StageName", "column": "Stage", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "Amount", "column": "Amount", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "Probability", "column": "Probability (%)",
                 "new_column": True, "direction": "to_smartsheet"},
                {"salesforce_field": "CloseDate", "column": "Close Date", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "OwnerId", "column": "Owner", "new_column": True,
                 "direction": "to_smartsheet", "lookup_field": "Name"},
            ],
            "row_groups": [{"field": "StageName"}],
        },
        {
            "owner": "bob", "install": sandbox, "name": "Contacts (two-way)",
            "direction": "bidirectional", "salesforce_object": "Contact",
            # An existing sheet with an "Update in Salesforce" checkbox: only checked rows
            # are sent to Salesforce (the practice the help article recommends).
            "sheet": {"name": "Contacts", "columns": [
                {"title": "Name", "type": "TEXT_NUMBER", "primary": True},
                {"title": "Update in Salesforce", "type": "CHECKBOX"},
            ]},
            "mappings": [
                {"salesforce_field": "Name", "column": "Name", "direction": "to_smartsheet"},
                {"salesforce_field": "Account.Name", "column": "Account", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "Title", "column": "Title", "new_column": True,
                 "direction": "both"},
                {"salesforce_field": "Email", "column": "Email", "new_column": True,
                 "direction": "both"},
                {"salesforce_field": "Phone", "column": "Phone", "new_column": True,
                 "direction": "both"},
            ],
            "smartsheet_filters": [{"column": "Update in Salesforce", "operator": "is_checked",
                                    "value": ""}],
            "conflict_policy": "newest_wins",
        },
        {
            "owner": "alice", "install": service_cloud, "name": "Escalated cases by priority",
            "direction": "to_smartsheet", "salesforce_object": "Case",
            "new_sheet_name": "Escalated cases",
            "mappings": [
                {"salesforce_field": "CaseNumber", "column": "Case", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "Subject", "column": "Subject", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "Status", "column": "Status", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "Priority", "column": "Priority", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "Account.Name", "column": "Account", "new_column": True,
                 "direction": "to_smartsheet"},
                {"salesforce_field": "CreatedDate", "column": "Opened", "new_column": True,
                 "direction": "to_smartsheet"},
                *SERVICE_CLOUD_COLUMNS,
            ],
            "salesforce_filters": [{"field": "IsEscalated", "operator": "equals",
                                    "value": "true"}],
            "row_groups": [{"field": "Priority"}],
        },
    ]


#: Computed Service Cloud columns of the example case workflow (new columns: the engine
#: creates them with their types — numbers, SLA status picklist, Escalated checkbox).
SERVICE_CLOUD_COLUMNS: list[dict] = [
    {"salesforce_field": field, "column": column, "new_column": True,
     "direction": "to_smartsheet"}
    for field, column in (
        ("$sla_status", "SLA status"),
        ("$sla_target", "SLA target (h)"),
        ("$age", "Age (h)"),
        ("$time_to_close", "Time to close (h)"),
        ("$escalated", "Escalated"),
    )
]


def setup_workflows(*, users: dict[str, User], installs: dict[str, Install]) -> list:
    """Create the example workflows that do not exist yet and request their first run."""

    created = []
    for example in _example_workflows(installs):
        owner = users[example.pop("owner")]
        if Workflow.objects.filter(owner=owner, name=example["name"]).exists():
            continue
        sheet = example.pop("sheet", None)
        if sheet is not None:
            client = smartsheet_client_for(user=owner, install=example["install"])
            example["sheet_id"] = client.create_sheet(sheet["name"], sheet["columns"])["id"]
        created.append(workflow_save(user=owner, **example).workflow)
    return created
