"""Sign in (throttled per account and per address) and sign out (Django's views)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from accounts.throttle import (
    signin_failure_record,
    signin_retry_after,
    signin_success_record,
)
from core.net import client_address


class SignInView(auth_views.LoginView):
    """Django's LoginView with a failure limit: after N failures answer 429 for a while."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        wait = signin_retry_after(username=username, address=client_address(request))
        if wait:
            form = self.get_form_class()(request)
            context = self.get_context_data(form=form, throttled=True, retry_after=wait)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        signin_success_record(username=form.cleaned_data.get("username", ""))
        return super().form_valid(form)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        signin_failure_record(username=username, address=client_address(self.request))
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    """POST only (Django 5): signing out is a state change and carries a CSRF token."""
