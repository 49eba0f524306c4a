"""Salesforce Streaming API (CometD / Bayeux long polling) for Change Data Capture.

A plain-``requests`` Bayeux client that rides on a :class:`SalesforceClient`, through
its public :meth:`~SalesforceClient.session` (the counting HTTP session with timeouts and
the CA bundle, and the current token) and :meth:`~SalesforceClient.refresh`: an expired
session is refreshed the way every other call refreshes it (and rotated tokens are saved
through the client's ``on_tokens_refreshed``).

Protocol handled: handshake; subscribe with ``ext.replay`` (-1 new only, -2 all retained,
N resume after N); connect (long poll; the answer holds the events, then the connect
reply); disconnect. ``403::Unknown client`` with ``advice.reconnect = "handshake"``
(expired session, idle client, server restart) re-handshakes and re-subscribes every
channel from the last replay id seen (everything retained, -2, for a channel that has
seen no event yet), so no retained event is skipped.
"""

from __future__ import annotations

import contextlib
import itertools
import logging

import requests
from django.utils.translation import gettext as _

from connector.clients.errors import ClientError
from connector.clients.salesforce import SalesforceClient

log = logging.getLogger(__name__)

SERVICE = "salesforce"
REPLAY_NEW = -1
REPLAY_ALL = -2


class ReplayInvalid(ClientError):
    """The replay id to resume from is no longer retained (older than 72 hours)."""


class CometdClient:
    """One Bayeux session. Not thread-safe: one listener thread owns it."""

    def __init__(self, salesforce: SalesforceClient, *, api_version: str = "59.0",
                 poll_timeout: float = 25.0) -> None:
        self.salesforce = salesforce
        self.url = f"{salesforce.session().instance_url}/cometd/{api_version}"
        self.poll_timeout = poll_timeout
        self.client_id: str | None = None
        #: channel → replay id to resume from (moves with every event delivered).
        self.positions: dict[str, int] = {}
        self._ids = itertools.count(1)
        self.handshakes = 0

    # -- transport ------------------------------------------------------------------------
    def _token(self) -> str:
        return self.salesforce.session().access_token

    def _post(self, messages: list[dict], *, timeout: float | None = None
              ) -> tuple[int, list[dict]]:
        for message in messages:
            message["id"] = str(next(self._ids))
        session = self.salesforce.session()
        try:
            response = session.http.post(
                self.url, json=messages, timeout=timeout,
                headers={"Authorization": f"Bearer {session.access_token}",
                         "Content-Type": "application/json"})
        except requests.RequestException as exc:
            raise ClientError(service=SERVICE, kind="transient", code=type(exc).__name__,
                              message=_("The Salesforce Streaming API did not answer.")) from None
        if response.status_code >= 500 or response.status_code == 429:
            raise ClientError(service=SERVICE, kind="transient", code=str(response.status_code),
                              message=_("The Streaming API answered HTTP %(status)s.")
                              % {"status": response.status_code},
                              status=response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, list):
            raise ClientError(service=SERVICE, kind="invalid", code=str(response.status_code),
                              message=_("The Streaming API answered something other than "
                                      "Bayeux messages."), status=response.status_code)
        return response.status_code, body

    # -- protocol -------------------------------------------------------------------------
    def handshake(self) -> None:
        """Open a session; refresh the access token once if Salesforce refuses it."""
        for attempt in (1, 2):
            token = self._token()
            status, replies = self._post([{
                "channel": "/meta/handshake", "version": "1.0", "minimumVersion": "1.0",
                "supportedConnectionTypes": ["long-polling"],
                "ext": {"replay": True, "payload.format": True}}])
            reply = _meta(replies, "/meta/handshake")
            if reply.get("successful"):
                self.client_id = reply["clientId"]
                self.handshakes += 1
                return
            reason = str(((reply.get("ext") or {}).get("sfdc") or {}).get("failureReason", ""))
            if (status == 401 or reason.startswith("401")) and attempt == 1:
                # Raises ClientError(kind="auth") when the sign-in is dead for good.
                self.salesforce.refresh(token)
                continue
            raise ClientError(service=SERVICE, kind="auth" if status == 401 else "invalid",
                              code=str(reply.get("error") or status),
                              message=_("The Salesforce Streaming API refused the handshake."),
                              status=status)

    def subscribe(self, channel: str, replay: int = REPLAY_NEW) -> None:
        """Subscribe to ``channel``, resuming after ``replay`` (or -1 / -2).

        Raises :class:`ReplayInvalid` when that replay id is no longer retained.
        """
        if self.client_id is None:
            self.handshake()
        _, replies = self._post([{"channel": "/meta/subscribe", "clientId": self.client_id,
                                  "subscription": channel,
                                  "ext": {"replay": {channel: int(replay)}}}])
        reply = _meta(replies, "/meta/subscribe")
        if reply.get("successful"):
            self.positions[channel] = int(replay)
            return
        error = str(reply.get("error") or "")
        if "replayId" in error:
            raise ReplayInvalid(service=SERVICE, kind="invalid", code="REPLAY_INVALID",
                                message=error)
        if _must_handshake(reply):
            self.client_id = None
            self.handshake()
            return self.subscribe(channel, replay)
        raise ClientError(service=SERVICE, kind="not_found" if error.startswith("400") else
                          "invalid", code=error[:40], message=error or _("subscribe failed"))

    def connect(self) -> list[dict]:
        """One long poll: the change events delivered (Bayeux data messages, with
        ``channel``), oldest first; ``[]`` when the poll timed out or the session was
        re-established."""
        if self.client_id is None:
            self._rehandshake()
        status, replies = self._post(
            [{"channel": "/meta/connect", "clientId": self.client_id,
              "connectionType": "long-polling",
              "advice": {"timeout": int(self.poll_timeout * 1000)}}],
            timeout=self.poll_timeout + 30)
        reply = _meta(replies, "/meta/connect")
        if not reply.get("successful"):
            if _must_handshake(reply) or status == 401:
                log.info("streaming session ended (%s): handshaking again", reply.get("error"))
                self._rehandshake()
                return []
            raise ClientError(service=SERVICE, kind="transient",
                              code=str(reply.get("error") or status)[:40],
                              message=_("The Streaming API refused the connect."))
        events = [m for m in replies if m.get("data") is not None and "channel" in m]
        for event in events:
            replay = ((event["data"].get("event") or {}).get("replayId"))
            if isinstance(replay, int) and event["channel"] in self.positions:
                self.positions[event["channel"]] = max(self.positions[event["channel"]], replay)
        return events

    def _rehandshake(self) -> None:
        self.client_id = None
        self.handshake()
        for channel, replay in list(self.positions.items()):
            # A channel that has seen no event yet has no position to resume from: -1
            # would skip what happened while the session was down, so replay everything
            # retained (at worst a few redundant, coalesced run requests).
            self.subscribe(channel, REPLAY_ALL if replay == REPLAY_NEW else replay)

    def disconnect(self) -> None:
        if self.client_id is None:
            return
        # The server forgets idle clients anyway: a failed goodbye changes nothing.
        with contextlib.suppress(ClientError):
            self._post([{"channel": "/meta/disconnect", "clientId": self.client_id}], timeout=10)
        self.client_id = None


def _meta(replies: list[dict], channel: str) -> dict:
    for reply in replies:
        if isinstance(reply, dict) and reply.get("channel") == channel:
            return reply
    return {"successful": False, "error": f"no {channel} reply"}


def _must_handshake(reply: dict) -> bool:
    return (reply.get("advice") or {}).get("reconnect") == "handshake" or \
        str(reply.get("error", "")).startswith("403::Unknown client")
