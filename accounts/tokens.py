"""API tokens: create, authenticate, list, revoke.

A key is ``sf_`` + 43 random URL-safe characters (256 bits). Its SHA-256 digest is what
is stored and looked up: a fast hash is right for a random secret of that length (no
dictionary to guess from), and the lookup is one indexed query.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.selectors import users_manageable_by
from accounts.services import user_can_manage

log = logging.getLogger(__name__)

KEY_PREFIX = "sf_"
#: ``last_used_at`` is written at most this often per token (no write per request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``API_TOKEN_TTL_DAYS``; returns it and its key
    (the only time the key exists outside the caller)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[:len(KEY_PREFIX) + 6], digest=_digest(key),
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS))
    log.info("API token %s created for user %s", token.pk, user.pk)
    return token, key


def api_token_authenticate(key: str) -> ApiToken | None:
    """The live token of an active user for ``key``, or None."""
    if not key or len(key) > 200:
        return None
    now = timezone.now()
    token = (ApiToken.objects.select_related("user")
             .filter(digest=_digest(key), revoked_at__isnull=True, expires_at__gt=now,
                     user__is_active=True).first())
    if token is not None and (token.last_used_at is None
                              or now - token.last_used_at > LAST_USED_RESOLUTION):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_visible_to(actor: User) -> QuerySet[ApiToken]:
    """Tokens ``actor`` may list and revoke: their own, and those of the people they
    manage (a System Admin's team)."""
    if not actor.is_authenticated or not actor.is_active:
        return ApiToken.objects.none()
    return (ApiToken.objects.select_related("user")
            .filter(Q(user=actor) | Q(user__in=users_manageable_by(actor).values("pk"))))


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """End ``token`` (its owner, or a System Admin who manages its owner)."""
    if token.user_id != actor.pk and not user_can_manage(actor=actor, user=token.user):
        raise PermissionDenied(_("You cannot revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
        log.info("API token %s of user %s revoked by user %s", token.pk, token.user_id,
                 actor.pk)
    return token
