"""The admin API's OpenAPI document: valid OpenAPI 3.1, listing every admin route."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

#: Every admin route the issue asks for.
ADMIN_ROUTES = {
    ("GET", "/__admin/health"),
    ("GET", "/__admin/openapi.json"),
    ("POST", "/__admin/expectations"),
    ("GET", "/__admin/expectations"),
    ("DELETE", "/__admin/expectations"),
    ("GET", "/__admin/expectations/{id}"),
    ("DELETE", "/__admin/expectations/{id}"),
    ("GET", "/__admin/requests"),
    ("DELETE", "/__admin/requests"),
    ("POST", "/__admin/requests/find"),
    ("POST", "/__admin/requests/count"),
    ("GET", "/__admin/requests/unmatched"),
    ("GET", "/__admin/verify"),
    ("POST", "/__admin/reset"),
    ("GET", "/__admin/settings"),
    ("PUT", "/__admin/settings"),
    ("GET", "/__admin/scenarios"),
    ("PUT", "/__admin/scenarios"),
    ("PUT", "/__admin/scenarios/{name}"),
}


def _document(mock: Any) -> dict[str, Any]:
    response = mock.admin("GET", "/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_the_document_is_valid_openapi_3_1_and_lists_every_route(shared_mock: Any) -> None:
    document = _document(shared_mock)
    validate(document)
    assert document["openapi"].startswith("3.1")
    listed = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert listed >= ADMIN_ROUTES  # the engine's routes, beside MockHTTP's WireMock routes


def test_every_documented_operation_is_served(shared_mock: Any) -> None:
    for path, operations in _document(shared_mock)["paths"].items():
        concrete = path.replace("{id}", "missing").replace("{name}", "flow")
        for method in operations:
            shared_mock.admin("POST", "/reset")
            response = shared_mock.admin(method.upper(), concrete.removeprefix("/__admin"))
            # 404 only for the missing expectation; never "no such route" or a wrong method.
            assert response.status_code not in (405, 500), (method, path, response.text)
            if response.status_code == 404 and path.startswith("/__admin/expectations"):
                assert "no expectation" in response.json()["error"]["message"]


def test_expectation_schema_comes_from_the_engine_models(shared_mock: Any) -> None:
    document = _document(shared_mock)
    schemas = document["components"]["schemas"]
    kinds = {
        schemas[ref["$ref"].rsplit("/", 1)[1]]["properties"]["kind"]["const"]
        for ref in schemas["Matcher"]["anyOf"]
    }
    assert {"method", "path", "query", "header", "json", "json_path", "body"} <= kinds
    assert {"and", "or", "not", "any"} <= kinds
    assert "predicate" not in kinds  # Python code cannot travel as JSON
    assert "times" in schemas["ExpectationSpec"]["properties"]

    # An expectation the API accepts validates against the document's schema.
    expectation = {
        "matcher": {"kind": "and", "all": [{"kind": "method", "value": "GET"}]},
        "response": {"kind": "sequence", "responses": [{"kind": "static", "status": 200}]},
        "times": 2,
        "latency": {"kind": "uniform", "lower_ms": 1, "upper_ms": 2},
    }
    schema = {"$ref": "#/components/schemas/ExpectationSpec", "components": document["components"]}
    validator = Draft202012Validator(schema)
    assert list(validator.iter_errors(expectation)) == []
    assert list(validator.iter_errors({**expectation, "times": -1}))
    shared_mock.admin("POST", "/reset")
    assert shared_mock.admin("POST", "/expectations", json=expectation).status_code == 201
