"""Serializers of workflows and of the wizard's metadata (objects, fields, sheets, columns).

They check shapes only; every rule about fields, columns and permissions is in
``workflows.services`` (which answers with messages per field).
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from api.serializers.connector import VisibleInstallField
from workflows.models import ConflictPolicy, Direction, FilterOperator, MappingDirection, Workflow

CONFIG_FIELDS = ("mappings", "salesforce_filters", "smartsheet_filters", "row_groups")


class MappingSerializer(serializers.Serializer):
    salesforce_field = serializers.CharField(max_length=255)
    column = serializers.CharField(max_length=255, help_text="The column title.")
    new_column = serializers.BooleanField(default=False)
    direction = serializers.ChoiceField(
        choices=MappingDirection.choices, required=False,
        help_text="Defaults from the workflow's direction (read-only fields: to_smartsheet).")
    lookup_field = serializers.CharField(max_length=255, required=False, allow_blank=True,
                                         default="")
    column_id = serializers.IntegerField(read_only=True, allow_null=True)


class FilterValueField(serializers.Field):
    """A filter's value: text, or a JSON boolean or number, stored in the text form the
    filters keep (``true``/``false``, ``10``, ``2.5``)."""

    default_error_messages = {
        "invalid": gettext_lazy("Use text, a number or true/false."),
        "max_length": gettext_lazy("Use at most 4000 characters."),
        "not_finite": gettext_lazy("Use a finite number."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", "")
        kwargs.setdefault("help_text", "Text, a number or a boolean (checkbox filters).")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        if data is None:
            return ""
        if isinstance(data, bool):
            return "true" if data else "false"
        if isinstance(data, int):
            return str(data)
        if isinstance(data, float):
            if not math.isfinite(data):
                self.fail("not_finite")
            if abs(data) >= 1e16:
                return repr(data)
            return str(int(data)) if data.is_integer() else format(Decimal(repr(data)), "f")
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) > 4000:
            self.fail("max_length")
        return data

    def to_representation(self, value) -> str:
        return "" if value is None else str(value)


class SalesforceFilterSerializer(serializers.Serializer):
    field = serializers.CharField(max_length=255)
    operator = serializers.ChoiceField(choices=FilterOperator.choices)
    value = FilterValueField()


class SmartsheetFilterSerializer(serializers.Serializer):
    column = serializers.CharField(max_length=255, help_text="The column title.")
    operator = serializers.ChoiceField(choices=FilterOperator.choices)
    value = FilterValueField()


class RowGroupSerializer(serializers.Serializer):
    """One level: ``{"field": "Priority"}`` or ``{"value": "Escalations"}``."""

    field = serializers.CharField(max_length=255, required=False)
    value = serializers.CharField(max_length=255, required=False)

    def validate(self, attrs):
        if bool(attrs.get("field")) == bool(attrs.get("value")):
            raise serializers.ValidationError(_("Give either 'field' or 'value'."))
        return attrs

    def to_representation(self, instance):
        if getattr(instance, "field", "") or (isinstance(instance, dict) and instance.get("field")):
            return {"field": instance["field"] if isinstance(instance, dict) else instance.field}
        return {"value": instance["value"] if isinstance(instance, dict) else instance.value}


class WorkflowSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    install = VisibleInstallField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    sheet_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    new_sheet_name = serializers.CharField(write_only=True, required=False, allow_blank=True,
                                           max_length=50)
    conflict_policy = serializers.ChoiceField(choices=ConflictPolicy.choices,
                                              default=ConflictPolicy.SALESFORCE_WINS)
    polling_interval_minutes = serializers.IntegerField(required=False, allow_null=True,
                                                        min_value=1, max_value=1440)
    remove_rows_on_filter_exit = serializers.BooleanField(
        default=False, help_text="Remove a record's row when it leaves the Salesforce filter.")
    remove_rows_on_delete = serializers.BooleanField(
        default=False, help_text="Remove a record's row when it is deleted in Salesforce "
                                 "(off: the row is marked and kept).")
    allow_duplicates = serializers.BooleanField(
        default=False, help_text="Save records that the org's duplicate rules flag.")
    sheet_permalink = serializers.CharField(read_only=True,
                                            help_text="The sheet's address in Smartsheet.")
    mappings = MappingSerializer(many=True)
    salesforce_filters = SalesforceFilterSerializer(many=True, required=False, default=list)
    smartsheet_filters = SmartsheetFilterSerializer(many=True, required=False, default=list)
    row_groups = RowGroupSerializer(many=True, required=False, default=list)
    start_first_run = serializers.BooleanField(write_only=True, default=True)
    paused_reason = serializers.CharField(
        read_only=True, allow_null=True,
        help_text="Why the workflow does not sync although enabled (its owner is deactivated, "
                  "unlicensed or lacks the install's role), or null.")

    class Meta:
        model = Workflow
        fields = ["id", "name", "owner", "owner_username", "install", "direction", "sheet_id",
                  "sheet_name", "sheet_permalink", "new_sheet_name", "salesforce_object",
                  "enabled", "conflict_policy", "polling_interval_minutes",
                  "remove_rows_on_filter_exit", "remove_rows_on_delete", "allow_duplicates",
                  "mappings",
                  "salesforce_filters", "smartsheet_filters", "row_groups", "start_first_run",
                  "paused_reason", "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "sheet_name", "sheet_permalink", "created_at",
                            "updated_at"]

    @property
    def _readable_fields(self):
        # The configuration is written out below from the model rows (one query each with
        # prefetching); the nested serializers describe the shape for input and schema.
        for f in super()._readable_fields:
            if f.field_name not in CONFIG_FIELDS:
                yield f

    def to_representation(self, instance: Workflow) -> dict:
        data = super().to_representation(instance)
        filters = list(instance.filters.all())
        data["mappings"] = [
            {"salesforce_field": m.salesforce_field, "column": m.column_title,
             "new_column": m.new_column, "direction": m.direction,
             "lookup_field": m.lookup_field, "column_id": m.column_id}
            for m in instance.mappings.all()
        ]
        data["salesforce_filters"] = [
            {"field": f.field, "operator": f.operator, "value": f.value}
            for f in filters if f.side == "salesforce"
        ]
        data["smartsheet_filters"] = [
            {"column": f.field, "operator": f.operator, "value": f.value}
            for f in filters if f.side == "smartsheet"
        ]
        data["row_groups"] = [
            {"field": g.field} if g.field else {"value": g.value}
            for g in instance.row_groups.all()
        ]
        return data


class WorkflowUpdateSerializer(serializers.Serializer):
    """PATCH: what may change. Sheet, object and direction are accepted only to say no."""

    name = serializers.CharField(max_length=200, required=False)
    enabled = serializers.BooleanField(required=False)
    conflict_policy = serializers.ChoiceField(choices=ConflictPolicy.choices, required=False)
    polling_interval_minutes = serializers.IntegerField(required=False, allow_null=True,
                                                        min_value=1, max_value=1440)
    remove_rows_on_filter_exit = serializers.BooleanField(required=False)
    remove_rows_on_delete = serializers.BooleanField(required=False)
    allow_duplicates = serializers.BooleanField(required=False)
    mappings = MappingSerializer(many=True, required=False)
    salesforce_filters = SalesforceFilterSerializer(many=True, required=False)
    smartsheet_filters = SmartsheetFilterSerializer(many=True, required=False)
    row_groups = RowGroupSerializer(many=True, required=False)
    direction = serializers.CharField(required=False, help_text="Cannot change: 400.")
    sheet_id = serializers.IntegerField(required=False, allow_null=True,
                                        help_text="Cannot change: 400.")
    salesforce_object = serializers.CharField(required=False, help_text="Cannot change: 400.")


class SalesforceObjectSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    createable = serializers.BooleanField()
    updateable = serializers.BooleanField()


class PicklistValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField(allow_null=True)
    active = serializers.BooleanField()


class SalesforceFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    updateable = serializers.BooleanField()
    createable = serializers.BooleanField()
    nillable = serializers.BooleanField()
    reference_to = serializers.ListField(child=serializers.CharField())
    relationship_name = serializers.CharField(allow_null=True)
    picklist_values = PicklistValueSerializer(many=True)
    read_only_reason = serializers.CharField(
        help_text="Why the field can only flow to Smartsheet; empty when it can be written.")
    filter_operators = serializers.ListField(child=serializers.CharField())


class SheetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    access_level = serializers.CharField(allow_null=True)


class ColumnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    type = serializers.CharField()
    primary = serializers.BooleanField()
    filter_operators = serializers.ListField(child=serializers.CharField())


class OrganizationWorkflowSerializer(serializers.ModelSerializer):
    """A workflow as the organisation-wide list shows it to everyone on the team: who owns
    it, what it syncs, whether it runs — nothing about its errors, values or settings."""

    owner = serializers.CharField(source="owner.display_name", read_only=True)
    install = serializers.CharField(source="install.name", read_only=True)
    status = serializers.SerializerMethodField()
    last_run_status = serializers.CharField(read_only=True, allow_null=True)
    last_run_at = serializers.DateTimeField(source="last_run_queued_at", read_only=True,
                                            allow_null=True)

    class Meta:
        model = Workflow
        fields = ["id", "name", "owner", "install", "sheet_name", "salesforce_object",
                  "direction", "status", "last_run_status", "last_run_at"]
        read_only_fields = fields

    def get_status(self, workflow: Workflow) -> str:
        """``enabled``, ``disabled`` or ``paused`` (its owner's account, licence or role)."""
        if not workflow.enabled:
            return "disabled"
        return "paused" if workflow.paused_reason else "enabled"


class WorkflowTransferSerializer(serializers.Serializer):
    owner = serializers.IntegerField(
        min_value=1, help_text="User id of the new owner: an active, licensed member of the "
                               "workflow's team with Salesforce and Smartsheet connections "
                               "on its install.")
