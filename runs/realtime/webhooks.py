"""Smartsheet webhooks: one sheet-scope webhook per enabled workflow, and its callbacks.

Lifecycle (:func:`webhook_ensure`, :func:`webhook_remove`, :func:`webhooks_reconcile`):
create → store id and shared secret (committed first: enabling makes Smartsheet call us
at once, and the callback view must find them) → enable, which runs the verification
handshake against our callback view. A callback URL Smartsheet would refuse (not https,
not public, another port than 443/8000/8008/8080/8443) is not even tried: the
subscription's message says why (``SHEETFORCE_ALLOW_INSECURE_CALLBACKS`` lifts this for
the sandbox). A webhook Smartsheet disabled (callbacks failed, verification failed) is
enabled again, and a catch-up run is requested since changes may have gone unreported.
The webhook of a deleted or disabled workflow is deleted. Only when webhooks are enabled
(:func:`runs.realtime.conf.webhooks_enabled`).

Callbacks (:func:`webhook_callback`, called by the view). Smartsheet batches them: one
callback carries every event of about a minute. A verification challenge (header
``Smartsheet-Hook-Challenge`` or body ``challenge``) comes when the webhook is enabled and
again every 100 callbacks, and is echoed whenever it comes; an unanswered one disables the
webhook. Every other callback must carry ``Smartsheet-Hmac-SHA256`` = hex HMAC-SHA256 of
the raw body keyed by the webhook's shared secret (constant-time comparison; a bad one is
refused with 403 and logged without the secret). Events whose ``changeAgent`` is ours
(the engine's own writes) are ignored; the rest request one debounced run. A
status-change callback (``newWebhookStatus``) is recorded: a status enabling can cure
queues a prompt repair (:func:`webhook_repair`, in a worker: enabling makes Smartsheet
call this very view), and ENABLED again (access regained) a catch-up run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from connector.clients import ClientError, SmartsheetClient
from connector.services import ConnectionMissing, smartsheet_client_for
from core.jsonlimits import json_too_deep
from runs.models import RunTrigger
from runs.realtime import conf
from runs.realtime.debounce import realtime_request
from runs.realtime.models import WebhookStatus, WebhookSubscription
from workflows.models import Workflow
from workflows.permissions import runnable_owner_q

log = logging.getLogger(__name__)

#: The change agent our Smartsheet writes carry: SmartsheetClient's default, read from
#: its signature so the two can never disagree.
OUR_CHANGE_AGENT: str = SmartsheetClient.__init__.__kwdefaults__["change_agent"]
#: How long a signed callback is remembered, to ignore it if it comes again verbatim
#: (longer than Smartsheet's retries of an unacknowledged callback last).
REPLAY_MEMORY_SECONDS = 7 * 24 * 3600
#: The task that repairs a webhook a status-change callback reported disabled.
REPAIR_TASK = "runs.realtime.tasks.repair_webhook"
#: Statuses Smartsheet set on its own that enabling again can cure.
REENABLE = frozenset({WebhookStatus.NEW_NOT_VERIFIED, WebhookStatus.DISABLED_CALLBACK_FAILED,
                      WebhookStatus.DISABLED_VERIFICATION_FAILED})


def _client(workflow_or_sub) -> SmartsheetClient:
    return smartsheet_client_for(user=workflow_or_sub.owner, install=workflow_or_sub.install,
                                 max_attempts=2, max_retry_time=10)


def _save(sub: WebhookSubscription, **fields) -> None:
    for name, value in fields.items():
        setattr(sub, name, value)
    sub.save(update_fields=[*fields, "updated_at"])


def webhook_ensure(*, workflow, hooks: dict[int, dict] | None = None
                   ) -> WebhookSubscription | None:
    """Make sure ``workflow``'s sheet has an enabled webhook calling us back.

    ``hooks`` (webhook id → Smartsheet's view of it) saves a list call when the caller
    already fetched the owner's webhooks. Returns the subscription (its ``status`` and
    ``message`` say how it went), or None when webhooks are off, the workflow is
    disabled or its owner has no Smartsheet connection. Never raises ClientError.
    """
    if not conf.webhooks_enabled() or not workflow.enabled:
        return None
    url = conf.callback_url(workflow.pk)
    sub = WebhookSubscription.objects.filter(workflow=workflow).first()
    refused = "" if conf.allow_insecure_callbacks() else conf.callback_url_problem(url)
    if refused:
        # Smartsheet would answer 1152 (or refuse the host or port): do not ask.
        return _not_created(workflow, sub, url, refused)
    try:
        client = _client(workflow)
        # A new sheet, address or owner (a transferred workflow): the old webhook goes,
        # through the sign-in that made it, and the new owner's replaces it.
        if sub is not None and (sub.sheet_id != workflow.sheet_id or sub.callback_url != url
                                or sub.owner_id != workflow.owner_id):
            if not webhook_remove(subscription=sub):
                _save(sub, workflow=None)  # removed later by webhooks_reconcile
            sub = None
        if sub is not None and sub.webhook_id:
            if hooks is None:
                hooks = {h["id"]: h for h in client.list_webhooks()}
            current = hooks.get(sub.webhook_id)
            if current is None:
                _save(sub, webhook_id=None, shared_secret="")  # gone: create anew below
            else:
                status = current.get("status") or sub.status
                if status == WebhookStatus.ENABLED:
                    if sub.status != status or sub.message:
                        _save(sub, status=status, message="")
                    return sub
                if status not in REENABLE:
                    _save(sub, status=status, message=_("Smartsheet reports %(status)s.") % {"status": status})
                    return sub
                return _enable(client, sub, catch_up=status != WebhookStatus.NEW_NOT_VERIFIED)
        hook = client.create_webhook(name=f"sheetforce workflow {workflow.pk}",
                                     callback_url=url, sheet_id=workflow.sheet_id)
        fields = {"webhook_id": hook["id"], "shared_secret": hook["sharedSecret"],
                  "status": hook.get("status") or WebhookStatus.NEW_NOT_VERIFIED,
                  "sheet_id": workflow.sheet_id, "callback_url": url, "message": ""}
        if sub is None:
            sub = WebhookSubscription.objects.create(workflow=workflow, owner=workflow.owner,
                                                     install=workflow.install, **fields)
        else:
            _save(sub, **fields)
        return _enable(client, sub, catch_up=False)
    except ConnectionMissing as missing:
        log.info("webhook of workflow %s not set up: %s", workflow.pk, missing.message)
        if sub is not None:
            _save(sub, message=missing.message)
        return sub
    except ClientError as error:
        log.warning("webhook of workflow %s: Smartsheet said %s (%s)", workflow.pk,
                    error.kind, error.code)
        if sub is not None:
            _save(sub, message=error.message[:500])
        return sub


def _not_created(workflow, sub: WebhookSubscription | None, url: str, reason: str
                 ) -> WebhookSubscription | None:
    """Record why the workflow has no webhook (sheet changes arrive with the polls)."""
    message = _("No webhook: %(reason)s Sheet changes arrive with the next poll.") % {
        "reason": reason}
    if sub is not None and sub.webhook_id:
        if not webhook_remove(subscription=sub):
            return sub
        sub = None
    if sub is None:
        return WebhookSubscription.objects.create(
            workflow=workflow, owner=workflow.owner, install=workflow.install,
            sheet_id=workflow.sheet_id, callback_url=url, message=message)
    if sub.message != message or sub.callback_url != url:
        _save(sub, message=message, callback_url=url, sheet_id=workflow.sheet_id)
    return sub


def webhook_repair(*, workflow_id: int) -> WebhookSubscription | None:
    """Repair the webhook of ``workflow_id`` now (a status-change callback said it was
    disabled): :func:`webhook_ensure` for a workflow that may still use its owner's
    sign-in."""
    workflow = Workflow.objects.select_related("owner", "install").filter(
        runnable_owner_q(), pk=workflow_id, enabled=True).first()
    if workflow is None:
        return None
    return webhook_ensure(workflow=workflow)


def _enable(client: SmartsheetClient, sub: WebhookSubscription, *, catch_up: bool
            ) -> WebhookSubscription:
    """Enable (Smartsheet verifies our callback during this call); after an outage,
    request a run: changes made meanwhile were not reported."""
    hook = client.update_webhook(sub.webhook_id, {"enabled": True})
    status = hook.get("status") or WebhookStatus.DISABLED_VERIFICATION_FAILED
    message = "" if status == WebhookStatus.ENABLED else (
        _("Smartsheet reports %(status)s: is %(url)s reachable from Smartsheet?") % {
            "status": status, "url": sub.callback_url})
    _save(sub, status=status, message=message)
    if catch_up and status == WebhookStatus.ENABLED and sub.workflow_id:
        realtime_request(workflow_id=sub.workflow_id, trigger=RunTrigger.WEBHOOK)
    return sub


def webhook_remove(*, workflow=None, subscription: WebhookSubscription | None = None) -> bool:
    """Delete the webhook of ``workflow`` (or ``subscription``) on Smartsheet and here.

    Returns True when nothing is left. When Smartsheet cannot be reached the row stays,
    marked ``removing``, for :func:`webhooks_reconcile` to try again.
    """
    sub = subscription or WebhookSubscription.objects.filter(workflow=workflow).first()
    if sub is None:
        return True
    if sub.webhook_id:
        try:
            _client(sub).delete_webhook(sub.webhook_id)
        except ClientError as error:
            if error.kind != "not_found":
                _save(sub, status=WebhookStatus.REMOVING, message=error.message[:500])
                return False
        except ConnectionMissing as missing:
            _save(sub, status=WebhookStatus.REMOVING, message=missing.message)
            return False
    sub.delete()
    return True


def webhooks_reconcile() -> dict:
    """Ensure a webhook for every enabled workflow, remove the others (all of them when
    webhooks are off). One webhook list call per owner and install."""

    counts = {"ensured": 0, "removed": 0, "problems": 0}
    stale = WebhookSubscription.objects.select_related("owner", "install").exclude(
        workflow__enabled=True) if conf.webhooks_enabled() else \
        WebhookSubscription.objects.select_related("owner", "install")
    for sub in stale:
        counts["removed" if webhook_remove(subscription=sub) else "problems"] += 1
    if not conf.webhooks_enabled():
        return counts
    listed: dict[tuple[int, int], dict[int, dict] | None] = {}
    # Every callback URL shares PUBLIC_BASE_URL: when Smartsheet would refuse it, there
    # is nothing to list (webhook_ensure records why, without a call).
    refused = not conf.allow_insecure_callbacks() and bool(
        conf.callback_url_problem(conf.callback_url(1)))
    # A paused owner's sign-in is not used: their webhooks wait (unrepaired) until the
    # owner is restored; a callback meanwhile only asks for a run, which is refused.
    for workflow in Workflow.objects.select_related("owner", "install").filter(
            runnable_owner_q(), enabled=True):
        key = (workflow.owner_id, workflow.install_id)
        if refused:
            listed[key] = None
        elif key not in listed:
            try:
                listed[key] = {h["id"]: h for h in _client(workflow).list_webhooks()}
            except (ClientError, ConnectionMissing):
                listed[key] = None  # webhook_ensure reports it on the subscription
        sub = webhook_ensure(workflow=workflow, hooks=listed[key])
        ok = sub is not None and sub.status == WebhookStatus.ENABLED
        counts["ensured" if ok else "problems"] += 1
    return counts


# -- callbacks -------------------------------------------------------------------------
@dataclass
class CallbackAnswer:
    """What the view answers: status, JSON body, extra headers."""

    status: int
    body: dict
    headers: dict = field(default_factory=dict)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_callback(*, workflow_id: int, body: bytes, challenge: str | None,
                     signature: str | None) -> CallbackAnswer:
    """Handle one callback for ``workflow_id`` (see the module docstring).

    410 for a workflow without a webhook (Smartsheet then disables the webhook at once).
    """
    sub = WebhookSubscription.objects.filter(workflow_id=workflow_id).first()
    if sub is None:
        return CallbackAnswer(410, {"error": "no webhook for this workflow"})
    try:
        payload = None if json_too_deep(body or b"") else json.loads(body or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return CallbackAnswer(400, {"error": "expected a JSON object"})
    challenge = challenge or (payload.get("challenge") if isinstance(
        payload.get("challenge"), str) else None)
    if challenge:
        # The verification request is not signed; it must at least name our webhook.
        if sub.webhook_id and payload.get("webhookId") not in (None, sub.webhook_id):
            log.warning("webhook challenge for workflow %s names webhook %s, not ours",
                        workflow_id, payload.get("webhookId"))
            return CallbackAnswer(403, {"error": "unknown webhook"})
        answer = CallbackAnswer(200, {"smartsheetHookResponse": challenge},
                                {"Smartsheet-Hook-Response": challenge})
        if "events" not in payload and "newWebhookStatus" not in payload:
            return answer
        # A challenge riding on a callback: echoed whatever happens; the callback is
        # handled only if it is signed.
        handled = _signed_callback(sub, workflow_id, body, payload, signature)
        answer.body.update(handled.body if handled.status == 200 else {})
        return answer
    return _signed_callback(sub, workflow_id, body, payload, signature)


def _signed_callback(sub: WebhookSubscription, workflow_id: int, body: bytes, payload: dict,
                     signature: str | None) -> CallbackAnswer:
    expected = sign(sub.shared_secret, body) if sub.shared_secret else ""
    if not expected or not hmac.compare_digest(expected, (signature or "").strip().lower()):
        log.warning("webhook callback for workflow %s refused: bad or missing "
                    "Smartsheet-Hmac-SHA256 signature", workflow_id)
        return CallbackAnswer(403, {"error": "bad signature"})
    if not cache.add(_seen_key(body), True, timeout=REPLAY_MEMORY_SECONDS):
        # The same signed body again: a replay (Smartsheet retries only what we did not
        # acknowledge, and we acknowledged this one). Acknowledge, do nothing.
        log.warning("webhook callback for workflow %s ignored: already received", workflow_id)
        return CallbackAnswer(200, {"ok": True, "duplicate": True})
    now = timezone.now()
    if payload.get("newWebhookStatus"):
        return _status_changed(sub, workflow_id, str(payload["newWebhookStatus"]), now)
    # One callback carries every change of about a minute: one debounced run for all.
    theirs = [e for e in payload.get("events") or [] if isinstance(e, dict) and not is_ours(e)]
    _save(sub, last_callback_at=now)
    if theirs:
        realtime_request(workflow_id=workflow_id, trigger=RunTrigger.WEBHOOK,
                         events=len(theirs))
    return CallbackAnswer(200, {"ok": True, "changes": len(theirs)})


def _status_changed(sub: WebhookSubscription, workflow_id: int, status: str, now
                    ) -> CallbackAnswer:
    """Smartsheet changed the webhook's status on its own and says so."""
    if status == WebhookStatus.ENABLED:
        _save(sub, status=status, last_callback_at=now, message="")
        # Back after an outage (e.g. the owner regained the sheet): changes made while
        # it was off were not reported.
        realtime_request(workflow_id=workflow_id, trigger=RunTrigger.WEBHOOK)
        return CallbackAnswer(200, {"ok": True})
    _save(sub, status=status, last_callback_at=now,
          message=_("Smartsheet reports %(status)s.") % {"status": status})
    if status in REENABLE:
        # Enabling again runs the verification handshake against this very view: in a
        # worker, never inside this request.
        transaction.on_commit(partial(async_task, REPAIR_TASK, workflow_id,
                                      task_name=f"webhook-repair-{workflow_id}-{now.timestamp()}",
                                      group="realtime"))
    return CallbackAnswer(200, {"ok": True, "repair": status in REENABLE})


def _seen_key(body: bytes) -> str:
    return "webhook:seen:" + hashlib.sha256(body).hexdigest()


def is_ours(event: dict) -> bool:
    """An event caused by the engine's own write (``changeAgent`` is a comma-separated
    list of the agents behind the change)."""
    agents = {a.strip() for a in str(event.get("changeAgent") or "").split(",")}
    return OUR_CHANGE_AGENT in agents
