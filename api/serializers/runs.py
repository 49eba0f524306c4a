"""Serializers of runs, their errors and conflicts, and the workflow with its last run."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.workflows import WorkflowSerializer
from runs.models import Conflict, OpenError, Run, RunError


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


#: What every error says, a run's or an open one: its row (id, number, primary-column
#: value, link to the row), its record (id, name, link), the column and the field by
#: label, what it is about (``kind``), the message (in the install's language, as in the
#: Sync Error cell), the service's code and who caused it.
ERROR_FIELDS = ["id", "row_id", "row_number", "primary_value", "row_url", "record_id",
                "record_name", "record_url", "column", "field", "kind", "message", "code",
                "culprit"]


class RunErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = RunError
        fields = [*ERROR_FIELDS, "created_at"]
        read_only_fields = fields


class OpenErrorSerializer(serializers.ModelSerializer):
    """An error of a workflow's row or record that has not synced cleanly yet."""

    class Meta:
        model = OpenError
        fields = [*ERROR_FIELDS, "first_seen", "last_seen", "runs"]
        read_only_fields = fields
        extra_kwargs = {"runs": {"help_text": "How many runs met this error."}}


class OpenErrorGroupSerializer(serializers.Serializer):
    """Open errors sharing one message."""

    message = serializers.CharField()
    count = serializers.IntegerField()
    errors = OpenErrorSerializer(many=True)


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
    rows_to_add = serializers.IntegerField(help_text="Rows of records to add (group parent "
                                                     "rows are counted apart).")
    group_rows_to_add = serializers.IntegerField(help_text="Group parent rows to add.")
    rows_to_update = serializers.IntegerField(help_text="Rows whose synced values change.")
    rows_to_move = serializers.IntegerField(help_text="Rows moving to another group.")
    rows_to_remove = serializers.IntegerField(help_text="Rows removed (the workflow's "
                                                        "removal options).")


class PreviewSideSalesforceSerializer(serializers.Serializer):
    records_to_create = serializers.IntegerField()
    records_to_update = serializers.IntegerField()


class PreviewErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="Why the row or record will fail.")
    field = serializers.CharField(help_text="The column concerned, or empty.")
    row_id = serializers.IntegerField(allow_null=True)
    row_number = serializers.IntegerField(allow_null=True, help_text="The row's number in "
                                                                     "the sheet.")
    record_id = serializers.CharField(help_text="The record concerned, or empty.")
    record_name = serializers.CharField()
    code = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    """What the next run will do: the plan it executes, counted. For a new workflow or
    after an edit of what syncs, a run that reads everything."""

    smartsheet = PreviewSideSmartsheetSerializer()
    salesforce = PreviewSideSalesforceSerializer()
    fields_to_update = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Values to write per column (to the sheet) or field (to Salesforce).")
    errors = serializers.IntegerField(help_text="Rows and records that will fail.")
    error_items = PreviewErrorSerializer(
        many=True, help_text="The first 50 of them, each with why.")
    conflicts = serializers.IntegerField()
    unlinks = serializers.IntegerField(help_text="Rows and records that stop syncing.")
    full = serializers.BooleanField(help_text="Always true: the preview reads everything.")


class ComplianceSerializer(serializers.Serializer):
    met = serializers.IntegerField(help_text="Cases closed within their SLA target.")
    breached = serializers.IntegerField(help_text="Cases closed after it, or open past it.")
    rate = serializers.FloatField(allow_null=True, help_text="met / (met + breached).")


class HistogramBucketSerializer(serializers.Serializer):
    bucket = serializers.CharField()
    cases = serializers.IntegerField()


class TimeToCloseSerializer(serializers.Serializer):
    median_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True, help_text="Nearest-rank 90th percentile.")
    histogram = HistogramBucketSerializer(many=True)


class AtRiskCaseSerializer(serializers.Serializer):
    id = serializers.CharField()
    case_number = serializers.CharField(allow_null=True)
    subject = serializers.CharField(allow_null=True)
    priority = serializers.CharField()
    age = serializers.FloatField(help_text="Hours open (business hours when the install says so).")
    sla_target = serializers.FloatField(allow_null=True)
    account = serializers.CharField()


class RankedNameSerializer(serializers.Serializer):
    name = serializers.CharField()
    cases = serializers.IntegerField()


class ServiceReportSerializer(serializers.Serializer):
    """The service report of a Case workflow, computed live."""

    total_cases = serializers.IntegerField()
    open_cases = serializers.IntegerField()
    closed_cases = serializers.IntegerField()
    escalated_cases = serializers.IntegerField()
    compliance_by_priority = serializers.DictField(child=ComplianceSerializer())
    compliance_by_week = serializers.DictField(
        child=ComplianceSerializer(), help_text="Keyed by the Monday (YYYY-MM-DD) of the week "
        "the case closed (open breached cases: this week).")
    time_to_close = TimeToCloseSerializer()
    at_risk = AtRiskCaseSerializer(many=True)
    escalations_by_account = RankedNameSerializer(many=True)
    top_accounts = RankedNameSerializer(many=True)
    top_contacts = RankedNameSerializer(many=True)
