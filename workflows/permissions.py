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

from connector.models import InstallKind, InstallStatus

if TYPE_CHECKING:
    from accounts.models import User
    from connector.models import Install
    from workflows.models import Workflow

__all__ = [
    "PermissionDenied",
    "system_admin_of",
    "user_can_create_workflows",
    "user_can_delete_workflow",
    "user_can_edit_workflow",
    "user_can_see_install",
    "user_can_set_enabled",
    "user_can_view_workflow",
    "user_is_team_admin_of",
]


def system_admin_of(user: User) -> User | None:
    """The System Admin a user should ask for help (same team; oldest account first)."""
    from accounts.models import User as UserModel

    if user.team_id is None:
        return None
    return (
        UserModel.objects.filter(team_id=user.team_id, system_admin=True, is_active=True)
        .exclude(pk=user.pk)
        .order_by("date_joined", "pk")
        .first()
    )


def _ask_admin(user: User, what: str) -> str:
    admin = system_admin_of(user)
    if admin is None:
        return f"Ask your System Admin to {what}."
    return f"Ask your System Admin, {admin.display_name}, to {what}."


def user_can_see_install(*, user: User, install: Install) -> bool:
    """Users of the install's team see it; superusers see every install."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return install.team_id is not None and install.team_id == user.team_id


def user_can_create_workflows(*, user: User, install: Install) -> tuple[bool, str]:
    """Whether ``user`` may create workflows on ``install``, and if not, why and whom to ask.

    The message is shown as is in the web UI and in API errors.
    """
    if not user.is_authenticated or not user.is_active:
        return False, "Sign in to create workflows."
    if not user_can_see_install(user=user, install=install):
        return False, (
            f"The install '{install.name}' belongs to another team. "
            + _ask_admin(user, "add you to its team")
        )
    if install.status == InstallStatus.DISABLED:
        return False, (
            f"The install '{install.name}' is disabled. Ask a Connector Admin to enable it."
        )
    if not user.is_licensed:
        return False, (
            "You need a licence to create workflows. " + _ask_admin(user, "give you a licence")
        )
    if install.restrict_users:
        if install.kind == InstallKind.SERVICE_CLOUD and not user.is_service_cloud_user:
            return False, (
                f"The install '{install.name}' is restricted to Service Cloud users. "
                + _ask_admin(user, "give you the Service Cloud user role")
            )
        if install.kind == InstallKind.SALESFORCE and not user.is_salesforce_user:
            return False, (
                f"The install '{install.name}' is restricted to Salesforce users. "
                + _ask_admin(user, "give you the Salesforce user role")
            )
    return True, ""


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


def user_can_edit_workflow(*, user: User, workflow: Workflow) -> bool:
    """Only the owner edits mappings, filters, groups and settings."""
    return user.is_authenticated and user.is_active and workflow.owner_id == user.pk


def user_can_set_enabled(*, user: User, workflow: Workflow) -> bool:
    """The owner, or a System Admin of the team (admins can disable any workflow)."""
    return user_can_edit_workflow(user=user, workflow=workflow) or user_is_team_admin_of(
        user=user, workflow=workflow
    )


def user_can_delete_workflow(*, user: User, workflow: Workflow) -> bool:
    return user_can_set_enabled(user=user, workflow=workflow)
