"""Fixtures for the workflow service tests: the personas and an install of their team."""

from __future__ import annotations

import pytest

from tests.workflows.personas import make_install, make_people, make_workflow


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas' passwords hash with MD5: the default hasher costs ~1 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    return make_people()


@pytest.fixture
def install(people):
    return make_install(people["alice"].team)


@pytest.fixture
def workflow(people, install):
    return make_workflow(people["alice"], install)
