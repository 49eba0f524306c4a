"""The Streaming API: Bayeux over long polling on ``/cometd/<version>``.

Supported: ``/meta/handshake``, ``/meta/connect`` (long poll; events come first in the
answer, then the connect reply with ``advice``), ``/meta/subscribe`` and
``/meta/unsubscribe`` for ``/data/ChangeEvents`` and ``/data/<Object>ChangeEvent`` with
``ext.replay`` (-1 new only, -2 everything retained, N resume after N), and
``/meta/disconnect``. Every request carries the OAuth token (``Authorization: Bearer``).

Failures as Salesforce reports them:

- handshake with a dead token: HTTP 401, ``403::Handshake denied`` with
  ``ext.sfdc.failureReason`` ``401::Authentication invalid``;
- any other message whose client is unknown, expired (no connect for
  ``max_interval_seconds``), or whose token has died: ``403::Unknown client`` with
  ``advice.reconnect = "handshake"`` (the client is forgotten);
- a replay id that is no longer retained: ``400::The replayId ... was invalid``.

A client may ask for a shorter long poll with ``advice.timeout`` (ms) on its connect.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.salesforce.streaming.events import ChangeBus

if TYPE_CHECKING:
    from sandbox.salesforce.emulator import SalesforceEmulator

ALL_CHANGES = "/data/ChangeEvents"
MIN_VERSION = 37.0  # replay needs 37.0 or later
BATCH = 500


@dataclass
class Client:
    client_id: str
    user_id: str
    token: str
    #: channel → replay id of the last event delivered (or the start position).
    cursors: dict[str, int] = field(default_factory=dict)
    #: channel → objects it carries (None: every object).
    channels: dict[str, set[str] | None] = field(default_factory=dict)
    last_seen: float = field(default_factory=time.monotonic)
    connecting: int = 0


class StreamingApi:
    """The CometD endpoint of one org."""

    def __init__(self, em: SalesforceEmulator, bus: ChangeBus, *, timeout_seconds: float = 110,
                 max_interval_seconds: float = 40) -> None:
        self.em = em
        self.bus = bus
        self.timeout_seconds = timeout_seconds
        self.max_interval_seconds = max_interval_seconds
        self.clients: dict[str, Client] = {}
        self._lock = threading.Lock()

    # -- HTTP -------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        version = request.path[len("/cometd/"):].strip("/")
        try:
            if float(version) < MIN_VERSION or version not in _known_versions():
                raise ValueError(version)
        except ValueError:
            return Response("Not Found", status=404, content_type="text/plain")
        if request.method != "POST":
            return Response("Method Not Allowed", status=405, content_type="text/plain")
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
        except ValueError:
            body = None
        messages = body if isinstance(body, list) else [body] if isinstance(body, dict) else None
        if not messages or not all(isinstance(m, dict) for m in messages):
            return _json([{"successful": False, "error": "400::Bad request"}], 400)
        token = _bearer(request)
        status, replies = 200, []
        for message in messages:
            channel = message.get("channel")
            if channel == "/meta/handshake":
                reply, ok = self._handshake(message, token)
                if not ok:
                    status = 401
                replies.append(reply)
                continue
            client = self._client_for(message, token)
            if client is None:
                replies.append(_unknown_client(message))
            elif channel == "/meta/connect":
                replies.extend(self._connect(client, message))
            elif channel == "/meta/subscribe":
                replies.append(self._subscribe(client, message))
            elif channel == "/meta/unsubscribe":
                replies.append(self._unsubscribe(client, message))
            elif channel == "/meta/disconnect":
                with self._lock:
                    self.clients.pop(client.client_id, None)
                replies.append(_reply(message, client, successful=True))
            else:
                replies.append(_reply(message, client, successful=False,
                                      error=f"403::Publish not allowed {{{channel}}}"))
        return _json(replies, status)

    # -- handlers ---------------------------------------------------------------------------
    def _handshake(self, message: dict, token: str) -> tuple[dict, bool]:
        grant = self.em.tokens.session(token, self.em.clock.now()) if token else None
        if grant is None or not self.em.user_active(grant.user_id):
            return {"ext": {"sfdc": {"failureReason": "401::Authentication invalid"},
                            "replay": True, "payload.format": True},
                    "advice": {"reconnect": "none"}, "channel": "/meta/handshake",
                    "id": message.get("id"), "error": "403::Handshake denied",
                    "successful": False}, False
        client = Client(client_id=secrets.token_urlsafe(18), user_id=grant.user_id, token=token)
        with self._lock:
            self._expire_idle_locked()
            self.clients[client.client_id] = client
        return {"ext": {"replay": True, "payload.format": True}, "minimumVersion": "1.0",
                "clientId": client.client_id, "supportedConnectionTypes": ["long-polling"],
                "advice": self._advice(), "channel": "/meta/handshake",
                "id": message.get("id"), "version": "1.0", "successful": True}, True

    def _connect(self, client: Client, message: dict) -> list[dict]:
        requested = (message.get("advice") or {}).get("timeout")
        wait = self.timeout_seconds
        if isinstance(requested, int | float) and requested >= 0:
            wait = min(wait, requested / 1000)
        deadline = time.monotonic() + wait
        with self._lock:
            client.connecting += 1
        try:
            while True:
                cursors, channels = self._positions(client)
                pending = self.bus.after(cursors, channels, BATCH)
                if pending or time.monotonic() >= deadline or not self._alive(client):
                    break
                with self.bus.changed:
                    # Re-check under the condition: a publish between the read above and
                    # this wait would otherwise be slept through.
                    if not self.bus.after(cursors, channels, 1):
                        self.bus.changed.wait(min(1.0, max(0.0, deadline - time.monotonic())))
        finally:
            with self._lock:
                client.connecting -= 1
                client.last_seen = time.monotonic()
        if not self._alive(client):
            return [_unknown_client(message)]
        out = []
        with self._lock:
            for channel, event in pending:
                if channel in client.cursors:
                    client.cursors[channel] = max(client.cursors[channel], event["replayId"])
                out.append({**event["message"], "channel": channel})
        out.append({**_reply(message, client, successful=True), "advice": self._advice()})
        return out

    def _subscribe(self, client: Client, message: dict) -> dict:
        channel = message.get("subscription")
        objects = self._objects_of(channel)
        if objects is False:
            return _reply(message, client, successful=False, subscription=channel,
                          error=f"400::The channel you requested to subscribe to does not "
                                f"exist {{{channel}}}")
        replay = ((message.get("ext") or {}).get("replay") or {}).get(channel, -1)
        try:
            replay = int(replay)
        except (TypeError, ValueError):
            replay = None
        if replay == -1:
            start = self.bus.last_id
        elif replay == -2:
            self.bus.purge()
            start = self.bus.purged_up_to
        elif replay is not None and replay >= 0 and self.bus.replay_valid(replay):
            start = replay
        else:
            return _reply(message, client, successful=False, subscription=channel,
                          error=f"400::The replayId {{{message_replay(message, channel)}}} "
                                "you provided was invalid.  Please provide a valid ID, -2 to "
                                "replay all events, or -1 to replay only new events.")
        with self._lock:
            client.channels[channel] = objects
            client.cursors[channel] = start
        return _reply(message, client, successful=True, subscription=channel)

    def _unsubscribe(self, client: Client, message: dict) -> dict:
        channel = message.get("subscription")
        with self._lock:
            client.channels.pop(channel, None)
            client.cursors.pop(channel, None)
        return _reply(message, client, successful=True, subscription=channel)

    # -- helpers ----------------------------------------------------------------------------
    def _positions(self, client: Client) -> tuple[dict[str, int], dict[str, set[str] | None]]:
        # Copies: a subscribe may change the client while its connect waits.
        with self._lock:
            return dict(client.cursors), dict(client.channels)

    def _objects_of(self, channel: object) -> set[str] | None | bool:
        """The objects a channel carries: None for all, False for no such channel."""
        if channel == ALL_CHANGES:
            return None
        if not isinstance(channel, str) or not channel.startswith("/data/") or not \
                channel.endswith("ChangeEvent"):
            return False
        stem = channel[len("/data/"):-len("ChangeEvent")]
        name = stem + "c" if stem.endswith("__") else stem
        canonical = self.em.schema.resolve(name)
        return {canonical} if canonical is not None and canonical == name else False

    def _client_for(self, message: dict, token: str) -> Client | None:
        with self._lock:
            self._expire_idle_locked()
            client = self.clients.get(str(message.get("clientId")))
            if client is None:
                return None
            if client.token != token or not self._alive(client):
                self.clients.pop(client.client_id, None)
                return None
            client.last_seen = time.monotonic()
            return client

    def _alive(self, client: Client) -> bool:
        """The client's session still stands (its token is live, it was not dropped)."""
        if self.clients.get(client.client_id) is not client:
            return False
        grant = self.em.tokens.session(client.token, self.em.clock.now())
        return grant is not None and self.em.user_active(client.user_id)

    def _expire_idle_locked(self) -> None:
        now = time.monotonic()
        for client_id, client in list(self.clients.items()):
            if not client.connecting and now - client.last_seen > self.max_interval_seconds:
                del self.clients[client_id]

    def _advice(self) -> dict:
        return {"interval": 0, "timeout": int(self.timeout_seconds * 1000),
                "reconnect": "retry"}

    def reset(self) -> None:
        with self._lock:
            self.clients.clear()


def message_replay(message: dict, channel: object) -> object:
    return ((message.get("ext") or {}).get("replay") or {}).get(channel)


def _known_versions() -> set[str]:
    from sandbox.salesforce.web import VERSIONS

    return set(VERSIONS)


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") else ""


def _reply(message: dict, client: Client, *, successful: bool, **extra) -> dict:
    reply = {"clientId": client.client_id, "channel": message.get("channel"),
             "id": message.get("id"), "successful": successful}
    reply.update({k: v for k, v in extra.items() if v is not None or k == "subscription"})
    return reply


def _unknown_client(message: dict) -> dict:
    return {"clientId": message.get("clientId"), "channel": message.get("channel"),
            "id": message.get("id"), "successful": False, "error": "403::Unknown client",
            "advice": {"reconnect": "handshake", "interval": 0}}


def _json(body: list[dict], status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json;charset=UTF-8")
