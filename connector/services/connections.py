"""Connection services: a user's own OAuth tokens per service under an install.

The REST API and the web UI call these; the engine gets its clients from
:func:`salesforce_client_for` / :func:`smartsheet_client_for`, which persist refreshed
(rotated) tokens on the Connection and mark it revoked when the sign-in is dead.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import user_can_manage
from audit.models import AuditAction
from audit.services import audit_record
from connector.clients import (
    SMARTSHEET_DEFAULT_SCOPES,
    CallCounter,
    ClientError,
    SalesforceClient,
    SmartsheetClient,
    TokenSet,
    salesforce_authorize_url,
    salesforce_token_exchange,
    smartsheet_authorize_url,
    smartsheet_token_exchange,
)
from connector.models import Connection, Install, Service
from connector.services.installs import install_ca_bundle
from connector.services.setup import InstallSetupRefused, install_setup_check

log = logging.getLogger(__name__)

SERVICE_NAMES = {Service.SALESFORCE: "Salesforce", Service.SMARTSHEET: "Smartsheet"}


class ConnectionMissing(Exception):
    """The user has no usable connection to ``service`` under this install."""

    def __init__(self, service: str, message: str | None = None) -> None:
        self.service = service
        self.message = message or _("Connect your %(service)s account first") % {
            "service": SERVICE_NAMES.get(service, service)}
        super().__init__(self.message)


class ConnectionInvalid(ValueError):
    """The service refused the tokens or the code; ``message`` says what to do."""

    def __init__(self, service: str, message: str, *, kind: str = "invalid") -> None:
        self.service = service
        self.message = message
        self.kind = kind
        super().__init__(message)


def _check_service(service: str) -> str:
    if service not in Service.values:
        raise ValueError(f"unknown service {service!r}")
    return service


def connection_get(*, user, install: Install, service: str) -> Connection:
    """The user's live connection to ``service``; ConnectionMissing when there is none or
    when the service revoked it (the user must reconnect)."""
    _check_service(service)
    connection = Connection.objects.filter(user=user, install=install, service=service).first()
    if connection is None or not connection.access_token:
        raise ConnectionMissing(service)
    if connection.revoked_at is not None:
        raise ConnectionMissing(
            service, f"Reconnect your {SERVICE_NAMES[service]} account: its sign-in was "
                     "refused")
    return connection


def _release_worker_connection(owner_thread: int) -> None:
    """A callback run in a client's worker thread opens a DB connection there: do not
    leak it when that thread ends. Never inside a transaction (closing would roll it
    back): the token lock releases it when its transaction is over."""
    if (threading.get_ident() != owner_thread
            and not transaction.get_connection().in_atomic_block):
        close_old_connections()


def _persist_tokens(connection_id: int, owner_thread: int) -> Callable[[TokenSet], None]:
    """A callback saving rotated tokens on the Connection row, from any thread."""

    def save(tokens: TokenSet) -> None:
        fields = {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
                  "expires_at": tokens.expires_at, "revoked_at": None,
                  "updated_at": timezone.now()}
        if tokens.instance_url:
            fields["instance_url"] = tokens.instance_url
        try:
            Connection.objects.filter(pk=connection_id).update(**fields)
        finally:
            _release_worker_connection(owner_thread)

    return save


def _mark_revoked(connection_id: int, owner_thread: int) -> Callable[[ClientError], None]:
    """A callback marking the Connection revoked (the user must reconnect).

    The client calls it under :func:`_lock_tokens` and only after checking that the
    stored tokens are still the refused ones (see connector.clients.tokens).
    """

    def mark(error: ClientError) -> None:
        try:
            Connection.objects.filter(pk=connection_id).update(
                revoked_at=timezone.now(), updated_at=timezone.now())
        finally:
            _release_worker_connection(owner_thread)
        log.warning("connection %s: %s sign-in refused (%s)", connection_id, error.service,
                    error.kind)

    return mark


def _reload_tokens(connection_id: int, owner_thread: int) -> Callable[[], TokenSet | None]:
    """A callback reading the Connection's stored tokens back (None: row gone), so a
    client can adopt tokens another client refreshed (rotation kills the old ones)."""

    def reload() -> TokenSet | None:
        try:
            connection = (Connection.objects.filter(pk=connection_id)
                          .only("access_token", "refresh_token", "expires_at",
                                "instance_url").first())
        finally:
            _release_worker_connection(owner_thread)
        if connection is None:
            return None
        return TokenSet(access_token=connection.access_token,
                        refresh_token=connection.refresh_token,
                        expires_at=connection.expires_at,
                        instance_url=connection.instance_url)

    return reload


def _lock_tokens(connection_id: int, owner_thread: int
                 ) -> Callable[[], AbstractContextManager[None]]:
    """A callback holding the Connection row's lock around one refresh, so that two
    clients of one connection (other threads or processes) never refresh at once.

    A row lock on PostgreSQL; SQLite ignores FOR UPDATE, where the transaction alone
    narrows the race (the client still re-reads the tokens before marking revoked).
    Taken in the owner thread inside an outer transaction, it lasts until that one ends.
    """

    @contextmanager
    def lock() -> Iterator[None]:
        try:
            with transaction.atomic():
                list(Connection.objects.select_for_update()
                     .filter(pk=connection_id).values_list("pk", flat=True))
                yield
        finally:
            _release_worker_connection(owner_thread)

    return lock


def _token_callbacks(connection_id: int) -> dict[str, Any]:
    """The client options that keep its tokens in step with the Connection row."""
    here = threading.get_ident()
    return {"on_tokens_refreshed": _persist_tokens(connection_id, here),
            "on_auth_failed": _mark_revoked(connection_id, here),
            "reload_tokens": _reload_tokens(connection_id, here),
            "lock_tokens": _lock_tokens(connection_id, here)}


def salesforce_client_for(*, user, install: Install, counter: CallCounter | None = None,
                          **options) -> SalesforceClient:
    """A SalesforceClient acting as ``user`` (ConnectionMissing if not connected).

    ``options`` go to the client (e.g. ``max_parallel``, ``retry_backoff``).
    """
    connection = connection_get(user=user, install=install, service=Service.SALESFORCE)
    return SalesforceClient(
        instance_url=connection.instance_url or install.salesforce_instance_url
        or install.salesforce_login_url,
        access_token=connection.access_token,
        refresh_token=connection.refresh_token,
        login_url=install.salesforce_login_url,
        client_id=install.salesforce_client_id,
        client_secret=install.salesforce_client_secret,
        ca_bundle=install_ca_bundle(install),
        counter=counter,
        **_token_callbacks(connection.pk),
        **options,
    )


def smartsheet_client_for(*, user, install: Install, counter: CallCounter | None = None,
                          **options) -> SmartsheetClient:
    """A SmartsheetClient acting as ``user`` (ConnectionMissing if not connected)."""
    connection = connection_get(user=user, install=install, service=Service.SMARTSHEET)
    return SmartsheetClient(
        api_base=install.smartsheet_api_base,
        access_token=connection.access_token,
        refresh_token=connection.refresh_token,
        client_id=install.smartsheet_client_id,
        client_secret=install.smartsheet_client_secret,
        ca_bundle=install_ca_bundle(install),
        counter=counter,
        **_token_callbacks(connection.pk),
        **options,
    )


def _identify(*, user, install: Install, service: str,
              tokens: TokenSet) -> tuple[dict, TokenSet]:
    """Ask the service who the tokens belong to; (identity fields, possibly refreshed
    tokens). ClientError becomes ConnectionInvalid; so does a Salesforce connection to an
    install nobody has set up yet, unless ``user`` may set it up and is a Salesforce
    administrator (``connector.services.setup``)."""
    refreshed: list[TokenSet] = []
    try:
        if service == Service.SALESFORCE:
            client = SalesforceClient(
                instance_url=tokens.instance_url or install.salesforce_instance_url
                or install.salesforce_login_url,
                access_token=tokens.access_token, refresh_token=tokens.refresh_token,
                login_url=install.salesforce_login_url,
                client_id=install.salesforce_client_id,
                client_secret=install.salesforce_client_secret,
                ca_bundle=install_ca_bundle(install), identity_url=tokens.identity_url,
                on_tokens_refreshed=refreshed.append, max_attempts=2)
            who = client.identity()
            identity = {"identity": who["username"] or who["email"],
                        "identity_name": who["name"], "external_user_id": who["user_id"]}
            try:
                install_setup_check(user=user, install=install, client=client)
            except InstallSetupRefused as refused:
                raise ConnectionInvalid(service, refused.message, kind="permission") from None
        else:
            client = SmartsheetClient(
                api_base=install.smartsheet_api_base, access_token=tokens.access_token,
                refresh_token=tokens.refresh_token, client_id=install.smartsheet_client_id,
                client_secret=install.smartsheet_client_secret,
                ca_bundle=install_ca_bundle(install), on_tokens_refreshed=refreshed.append,
                max_attempts=2, max_retry_time=10)
            who = client.me()
            identity = {"identity": who["email"], "identity_name": who["name"],
                        "external_user_id": str(who["id"] or "")}
    except ClientError as error:
        raise ConnectionInvalid(
            service, f"{SERVICE_NAMES[service]} did not accept these credentials: "
                     f"{error.message}", kind=error.kind) from None
    if refreshed:
        latest = refreshed[-1]
        tokens = TokenSet(access_token=latest.access_token,
                          refresh_token=latest.refresh_token, expires_at=latest.expires_at,
                          instance_url=latest.instance_url or tokens.instance_url)
    return identity, tokens


def _save_connection(*, user, install: Install, service: str, tokens: TokenSet,
                     identity: dict) -> Connection:
    with transaction.atomic():
        connection, _ = Connection.objects.select_for_update().get_or_create(
            user=user, install=install, service=service)
        connection.access_token = tokens.access_token
        connection.refresh_token = tokens.refresh_token
        connection.expires_at = tokens.expires_at
        connection.instance_url = tokens.instance_url if service == Service.SALESFORCE else ""
        connection.identity = identity["identity"][:255]
        connection.identity_name = identity["identity_name"][:255]
        connection.external_user_id = identity["external_user_id"][:64]
        connection.revoked_at = None
        connection.save()
        audit_record(actor=user, action=AuditAction.CONNECTION_CONNECT, target=connection,
                     team_id=user.team_id, label=_audit_label(connection),
                     after={"service": service, "install": install.name,
                            "identity": connection.identity})
    return connection


def _audit_label(connection: Connection) -> str:
    owner = connection.user
    return _("%(service)s of %(person)s on %(install)s") % {
        "service": SERVICE_NAMES.get(connection.service, connection.service),
        "person": owner.get_full_name() or owner.username, "install": connection.install.name}


def connection_create_from_token(*, user, install: Install, service: str, access_token: str,
                                 refresh_token: str = "") -> Connection:
    """Store tokens the user pasted, after checking them against the service.

    Raises ConnectionInvalid (a ValueError) with a message the user can act on.
    """
    _check_service(service)
    if not access_token.strip():
        raise ConnectionInvalid(service, "An access token is required.")
    tokens = TokenSet(access_token=access_token.strip(), refresh_token=refresh_token.strip(),
                      instance_url=install.salesforce_instance_url
                      if service == Service.SALESFORCE else "")
    identity, tokens = _identify(user=user, install=install, service=service, tokens=tokens)
    return _save_connection(user=user, install=install, service=service, tokens=tokens,
                            identity=identity)


def oauth_start(*, user, install: Install, service: str, redirect_uri: str) -> tuple[str, str]:
    """(authorize URL, state). The caller keeps ``state`` in the user's session and
    checks it on the way back (:func:`oauth_state_matches`)."""
    _check_service(service)
    state = secrets.token_urlsafe(32)
    if service == Service.SALESFORCE:
        if not install.salesforce_client_id:
            raise ConnectionInvalid(service, "This install has no Salesforce OAuth client: a "
                                             "connector admin must set it up first.")
        url = salesforce_authorize_url(login_url=install.salesforce_login_url,
                                       client_id=install.salesforce_client_id,
                                       redirect_uri=redirect_uri, state=state)
    else:
        if not install.smartsheet_client_id:
            raise ConnectionInvalid(service, "This install has no Smartsheet OAuth client: a "
                                             "connector admin must set it up first.")
        url = smartsheet_authorize_url(authorize_url=install.smartsheet_authorize_url,
                                       client_id=install.smartsheet_client_id,
                                       redirect_uri=redirect_uri, state=state,
                                       scopes=SMARTSHEET_DEFAULT_SCOPES)
    return url, state


def oauth_state_matches(expected: str | None, received: str | None) -> bool:
    """Constant-time comparison of the stored and the returned OAuth ``state``."""
    return bool(expected and received) and secrets.compare_digest(expected, received)


def oauth_complete(*, user, install: Install, service: str, code: str,
                   redirect_uri: str) -> Connection:
    """Exchange the code from the OAuth redirect and store the connection.

    Raises ConnectionInvalid when the service refuses the code or the tokens.
    """
    _check_service(service)
    if not code:
        raise ConnectionInvalid(service, "The sign-in did not return a code; try again.")
    try:
        if service == Service.SALESFORCE:
            tokens = salesforce_token_exchange(
                login_url=install.salesforce_login_url, client_id=install.salesforce_client_id,
                client_secret=install.salesforce_client_secret, code=code,
                redirect_uri=redirect_uri, ca_bundle=install_ca_bundle(install))
        else:
            tokens = smartsheet_token_exchange(
                api_base=install.smartsheet_api_base, client_id=install.smartsheet_client_id,
                client_secret=install.smartsheet_client_secret, code=code,
                redirect_uri=redirect_uri, ca_bundle=install_ca_bundle(install))
    except ClientError as error:
        raise ConnectionInvalid(service, error.message, kind=error.kind) from None
    identity, tokens = _identify(user=user, install=install, service=service, tokens=tokens)
    return _save_connection(user=user, install=install, service=service, tokens=tokens,
                            identity=identity)


def connection_delete(*, user, connection: Connection) -> None:
    """Forget a connection: its owner, or a System Admin who manages its owner (e.g. for
    someone who left). PermissionDenied otherwise."""
    if connection.user_id != user.pk and not user_can_manage(actor=user,
                                                             user=connection.user):
        raise PermissionDenied(_("Only the owner can remove a connection."))
    label, team_id = _audit_label(connection), connection.user.team_id
    before = {"service": connection.service, "install": connection.install.name,
              "identity": connection.identity}
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.CONNECTION_DISCONNECT, target=connection,
                     team_id=team_id, label=label, before=before)
        connection.delete()
