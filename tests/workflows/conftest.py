"""Fixtures for the workflow service tests: the personas and an install of their team."""

from __future__ import annotations

import pytest

from tests.workflows.personas import make_install, make_people, make_workflow


@pytest.fixture
def people(db):
    return make_people()


@pytest.fixture
def install(people):
    return make_install(people["alice"].team)


@pytest.fixture
def workflow(people, install):
    return make_workflow(people["alice"], install)
