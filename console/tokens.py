"""API tokens of the team's people: listed, revoked (never shown: only the digest is
stored, and the console shows the key's first characters)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import ApiToken
from accounts.tokens import api_token_revoke, api_tokens_visible_to
from console.display import EMPTY, badge, when
from core.admin import RoleAdminMixin


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdminMixin, admin.ModelAdmin):
    view_roles = ("is_system_admin",)
    change_roles = ()
    list_display = ("key", "label", "user", "created", "expires", "last_used", "state")
    list_filter = (("user", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    actions = ("revoke_tokens",)
    fields = ("key", "label", "user", "created", "expires", "last_used", "state")
    readonly_fields = fields

    def get_queryset(self, request):
        qs = api_tokens_visible_to(request.user)
        if not request.user.is_superuser:
            qs = qs.filter(user__is_superuser=False)  # theirs is the superuser's business
        return qs

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Token"), ordering="prefix")
    def key(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description=_("Name"), ordering="name")
    def label(self, obj):
        return obj.name or EMPTY

    @admin.display(description=_("Created"), ordering="created_at")
    def created(self, obj):
        return when(obj.created_at)

    @admin.display(description=_("Expires"), ordering="expires_at")
    def expires(self, obj):
        return when(obj.expires_at)

    @admin.display(description=_("Last used"), ordering="last_used_at")
    def last_used(self, obj):
        return when(obj.last_used_at)

    @admin.display(description=_("State"))
    def state(self, obj):
        if obj.revoked_at:
            return badge(_("Revoked"), "muted")
        return badge(_("Active"), "ok") if obj.is_active else badge(_("Expired"), "muted")

    @admin.action(description=_("Revoke"))
    def revoke_tokens(self, request, queryset):
        done = 0
        for token in queryset.select_related("user"):
            try:
                api_token_revoke(actor=request.user, token=token)
                done += 1
            except PermissionDenied as exc:
                self.message_user(request, f"{token}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.",
                                                done) % {"n": done}, messages.SUCCESS)
