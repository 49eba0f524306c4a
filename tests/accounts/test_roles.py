from __future__ import annotations

import pytest

from accounts.models import User


def test_it_gives_a_superuser_every_role(db):
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    assert root.is_system_admin and root.is_connector_admin and root.is_licensed
    assert root.is_salesforce_user and root.is_service_cloud_user


@pytest.mark.parametrize(
    "flag, prop",
    [("system_admin", "is_system_admin"), ("connector_admin", "is_connector_admin"),
     ("licensed", "is_licensed"), ("salesforce_user", "is_salesforce_user"),
     ("service_cloud_user", "is_service_cloud_user")],
)
def test_it_reads_each_role_from_its_own_flag(db, flag, prop):
    user = User.objects.create_user("u", password="pw", **{flag: True})
    assert getattr(user, prop) is True
    others = {"is_system_admin", "is_connector_admin", "is_licensed", "is_salesforce_user",
              "is_service_cloud_user"} - {prop}
    assert not any(getattr(user, p) for p in others)
