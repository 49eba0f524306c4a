"""Serializers of installs and connections. Secrets and tokens are write-only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from connector.models import Connection, Install, Service
from connector.selectors import installs_visible_to

SECRET_FIELDS = ("salesforce_client_id", "salesforce_client_secret", "smartsheet_client_id",
                 "smartsheet_client_secret", "tls_ca_bundle")


class InstallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Install
        fields = ["id", "name", "kind", "salesforce_login_url", "salesforce_instance_url",
                  "smartsheet_api_base", "smartsheet_authorize_url", "polling_interval_minutes",
                  "restrict_users", "api_budget_percent", "status", "status_message",
                  "language", "created_at", *SECRET_FIELDS]
        read_only_fields = ["id", "status_message", "created_at"]
        extra_kwargs = {
            **{name: {"write_only": True, "required": False} for name in SECRET_FIELDS},
            "api_budget_percent": {"min_value": 1, "max_value": 100},
        }

    def validate_tls_ca_bundle(self, value: str) -> str:
        value = (value or "").strip()
        if value and "-----BEGIN CERTIFICATE-----" not in value:
            raise serializers.ValidationError(_("Paste PEM certificates (-----BEGIN CERTIFICATE-----)."))
        return value


class VisibleInstallField(serializers.PrimaryKeyRelatedField):
    """An install id among those the requesting user sees (others: "does not exist")."""

    def get_queryset(self):

        request = self.context.get("request")
        if request is None:
            return Install.objects.none()
        return installs_visible_to(request.user)


class ConnectionSerializer(serializers.ModelSerializer):
    install = VisibleInstallField()
    service = serializers.ChoiceField(choices=Service.choices)
    access_token = serializers.CharField(write_only=True, trim_whitespace=True, max_length=4000)
    refresh_token = serializers.CharField(write_only=True, required=False, allow_blank=True,
                                          default="", max_length=4000)
    revoked = serializers.SerializerMethodField()

    class Meta:
        model = Connection
        fields = ["id", "install", "service", "identity", "identity_name", "instance_url",
                  "revoked", "created_at", "updated_at", "access_token", "refresh_token"]
        read_only_fields = ["id", "identity", "identity_name", "instance_url", "revoked",
                            "created_at", "updated_at"]

    def get_revoked(self, obj: Connection) -> bool:
        return obj.revoked_at is not None
