"""Serializers of the accounts API: the signed-in user and team members."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import ApiToken, User

#: API name → model field of the role and licence flags.
FLAG_FIELDS = {
    "is_system_admin": "system_admin",
    "is_connector_admin": "connector_admin",
    "is_licensed": "licensed",
    "is_salesforce_user": "salesforce_user",
    "is_service_cloud_user": "service_cloud_user",
}


class MeSerializer(serializers.ModelSerializer):
    is_system_admin = serializers.BooleanField(read_only=True)
    is_connector_admin = serializers.BooleanField(read_only=True)
    is_licensed = serializers.BooleanField(read_only=True)
    is_salesforce_user = serializers.BooleanField(read_only=True)
    is_service_cloud_user = serializers.BooleanField(read_only=True)
    team = serializers.CharField(source="team.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "team",
                  *FLAG_FIELDS]
        read_only_fields = fields


class UserSerializer(MeSerializer):
    """A team member; PATCH sets the flags (the ``is_*`` names, as ``/me/`` shows them).

    A superuser has every role whatever the flags say.
    """

    is_system_admin = serializers.BooleanField(required=False)
    is_connector_admin = serializers.BooleanField(required=False)
    is_licensed = serializers.BooleanField(required=False)
    is_salesforce_user = serializers.BooleanField(required=False)
    is_service_cloud_user = serializers.BooleanField(required=False)

    class Meta(MeSerializer.Meta):
        read_only_fields = ["id", "username", "email", "first_name", "last_name", "team"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False,
                                     write_only=True)


class TokenRequestNameSerializer(TokenRequestSerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="",
                                 help_text="A label to recognise the token by in lists.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Shown once: only its digest is kept.")
    expiry = serializers.DateTimeField(read_only=True)


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as lists show it: never its key."""

    user = serializers.PrimaryKeyRelatedField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "user", "username", "name", "prefix", "created_at", "expires_at",
                  "last_used_at", "revoked_at", "active"]
        read_only_fields = fields
