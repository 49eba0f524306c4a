"""Middleware: the person's own language, and the Content-Security-Policy header Django
5.2 does not set by itself.

Pages load scripts and styles only from this origin (no inline script anywhere; the
product's pages carry no inline style either). The admin console's stock templates use a
few inline ``style`` attributes, so its policy allows inline styles — never inline script.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# No form-action: browsers apply it to the redirect after a submit too, and "Connect"
# posts to us and is redirected to the service's authorize page (any allowed host).
_BASE = ("default-src 'self'; script-src 'self'; img-src 'self' data:; font-src 'self'; "
         "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
PAGE_POLICY = _BASE + "; style-src 'self'"
ADMIN_POLICY = _BASE + "; style-src 'self' 'unsafe-inline'"


class UserLanguageMiddleware:
    """A signed-in person's chosen language (``user.language``) over the browser's.

    Runs after Django's LocaleMiddleware (which read the cookie or ``Accept-Language``)
    and the authentication middleware; an empty choice keeps the browser's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        if chosen and user.is_authenticated and chosen in dict(settings.LANGUAGES):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen and user.is_authenticated:
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith("/admin/")
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else PAGE_POLICY
        return response
