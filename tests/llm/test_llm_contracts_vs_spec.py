"""Our OpenAI contracts agree with OpenAI's published API description.

``contracts/llm/*.json`` are our own schemas, written from the facts of the official
OpenAPI document. The facts the comparison needs (each schema's structure: required
fields, properties and their types, discriminators) are committed in
``spec_facts/openai.json``, which names its source (``openapi.yaml``, its version and
digest); ``spec_facts/extract.py`` regenerates them from ``../shared/reference/openai/``
when that folder is present. Nothing here reads outside the repository.

A few differences are deliberate, because the wire differs from the published schema;
each is listed in :data:`DEVIATIONS` with its reason, and the test fails if a listed
deviation disappears, so the list stays true.
"""

from __future__ import annotations

import pytest
from llm_spec_compare import Node, check_pairs, load_contract, load_facts
from llm_spec_compare import disagreements as compare_with_facts

from mocks.core import Contracts

PAIRS = {
    "chat_request": "CreateChatCompletionRequest",
    "chat_response": "CreateChatCompletionResponse",
    "chat_chunk": "CreateChatCompletionStreamResponse",
    "completion_request": "CreateCompletionRequest",
    "completion_response": "CreateCompletionResponse",
    "completion_chunk": "CreateCompletionResponse",
    "embedding_request": "CreateEmbeddingRequest",
    "embedding_response": "CreateEmbeddingResponse",
    "responses_request": "CreateResponse",
    "response": "Response",
    "response_event": "ResponseStreamEvent",
    "model": "Model",
    "model_list": "ListModelsResponse",
    "error": "ErrorResponse",
    "response_input_items": "ResponseItemList",
}
#: Contracts with no schema in the spec to compare with, and why.
UNPAIRED = {
    "response_deleted": "the spec gives DELETE /responses/{id} an example, not a schema",
    "azure_error": "Azure's gateway envelope is not part of OpenAI's API description",
}

DEVIATIONS = {
    ("completion_chunk", "choices[].finish_reason"): (
        "streamed legacy chunks carry finish_reason null until a choice ends; the spec "
        "shares the non-streamed object's schema"
    ),
    ("completion_chunk", "usage"): (
        "with stream_options.include_usage every chunk but the last carries usage null"
    ),
    ("response_input_items", "first_id"): (
        "null on an empty page; the spec's list always holds an item"
    ),
    ("response_input_items", "last_id"): (
        "null on an empty page; the spec's list always holds an item"
    ),
    ("response", "user"): (
        "the reference's own example (recordings/llm/openai-reference-examples.yaml) carries "
        "null, as the wire does; the schema says string"
    ),
    ("response", "output[]<message>.content[]<output_text>"): (
        "logprobs is left out by the reference's own example (recordings/llm/"
        "openai-reference-examples.yaml) and by the SDK's type; the schema requires it"
    ),
    ("embedding_response", "data[].embedding"): (
        "with encoding_format=base64 the embedding is a base64 string; the spec only "
        "describes the float array"
    ),
}


def test_the_facts_name_their_source_and_hold_every_paired_schema() -> None:
    facts = load_facts("openai")
    assert facts["source"]["file"] == "openapi.yaml" and facts["source"]["version"]
    assert len(facts["source"]["sha256"]) == 64
    missing = [schema for schema in PAIRS.values() if schema not in facts["schemas"]]
    assert missing == []
    assert sorted(set(PAIRS.values())) == sorted(facts["roots"])


def test_every_openai_contract_is_paired_with_a_spec_schema() -> None:
    openai_contracts = [
        name
        for name in Contracts("llm").names()
        if not name.startswith(("anthropic_", "gemini_", "any_"))
    ]
    assert sorted([*PAIRS, *UNPAIRED]) == openai_contracts


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_contract_agrees_with_the_spec(name: str) -> None:
    check_pairs(name, load_facts("openai"), PAIRS, DEVIATIONS)


def disagreements(name: str, contract: Node, seen: list[str] | None = None) -> list[str]:
    return compare_with_facts(contract, load_facts("openai"), PAIRS[name], seen)


def test_the_comparison_catches_a_wrong_contract() -> None:
    contract = load_contract("chat_response")
    contract["required"] = ["id", "choices"]
    contract["properties"]["created"] = {"type": "string"}
    contract["properties"]["invented"] = {"type": "string"}
    message = contract["properties"]["choices"]["items"]["properties"]["message"]
    message["required"] = ["role"]
    problems = "\n".join(disagreements("chat_response", contract))
    assert "$: required ['choices', 'id']" in problems
    assert "created: types ['string'] but the spec says ['integer']" in problems
    assert "invented: not in the spec" in problems
    assert "choices[].message: required ['role']" in problems


def test_event_branches_are_compared_by_type() -> None:
    contract = load_contract("response_event")
    text_delta = contract["$defs"]["text_delta"]
    text_delta["required"] = [r for r in text_delta["required"] if r != "logprobs"]
    problems = disagreements("response_event", contract)
    assert any(p.startswith("<response.output_text.delta>: required") for p in problems)


def test_the_comparison_reaches_nested_shapes() -> None:
    seen: list[str] = []
    for name in ("chat_response", "chat_chunk", "response_event"):
        disagreements(name, load_contract(name), seen)
    for path in (
        "choices[].message.tool_calls[].function.arguments",
        "choices[].logprobs.content[].top_logprobs[].bytes",
        "choices[].delta.tool_calls[].function.name",
        "usage.completion_tokens_details.reasoning_tokens",
        "<response.completed>.response.output[]<function_call>.call_id",
        "<response.content_part.added>.part<output_text>.annotations",
    ):
        assert path in seen
