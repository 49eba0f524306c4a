"""Security headers Django 5.2 does not set by itself: a Content-Security-Policy.

Pages load scripts and styles only from this origin (no inline script anywhere; the
product's pages carry no inline style either). The admin console's stock templates use a
few inline ``style`` attributes, so its policy allows inline styles — never inline script.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_BASE = ("default-src 'self'; script-src 'self'; img-src 'self' data:; font-src 'self'; "
         "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
         "frame-ancestors 'none'")
PAGE_POLICY = _BASE + "; style-src 'self'"
ADMIN_POLICY = _BASE + "; style-src 'self' 'unsafe-inline'"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else PAGE_POLICY
        return response
