"""Encryption at rest for tokens and client secrets (Fernet, keyed by FIELD_ENCRYPTION_KEY).

The database column holds ``fernet:<token>``; reading the raw column never shows the
secret. A value that cannot be decrypted (wrong key) reads as empty and is logged by id,
never by value, so a rotated key asks users to reconnect instead of crashing pages.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

log = logging.getLogger(__name__)
PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    # Several comma-separated keys allow rotation: the first encrypts, all decrypt.
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def encrypt(value: str) -> str:
    if not value:
        return ""
    return PREFIX + _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise ValueError("refusing to read an unencrypted secret column")
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        log.warning("a stored secret could not be decrypted with FIELD_ENCRYPTION_KEY")
        return ""


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; Python code only ever sees the plain value."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else ""

    def value_to_string(self, obj):
        # Serialization (dumpdata) never carries the plain secret.
        return ""
