"""The Salesforce change-event listener (``manage.py listen_changes``).

One thread per install that has enabled workflows. Each holds a CometD session
(:class:`connector.clients.streaming.CometdClient`) through the Salesforce connection of
one of those workflows' owners, subscribed to ``/data/<Object>ChangeEvent`` for every
object the install's enabled workflows sync. For each batch of events it requests a
debounced run (trigger EVENT) of every workflow on the event's object that the change
concerns (:func:`concerns`: an update touching none of the fields a workflow maps,
filters or groups on runs nothing) — except for events that are echoes of our own writes
(:func:`is_echo`) — and only then stores the last replay id per channel
(:class:`StreamCursor`): a listener killed in between sees those events again after a
restart (at least once; a duplicate request only coalesces).

Change events name changed fields as Salesforce's Change Data Capture does: compound
fields by their compound name (``BillingAddress.City`` for ``BillingCity``,
``Name.FirstName`` for a contact's ``FirstName``), and ``LastModifiedDate`` in every
update (:func:`changed_fields`).

A restarted listener resumes after the stored replay id. If that id is no longer
retained (72 hours), it starts from new events and requests a catch-up run of the
channel's workflows; polling reconciles everything anyway.

The supervisor (:class:`ChangeListener`) re-reads the installs, workflows and objects
every ``reconcile_seconds`` (threads whose plan changed start a new session) and, when
webhooks are enabled, reconciles the Smartsheet webhooks too; every ``BEAT_SECONDS`` it
records its heartbeat (``ServiceHeartbeat``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import OperationalError, close_old_connections

from accounts.models import User
from connector.clients import ClientError
from connector.clients.streaming import REPLAY_NEW, CometdClient, ReplayInvalid
from connector.models import Connection, Install, InstallStatus, Service
from connector.services import ConnectionMissing, salesforce_client_for
from runs.models import BeatingService, RunTrigger
from runs.realtime import conf
from runs.realtime.debounce import realtime_request
from runs.realtime.models import StreamCursor
from runs.realtime.webhooks import webhooks_reconcile
from workflows.models import Workflow
from workflows.permissions import runnable_owner_q

log = logging.getLogger(__name__)

#: How often the supervisor records its heartbeat (``/readyz`` allows three minutes).
BEAT_SECONDS = 30.0


def channel_for(object_name: str) -> str:
    """``/data/AccountChangeEvent``; custom ``Foo__c`` → ``/data/Foo__ChangeEvent``."""
    stem = object_name[:-1] if object_name.endswith("__c") else object_name
    return f"/data/{stem}ChangeEvent"


def is_echo(header: dict, integration_user_id: str) -> bool:
    """An event caused by our own write: committed by the integration user (the workflow
    owner's Salesforce user) through the API. The same person editing in the Salesforce
    UI (empty ``changeOrigin``) or automation (another ``commitUser``) is a real change.
    """
    if not integration_user_id:
        return False
    user = str(header.get("commitUser") or "")
    origin = str(header.get("changeOrigin") or "")
    return user[:15] == integration_user_id[:15] and origin.startswith("com/salesforce/api/")


def changed_fields(header: dict) -> frozenset[str] | None:
    """The object's own fields an update event changed, lower-cased; None when the event
    does not say (a create, delete, undelete or gap: anything may have changed).

    ``BillingAddress.City`` stands for ``BillingCity`` and the compound ``BillingAddress``;
    ``Name.FirstName`` for ``FirstName`` and the compound ``Name``.
    """
    if str(header.get("changeType") or "").upper() != "UPDATE":
        return None
    listed = header.get("changedFields")
    if not isinstance(listed, list) or not listed:
        return None
    names: set[str] = set()
    for label in listed:
        compound, _, component = str(label).partition(".")
        names.add(compound.lower())
        if component:
            prefix = compound[:-len("Address")] if compound.endswith("Address") else ""
            names.add((prefix + component).lower())
    return frozenset(names)


def concerns(header: dict, fields: frozenset[str] | None) -> bool:
    """Whether a change event matters to a workflow watching ``fields`` (None: every
    change matters to it)."""
    if fields is None:
        return True
    changed = changed_fields(header)
    return changed is None or not changed.isdisjoint(fields)


def watched_fields(workflow: Workflow) -> frozenset[str] | None:
    """The fields whose change can alter what ``workflow`` syncs, lower-cased: mapped,
    filtered and grouped fields. None (every change) when that cannot be told from the
    fields alone: a relationship path or computed column, or a read-only field (a formula
    may change with any input), or fields not described yet (no run so far)."""
    paths = [m.salesforce_field for m in workflow.mappings.all()]
    paths += [f.field for f in workflow.filters.all() if f.side == "salesforce"]
    paths += [g.field for g in workflow.row_groups.all() if g.field]
    if any("." in p or p.startswith("$") for p in paths):
        return None
    state = getattr(workflow, "sync_state", None)
    described = ((state.field_cache or {}).get("fields") or {}) if state is not None else {}
    names = {p.lower() for p in paths if p}
    for path in paths:
        info = described.get(path)
        if info is None or not (info.get("updateable") or info.get("createable")):
            return None
    return frozenset(names)


@dataclass(frozen=True)
class Target:
    workflow_id: int
    object_name: str
    #: The owner's Salesforce user id: changes they commit through the API are ours.
    integration_user_id: str
    #: What the workflow watches (:func:`watched_fields`; None: every change).
    fields: frozenset[str] | None = None


@dataclass
class Plan:
    """What one install's session listens to, and as whom."""

    owner_id: int | None = None
    channels: dict[str, list[Target]] = field(default_factory=dict)

    def key(self) -> tuple:
        return (self.owner_id, tuple(sorted((c, tuple(t)) for c, t in self.channels.items())))


def listener_plan(*, install_id: int) -> Plan:
    """Channels of the install's enabled workflows and the user to listen as."""

    install = Install.objects.filter(pk=install_id).first()
    plan = Plan()
    if install is None or install.status == InstallStatus.DISABLED:
        return plan
    # A paused owner's workflows neither sync nor lend their owner's sign-in.
    workflows = list(Workflow.objects.filter(runnable_owner_q(), install_id=install_id,
                                             enabled=True)
                     .select_related("sync_state")
                     .prefetch_related("mappings", "filters", "row_groups")
                     .order_by("created_at", "pk"))
    sf_users = dict(Connection.objects.filter(
        install_id=install_id, service=Service.SALESFORCE, revoked_at__isnull=True,
        user_id__in={w.owner_id for w in workflows}).values_list("user_id", "external_user_id"))
    channels: dict[str, list[Target]] = defaultdict(list)
    for workflow in workflows:
        if workflow.owner_id not in sf_users:
            continue
        if plan.owner_id is None:
            plan.owner_id = workflow.owner_id
        channels[channel_for(workflow.salesforce_object)].append(Target(
            workflow.pk, workflow.salesforce_object, sf_users[workflow.owner_id] or "",
            watched_fields(workflow)))
    plan.channels = dict(channels)
    return plan


def events_handle(*, install_id: int, plan: Plan, events: list[dict]) -> dict:
    """Request runs for a batch of events, then store the cursors. Returns counts
    ``{"events", "echoes", "unconcerned", "requested"}`` (requested: workflow ids)."""
    per_workflow: dict[int, int] = defaultdict(int)
    newest: dict[str, int] = {}
    echoes = unconcerned = 0
    for event in events:
        channel = event.get("channel", "")
        data = event.get("data") or {}
        header = (data.get("payload") or {}).get("ChangeEventHeader") or {}
        replay = (data.get("event") or {}).get("replayId")
        if isinstance(replay, int):
            newest[channel] = max(newest.get(channel, replay), replay)
        for target in plan.channels.get(channel, []):
            if header.get("entityName") not in (None, target.object_name):
                continue
            if is_echo(header, target.integration_user_id):
                echoes += 1
                continue
            if not concerns(header, target.fields):
                unconcerned += 1
                continue
            per_workflow[target.workflow_id] += 1
    for workflow_id, count in per_workflow.items():
        realtime_request(workflow_id=workflow_id, trigger=RunTrigger.EVENT, events=count)
    for channel, replay in newest.items():
        StreamCursor.objects.update_or_create(install_id=install_id, channel=channel,
                                              defaults={"replay_id": replay})
    return {"events": len(events), "echoes": echoes, "unconcerned": unconcerned,
            "requested": sorted(per_workflow)}


def _with_retry(func, attempts: int = 20):
    """``func()``, retried while the database is momentarily locked (SQLite under
    concurrent writers). A retry after a partial success only repeats a run request,
    which coalesces."""
    for attempt in range(attempts):
        try:
            return func()
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


class InstallListener(threading.Thread):
    """The CometD session of one install, re-established on any failure with backoff."""

    def __init__(self, install_id: int, *, poll_timeout: float, reconcile_seconds: float
                 ) -> None:
        super().__init__(name=f"listen-install-{install_id}", daemon=True)
        self.install_id = install_id
        self.poll_timeout = poll_timeout
        self.reconcile_seconds = reconcile_seconds
        self.stopping = threading.Event()
        self.stats = {"sessions": 0, "events": 0, "echoes": 0, "requests": 0, "errors": 0}
        #: Set once the first session is subscribed (tests and the benchmark wait on it).
        self.subscribed = threading.Event()

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                self._session()
                failures = 0
            except (ClientError, ConnectionMissing) as error:
                failures += 1
                self.stats["errors"] += 1
                log.warning("listener of install %s: %s", self.install_id,
                            getattr(error, "message", error))
            except Exception:  # noqa: BLE001 - the service must outlive any bug
                failures += 1
                self.stats["errors"] += 1
                log.exception("listener of install %s crashed; restarting", self.install_id)
            finally:
                close_old_connections()
            if failures:
                self.stopping.wait(min(60.0, 0.5 * 2 ** min(failures, 7)))

    def _session(self) -> None:
        plan = listener_plan(install_id=self.install_id)
        if not plan.channels:
            self.stopping.wait(self.reconcile_seconds)
            return

        install = Install.objects.get(pk=self.install_id)
        owner = User.objects.get(pk=plan.owner_id)
        client = CometdClient(salesforce_client_for(user=owner, install=install, max_attempts=2),
                              poll_timeout=self.poll_timeout)
        client.handshake()
        self.stats["sessions"] += 1
        cursors = dict(StreamCursor.objects.filter(install_id=self.install_id)
                       .values_list("channel", "replay_id"))
        for channel, targets in plan.channels.items():
            try:
                client.subscribe(channel, cursors.get(channel, REPLAY_NEW))
            except ReplayInvalid:
                log.warning("listener of install %s: replay id of %s expired; catching up "
                            "with a run", self.install_id, channel)
                client.subscribe(channel, REPLAY_NEW)
                for target in targets:
                    realtime_request(workflow_id=target.workflow_id, trigger=RunTrigger.EVENT)
        self.subscribed.set()
        checked = time.monotonic()
        try:
            while not self.stopping.is_set():
                events = client.connect()
                if events:
                    counts = _with_retry(lambda batch=events: events_handle(
                        install_id=self.install_id, plan=plan, events=batch))
                    self.stats["events"] += counts["events"]
                    self.stats["echoes"] += counts["echoes"]
                    self.stats["requests"] += len(counts["requested"])
                close_old_connections()
                if time.monotonic() - checked >= self.reconcile_seconds:
                    checked = time.monotonic()
                    if listener_plan(install_id=self.install_id).key() != plan.key():
                        log.info("listener of install %s: workflows changed, resubscribing",
                                 self.install_id)
                        return
        finally:
            client.disconnect()


class ChangeListener:
    """The supervisor: one :class:`InstallListener` per install with enabled workflows;
    webhooks reconciled on the same beat."""

    def __init__(self, *, poll_timeout: float = 25.0, reconcile_seconds: float | None = None,
                 webhooks: bool = True) -> None:
        self.poll_timeout = poll_timeout
        self.reconcile_seconds = (reconcile_seconds if reconcile_seconds is not None
                                  else conf.reconcile_seconds())
        self.webhooks = webhooks
        self.threads: dict[int, InstallListener] = {}
        self.stopping = threading.Event()

    def reconcile(self) -> None:
        """Start and stop install threads; ensure webhooks."""

        wanted = set(Workflow.objects.filter(runnable_owner_q(), enabled=True).exclude(
            install__status=InstallStatus.DISABLED).values_list("install_id", flat=True))
        for install_id in wanted - set(self.threads):
            thread = InstallListener(install_id, poll_timeout=self.poll_timeout,
                                     reconcile_seconds=self.reconcile_seconds)
            self.threads[install_id] = thread
            thread.start()
        for install_id in set(self.threads) - wanted:
            self.threads.pop(install_id).stop()
        for install_id, thread in list(self.threads.items()):
            if not thread.is_alive() and not self.stopping.is_set():
                self.threads.pop(install_id)
        if self.webhooks:

            try:
                webhooks_reconcile()
            except Exception:  # noqa: BLE001 - webhooks are best effort; polling stays
                log.exception("webhook reconciliation failed")

    def run_forever(self) -> None:
        reconcile_due = 0.0
        while not self.stopping.is_set():
            try:
                self.beat()
                if time.monotonic() >= reconcile_due:
                    self.reconcile()
                    reconcile_due = time.monotonic() + self.reconcile_seconds
            finally:
                close_old_connections()
            self.stopping.wait(min(self.reconcile_seconds, BEAT_SECONDS))
        self._stop_threads()

    def beat(self) -> None:
        """Record the listener's heartbeat (``/readyz`` checks it). A failed beat is
        logged, never fatal: the listener's work matters more than its report."""
        from runs.services.heartbeats import heartbeat_record

        try:
            heartbeat_record(service=BeatingService.LISTENER)
        except Exception:  # noqa: BLE001
            log.warning("listener heartbeat failed", exc_info=True)

    def stop(self, *, wait: float = 0) -> None:
        self.stopping.set()
        self._stop_threads(wait=wait)

    def _stop_threads(self, *, wait: float = 0) -> None:
        for thread in self.threads.values():
            thread.stop()
        if wait:
            deadline = time.monotonic() + wait
            for thread in self.threads.values():
                thread.join(timeout=max(0.1, deadline - time.monotonic()))
