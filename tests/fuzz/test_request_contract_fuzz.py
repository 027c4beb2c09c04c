"""Requests generated from each mock's own request contracts (hypothesis-jsonschema),
sent over a real socket, some of them with one value swapped for something of another
shape. Whatever arrives: no answer is a 5xx, a 4xx is the API's own error envelope, a
JSON 2xx holds its response contract, and the journal keeps every request.

CI runs a small budget; ``MOCKS_FUZZ_EXAMPLES=500 pytest tests/fuzz`` runs a long one.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import requests
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from mocks import MockLLM, MockTeams, MockWhatsApp
from mocks.core import BaseMock, Contracts

#: Examples per target: CI-sized by default, longer with MOCKS_FUZZ_EXAMPLES=500.
EXAMPLES = int(os.environ.get("MOCKS_FUZZ_EXAMPLES", "8")) * 2
#: Values of another shape a mutation puts somewhere in a valid request.
ODD: list[Any] = [None, 0, -1, 1.5, "", "x" * 3000, [], {}, [None], True, {"{{": "}}"}]
#: The WhatsApp user the generated sends go to (allowed on the mock).
RECIPIENT = "15551234567"
#: How deep references are inlined before a schema gives up and takes anything.
MAX_DEPTH = 6


@dataclass(frozen=True)
class Target:
    """One route: where to send, which contracts hold, which error envelope answers."""

    service: str
    path: str
    request: str
    response: str | None
    error: str
    headers: dict[str, str] = field(default_factory=dict)
    #: For a contract that is one of several shapes chosen by ``type`` (WhatsApp's
    #: messages): the shape to generate.
    variant: str | None = None


LLM_KEY = {"Authorization": "Bearer sk-fuzz"}
ANTHROPIC = {"x-api-key": "sk-fuzz", "anthropic-version": "2023-06-01"}
GEMINI = {"x-goog-api-key": "gk-fuzz"}
GEMINI_MODEL = "/v1beta/models/gemini-2.5-flash"
TARGETS = [
    Target("llm", "/v1/chat/completions", "chat_request", "chat_response", "error", LLM_KEY),
    Target("llm", "/v1/completions", "completion_request", "completion_response", "error", LLM_KEY),
    Target("llm", "/v1/embeddings", "embedding_request", "embedding_response", "error", LLM_KEY),
    Target(
        "llm",
        "/v1/messages",
        "anthropic_request",
        "anthropic_message",
        "anthropic_error",
        ANTHROPIC,
    ),
    Target(
        "llm",
        "/v1/messages/count_tokens",
        "anthropic_count_tokens_request",
        "anthropic_count_tokens",
        "anthropic_error",
        ANTHROPIC,
    ),
    Target(
        "llm",
        f"{GEMINI_MODEL}:generateContent",
        "gemini_generate_request",
        "gemini_generate_response",
        "gemini_error",
        GEMINI,
    ),
    Target(
        "llm",
        f"{GEMINI_MODEL}:countTokens",
        "gemini_count_tokens_request",
        "gemini_count_tokens_response",
        "gemini_error",
        GEMINI,
    ),
    *[
        Target(
            "whatsapp",
            "/v23.0/{phone}/messages",
            "message.request",
            "messages.response",
            "error",
            variant=kind,
        )
        # interactive's four shapes take the generator a minute: the WhatsApp robustness
        # test mutates hand-written ones instead
        for kind in ("text", "template", "image", "location", "contacts", "reaction")
    ],
    Target(
        "teams",
        "/v3/conversations/{conversation}/activities",
        "activity",
        "resource.response",
        "error",
    ),
]


def inlined(contracts: Contracts, name: str) -> dict[str, Any]:
    """Contract `name` with every ``$ref`` (local or to a sibling file) replaced by what it
    points at, so a generator sees one self-contained schema; recursion stops at
    `MAX_DEPTH` with an empty schema (anything)."""
    folder = contracts.folder
    documents: dict[str, Any] = {}

    def load(file: str) -> Any:
        if file not in documents:
            documents[file] = json.loads((folder / file).read_text())
        return documents[file]

    def resolve(node: Any, file: str, depth: int) -> Any:
        if isinstance(node, list):
            return [resolve(item, file, depth) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            if depth >= MAX_DEPTH:
                return {}
            target_file, _, pointer = str(node["$ref"]).partition("#")
            target_file = target_file or file
            found = load(target_file)
            for part in [p for p in pointer.split("/") if p]:
                found = found[part.replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            merged = resolve(found, target_file, depth + 1)
            return {**merged, **resolve(siblings, file, depth)} if siblings else merged
        return {
            key: resolve(value, file, depth)
            for key, value in node.items()
            if key not in ("$id", "$schema", "$defs", "definitions")
        }

    schema: dict[str, Any] = resolve(load(f"{name}.json"), f"{name}.json", 0)
    return schema


def narrowed(schema: dict[str, Any], kind: str, recipient: str) -> dict[str, Any]:
    """A WhatsApp send of one `kind` to `recipient`: the contract's ``if type then
    property`` rules spelt out, which a generator cannot afford to work out itself
    (eleven of them multiply into thousands of alternatives)."""
    kinds = schema["properties"]["type"]["enum"]
    properties = {
        name: rule
        for name, rule in schema["properties"].items()
        if name not in kinds or name == kind
    }
    properties.update(type={"const": kind}, to={"const": recipient})
    rest = {k: v for k, v in schema.items() if k not in ("allOf", "anyOf", "properties")}
    return {**rest, "properties": properties, "required": ["messaging_product", "type", "to", kind]}


def mutated(data: st.DataObject, document: Any, depth: int = 0) -> Any:
    """`document` with one value somewhere swapped for one of `ODD`."""
    if isinstance(document, dict) and document and depth < 6:
        key = data.draw(st.sampled_from(sorted(document)))
        return {**document, key: mutated(data, document[key], depth + 1)}
    if isinstance(document, list) and document and depth < 6:
        index = data.draw(st.integers(0, len(document) - 1))
        copied = list(document)
        copied[index] = mutated(data, document[index], depth + 1)
        return copied
    return data.draw(st.sampled_from(ODD))


def _teams_token(teams: MockTeams) -> str:
    answer = requests.post(
        teams.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": teams.app_id,
            "client_secret": teams.app_password,
            "scope": "https://api.botframework.com/.default",
        },
        timeout=10,
    )
    return str(answer.json()["access_token"])


@pytest.fixture(scope="module")
def mocks() -> Iterator[dict[str, BaseMock]]:
    """One mock of each service the targets name, started for the module."""
    with (
        MockLLM.start() as llm,
        MockWhatsApp.start() as whatsapp,
        MockTeams.start() as teams,
    ):
        yield {"llm": llm, "whatsapp": whatsapp, "teams": teams}


def _prepared(target: Target, mock: BaseMock) -> tuple[str, dict[str, str]]:
    headers = dict(target.headers)
    path = target.path
    if isinstance(mock, MockWhatsApp):
        mock.allow_recipient(RECIPIENT)
        path = path.format(phone=mock.phone_number_id)
        headers["Authorization"] = f"Bearer {mock.access_token}"
    if isinstance(mock, MockTeams):
        path = path.format(conversation=mock.conversation("fuzz").id)
        headers["Authorization"] = f"Bearer {_teams_token(mock)}"
    return mock.url + path, headers


@pytest.mark.parametrize(
    "target", TARGETS, ids=lambda t: f"{t.service}:{t.request}:{t.variant or ''}".rstrip(":")
)
def test_generated_requests_get_the_apis_answers(
    target: Target, mocks: dict[str, BaseMock]
) -> None:
    mock = mocks[target.service]
    mock.reset()
    contracts = Contracts(target.service)
    url, headers = _prepared(target, mock)
    schema = inlined(contracts, target.request)
    if target.variant is not None:
        schema = narrowed(schema, target.variant, RECIPIENT)
    problems: list[str] = []
    sent = len(mock.requests)  # a token fetched to prepare is journaled too

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(document=from_schema(schema), data=st.data())
    def run(document: Any, data: st.DataObject) -> None:
        nonlocal sent
        body = mutated(data, copy.deepcopy(document)) if data.draw(st.booleans()) else document
        answer = requests.post(url, json=body, headers=headers, timeout=30)
        sent += 1
        problem = _judge(answer, target, contracts)
        if problem:
            problems.append(f"{json.dumps(body)[:300]} -> {answer.status_code}: {problem}")

    run()
    assert problems == []
    assert len(mock.requests) == sent  # the journal lost nothing


def _judge(answer: requests.Response, target: Target, contracts: Contracts) -> str | None:
    """What is wrong with `answer` (None when it is an answer the API could give)."""
    if answer.status_code >= 500:
        return "a server error"
    if "json" not in answer.headers.get("Content-Type", ""):
        return None if answer.ok else "an error that is not JSON"
    document = answer.json()
    if answer.status_code >= 400:
        violation = contracts.check(target.error, document)
        return None if violation is None else f"not the API's error envelope: {violation}"
    if target.response is not None:
        violation = contracts.check(target.response, document)
        return None if violation is None else f"breaks {target.response}: {violation}"
    return None
