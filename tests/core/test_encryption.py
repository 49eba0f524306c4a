from __future__ import annotations

from django.db import connection as db_connection

from connector.models import Connection, Service


def _raw(table: str, column: str, pk: int) -> str:
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_it_stores_client_secrets_encrypted(install):
    raw = _raw("connector_install", "salesforce_client_secret", install.pk)
    assert raw.startswith("fernet:")
    assert "top-secret-sf" not in raw
    install.refresh_from_db()
    assert install.salesforce_client_secret == "top-secret-sf"


def test_it_stores_tokens_encrypted(bob, install):
    conn = Connection.objects.create(
        user=bob, install=install, service=Service.SALESFORCE,
        access_token="00Dxx!access-token-value", refresh_token="refresh-token-value",
    )
    for column, secret in (("access_token", "access-token-value"),
                           ("refresh_token", "refresh-token-value")):
        raw = _raw("connector_connection", column, conn.pk)
        assert raw.startswith("fernet:") and secret not in raw
    conn.refresh_from_db()
    assert conn.access_token == "00Dxx!access-token-value"


def test_it_reads_an_undecryptable_secret_as_empty(bob, install, settings):
    from cryptography.fernet import Fernet

    conn = Connection.objects.create(user=bob, install=install, service=Service.SMARTSHEET,
                                     access_token="tok")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    conn.refresh_from_db()
    assert conn.access_token == ""


def test_it_decrypts_with_a_rotated_key_list(bob, install, settings):
    from cryptography.fernet import Fernet

    old = settings.FIELD_ENCRYPTION_KEY
    conn = Connection.objects.create(user=bob, install=install, service=Service.SMARTSHEET,
                                     access_token="tok")
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode() + "," + old
    conn.refresh_from_db()
    assert conn.access_token == "tok"


def test_it_never_serializes_secrets(install):
    from django.core import serializers

    dumped = serializers.serialize("json", [install])
    assert "top-secret" not in dumped
