"""Schemathesis over the OpenAPI document against a live server: no server error.

Bounded (a few examples per operation) so that it stays in the fast suite's budget; the
``slow`` mark lets ``.ci/run`` include it and quick local runs skip it.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.openapi import document

pytestmark = [pytest.mark.slow]

MAX_EXAMPLES = 25
#: No 5xx; every status documented; every body valid against the document.
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def alice_token(transactional_db):
    from accounts.tokens import api_token_create
    from tests import factories, personas

    people = {name: make() for name, make in personas.EVERYONE.items()}
    install = factories.install()
    workflow = factories.accounts_workflow(people["alice"], install)
    factories.run(workflow)
    return api_token_create(user=people["alice"])[1]


def test_it_answers_every_operation_without_a_server_error(live_server, alice_token):
    schema = schemathesis.openapi.from_dict(document())
    schema.config.base_url = live_server.url
    headers = {"Authorization": f"Token {alice_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    def fuzz(operation) -> None:
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(base_url=live_server.url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS)

        check()

    for operation in operations:
        fuzz(operation)
