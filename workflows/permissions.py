"""Who may do what with workflows (shared by the services, the REST API and the web UI).

Rules:

- Creating a workflow needs a licence, membership of the install's team and, when the
  install restricts users, the Salesforce user role (install kind ``salesforce``) or the
  Service Cloud user role (kind ``service_cloud``).
- The owner sees, edits, renames, enables/disables and deletes a workflow.
- A System Admin (superusers count) sees every workflow of the team and may disable,
  enable and delete any of them, but never edits another person's mappings.

These functions answer questions; the services raise :class:`PermissionDenied` (or
``Workflow.DoesNotExist`` where hiding existence matters) when the answer is no.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.selectors import system_admins_of_team
from connector.models import InstallKind, InstallStatus
from connector.selectors import installs_visible_to

if TYPE_CHECKING:
    from accounts.models import User
    from connector.models import Install
    from workflows.models import Workflow

__all__ = [
    "PermissionDenied",
    "user_can_create_workflows",
    "user_can_delete_workflow",
    "user_can_edit_workflow",
    "user_owns_workflow",
    "user_can_set_enabled",
    "user_can_transfer_workflow",
    "user_can_view_workflow",
    "owner_pause_reason",
    "runnable_owner_q",
    "user_is_team_admin_of",
]


def _ask_admin(user: User, what: str) -> str:
    """"Ask your System Admin (by name when there is one) to ``what``": ``what`` is a
    translated infinitive phrase ("give you a licence")."""
    admin = system_admins_of_team(team_id=user.team_id).exclude(pk=user.pk).first()
    if admin is None:
        # Translators: %(what)s is an infinitive phrase, e.g. "give you a licence".
        return _("Ask your System Admin to %(what)s.") % {"what": what}
    # Translators: %(what)s is an infinitive phrase, e.g. "give you a licence".
    return _("Ask your System Admin, %(admin)s, to %(what)s.") % {
        "admin": admin.display_name, "what": what}


def user_can_create_workflows(*, user: User, install: Install) -> tuple[bool, str]:
    """Whether ``user`` may create workflows on ``install``, and if not, why and whom to ask.

    The message is shown as is in the web UI and in API errors.
    """
    if not user.is_authenticated or not user.is_active:
        return False, _("Sign in to create workflows.")
    if not installs_visible_to(user).filter(pk=install.pk).exists():
        return False, (
            _("The install '%(install)s' belongs to another team.") % {"install": install.name}
            + " " + _ask_admin(user, _("add you to its team"))
        )
    if install.status == InstallStatus.DISABLED:
        return False, _(
            "The install '%(install)s' is disabled. Ask a Connector Admin to enable it."
        ) % {"install": install.name}
    if not user.is_licensed:
        return False, (
            _("You need a licence to create workflows.") + " "
            + _ask_admin(user, _("give you a licence"))
        )
    if install.restrict_users:
        if install.kind == InstallKind.SERVICE_CLOUD and not user.is_service_cloud_user:
            return False, (
                _("The install '%(install)s' is restricted to Service Cloud users.")
                % {"install": install.name}
                + " " + _ask_admin(user, _("give you the Service Cloud user role"))
            )
        if install.kind == InstallKind.SALESFORCE and not user.is_salesforce_user:
            return False, (
                _("The install '%(install)s' is restricted to Salesforce users.")
                % {"install": install.name}
                + " " + _ask_admin(user, _("give you the Salesforce user role"))
            )
    return True, ""


def owner_pause_reason(*, owner: User, install: Install) -> str | None:
    """Why a workflow of ``owner`` on ``install`` may not sync now, or None.

    A workflow acts through its owner's connections, so it syncs only while the owner
    may: an active account with a licence and, on an install that restricts users, the
    role the install requires. Computed from the owner as they are now: restoring the
    owner resumes the workflow. :func:`runnable_owner_q` is the same rule as a query.
    """
    if not owner.is_active:
        return _("Paused: its owner's account is deactivated.")
    if owner.is_superuser:
        return None
    if not owner.licensed:
        return _("Paused: its owner has no licence.")
    if install.restrict_users:
        if install.kind == InstallKind.SERVICE_CLOUD and not owner.service_cloud_user:
            return _("Paused: its owner lacks the Service Cloud user role this install requires.")
        if install.kind == InstallKind.SALESFORCE and not owner.salesforce_user:
            return _("Paused: its owner lacks the Salesforce user role this install requires.")
    return None


def runnable_owner_q() -> Q:
    """Workflows whose owner lets them sync (:func:`owner_pause_reason` is None), as a
    filter on ``Workflow``."""
    role = (Q(install__restrict_users=False)
            | Q(install__kind=InstallKind.SALESFORCE, owner__salesforce_user=True)
            | Q(install__kind=InstallKind.SERVICE_CLOUD, owner__service_cloud_user=True))
    return Q(owner__is_active=True) & (Q(owner__is_superuser=True)
                                       | (Q(owner__licensed=True) & role))


def user_is_team_admin_of(*, user: User, workflow: Workflow) -> bool:
    """A System or Connector Admin of the owner's team (superusers: every team).

    Admins see every team member's workflows and can disable (or delete) any of them;
    only the owner edits.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not (user.system_admin or user.connector_admin) or user.team_id is None:
        return False
    return workflow.owner.team_id == user.team_id


def user_can_view_workflow(*, user: User, workflow: Workflow) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return workflow.owner_id == user.pk or user_is_team_admin_of(user=user, workflow=workflow)


def user_owns_workflow(*, user: User, workflow: Workflow) -> bool:
    return user.is_authenticated and user.is_active and workflow.owner_id == user.pk


def user_can_edit_workflow(*, user: User, workflow: Workflow) -> bool:
    """Only the owner edits mappings, filters, groups and settings, and only while they may
    create workflows on its install (a licence; the install's role when it restricts
    users): the documentation's rule for creating *or editing*. An owner who lost that
    still disables and deletes their workflow."""
    return (user_owns_workflow(user=user, workflow=workflow)
            and owner_pause_reason(owner=user, install=workflow.install) is None)


def user_can_set_enabled(*, user: User, workflow: Workflow) -> bool:
    """The owner, or a System Admin of the team (admins can disable any workflow)."""
    return user_owns_workflow(user=user, workflow=workflow) or user_is_team_admin_of(
        user=user, workflow=workflow
    )


def user_can_delete_workflow(*, user: User, workflow: Workflow) -> bool:
    return user_can_set_enabled(user=user, workflow=workflow)


def user_can_transfer_workflow(*, user: User, workflow: Workflow) -> bool:
    """A System Admin of the owner's team (superusers: any) hands a workflow to another
    member, e.g. when its owner leaves."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.system_admin and user.team_id is not None
                and workflow.owner.team_id == user.team_id)
