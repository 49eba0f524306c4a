"""Preparing a sheet for syncing: the page an Editor sends to the sheet's Admin, who adds
the connector's own columns in one click (``workflows.services.sheet_prepare``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from connector.clients import ClientError
from connector.selectors import installs_visible_to
from connector.services import ConnectionMissing
from workflows.services import sheet_prepare, sheet_readiness


@login_required
@require_http_methods(["GET", "POST"])
def sheet_prepare_page(request: HttpRequest, install_id: int, sheet_id: int) -> HttpResponse:
    install = installs_visible_to(request.user).filter(pk=install_id).first()
    if install is None:
        raise Http404(_("No such install."))
    if request.method == "POST":
        try:
            added = sheet_prepare(user=request.user, install=install, sheet_id=sheet_id)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except (ClientError, ConnectionMissing) as exc:
            messages.error(request, exc.message)
        else:
            if added:
                messages.success(request, _("The sheet is prepared: %(columns)s added. Its "
                                            "Editors can now sync it.")
                                 % {"columns": ", ".join(f"“{t}”" for t in added)})
            else:
                messages.info(request, _("The sheet was already prepared."))
        return redirect("sheet_prepare", install_id=install.pk, sheet_id=sheet_id)
    readiness, problem, connect = None, "", False
    try:
        readiness = sheet_readiness(user=request.user, install=install, sheet_id=sheet_id)
        if readiness is None:
            problem = _("That sheet does not exist or is not shared with you.")
    except ConnectionMissing as exc:
        problem, connect = exc.message + ".", True
    except ClientError as exc:
        problem, connect = exc.message, exc.kind in ("auth", "revoked")
    return render(request, "web/sheet_prepare.html", {
        "install": install, "readiness": readiness, "problem": problem, "connect": connect})
