"""People: licences and roles (one by one and in bulk), deactivation, and for each person
their workflows, connections, API tokens and last sign-in.

What the console offers follows ``accounts.services``: System Admins change every flag
of their team's people, Connector Admins the connector-user flags only; the services
check it again.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import Team, User
from accounts.selectors import users_role_managed_by
from accounts.services import (
    ROLE_FLAGS,
    flags_grantable_by,
    flags_grantable_in_team,
    user_can_manage,
    user_set_active,
    user_update_roles,
)
from console.display import EMPTY, badge, grid, when
from console.overview import workflow_state
from core.admin import RoleAdminMixin

FLAG_LABELS = {
    "system_admin": gettext_lazy("System Admin"),
    "connector_admin": gettext_lazy("Connector Admin"),
    "licensed": gettext_lazy("licence"),
    "salesforce_user": gettext_lazy("Salesforce user role"),
    "service_cloud_user": gettext_lazy("Service Cloud user role"),
}


def _flag_action(flag: str, value: bool):
    """An admin action setting ``flag`` to ``value`` on the selected people, each
    through ``user_update_roles``."""
    word = FLAG_LABELS[flag]

    def action(modeladmin, request, queryset):
        done = 0
        for person in queryset:
            try:
                user_update_roles(actor=request.user, user=person, **{flag: value})
                done += 1
            except PermissionDenied as exc:
                modeladmin.message_user(request, f"{person.display_name}: {exc}",
                                        messages.ERROR)
        if done:
            modeladmin.message_user(request, ngettext(
                "%(n)d person updated.", "%(n)d people updated.", done) % {"n": done},
                messages.SUCCESS)

    action.__name__ = f"{'grant' if value else 'revoke'}_{flag}"

    def describe() -> str:
        # Worded when the list is shown, in its viewer's language (not at import).
        if flag in ("system_admin", "connector_admin"):
            return (_("Make %(role)s") if value else _("Remove %(role)s")) % {"role": word}
        return (_("Give the %(role)s") if value else _("Take away the %(role)s")) % {
            "role": word}

    return admin.action(description=lazy(describe, str)())(action)


@admin.register(User)
class UserAdmin(RoleAdminMixin, DjangoUserAdmin):
    team_path = "team_id"
    allow_add = True
    view_roles = ("is_system_admin", "is_connector_admin")
    change_roles = ("is_system_admin", "is_connector_admin")
    list_display = ("person", "admin_roles", "licensed", "salesforce_user",
                    "service_cloud_user", "workflows_count", "last_sign_in", "is_active")
    list_filter = ("is_active", "licensed", "salesforce_user", "service_cloud_user",
                   "system_admin", "connector_admin")
    list_select_related = ("team",)
    search_fields = ("username", "email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("Person"), {"fields": ("first_name", "last_name", "email", "team")}),
        (gettext_lazy("Roles and licence"), {"fields": (
            "system_admin", "connector_admin", "licensed", "salesforce_user",
            "service_cloud_user", "is_active")}),
        (gettext_lazy("Activity"), {"fields": ("last_sign_in", "joined", "workflows_list",
                                               "connections_list", "tokens_list")}),
    )
    readonly_fields = ("last_sign_in", "joined", "workflows_list", "connections_list",
                       "tokens_list")

    def get_queryset(self, request):
        qs = (super().get_queryset(request) if request.user.is_superuser
              else users_role_managed_by(request.user))
        return qs.annotate(workflows_total=Count("workflows", distinct=True))

    def get_list_display(self, request):
        if request.user.is_system_admin:
            return self.list_display
        # A Connector Admin does not open the workflows list: the count, without a link.
        return tuple("workflows_number" if f == "workflows_count" else f
                     for f in self.list_display)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.title = _("People of the team")
        return changelist

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "is_active" in form.base_fields:
            form.base_fields["is_active"].help_text = _(
                "Uncheck to deactivate: they can no longer sign in, their API tokens end and "
                "their workflows pause until they are reactivated or their workflows are "
                "transferred.")
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, {
            "show_save_and_add_another": False, **(extra_context or {})})

    def get_list_filter(self, request):
        extra = (("team", admin.RelatedOnlyFieldListFilter),) if request.user.is_superuser else ()
        return (*self.list_filter, *extra)

    # -- what the viewer may change ------------------------------------------------------
    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_system_admin

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request, obj)
        return bool(flags_grantable_by(actor=request.user, user=obj))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return fields
        if not user_can_manage(actor=request.user, user=obj):
            # A Connector Admin sets the connector-user flags, nothing else.
            allowed = flags_grantable_by(actor=request.user, user=obj)
            fields += [f for f in ("username", "first_name", "last_name", "email", "team",
                                   "is_active", *ROLE_FLAGS) if f not in allowed]
            return fields
        if not request.user.is_superuser:
            fields.append("team")  # a team admin never moves people to other teams
            if obj.pk == request.user.pk:
                fields += ["system_admin", "is_active"]  # nor drops their own role
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not user_can_manage(actor=request.user, user=obj):
            # A Connector Admin sees what they may set, and who is connected to what.
            hidden = {"password", "workflows_list", "tokens_list"}
            fieldsets = [(name, {**opts, "fields": tuple(
                f for f in opts["fields"] if f not in hidden)}) for name, opts in fieldsets]
        return fieldsets

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        allowed = flags_grantable_in_team(actor=request.user)
        for name in list(actions):
            flag = name.split("_", 1)[1] if name.startswith(("grant_", "revoke_")) else None
            if flag is not None and flag not in allowed:
                del actions[name]
        if not request.user.is_system_admin:
            actions.pop("deactivate_people", None)
            actions.pop("reactivate_people", None)
        return actions

    def user_change_password(self, request, id, form_url=""):
        person = self.get_object(request, id)
        if person is not None and not user_can_manage(actor=request.user, user=person):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and not change:
            obj.team_id = request.user.team_id
        if change:
            # Roles, licences and deactivation go through the services: their checks
            # and the audit log.
            current = User.objects.get(pk=obj.pk)
            flags = {k: form.cleaned_data[k] for k in ROLE_FLAGS
                     if k in form.changed_data and k in form.cleaned_data}
            if flags:
                current = user_update_roles(actor=request.user, user=current, **flags)
            if "is_active" in form.changed_data and "is_active" in form.cleaned_data:
                user_set_active(actor=request.user, user=current,
                                active=form.cleaned_data["is_active"])
        super().save_model(request, obj, form, change)

    # -- columns ----------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("Person"), ordering="first_name")
    def person(self, obj):
        return format_html('{}<div class="sf-sub">{} · {}</div>', obj.display_name,
                           obj.username, obj.email or EMPTY)

    @admin.display(description=gettext_lazy("Admin roles"))
    def admin_roles(self, obj):
        roles = [badge(_("Superuser"), "info")] if obj.is_superuser else []
        if obj.system_admin:
            roles.append(badge(FLAG_LABELS["system_admin"], "info"))
        if obj.connector_admin:
            roles.append(badge(FLAG_LABELS["connector_admin"], "info"))
        return format_html(" ".join(["{}"] * len(roles)), *roles) if roles else EMPTY

    @admin.display(description=gettext_lazy("Workflows"), ordering="workflows_total")
    def workflows_count(self, obj):
        if not obj.workflows_total:
            return "0"
        url = reverse("admin:workflows_workflow_changelist") + f"?owner__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.workflows_total)

    @admin.display(description=gettext_lazy("Workflows"), ordering="workflows_total")
    def workflows_number(self, obj):
        return obj.workflows_total

    @admin.display(description=gettext_lazy("Joined"), ordering="date_joined")
    def joined(self, obj):
        return when(obj.date_joined)

    @admin.display(description=gettext_lazy("Last sign-in"), ordering="last_login")
    def last_sign_in(self, obj):
        return when(obj.last_login) if obj.last_login else _("never")

    @admin.display(description=gettext_lazy("Workflows"))
    def workflows_list(self, obj):
        workflows = list(obj.workflows.select_related("install", "owner").order_by("name"))
        rows = []
        for w in workflows:
            state, reason = workflow_state(w)
            rows.append((format_html('<a href="{}">{}</a>', reverse(
                "admin:workflows_workflow_change", args=[w.pk]), w.name), w.install.name,
                reason or {"syncing": _("Enabled"), "disabled": _("Disabled")}.get(state)))
        table = grid([_("Workflow"), _("Install"), _("State")], rows, empty=_("None."))
        if workflows:  # shown to System Admins only (get_fieldsets)
            link = reverse("admin:workflows_workflow_transfer") + f"?owner={obj.pk}"
            return format_html('{}<p><a class="button" href="{}">{}</a></p>', table, link,
                               _("Transfer all their workflows…"))
        return table

    @admin.display(description=gettext_lazy("Connections"))
    def connections_list(self, obj):
        rows = [(c.get_service_display(), c.install.name, c.identity or EMPTY,
                 badge(_("Sign-in refused"), "bad") if c.revoked_at else badge(_("Connected"),
                                                                                 "ok"),
                 when(c.updated_at))
                for c in obj.connections.select_related("install").order_by("install__name",
                                                                           "service")]
        return grid([_("Service"), _("Install"), _("Signed in as"), _("State"), _("Updated")],
                    rows, empty=_("Not connected."))

    @admin.display(description=gettext_lazy("API tokens"))
    def tokens_list(self, obj):
        tokens = list(obj.api_tokens.all()[:20])
        rows = [(f"{t.prefix}…", t.name or EMPTY, when(t.created_at), when(t.expires_at),
                 when(t.last_used_at),
                 badge(_("Active"), "ok") if t.is_active else badge(_("Ended"), "muted"))
                for t in tokens]
        table = grid([_("Token"), _("Name"), _("Created"), _("Expires"), _("Last used"),
                      _("State")], rows, empty=_("None."))
        if tokens:  # shown to System Admins only (get_fieldsets)
            url = reverse("admin:accounts_apitoken_changelist") + f"?user__id__exact={obj.pk}"
            return format_html('{}<p><a href="{}">{}</a></p>', table, url, _("Revoke tokens…"))
        return table

    # -- actions ----------------------------------------------------------------------------
    actions = tuple(_flag_action(flag, value)
                    for flag in ("licensed", "salesforce_user", "service_cloud_user",
                                 "system_admin", "connector_admin")
                    for value in (True, False))

    def _set_active(self, request, queryset, active: bool) -> None:
        done = 0
        for person in queryset:
            try:
                user_set_active(actor=request.user, user=person, active=active)
                done += 1
            except PermissionDenied as exc:
                self.message_user(request, f"{person.display_name}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, ngettext(
                "%(n)d person updated.", "%(n)d people updated.", done) % {"n": done},
                messages.SUCCESS)

    @admin.action(description=gettext_lazy("Deactivate (their workflows pause)"))
    def deactivate_people(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description=gettext_lazy("Reactivate"))
    def reactivate_people(self, request, queryset):
        self._set_active(request, queryset, True)


UserAdmin.actions = (*UserAdmin.actions, "deactivate_people", "reactivate_people")


@admin.register(Team)
class TeamAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = ()
    change_roles = ()  # superusers only (RoleAdminMixin lets superusers through get_queryset)
    list_display = ("name", "created_at")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser
