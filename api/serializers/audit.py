"""Serializers of the audit log."""

from __future__ import annotations

from rest_framework import serializers

from audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(source="actor_id", allow_null=True, read_only=True,
                                     help_text="User id of who made the change (null once "
                                               "their account is deleted).")
    actor_name = serializers.CharField(read_only=True, help_text="Their name at the time.")
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    before = serializers.DictField(read_only=True, help_text="Changed values before "
                                                             "(secrets never: \"changed\").")
    after = serializers.DictField(read_only=True, help_text="Changed values after.")

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_name", "action", "action_label", "target_type",
                  "target_id", "target_label", "before", "after"]
        read_only_fields = fields
