"""Sign in (throttled per username and IP) and sign out (Django's views)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from web import services


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a proxy strips it.
    return request.META.get("REMOTE_ADDR", "")


class SignInView(auth_views.LoginView):
    """Django's LoginView with a failure limit: after N failures answer 429 for a while."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        username = request.POST.get("username", "")
        wait = services.signin_retry_after(username=username, ip=client_ip(request))
        if wait:
            form = self.get_form_class()(request)
            context = self.get_context_data(form=form, throttled=True, retry_after=wait)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        services.signin_success_record(
            username=form.cleaned_data.get("username", ""), ip=client_ip(self.request)
        )
        return super().form_valid(form)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        services.signin_failure_record(username=username, ip=client_ip(self.request))
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    """POST only (Django 5): signing out is a state change and carries a CSRF token."""
