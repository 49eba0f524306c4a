"""Your profile: the language of your pages and emails, and your API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import ApiToken
from accounts.services import user_set_language
from accounts.tokens import api_token_create, api_token_revoke


@login_required
@require_http_methods(["GET", "POST"])
def profile_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        language = request.POST.get("language", "")
        if language and language not in dict(settings.LANGUAGES):
            messages.error(request, _("Choose one of the languages offered."))
            return redirect("profile")
        user_set_language(user=request.user, language=language)
        translation.activate(language or translation.get_language_from_request(request))
        messages.success(request, _("Your language is saved."))
        response = redirect("profile")
        if language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax",
                                secure=request.is_secure(), httponly=True)
        return response
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")[:50]
    new_key = request.session.pop("new_api_token", None)
    return render(request, "web/profile.html", {
        "languages": settings.LANGUAGES, "tokens": tokens, "new_key": new_key,
    })


@login_required
@require_POST
def profile_token_create(request: HttpRequest) -> HttpResponse:
    _token, key = api_token_create(user=request.user, name=request.POST.get("name", "")[:100])
    # Shown once, on the next page (a redirect keeps reloads from making more tokens).
    request.session["new_api_token"] = key
    return redirect("profile")


@login_required
@require_POST
def profile_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()
    if token is None:
        raise Http404(_("No such token."))
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token is revoked."))
    return redirect("profile")
