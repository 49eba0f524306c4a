"""Accounts API: token, the signed-in user, team members' roles (System Admins)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.models import ApiToken, User
from accounts.selectors import users_role_managed_by
from accounts.services import user_update_roles
from accounts.throttle import signin_failure_record, signin_retry_after, signin_success_record
from accounts.tokens import api_token_create, api_token_revoke, api_tokens_visible_to
from api.serializers.accounts import (
    FLAG_FIELDS,
    ApiTokenSerializer,
    MeSerializer,
    TokenRequestNameSerializer,
    TokenSerializer,
    UserSerializer,
)
from core.api import ApiError, BaseAPIView, BaseViewSet, error_responses, id_param
from core.net import client_address


class AddressRateThrottle(ScopedRateThrottle):
    """DRF's scoped rate, counted per client address as :func:`core.net.client_address`
    reads it (DRF's own reading believes any ``X-Forwarded-For``)."""

    def get_ident(self, request):
        return client_address(request)


class TokenView(BaseAPIView):
    """``POST /api/v1/auth/token/``: username and password → ``{"token", "expiry"}``;
    ``DELETE``: revoke the token the request presents.

    Sign-in failures are counted per account and per address (as on the sign-in page);
    requests are also rate-limited per address (``AUTH_TOKEN_THROTTLE``).
    """

    permission_classes = [AllowAny]

    def get_throttles(self):
        if getattr(self, "request", None) is not None and self.request.method == "POST":
            self.throttle_scope = "auth_token"
            return [AddressRateThrottle()]
        return []

    def get_authenticators(self):
        # Creating a token takes a password, never another token or a session.
        request = getattr(self, "request", None)  # None while the schema is generated
        if request is not None and request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(request=TokenRequestNameSerializer, responses={200: TokenSerializer,
                   **error_responses(400, 429)}, auth=[], operation_id="auth_token_create")
    def post(self, request):
        data = TokenRequestNameSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        address = client_address(request)
        wait = signin_retry_after(username=username, address=address)
        if wait:
            raise ApiError(_("Too many failed sign-ins. Try again later."), status_code=429,
                           headers={"Retry-After": str(wait)})
        user = authenticate(request, username=username,
                            password=data.validated_data["password"])
        if user is None or not user.is_active:
            signin_failure_record(username=username, address=address)
            raise ApiError(_("Wrong username or password."), errors={
                "non_field_errors": ["Wrong username or password."]})
        signin_success_record(username=username)
        token, key = api_token_create(user=user, name=data.validated_data["name"])
        return Response({"token": key, "expiry": token.expires_at})

    @extend_schema(request=None, responses={204: None, **error_responses(403)},
                   operation_id="auth_token_destroy")
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise ApiError(_("Sign out by revoking a token: send it in the Authorization "
                           "header."), status_code=403)
        api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(responses={200: ApiTokenSerializer(many=True), **error_responses(404)}),
    retrieve=extend_schema(responses={200: ApiTokenSerializer, **error_responses(404)}),
    destroy=extend_schema(responses={204: None, **error_responses(403, 404)}),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.DestroyModelMixin, BaseViewSet):
    """Your API tokens; System Admins also see their team's (``?user=`` filters).
    DELETE revokes (the token stays listed, revoked)."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self):
        qs = api_tokens_visible_to(self.request.user)
        user = id_param(self.request, "user") if self.action == "list" else None
        return qs.filter(user_id=user) if user is not None else qs

    def perform_destroy(self, instance):
        api_token_revoke(actor=self.request.user, token=instance)


class MeView(BaseAPIView):
    @extend_schema(responses={200: MeSerializer, **error_responses()})
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Team members and their roles: System Admins change every role; Connector Admins
    grant and revoke licences and the Salesforce / Service Cloud user roles (superusers:
    everyone)."""

    serializer_class = UserSerializer
    queryset = User.objects.none()  # for the schema; get_queryset scopes to the team
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return users_role_managed_by(self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not (request.user.is_system_admin or request.user.is_connector_admin):
            raise ApiError(_("Only System Admins and Connector Admins manage users."),
                           status_code=403)

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
