"""Real-time sync: Smartsheet webhooks and Salesforce change events request runs.

Polling stays the safety net (it reconciles whatever an event missed); events only make
a change show up on the other side within seconds.

- :mod:`.models` — WebhookSubscription, StreamCursor, RealtimeSignal.
- :mod:`.debounce` — :func:`realtime_request` (a burst of changes → one run request).
- :mod:`.webhooks` — :func:`webhook_ensure`, :func:`webhook_remove`,
  :func:`webhooks_reconcile`, :func:`webhook_callback`.
- :mod:`.views` / :mod:`.urls` — ``POST /hooks/smartsheet/<workflow id>/``.
- :mod:`.listener` — the Salesforce change-event listener (``manage.py listen_changes``).

Kept import-free: ``runs.models`` imports :mod:`.models` while Django loads apps.
"""
