"""Our Anthropic contracts agree with the ``anthropic`` SDK's own types.

Anthropic publishes no OpenAPI file; its SDK's types are the reference. Their facts
(each type's structure as pydantic writes it as JSON Schema) are committed in
``spec_facts/anthropic.json``, which names the package and version;
``spec_facts/extract.py anthropic`` regenerates them from the installed SDK.
Deliberate differences are listed with their reason; the test fails when one
disappears.
"""

from __future__ import annotations

import pytest
from llm_spec_compare import check_pairs, load_contract, load_facts
from llm_spec_compare import disagreements as compare_with_facts

from mocks.core import Contracts

PAIRS = {
    "anthropic_request": "MessageCreateParamsNonStreaming",
    "anthropic_count_tokens_request": "MessageCountTokensParams",
    "anthropic_message": "Message",
    "anthropic_stream_event": "RawMessageStreamEvent",
    "anthropic_count_tokens": "MessageTokensCount",
    "anthropic_error": "ErrorResponse",
    "anthropic_model": "ModelInfo",
    "anthropic_model_list": "ModelPage",
    "anthropic_batch_request": "BatchCreateParams",
    "anthropic_message_batch": "MessageBatch",
    "anthropic_message_batch_list": "MessageBatchPage",
    "anthropic_deleted_message_batch": "DeletedMessageBatch",
    "anthropic_batch_result": "MessageBatchIndividualResponse",
}

_SAMPLING = (
    "the API takes it (langchain-anthropic sends temperature, top_k and top_p); this SDK "
    "version's create() no longer lists the sampling parameters, only extra_body carries them"
)
DEVIATIONS: dict[tuple[str, str], str] = {
    ("anthropic_request", "temperature"): _SAMPLING,
    ("anthropic_request", "top_p"): _SAMPLING,
    ("anthropic_request", "top_k"): _SAMPLING,
    ("anthropic_stream_event", "<ping>"): (
        "the wire has ping events; the SDK's stream parser skips them before typing events"
    ),
    ("anthropic_stream_event", "<error>"): (
        "the wire has error events; the SDK's stream parser raises on them before typing events"
    ),
}


def test_the_facts_name_their_source() -> None:
    facts = load_facts("anthropic")
    assert facts["source"]["package"] == "anthropic" and facts["source"]["version"]
    assert sorted(PAIRS.values()) == facts["roots"]


def test_every_anthropic_contract_is_paired() -> None:
    ours = [name for name in Contracts("llm").names() if name.startswith("anthropic_")]
    assert sorted(PAIRS) == ours


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_contract_agrees_with_the_sdk(name: str) -> None:
    check_pairs(name, load_facts("anthropic"), PAIRS, DEVIATIONS)


def test_the_comparison_catches_a_wrong_contract() -> None:
    contract = load_contract("anthropic_message")
    contract["properties"]["stop_reason"] = {"type": "integer"}
    contract["properties"]["invented"] = {"type": "string"}
    problems = "\n".join(
        compare_with_facts(contract, load_facts("anthropic"), PAIRS["anthropic_message"])
    )
    assert "stop_reason: types ['integer'] but the spec says ['null', 'string']" in problems
    assert "invented: not in the spec" in problems


def test_the_comparison_reaches_nested_shapes() -> None:
    seen: list[str] = []
    facts = load_facts("anthropic")
    for name in ("anthropic_message", "anthropic_stream_event"):
        compare_with_facts(load_contract(name), facts, PAIRS[name], seen)
    for path in (
        "content[]<tool_use>.input",
        "usage.cache_creation.ephemeral_5m_input_tokens",
        "<content_block_delta>.delta<input_json_delta>.partial_json",
        "<message_delta>.usage.input_tokens",
        "<message_start>.message.content[]<thinking>.signature",
    ):
        assert path in seen
