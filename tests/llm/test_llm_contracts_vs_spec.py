"""Our contracts agree with OpenAI's published API description.

``contracts/llm/*.json`` are our own schemas, written from the facts of the official
OpenAPI document (``shared/reference/openai/openapi.yaml``, beside the repository).
This test walks each contract next to the spec's component schema for the same shape
and checks, at every level where both describe an object: the same ``required``
fields, no property the spec does not know, and the same JSON types for each
property. Polymorphic places (output items, content parts, stream events) are
matched branch by branch on their ``type`` discriminator.

A few differences are deliberate, because the wire differs from the published schema;
each is listed in :data:`DEVIATIONS` with its reason, and the test fails if a listed
deviation disappears, so the list stays true.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from mocks.core import Contracts

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SPEC_FILE = SHARED / "reference" / "openai" / "openapi.yaml"

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
}

DEVIATIONS = {
    ("completion_chunk", "choices[].finish_reason"): (
        "streamed legacy chunks carry finish_reason null until a choice ends; the spec "
        "shares the non-streamed object's schema"
    ),
    ("completion_chunk", "usage"): (
        "with stream_options.include_usage every chunk but the last carries usage null"
    ),
    ("embedding_response", "data[].embedding"): (
        "with encoding_format=base64 the embedding is a base64 string; the spec only "
        "describes the float array"
    ),
}

Node = dict[str, Any]


@cache
def spec_schemas() -> dict[str, Any]:
    with SPEC_FILE.open() as handle:
        document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


class Side:
    """One side of the comparison: a schema document and how to follow its refs."""

    def __init__(self, root: Node, *, spec: bool) -> None:
        self.root = root
        self.spec = spec

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if self.spec:
                node = spec_schemas()[ref.rsplit("/", 1)[-1]]
            else:
                target: Any = self.root
                for part in ref.removeprefix("#/").split("/"):
                    target = target[part]
                node = target
        return node

    def merged(self, node: Any) -> Any:
        """Resolve refs and fold ``allOf`` parts (and a discriminated base) into one object."""
        node = self.resolve(node)
        if not isinstance(node, dict) or "allOf" not in node:
            return node
        result: Node = {k: v for k, v in node.items() if k != "allOf"}
        for part in node["allOf"]:
            if "if" in part:
                continue
            part = self.merged(part)
            result.setdefault("properties", {}).update(part.get("properties", {}))
            result["required"] = [*result.get("required", []), *part.get("required", [])]
            if "type" in part:
                result["type"] = part["type"]
        return result

    def types(self, node: Any) -> set[str]:
        kinds: set[str] = set()
        if isinstance(node, dict) and node.get("nullable"):  # a sibling of $ref counts too
            kinds.add("null")
        node = self.resolve(node)
        if not isinstance(node, dict):
            return kinds
        declared = node.get("type")
        if isinstance(declared, str):
            kinds.add(declared)
        elif isinstance(declared, list):
            kinds.update(declared)
        if node.get("nullable"):
            kinds.add("null")
        if "const" in node and not declared:
            kinds.add(_json_type(node["const"]))
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(key, ()):
                if "if" not in branch:
                    kinds |= self.types(branch)
        return kinds

    def object_branch(self, node: Any) -> Any:
        """The one object alternative of an ``X or null`` union, else the node itself."""
        node = self.merged(node)
        if isinstance(node, dict):
            for key in ("anyOf", "oneOf"):
                options = [b for b in node.get(key, ()) if self.types(b) != {"null"}]
                if len(options) == 1 and "properties" not in node:
                    return self.object_branch(options[0])
        return node

    def branches(self, node: Any) -> dict[str, Any]:
        """``type`` discriminator value -> branch, for a polymorphic node."""
        node = self.resolve(node)
        found: dict[str, Any] = {}
        if not isinstance(node, dict):
            return found
        for part in node.get("allOf", ()):  # ours: if/then dispatch
            if "if" in part:
                found[part["if"]["properties"]["type"]["const"]] = part["then"]
        for key in ("anyOf", "oneOf"):  # the spec's: unions of refs
            for branch in node.get(key, ()):
                target = self.merged(branch)
                kind = (
                    target.get("properties", {}).get("type", {}) if isinstance(target, dict) else {}
                )
                values = kind.get("enum") or ([kind["const"]] if "const" in kind else [])
                if len(values) == 1:
                    found[values[0]] = branch
        return found


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
        type(value), "object"
    )


def compare(
    ours: Side, spec: Side, mine: Any, theirs: Any, path: str, seen: list[str]
) -> list[str]:
    """Every disagreement between ``mine`` and ``theirs``, as ``path: problem`` lines;
    ``seen`` collects the property paths compared."""
    problems: list[str] = []
    my_branches, their_branches = ours.branches(mine), spec.branches(theirs)
    if not my_branches and their_branches:  # one shape of ours against the spec's union
        kind = (ours.merged(mine).get("properties", {}).get("type", {})).get("const")
        if kind in their_branches:
            return compare(ours, spec, mine, their_branches[kind], path, seen)
    for kind, branch in my_branches.items():
        if kind not in their_branches:
            problems.append(f"{path}<{kind}>: no such type in the spec")
        else:
            where = f"{path}<{kind}>"
            problems += compare(ours, spec, branch, their_branches[kind], where, seen)
    mine, theirs = ours.object_branch(mine), spec.object_branch(theirs)
    if not isinstance(mine, dict) or not isinstance(theirs, dict):
        return problems
    if "properties" in mine and "properties" in theirs:
        if sorted(mine.get("required", [])) != sorted(theirs.get("required", [])):
            problems.append(
                f"{path or '$'}: required {sorted(mine.get('required', []))} but the spec "
                f"requires {sorted(theirs.get('required', []))}"
            )
        for name, sub in mine["properties"].items():
            where = f"{path}.{name}" if path else name
            seen.append(where)
            if name not in theirs["properties"]:
                problems.append(f"{where}: not in the spec")
                continue
            other = theirs["properties"][name]
            my_types, their_types = ours.types(sub), spec.types(other)
            if their_types and my_types != their_types:
                problems.append(
                    f"{where}: types {sorted(my_types)} but the spec says {sorted(their_types)}"
                )
            problems += compare(ours, spec, sub, other, where, seen)
    if "items" in mine and "items" in theirs:
        problems += compare(ours, spec, mine["items"], theirs["items"], f"{path}[]", seen)
    return problems


def disagreements(name: str, contract: Node, seen: list[str] | None = None) -> list[str]:
    ours, spec = Side(contract, spec=False), Side({}, spec=True)
    theirs = {"$ref": f"#/components/schemas/{PAIRS[name]}"}
    return compare(ours, spec, contract, theirs, "", [] if seen is None else seen)


def load(name: str) -> Node:
    path: Node = json.loads((Contracts("llm").folder / f"{name}.json").read_text())
    return path


def test_every_contract_is_paired_with_a_spec_schema() -> None:
    assert sorted(PAIRS) == Contracts("llm").names()
    missing = [schema for schema in PAIRS.values() if schema not in spec_schemas()]
    assert missing == []


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_contract_agrees_with_the_spec(name: str) -> None:
    problems = disagreements(name, load(name))
    allowed = {path for (contract, path) in DEVIATIONS if contract == name}
    unexplained = [p for p in problems if p.split(":")[0] not in allowed]
    assert unexplained == []
    explained = {p.split(":")[0] for p in problems} & allowed
    assert explained == allowed, "a listed deviation no longer exists; drop it from DEVIATIONS"


def test_the_comparison_catches_a_wrong_contract() -> None:
    contract = load("chat_response")
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
    contract = load("response_event")
    text_delta = contract["$defs"]["text_delta"]
    text_delta["required"] = [r for r in text_delta["required"] if r != "logprobs"]
    problems = disagreements("response_event", contract)
    assert any(p.startswith("<response.output_text.delta>: required") for p in problems)


def test_the_comparison_reaches_nested_shapes() -> None:
    seen: list[str] = []
    for name in ("chat_response", "chat_chunk", "response_event"):
        disagreements(name, load(name), seen)
    for path in (
        "choices[].message.tool_calls[].function.arguments",
        "choices[].logprobs.content[].top_logprobs[].bytes",
        "choices[].delta.tool_calls[].function.name",
        "usage.completion_tokens_details.reasoning_tokens",
        "<response.completed>.response.output[]<function_call>.call_id",
        "<response.content_part.added>.part<output_text>.annotations",
    ):
        assert path in seen
