"""The Smartsheet webhook callback endpoint (thin: the logic is in :mod:`.webhooks`)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from runs.realtime.webhooks import webhook_callback


# CSRF protection is for browsers holding a session; Smartsheet has none. Callbacks are
# authenticated by their HMAC signature instead (challenges carry no state change).
@csrf_exempt
@require_POST
def smartsheet_callback(request: HttpRequest, workflow_id: int) -> JsonResponse:
    answer = webhook_callback(
        workflow_id=workflow_id, body=request.body,
        challenge=request.headers.get("Smartsheet-Hook-Challenge"),
        signature=request.headers.get("Smartsheet-Hmac-SHA256"),
    )
    response = JsonResponse(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    return response
