"""A Service Cloud install that restricts users requires the Service Cloud user role."""

from __future__ import annotations

from workflows.permissions import user_can_create_workflows


def test_it_requires_the_service_cloud_role_on_a_restricting_service_cloud_install(people,
                                                                                   install):
    alice = people["alice"]
    install.kind, install.restrict_users = "service_cloud", True
    install.save()
    alice.service_cloud_user, alice.salesforce_user = False, True
    alice.save()

    allowed, message = user_can_create_workflows(user=alice, install=install)
    assert not allowed and "Service Cloud user" in message

    alice.service_cloud_user = True
    alice.save()
    assert user_can_create_workflows(user=alice, install=install)[0]
