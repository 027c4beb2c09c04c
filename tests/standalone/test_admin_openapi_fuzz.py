"""Property-based runs against every available mock's admin API, from its own OpenAPI
document (schemathesis): no answer is a 5xx, every answer conforms to the document
(status codes, content types, bodies), and the mock keeps serving afterwards."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from mocks.core import BaseMock, available_mocks

#: The suite's fuzz settings (tests/conftest.py).
FUZZ = hypothesis.settings.get_profile("fuzz")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("service", sorted(available_mocks()))
def test_the_admin_api_answers_as_its_document_says(service: str) -> None:
    cls: type[BaseMock] = available_mocks([service])[service]
    with cls.start() as mock:
        document = requests.get(f"{mock.url}/__admin/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(document)
        failures: list[str] = []
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 19  # the engine's own routes, at least
        for operation in operations:
            failures += _fuzz(operation, mock.url)
        assert requests.get(f"{mock.url}/__admin/health", timeout=10).status_code == 200
        assert failures == []


def _fuzz(operation: Any, url: str) -> list[str]:
    found: list[str] = []

    @hypothesis.settings(FUZZ, phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            # generous: a call that derives a key (rotation, a key file) on a loaded CI machine
            case.call_and_validate(base_url=url, checks=CHECKS, timeout=30)
        except Exception as failure:  # schemathesis' failure group: keep it, go on
            found.append(f"{operation.label}: {str(failure)[:600]}")

    run()
    return found
