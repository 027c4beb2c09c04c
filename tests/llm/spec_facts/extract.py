"""Regenerate the spec facts the contract comparison reads (``tests/llm/spec_facts/*.json``).

The tests never read outside the repository: they compare ``contracts/llm/`` with the
facts committed here. This script extracts those facts, the structure of each schema
and nothing else (``type``, ``nullable``, ``required``, ``properties``, ``items``, the
unions, ``$ref``, ``const`` and one-value ``enum`` discriminators; no descriptions,
examples or defaults), from:

- ``openai``: the official OpenAPI description, ``openapi.yaml`` in
  ``../shared/reference/openai/`` beside the repository (or ``--openai FILE``);
- ``anthropic``: the installed ``anthropic`` SDK's own types (pydantic models and
  TypedDicts under ``anthropic.types``), as JSON Schema by pydantic;
- ``gemini``: the installed ``google-genai`` SDK's types (``google.genai.types``, wire
  names by alias), with ``None`` no longer a type of every field (the SDK makes every
  field optional, which says nothing of the wire) and its own fields
  (``sdkHttpResponse``, ``automaticFunctionCallingHistory``, ``parsed``) left out; the
  request, embedding and listing envelopes, which the SDK builds from other types, are
  written from the REST reference's field lists around the SDK's types.

Run from the repository root::

    python tests/llm/spec_facts/extract.py            # every source that is present
    python tests/llm/spec_facts/extract.py openai     # one of them

Each output names its source (file or package, version, digest) in ``source``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
OPENAI_SPEC = REPO.parent / "shared" / "reference" / "openai" / "openapi.yaml"

#: The schema keywords a comparison needs; everything else is left behind.
KEEP = frozenset(
    {"type", "nullable", "required", "properties", "items", "prefixItems", "anyOf", "oneOf"}
    | {"allOf", "$ref", "const", "enum"}
)

#: The OpenAPI component schemas the OpenAI contracts are compared with.
OPENAI_ROOTS = (
    "CreateChatCompletionRequest",
    "CreateChatCompletionResponse",
    "CreateChatCompletionStreamResponse",
    "CreateCompletionRequest",
    "CreateCompletionResponse",
    "CreateEmbeddingRequest",
    "CreateEmbeddingResponse",
    "CreateResponse",
    "Response",
    "ResponseStreamEvent",
    "Model",
    "ListModelsResponse",
    "ErrorResponse",
    "ResponseItemList",
)


def reduce(node: Any) -> Any:
    """``node`` with only the structural keywords, refs pointing into ``#/schemas/``."""
    if isinstance(node, list):
        return [reduce(item) for item in node]
    if not isinstance(node, dict):
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key not in KEEP or (key == "enum" and len(value) != 1):
            continue
        if key == "$ref":
            kept[key] = "#/schemas/" + value.rsplit("/", 1)[-1]
        elif key == "properties":
            kept[key] = {name: reduce(schema) for name, schema in value.items()}
        else:
            kept[key] = reduce(value)
    return kept


def references(node: Any) -> Iterator[str]:
    """The schema names ``node`` refers to (through the kept keywords)."""
    if isinstance(node, list):
        for item in node:
            yield from references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value.rsplit("/", 1)[-1]
            elif key == "properties":
                for schema in value.values():
                    yield from references(schema)
            elif key in KEEP:
                yield from references(value)


def reachable(schemas: dict[str, Any], roots: Iterable[str]) -> dict[str, Any]:
    """The reduced schemas reachable from ``roots``, sorted by name."""
    found: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name not in found:
            found.add(name)
            stack.extend(references(schemas[name]))
    return {name: reduce(schemas[name]) for name in sorted(found)}


def openai_facts(spec: Path) -> dict[str, Any]:
    """The facts of the OpenAI OpenAPI description at ``spec``."""
    import yaml

    raw = spec.read_bytes()
    document = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    source_file = spec.parent / "SOURCE.txt"
    origin = ""
    if source_file.exists():
        for line in source_file.read_text().splitlines():
            if line.startswith(("repo:", "commit:")):
                origin += " ".join(line.split()[:2]) + "; "
    return {
        "source": {
            "file": spec.name,
            "title": document["info"]["title"],
            "version": document["info"]["version"],
            "sha256": hashlib.sha256(raw).hexdigest(),
            "origin": origin.strip().rstrip(";"),
        },
        "roots": list(OPENAI_ROOTS),
        "schemas": reachable(document["components"]["schemas"], OPENAI_ROOTS),
    }


SOURCES = ("openai", "anthropic", "gemini")

#: The SDK types the Anthropic contracts are compared with (name -> import path).
ANTHROPIC_ROOTS = {
    "MessageCreateParamsNonStreaming": "anthropic.types.message_create_params",
    "MessageCountTokensParams": "anthropic.types.message_count_tokens_params",
    "Message": "anthropic.types",
    "RawMessageStreamEvent": "anthropic.types",
    "MessageTokensCount": "anthropic.types",
    "ErrorResponse": "anthropic.types",
    "ModelInfo": "anthropic.types",
    "BatchCreateParams": "anthropic.types.messages.batch_create_params",
    "MessageBatch": "anthropic.types.messages",
    "DeletedMessageBatch": "anthropic.types.messages",
    "MessageBatchIndividualResponse": "anthropic.types.messages",
}


