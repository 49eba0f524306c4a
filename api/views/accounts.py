"""Accounts API: token, the signed-in user, team members' roles (System Admins)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import User
from accounts.selectors import users_manageable_by
from accounts.services import user_update_roles
from api.serializers.accounts import (
    FLAG_FIELDS,
    MeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)
from core.api import ApiError, BaseAPIView, BaseViewSet, error_responses


class TokenView(BaseAPIView):
    """``POST /api/v1/auth/token/``: username and password → ``{"token": ...}``.

    Throttled by the ``auth_token`` scope (settings ``AUTH_TOKEN_THROTTLE``).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer,
                   **error_responses(400, 429)}, auth=[], operation_id="auth_token_create")
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None or not user.is_active:
            raise ApiError("Wrong username or password.", errors={
                "non_field_errors": ["Wrong username or password."]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(BaseAPIView):
    @extend_schema(responses={200: MeSerializer, **error_responses()})
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Team members and their roles (System Admins of the team; superusers: all)."""

    serializer_class = UserSerializer
    queryset = User.objects.none()  # for the schema; get_queryset scopes to the team
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return users_manageable_by(self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.is_system_admin:
            raise ApiError("Only System Admins manage users.", status_code=403)

    @extend_schema(responses={200: UserSerializer(many=True), **error_responses(403, 404)})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: UserSerializer, **error_responses(403, 404)})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=UserSerializer,
                   responses={200: UserSerializer, **error_responses(400, 403, 404)})
    def partial_update(self, request, *args, **kwargs):
        user = self.get_object()
        data = UserSerializer(user, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        flags = {FLAG_FIELDS[k]: v for k, v in data.validated_data.items() if k in FLAG_FIELDS}
        user = user_update_roles(actor=request.user, user=user, **flags)
        return Response(UserSerializer(user).data, status=status.HTTP_200_OK)
