"""Contracts: requests checked per route, programmed responses refused, checking mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests

from mocks import ContractError, MockHTTP, RecordedRequest, Reply, Route, VerificationError
from mocks.core import BaseMock, Contracts, sse_event

SCHEMAS = {
    "pet_request": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": False,
    },
    "pet": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    },
    "pet_event": {"$ref": "pet.json"},
    "error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["message"]}},
    },
}


class PetMock(BaseMock):
    """A small domain mock used to test the contract mechanism."""

    service: ClassVar[str] = "pets"
    error_schema: ClassVar[str | None] = "error"
    root: ClassVar[Path]
    broken: bool = False

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.contracts = Contracts("pets", self.root)

    def build_routes(self) -> list[Route]:
        return [
            Route(
                "POST", "/pets", self.create, request_schema="pet_request", response_schema="pet"
            ),
            Route("GET", "/pets/{id}/events", self.events, stream_schema="pet_event"),
        ]

    def create(self, request: RecordedRequest) -> Reply:
        if self.broken:
            return Reply.json({"id": "not a number", "name": request.json["name"]}, 201)
        return Reply.json({"id": 1, "name": request.json["name"]}, 201)

    def events(self, request: RecordedRequest) -> Reply:
        pet_id = int(request.path_params["id"])
        return Reply.sse([sse_event({"id": pet_id, "name": "a"}), sse_event({"id": "bad"})])


@pytest.fixture
def pets(tmp_path: Path) -> Iterator[PetMock]:
    folder = tmp_path / "pets"
    folder.mkdir()
    for name, schema in SCHEMAS.items():
        (folder / f"{name}.json").write_text(json.dumps(schema))
    PetMock.root = tmp_path
    with PetMock.start(check_responses=True) as mock:
        yield mock


def test_valid_request_reaches_the_route(pets: PetMock) -> None:
    response = requests.post(f"{pets.url}/pets", json={"name": "rex"}, timeout=5)
    assert (response.status_code, response.json()) == (201, {"id": 1, "name": "rex"})
    assert pets.requests.last.route == "POST /pets"
    pets.verify()


def test_request_violation_gets_the_mock_error_naming_the_field(pets: PetMock) -> None:
    response = requests.post(f"{pets.url}/pets", json={"name": "rex", "tags": [1]}, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "tags[0]"
    missing = requests.post(f"{pets.url}/pets", json={}, timeout=5)
    assert missing.json()["error"]["field"] == "name"
    malformed = requests.post(f"{pets.url}/pets", data="{oops", timeout=5)
    assert (malformed.status_code, malformed.json()["error"]["field"]) == (400, "body")
    with pytest.raises(VerificationError) as failure:
        pets.verify()
    assert "pet_request: $.tags[0]: 1 is not of type 'string'" in str(failure.value)
    assert "$.name: 'name' is a required property" in str(failure.value)
    assert requests.post(f"{pets.url}/pets", json={"name": "ok"}, timeout=5).status_code == 201


def test_programmed_response_breaking_the_contract_is_refused(pets: PetMock) -> None:
    with pytest.raises(ContractError) as refused:
        pets.expect("POST", "/pets").respond(201, json={"id": "seven", "name": "x"})
    assert refused.value.field == "$.id"
    assert "'seven' is not of type 'integer'" in str(refused.value)
    with pytest.raises(ContractError, match=r"\$\.name"):
        pets.expect("POST", "/pets").respond_with_sequence([{"status": 201, "json": {"id": 1}}])
    with pytest.raises(ContractError, match="error"):
        pets.expect("POST", "/pets").respond(500, json={"message": "not enveloped"})
    pets.expect("POST", "/pets").respond(201, json={"id": 7, "name": "x"})
    assert requests.post(f"{pets.url}/pets", json={"name": "x"}, timeout=5).json()["id"] == 7


def test_checking_mode_reports_generated_responses_and_stream_events(pets: PetMock) -> None:
    pets.broken = True
    try:
        requests.post(f"{pets.url}/pets", json={"name": "x"}, timeout=5)
    finally:
        pets.broken = False
    stream = requests.get(f"{pets.url}/pets/3/events", timeout=5)
    assert stream.text.count("data:") == 2
    with pytest.raises(VerificationError) as failure:
        pets.verify()
    text = str(failure.value)
    assert "response: pet: $.id: 'not a number' is not of type 'integer'" in text
    assert "GET /pets/3/events: response: pet_event: $." in text


def test_validators_are_compiled_once(pets: PetMock) -> None:
    assert pets.contracts.validator("pet") is pets.contracts.validator("pet")
    assert pets.contracts.names() == ["error", "pet", "pet_event", "pet_request"]


def test_generic_mock_has_no_contract_to_break(mock_http: MockHTTP) -> None:
    mock_http.expect("POST", "/anything").respond(200, json={"free": "form"})
    assert requests.post(f"{mock_http.url}/anything", timeout=5).json() == {"free": "form"}
    mock_http.reset()