def sdk_facts(package: str, roots: dict[str, Any]) -> dict[str, Any]:
    """The facts of SDK types (pydantic models, TypedDicts, unions): each root's JSON
    Schema by pydantic (validation mode, as the SDK reads answers), reduced."""
    from importlib.metadata import version

    from pydantic import TypeAdapter

    schemas: dict[str, Any] = {}
    for name, kind in roots.items():
        document = TypeAdapter(kind).json_schema(mode="validation", ref_template="#/$defs/{model}")
        schemas.update(document.pop("$defs", {}))
        schemas[name] = document
    return {
        "source": {
            "package": package,
            "version": version(package),
            "how": "pydantic TypeAdapter(...).json_schema(mode='validation') of the SDK's types",
        },
        "roots": sorted(roots),
        "schemas": {name: reduce(schemas[name]) for name in sorted(schemas)},
    }


def anthropic_facts() -> dict[str, Any]:
    """The facts of the installed ``anthropic`` SDK's Messages API types."""
    import importlib

    from anthropic.pagination import SyncPage
    from anthropic.types import ModelInfo
    from anthropic.types.messages import MessageBatch

    roots: dict[str, Any] = {
        name: getattr(importlib.import_module(module), name)
        for name, module in ANTHROPIC_ROOTS.items()
    }
    roots["ModelPage"] = SyncPage[ModelInfo]
    roots["MessageBatchPage"] = SyncPage[MessageBatch]
    return sdk_facts("anthropic", roots)


SDK_ONLY = ("sdkHttpResponse", "automaticFunctionCallingHistory", "parsed")


def without_sdk_conventions(node: Any) -> Any:
    """Drop ``null`` alternatives and the SDK's own properties (google-genai)."""
    if isinstance(node, list):
        return [without_sdk_conventions(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: without_sdk_conventions(value) for key, value in node.items()}
    for key in ("anyOf", "oneOf"):
        if key in node:
            options = [o for o in node[key] if o != {"type": "null"}]
            if len(options) == 1 and len(node) == 1:
                return options[0]
            node[key] = options
    if isinstance(node.get("properties"), dict):
        for name in SDK_ONLY:
            node["properties"].pop(name, None)
    return node


def gemini_facts() -> dict[str, Any]:
    """The facts of the installed ``google-genai`` SDK's wire types, and the request
    and envelope shapes around them."""
    from google.genai import types

    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/$defs/{name}"}

    def array(name: str) -> dict[str, Any]:
        return {"type": "array", "items": ref(name)}

    generate = {
        "type": "object",
        "properties": {
            "contents": array("Content"),
            "systemInstruction": ref("Content"),
            "tools": array("Tool"),
            "toolConfig": ref("ToolConfig"),
            "generationConfig": ref("GenerationConfig"),
            "safetySettings": array("SafetySetting"),
            "cachedContent": {"type": "string"},
        },
    }
    embed = {
        "type": "object",
        "properties": {
            "model": {"type": "string"},
            "content": ref("Content"),
            "taskType": {"type": "string"},
            "title": {"type": "string"},
            "outputDimensionality": {"type": "integer"},
        },
    }
    synthetic = {
        "GenerateContentRequest": generate,
        "CountTokensRequest": {
            "type": "object",
            "properties": {"contents": array("Content"), "generateContentRequest": generate},
        },
        "EmbedContentRequest": embed,
        "BatchEmbedContentsRequest": {
            "type": "object",
            "properties": {"requests": {"type": "array", "items": embed}},
        },
        "EmbedContentResponse": {
            "type": "object",
            "properties": {"embedding": ref("ContentEmbedding")},
        },
        "BatchEmbedContentsResponse": {
            "type": "object",
            "properties": {"embeddings": array("ContentEmbedding")},
        },
        "ListModelsResponse": {
            "type": "object",
            "properties": {"models": array("Model"), "nextPageToken": {"type": "string"}},
        },
    }
    sdk_types: dict[str, Any] = {
        name: getattr(types, name)
        for name in (
            "GenerateContentResponse",
            "CountTokensResponse",
            "Model",
            "Content",
            "Tool",
            "ToolConfig",
            "GenerationConfig",
            "SafetySetting",
            "ContentEmbedding",
        )
    }
    facts = sdk_facts("google-genai", sdk_types)
    facts["schemas"] = without_sdk_conventions(facts["schemas"])
    facts["schemas"].update({name: reduce(schema) for name, schema in synthetic.items()})
    facts["schemas"] = dict(sorted(facts["schemas"].items()))
    facts["roots"] = sorted({"GenerateContentResponse", "CountTokensResponse", "Model", *synthetic})
    facts["states_required"] = False
    facts["source"]["envelopes"] = (
        "request, embedding and model-list envelopes: the REST reference's field names "
        "(ai.google.dev/api), around the SDK's types"
    )
    return facts


def write(name: str, facts: dict[str, Any]) -> Path:
    """Write ``spec_facts/<name>.json`` (sorted, one key a line, so diffs stay readable)."""
    target = HERE / f"{name}.json"
    target.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help=", ".join(SOURCES))
    parser.add_argument("--openai", type=Path, default=OPENAI_SPEC, help="openapi.yaml")
    args = parser.parse_args(argv)
    unknown = set(args.sources) - set(SOURCES)
    if unknown:
        parser.error(f"unknown source {', '.join(sorted(unknown))}; choose from {SOURCES}")
    for source in args.sources or SOURCES:
        if source == "openai":
            if not args.openai.exists():
                print(f"skipped openai: {args.openai} is absent", file=sys.stderr)
                continue
            print(write("openai", openai_facts(args.openai)))
        elif source == "anthropic":
            print(write("anthropic", anthropic_facts()))
        else:
            print(write("gemini", gemini_facts()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
