"""Operations endpoints: ``/healthz`` (liveness), ``/readyz`` (readiness), ``/metrics``.

No session, no CSRF, no user: probes and Prometheus do not sign in. ``/metrics`` asks
for ``Authorization: Bearer $METRICS_TOKEN`` and does not exist without that setting.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client.exposition import choose_encoder

from api.health import readiness
from api.metrics import metrics_registry


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers: no database, no broker, nothing that can be slow."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, 503 otherwise; one entry per check."""
    ok, checks = readiness()
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks},
                        status=200 if ok else 503)


def _bearer(request: HttpRequest) -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404(_("Metrics are off: METRICS_TOKEN is not set."))
    if not hmac.compare_digest(_bearer(request).encode(), token.encode()):
        response = HttpResponse("A valid bearer token is required.\n", status=401,
                                content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encoder(metrics_registry()), content_type=content_type)
