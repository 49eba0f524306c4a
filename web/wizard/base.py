"""The step view base class: preconditions, the session draft, whole-draft validation,
and the one way every POST ends — a redirect.

A step's POST stores what was entered (rows being added and values not valid yet too),
then, unless it only added or removed a row, validates the **whole** draft: each problem
goes to the step that shows it, and the user goes on to the next step — or back to the
first step that needs attention, with a message. The step bar's steps are buttons of the
current step's form (``goto:<step>``): leaving a step that way keeps its edits.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from connector.clients import ClientError
from connector.models import Install
from connector.selectors import installs_visible_to
from connector.services import ConnectionMissing
from web.views.workflows import get_visible_workflow
from web.wizard.metadata import WizardMetadata
from web.wizard.rows import row_action
from web.wizard.session import ERROR_STEPS, STEP_LABELS, WizardSession
from workflows.services import WorkflowValidationError, workflow_validate
from workflows.spec import WorkflowSpec

log = logging.getLogger(__name__)

STEP_URL_NAMES = {step: f"wizard_{step}" for step in STEP_LABELS}
#: Actions that only change the rows on the page: stored, not validated.
ROW_ACTIONS = frozenset({"add", "remove", "add_sf", "remove_sf", "add_ss", "remove_ss",
                         "load"})


class WizardStepView(View):
    """One wizard step: ``read_form`` and ``store`` in subclasses, the rest here."""

    step: str = ""
    template_name: str = ""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.wizard = WizardSession(request)
        posted_draft = request.POST.get("draft") if request.method == "POST" else None
        if not self.wizard.active:
            if posted_draft and self.wizard.saved_draft(posted_draft) is not None:
                return redirect("dashboard")  # "Save" pressed twice: it is saved
            messages.info(request, _("Start a new workflow or edit one from the dashboard."))
            return redirect("dashboard")
        if posted_draft is not None and posted_draft != self.wizard.draft_id:
            messages.warning(request, _(
                "That page belonged to an earlier wizard draft (another tab started a new "
                "one). Nothing was taken from it; this is the current draft."))
            return redirect(STEP_URL_NAMES[self.step])
        if self.step not in self.wizard.steps:
            # A step this direction has no use for (row groups of a to-Salesforce one).
            return redirect(STEP_URL_NAMES[self.next_step(self.step)])
        for needed in self.wizard.steps[: self.wizard.steps.index(self.step)]:
            if not self.wizard.is_done(needed):
                if self.wizard.errors(needed):
                    messages.error(request, _("The “%(step)s” step needs attention first.")
                                   % {"step": STEP_LABELS[needed]})
                else:
                    messages.info(request, _("Complete the “%(step)s” step first.")
                                  % {"step": STEP_LABELS[needed]})
                return redirect(STEP_URL_NAMES[needed])
        settings = self.wizard.settings
        if self.step != "settings" and not (settings.get("direction")
                                            and settings.get("salesforce_object")):
            # Settings marked done without their values (a session from before a change
            # of install): never render a step on half of them.
            self.wizard.undo("settings")
            return redirect(STEP_URL_NAMES["settings"])
        self.workflow = None
        if self.wizard.is_edit:
            # Ownership is checked on every step: a workflow handed over meanwhile is a 404.
            self.workflow = get_visible_workflow(request, self.wizard.workflow_id, for_edit=True)
        self.install = self._install()
        self.meta = WizardMetadata(user=request.user, install=self.install) if self.install else None
        try:
            return super().dispatch(request, *args, **kwargs)
        except (ConnectionMissing, ClientError) as exc:
            if request.method == "POST":
                # What was entered is stored; the page says what is wrong (a reload of it
                # must not post again).
                messages.error(request, exc.message)
                return redirect(STEP_URL_NAMES[self.step])
            connect = isinstance(exc, ConnectionMissing) or exc.kind in ("auth", "revoked")
            message = exc.message + ("." if isinstance(exc, ConnectionMissing) else "")
            return self.unavailable(message, connect=connect)

    def _install(self) -> Install | None:
        install_id = self.wizard.settings.get("install_id")
        if not install_id:
            return None
        install = installs_visible_to(self.request.user).filter(pk=install_id).first()
        if install is None:
            raise Http404(_("No such install."))
        return install

    # --- the steps' order ---------------------------------------------------------------
    def next_step(self, step: str) -> str:
        from web.wizard.session import STEPS

        later = [s for s in STEPS[STEPS.index(step) + 1:] if s in self.wizard.steps]
        return later[0] if later else "save"

    def previous_step(self, step: str) -> str:
        steps = self.wizard.steps
        index = steps.index(step)
        return steps[index - 1] if index > 0 else steps[0]

    # --- POST ---------------------------------------------------------------------------
    def post(self, request: HttpRequest) -> HttpResponse:
        action, index = row_action(request.POST)
        values = self.read_form(request.POST)
        values = self.row_change(values, action, index)
        self.store(values)
        if action in ROW_ACTIONS:
            # Row numbers moved: this step's problems are stale until it is validated.
            errors = {s: self.wizard.errors(s) for s in self.wizard.steps}
            errors[self.step] = {}
            self.wizard.set_errors(errors)
            return redirect(STEP_URL_NAMES[self.step])
        return self.advance(action)

    def read_form(self, data) -> dict:
        """The values the step's form posted, as the step keeps them."""
        return {}

    def row_change(self, values: dict, action: str, index: int | None) -> dict:
        """Add or remove a row of ``values`` (steps with rows)."""
        return values

    def store(self, values: dict) -> None:
        """Write ``values`` into the draft (and the form kept for the page)."""

    def advance(self, action: str) -> HttpResponse:
        """Validate the whole draft; go where ``action`` asks or to what needs attention."""
        self.validate_all()
        target = self.step
        if action == "back":
            target = self.previous_step(self.step)
        elif action.startswith("goto:"):
            wanted = action.partition(":")[2]
            target = wanted if wanted in self.wizard.steps else self.step
        first_bad = self.first_step_with_errors()
        if action in ("next", "save") or action == "":
            if first_bad is not None and self.wizard.steps.index(first_bad) <= \
                    self.wizard.steps.index(self.step):
                if first_bad != self.step:
                    messages.error(self.request, _(
                        "The “%(step)s” step needs attention first.")
                        % {"step": STEP_LABELS[first_bad]})
                return redirect(STEP_URL_NAMES[first_bad])
            self.wizard.complete(self.step)
            self.wizard.keep_form(self.step, None)
            target = self.next_step(self.step)
        elif not self.wizard.errors(self.step):
            self.wizard.keep_form(self.step, None)
        return redirect(STEP_URL_NAMES[target])

    # --- validation ---------------------------------------------------------------------
    def validate_all(self, *, name: str | None = None) -> WorkflowSpec | None:
        """Validate the whole draft: store each step's problems; the spec when valid."""
        kwargs = self.wizard.draft_kwargs()
        if name is not None:
            kwargs.update(name=name, require_name=True)
        by_step: dict[str, dict[str, list[str]]] = {s: {} for s in self.wizard.steps}
        spec = None
        try:
            spec = workflow_validate(user=self.request.user, install=self.install,
                                     workflow=self.workflow, **kwargs)
        except PermissionDenied as exc:
            by_step["settings"] = {"general": [str(exc)]}
        except WorkflowValidationError as exc:
            for key, found in exc.errors.items():
                key = "general" if key == "__all__" else key
                step = ERROR_STEPS.get(key, "settings")
                if step not in by_step:
                    step = "settings"
                by_step[step].setdefault(key, []).extend(found)
        # A step the user has not reached yet is not "in need of attention" (an empty
        # draft has no mappings): its problems show when it is posted.
        reached = set(self.wizard.steps[: self.wizard.steps.index(self.step) + 1])
        self.wizard.set_errors({s: (e if s in reached or self.wizard.is_done(s) else {})
                                for s, e in by_step.items()})
        return spec

    def first_step_with_errors(self) -> str | None:
        return next((s for s in self.wizard.steps if self.wizard.errors(s)), None)

    # --- rendering ----------------------------------------------------------------------
    def steps_nav(self, *, with_form: bool = True) -> list[dict]:
        nav = []
        steps = self.wizard.steps
        for n, step in enumerate(steps, start=1):
            reachable = all(self.wizard.is_done(s) for s in steps[: steps.index(step)])
            nav.append({
                "step": step, "number": n, "label": STEP_LABELS[step],
                "current": step == self.step, "done": self.wizard.is_done(step),
                "attention": bool(self.wizard.errors(step)), "reachable": reachable,
                "url": reverse(STEP_URL_NAMES[step]) if reachable else "",
                "button": with_form and reachable and step != self.step,
            })
        return nav

    def render_step(self, context: dict) -> HttpResponse:
        settings = self.wizard.settings
        base = {
            "wizard": self.wizard, "steps": self.steps_nav(), "step": self.step,
            "install": self.install, "settings": settings, "workflow": self.workflow,
            "is_edit": self.wizard.is_edit, "errors": self.wizard.errors(self.step),
            "sheet_label": sheet_label(settings), "object_label": settings.get(
                "salesforce_object_label") or settings.get("salesforce_object") or "",
            "next_label": STEP_LABELS[self.next_step(self.step)] if self.step != "save" else "",
            "direction": settings.get("direction") or "",
            "default_action": self.default_action(),
        }
        return render(self.request, self.template_name, {**base, **context})

    def default_action(self) -> str:
        """What Enter in a text field of this step does (its primary button's action)."""
        return "save" if self.step == "save" else (
            "load" if self.step == "settings" and not self.install else "next")

    def unavailable(self, message: str, *, connect: bool) -> HttpResponse:
        return render(self.request, "web/wizard/unavailable.html", {
            "message": message, "connect": connect, "steps": self.steps_nav(with_form=False),
            "wizard": self.wizard, "step": self.step, "is_edit": self.wizard.is_edit,
            "workflow": getattr(self, "workflow", None),
        })


def sheet_label(settings: dict) -> str:
    """How the draft's sheet is named on every page (never "None")."""
    if settings.get("new_sheet_name"):
        return _("the new sheet “%(name)s”") % {"name": settings["new_sheet_name"]}
    if settings.get("sheet_name"):
        return f"“{settings['sheet_name']}”"
    if settings.get("sheet_id"):
        return _("sheet %(id)s") % {"id": settings["sheet_id"]}
    return ""
