"""Transferring workflows to a colleague: the selected ones, or every workflow of one
person (a leaver), in one step. Each goes through ``workflows.services.workflow_transfer``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.selectors import users_licensed_of_team
from connector.selectors import users_connected_everywhere
from core.ids import parse_id
from workflows.services import TransferRefused, workflow_transfer


class TransferForm(forms.Form):
    new_owner = forms.ModelChoiceField(queryset=None, label=gettext_lazy("New owner"),
                                       empty_label=gettext_lazy("Choose a colleague"))

    def __init__(self, *args, candidates, ready: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["new_owner"]
        field.queryset = candidates

        def label(user) -> str:
            if user.pk in ready:
                return user.display_name
            return _("%(name)s — not connected to both services yet") % {
                "name": user.display_name}

        field.label_from_instance = label


def _ids(request) -> list[int]:
    raw = request.POST.get("ids") or request.GET.get("ids") or ""
    return [i for i in (parse_id(part) for part in raw.split(",")) if i is not None]


def transfer_view(model_admin, request):
    """GET: who takes over the workflows of ``?ids=1,2`` (or ``?owner=<user id>``: all
    of theirs); POST: transfer each, report the refusals one by one."""
    if not request.user.is_system_admin:
        raise PermissionDenied
    changelist = reverse("admin:workflows_workflow_changelist")
    workflows = model_admin.get_queryset(request).select_related("owner", "install")
    owner_id = parse_id(request.POST.get("owner") or request.GET.get("owner") or "")
    if owner_id is not None:
        workflows = workflows.filter(owner_id=owner_id)
    else:
        workflows = workflows.filter(pk__in=_ids(request))
    workflows = list(workflows.order_by("name", "id"))
    if not workflows:
        model_admin.message_user(request, _("Select the workflows to transfer first."),
                                 messages.WARNING)
        return redirect(changelist)
    teams = {w.owner.team_id for w in workflows}
    if len(teams) > 1:
        model_admin.message_user(request, _("Transfer the workflows of one team at a time."),
                                 messages.ERROR)
        return redirect(changelist)
    candidates = users_licensed_of_team(team_id=teams.pop())
    ready = users_connected_everywhere(user_ids=[u.pk for u in candidates],
                                       install_ids={w.install_id for w in workflows})
    form = TransferForm(request.POST or None, candidates=candidates, ready=ready)
    if request.method == "POST" and form.is_valid():
        new_owner = form.cleaned_data["new_owner"]
        moved = 0
        for workflow in workflows:
            try:
                workflow_transfer(actor=request.user, workflow=workflow, new_owner=new_owner)
                moved += 1
            except TransferRefused as exc:
                model_admin.message_user(request, f"{workflow.name}: {exc.message}",
                                         messages.ERROR)
            except PermissionDenied as exc:
                model_admin.message_user(request, f"{workflow.name}: {exc}", messages.ERROR)
        if moved:
            model_admin.message_user(request, ngettext(
                "%(n)d workflow now belongs to %(name)s.",
                "%(n)d workflows now belong to %(name)s.", moved) % {
                    "n": moved, "name": new_owner.display_name}, messages.SUCCESS)
        return redirect(changelist + f"?owner__id__exact={new_owner.pk}" if moved
                        else request.get_full_path())
    return TemplateResponse(request, "console/transfer.html", {
        **model_admin.admin_site.each_context(request), "opts": model_admin.opts,
        "title": ngettext("Transfer %(n)d workflow", "Transfer %(n)d workflows",
                          len(workflows)) % {"n": len(workflows)},
        "workflows": workflows, "form": form, "ids": ",".join(str(w.pk) for w in workflows),
    })
