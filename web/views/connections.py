"""Connections page: connect (OAuth 2.0 authorization-code flow) and disconnect.

The state parameter is random per attempt, kept in the session under the install and
service it belongs to, and must match on the callback; a callback without a matching
state is refused (CSRF on the OAuth redirect).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from connector.models import Connection, Install, Service
from connector.selectors import connections_of, installs_visible_to
from connector.services import (
    ConnectionInvalid,
    connection_delete,
    oauth_complete,
    oauth_start,
    oauth_state_matches,
)
from workflows.selectors import workflows_enabled_of

OAUTH_SESSION_KEY = "web_oauth_states"


def _install_for(request: HttpRequest, install_id: int) -> Install:
    install = get_object_or_404(Install, pk=install_id)
    if not installs_visible_to(request.user).order_by("name").filter(pk=install.pk).exists():
        raise Http404(_("No such install."))
    return install


def _service_or_404(service: str) -> str:
    if service not in Service.values:
        raise Http404(_("No such service."))
    return service


def _callback_url(request: HttpRequest, install: Install, service: str) -> str:
    return request.build_absolute_uri(
        reverse("connection_callback", kwargs={"install_id": install.pk, "service": service})
    )


@login_required
@require_GET
def connections_page(request: HttpRequest) -> HttpResponse:
    installs = list(installs_visible_to(request.user).order_by("name"))
    connections = {(c.install_id, c.service): c for c in connections_of(request.user)}
    rows = [
        {
            "install": install,
            "services": [
                {"service": value, "label": label, "connection": connections.get((install.pk, value))}
                for value, label in Service.choices
            ],
        }
        for install in installs
    ]
    return render(request, "web/connections.html", {"rows": rows})


@login_required
@require_POST
def connection_start(request: HttpRequest, install_id: int, service: str) -> HttpResponse:
    """Begin the flow: remember a fresh state, send the browser to the authorize page."""

    install = _install_for(request, install_id)
    service = _service_or_404(service)
    try:
        url, state = oauth_start(
            user=request.user, install=install, service=service,
            redirect_uri=_callback_url(request, install, service),
        )
    except ConnectionInvalid as exc:
        messages.error(request, str(exc))
        return redirect("connections")
    states = request.session.get(OAUTH_SESSION_KEY, {})
    states[f"{install.pk}:{service}"] = state
    request.session[OAUTH_SESSION_KEY] = states
    return redirect(url)


@login_required
@require_GET
def connection_callback(request: HttpRequest, install_id: int, service: str) -> HttpResponse:
    """Finish the flow: check the state, exchange the code, store the connection."""

    install = _install_for(request, install_id)
    service = _service_or_404(service)
    label = Service(service).label
    states = request.session.get(OAUTH_SESSION_KEY, {})
    expected = states.pop(f"{install.pk}:{service}", None)
    request.session[OAUTH_SESSION_KEY] = states
    if not oauth_state_matches(expected, request.GET.get("state")):
        messages.error(request, _("The %(service)s sign-in could not be verified. Please try "
                                   "again.") % {"service": label})
        return redirect("connections")
    if request.GET.get("error"):
        description = request.GET.get("error_description") or request.GET["error"]
        messages.error(request, _("%(service)s did not connect: %(reason)s.")
                       % {"service": label, "reason": description})
        return redirect("connections")
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, _("%(service)s sent no authorization code. Please try again.")
                       % {"service": label})
        return redirect("connections")
    try:
        connection = oauth_complete(
            user=request.user, install=install, service=service, code=code,
            redirect_uri=_callback_url(request, install, service),
        )
    except ConnectionInvalid as exc:
        messages.error(request, _("%(service)s did not connect: %(reason)s")
                       % {"service": label, "reason": exc})
        return redirect("connections")
    who = connection.identity_name or connection.identity
    messages.success(request, _("Connected to %(service)s as %(who)s.")
                     % {"service": label, "who": who})
    return redirect("connections")


@login_required
@require_http_methods(["GET", "POST"])
def connection_disconnect(request: HttpRequest, connection_id: int) -> HttpResponse:
    """GET: what disconnecting stops (the user's enabled workflows on that install);
    POST: disconnect."""

    # Only the user's own connections exist for this view: anyone else's is a 404.
    connection = get_object_or_404(Connection, pk=connection_id, user=request.user)
    label = connection.get_service_display()
    if request.method == "GET":
        affected = workflows_enabled_of(user=request.user, install_id=connection.install_id)
        return render(request, "web/connection_disconnect.html", {
            "connection": connection, "label": label, "workflows": list(affected)})
    connection_delete(user=request.user, connection=connection)
    messages.success(request, _("Disconnected %(service)s.") % {"service": label})
    return redirect("connections")
