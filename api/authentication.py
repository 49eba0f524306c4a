"""``Authorization: Token <key>``: the API's token authentication (digests only)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.tokens import api_token_authenticate


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's header parsing; the key is looked up by its digest, expired, revoked and
    inactive users' tokens are refused. ``request.auth`` is the :class:`ApiToken`."""

    def authenticate_credentials(self, key):
        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        return token.user, token
