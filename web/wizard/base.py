"""The step view base class: preconditions, the session draft, validation per step."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from connector.clients import ClientError
from connector.models import Install
from connector.selectors import installs_visible_to
from connector.services import ConnectionMissing
from web.views.workflows import get_visible_workflow
from web.wizard.metadata import WizardMetadata
from web.wizard.session import STEP_LABELS, STEPS, WizardSession
from workflows.services import WorkflowValidationError, workflow_validate

log = logging.getLogger(__name__)

STEP_URL_NAMES = {step: f"wizard_{step}" for step in STEPS}


class WizardStepView(View):
    """One wizard step.

    ``preconditions`` names the steps that must be complete; a request that skips
    ahead is sent back to the first missing one. ``error_keys`` are the
    ``WorkflowValidationError`` keys this step shows (the draft is validated whole, but
    a step only reports its own problems).
    """

    step: str = ""
    template_name: str = ""
    preconditions: tuple[str, ...] = ()
    error_keys: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.wizard = WizardSession(request)
        if not self.wizard.active:
            messages.info(request, "Start a new workflow or edit one from the dashboard.")
            return redirect("dashboard")
        posted_draft = request.POST.get("draft") if request.method == "POST" else None
        if posted_draft is not None and posted_draft != self.wizard.draft_id:
            messages.warning(request, "That page belonged to an earlier wizard draft (another "
                                      "tab started a new one). Nothing was taken from it; "
                                      "this is the current draft.")
            return redirect(STEP_URL_NAMES[self.step])
        for needed in self.preconditions:
            if not self.wizard.is_done(needed):
                messages.info(request, f"Complete the “{STEP_LABELS[needed]}” step first.")
                return redirect(STEP_URL_NAMES[needed])
        self.workflow = None
        if self.wizard.is_edit:
            # Ownership is checked on every step: a workflow handed over meanwhile is a 404.

            self.workflow = get_visible_workflow(request, self.wizard.workflow_id, for_edit=True)
        self.install = self._install()
        self.meta = WizardMetadata(user=request.user, install=self.install) if self.install else None

        try:
            return super().dispatch(request, *args, **kwargs)
        except ConnectionMissing as exc:
            return self.unavailable(exc.message + ".", connect=True)
        except ClientError as exc:
            connect = exc.kind in ("auth", "revoked")
            return self.unavailable(exc.message, connect=connect)

    def _install(self) -> Install | None:
        install_id = self.wizard.settings.get("install_id")
        if not install_id:
            return None
        install = installs_visible_to(self.request.user).order_by("name").filter(pk=install_id).first()
        if install is None:
            raise Http404("No such install.")
        return install

    # --- rendering --------------------------------------------------------------------
    def steps_nav(self) -> list[dict]:
        nav = []
        for step in STEPS:
            reachable = all(self.wizard.is_done(s) for s in STEPS[: STEPS.index(step)])
            nav.append({
                "step": step, "label": STEP_LABELS[step], "current": step == self.step,
                "done": self.wizard.is_done(step),
                "url": reverse(STEP_URL_NAMES[step]) if reachable else "",
            })
        return nav

    def render_step(self, context: dict, *, status: int = 200) -> HttpResponse:
        base = {
            "wizard": self.wizard, "steps": self.steps_nav(), "step": self.step,
            "install": self.install, "settings": self.wizard.settings,
            "workflow": self.workflow, "is_edit": self.wizard.is_edit,
        }
        return render(self.request, self.template_name, {**base, **context}, status=status)

    def unavailable(self, message: str, *, connect: bool) -> HttpResponse:
        return render(self.request, "web/wizard/unavailable.html", {
            "message": message, "connect": connect, "steps": self.steps_nav(),
            "wizard": self.wizard, "step": self.step,
        }, status=200)

    # --- validation -------------------------------------------------------------------
    def validate(self, keys: tuple[str, ...] | None = None, *, name: str | None = None) -> dict:
        """Validate the whole draft; return the errors this step shows (empty: valid).

        Keys outside this step (a later step's problems) are left for that step; the
        connection and permission problems always show.
        """

        keys = keys if keys is not None else self.error_keys
        kwargs = self.wizard.draft_kwargs()
        if name is not None:
            kwargs.update(name=name, require_name=True)
        try:
            self.spec = workflow_validate(user=self.request.user, install=self.install,
                                          workflow=self.workflow, **kwargs)
        except PermissionDenied as exc:
            return {"general": [str(exc)]}
        except WorkflowValidationError as exc:
            shown = set(keys) | {"salesforce", "smartsheet", "install", "__all__"}
            # Templates cannot read "__all__": general problems travel as "general".
            return {
                ("general" if k == "__all__" else k): list(v)
                for k, v in exc.errors.items() if k in shown and v
            }
        return {}
