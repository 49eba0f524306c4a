"""Installs (admins write, the team reads) and the caller's own connections."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from api.errors import connector_errors
from api.serializers.connector import ConnectionSerializer, InstallSerializer
from connector.models import Connection, Install
from connector.selectors import installs_visible_to
from connector.services import (
    connection_create_from_token,
    connection_delete,
    install_create,
    install_update,
    user_can_manage_installs,
)
from core.api import ApiError, BaseViewSet, error_responses


@extend_schema_view(
    list=extend_schema(responses={200: InstallSerializer(many=True), **error_responses(404)}),
    retrieve=extend_schema(responses={200: InstallSerializer, **error_responses(404)}),
    create=extend_schema(responses={201: InstallSerializer, **error_responses(400, 403)}),
    partial_update=extend_schema(
        responses={200: InstallSerializer, **error_responses(400, 403, 404)}),
)
class InstallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    serializer_class = InstallSerializer
    queryset = Install.objects.none()  # for the schema; get_queryset scopes to the team
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return installs_visible_to(self.request.user).order_by("name", "id")

    def create(self, request, *args, **kwargs):
        if not user_can_manage_installs(user=request.user):
            raise ApiError(_("Only System Admins and Connector Admins create installs."),
                           status_code=403)
        data = InstallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with connector_errors():
            install = install_create(user=request.user, **data.validated_data)
        return Response(InstallSerializer(install).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        install = self.get_object()
        if not user_can_manage_installs(user=request.user, install=install):
            raise ApiError(_("Only System Admins and Connector Admins change installs."),
                           status_code=403)
        data = InstallSerializer(install, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with connector_errors():
            install = install_update(user=request.user, install=install, **data.validated_data)
        return Response(InstallSerializer(install).data)


@extend_schema_view(
    list=extend_schema(responses={200: ConnectionSerializer(many=True), **error_responses(404)}),
    retrieve=extend_schema(responses={200: ConnectionSerializer, **error_responses(404)}),
    create=extend_schema(responses={201: ConnectionSerializer, **error_responses(400, 409)}),
    destroy=extend_schema(responses={204: None, **error_responses(404)}),
)
class ConnectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.DestroyModelMixin, BaseViewSet):
    """The caller's own connections. POST checks the token against the service."""

    serializer_class = ConnectionSerializer
    queryset = Connection.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self):
        return (Connection.objects.filter(user=self.request.user)
                .select_related("install").order_by("install_id", "service"))

    def create(self, request, *args, **kwargs):
        data = ConnectionSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with connector_errors():
            connection = connection_create_from_token(
                user=request.user, install=data.validated_data["install"],
                service=data.validated_data["service"],
                access_token=data.validated_data["access_token"],
                refresh_token=data.validated_data.get("refresh_token", ""),
            )
        return Response(ConnectionSerializer(connection, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        connection_delete(user=self.request.user, connection=instance)
