"""Serializers of runs, their errors and conflicts, and the workflow with its last run."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from runs.models import Conflict, Run, RunError
from workflows.api.serializers import WorkflowSerializer


class RunCountsSerializer(serializers.Serializer):
    records_read = serializers.IntegerField()
    rows_read = serializers.IntegerField()
    rows_added = serializers.IntegerField()
    rows_updated = serializers.IntegerField()
    rows_moved = serializers.IntegerField()
    rows_removed = serializers.IntegerField()
    records_created = serializers.IntegerField()
    records_updated = serializers.IntegerField()
    conflicts = serializers.IntegerField()
    errors = serializers.IntegerField()


class ApiCallsSerializer(serializers.Serializer):
    salesforce = serializers.IntegerField()
    smartsheet = serializers.IntegerField()


class RunSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()
    api_calls = serializers.SerializerMethodField()
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Run
        fields = ["id", "workflow", "trigger", "status", "phase", "full", "queued_at",
                  "started_at", "finished_at", "duration_seconds", "counts", "api_calls",
                  "salesforce_api_usage", "message"]
        read_only_fields = fields

    @extend_schema_field(RunCountsSerializer)
    def get_counts(self, run: Run) -> dict:
        return {
            "records_read": run.records_read, "rows_read": run.rows_read,
            "rows_added": run.rows_added, "rows_updated": run.rows_updated,
            "rows_moved": run.rows_moved, "rows_removed": run.rows_removed,
            "records_created": run.records_created, "records_updated": run.records_updated,
            "conflicts": run.conflicts_count, "errors": run.errors_count,
        }

    @extend_schema_field(ApiCallsSerializer)
    def get_api_calls(self, run: Run) -> dict:
        return {"salesforce": run.salesforce_calls, "smartsheet": run.smartsheet_calls}


class RunErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = RunError
        fields = ["id", "row_id", "row_number", "record_id", "field", "message", "code",
                  "culprit", "created_at"]
        read_only_fields = fields


class ConflictSerializer(serializers.ModelSerializer):
    salesforce_value = serializers.JSONField(allow_null=True)
    smartsheet_value = serializers.JSONField(allow_null=True)

    class Meta:
        model = Conflict
        fields = ["id", "record_id", "row_id", "field", "salesforce_value", "smartsheet_value",
                  "winner", "created_at"]
        read_only_fields = fields


class LastRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = Run
        fields = ["id", "trigger", "status", "queued_at", "started_at", "finished_at",
                  "errors_count"]
        read_only_fields = fields


class WorkflowWithRunSerializer(WorkflowSerializer):
    """A workflow with its newest run (``null`` before the first)."""

    last_run = serializers.SerializerMethodField()

    class Meta(WorkflowSerializer.Meta):
        fields = [*WorkflowSerializer.Meta.fields, "last_run"]

    @extend_schema_field(LastRunSerializer(allow_null=True))
    def get_last_run(self, workflow) -> dict | None:
        run = Run.objects.filter(workflow=workflow).order_by("-queued_at", "-id").first()
        return LastRunSerializer(run).data if run else None


class RunRequestedSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    status = serializers.CharField()


class PreviewSideSmartsheetSerializer(serializers.Serializer):
    rows_to_add = serializers.IntegerField()
    rows_to_update = serializers.IntegerField()


class PreviewSideSalesforceSerializer(serializers.Serializer):
    records_to_create = serializers.IntegerField()
    records_to_update = serializers.IntegerField()


class PreviewSerializer(serializers.Serializer):
    smartsheet = PreviewSideSmartsheetSerializer()
    salesforce = PreviewSideSalesforceSerializer()
