"""Our Gemini contracts agree with the ``google-genai`` SDK's wire types.

Google publishes its REST reference as pages, not as a schema file; the SDK's types
(wire names by alias) are the machine-readable reference. Their facts are committed
in ``spec_facts/gemini.json``, which names the package and version and how the
envelopes around the types were written; ``spec_facts/extract.py gemini`` regenerates
them. The SDK makes every field optional, so only properties and types are compared,
not ``required``. Deliberate differences are listed with their reason.
"""

from __future__ import annotations

import pytest
from llm_spec_compare import check_pairs, load_contract, load_facts
from llm_spec_compare import disagreements as compare_with_facts

from mocks.core import Contracts

PAIRS = {
    "gemini_generate_request": "GenerateContentRequest",
    "gemini_count_tokens_request": "CountTokensRequest",
    "gemini_embed_request": "EmbedContentRequest",
    "gemini_batch_embed_request": "BatchEmbedContentsRequest",
    "gemini_generate_response": "GenerateContentResponse",
    "gemini_count_tokens_response": "CountTokensResponse",
    "gemini_embed_response": "EmbedContentResponse",
    "gemini_batch_embed_response": "BatchEmbedContentsResponse",
    "gemini_model": "Model",
    "gemini_model_list": "ListModelsResponse",
}
#: Contracts with no SDK type to compare with, and why.
UNPAIRED = {
    "gemini_error": "google.rpc.Status as JSON: the SDK keeps the error body as a plain dict",
    "gemini_stream_array": "an array of gemini_generate_response, which is compared",
}

_RENAMED = "the wire name; the SDK converts it to its own `supported_actions`"
DEVIATIONS: dict[tuple[str, str], str] = {
    ("gemini_count_tokens_response", "promptTokensDetails"): (
        "the API answers it; this SDK version's CountTokensResponse does not keep it"
    ),
    ("gemini_model", "supportedGenerationMethods"): _RENAMED,
    ("gemini_model_list", "models[].supportedGenerationMethods"): _RENAMED,
}


def test_the_facts_name_their_source() -> None:
    facts = load_facts("gemini")
    assert facts["source"]["package"] == "google-genai" and facts["source"]["version"]
    assert facts["states_required"] is False
    assert sorted(PAIRS.values()) == facts["roots"]


def test_every_gemini_contract_is_paired_or_says_why_not() -> None:
    ours = [name for name in Contracts("llm").names() if name.startswith("gemini_")]
    assert sorted([*PAIRS, *UNPAIRED]) == ours


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_contract_agrees_with_the_sdk(name: str) -> None:
    check_pairs(name, load_facts("gemini"), PAIRS, DEVIATIONS)


def test_the_comparison_reaches_nested_shapes() -> None:
    seen: list[str] = []
    facts = load_facts("gemini")
    for name in ("gemini_generate_response", "gemini_generate_request"):
        compare_with_facts(load_contract(name), facts, PAIRS[name], seen)
    for path in (
        "candidates[].content.parts[].functionCall.args",
        "usageMetadata.promptTokenCount",
        "generationConfig.maxOutputTokens",
        "contents[].parts[].functionResponse.response",
        "toolConfig.functionCallingConfig.allowedFunctionNames",
    ):
        assert path in seen


def test_the_comparison_catches_a_wrong_contract() -> None:
    contract = load_contract("gemini_generate_response")
    contract["properties"]["candidates"]["items"]["properties"]["index"] = {"type": "string"}
    problems = "\n".join(
        compare_with_facts(contract, load_facts("gemini"), PAIRS["gemini_generate_response"])
    )
    assert "candidates[].index: types ['string'] but the spec says ['integer']" in problems
