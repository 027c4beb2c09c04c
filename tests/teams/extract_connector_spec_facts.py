"""Regenerate ``connector_spec_facts.json`` from the Bot Connector API description.

The contract test compares ``contracts/teams/*.json`` with facts taken from the Bot
Framework's published API description and protocol schema. Tests must not read outside
the repository, so the facts (operations, and per definition its required fields and its
properties' JSON types; no prose) are extracted once into a committed file. Run this
script from the repository root when the reference files change::

    python tests/teams/extract_connector_spec_facts.py [../shared/reference/teams]

Sources: ``botframework-channel.json`` (Bot Connector API v3.1, Swagger 2.0) and
``botframework-protocol-schema.json`` (the protocol's JSON Schema, which adds ``required``
lists), both from github.com/microsoft/botframework-sdk (MIT).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
#: ``../shared/reference/teams`` beside the checkout (a worktree sits one level deeper).
CANDIDATES = [up / "shared" / "reference" / "teams" for up in (ROOT.parent, ROOT.parent.parent)]
OUTPUT = HERE / "connector_spec_facts.json"
SWAGGER = "botframework-channel.json"
PROTOCOL = "botframework-protocol-schema.json"


def _type_of(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """A property's type: a JSON type, a reference to an object definition, or an array."""
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        target = definitions[name]
        if target.get("type", "object") == "object":
            return {"ref": name}
        return {"type": target["type"]}
    kind = node.get("type", "object")
    if kind == "array":
        return {"type": "array", "items": _type_of(node.get("items", {}), definitions)}
    return {"type": kind}


def _definition(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    properties = {
        name: _type_of(prop, definitions) for name, prop in node.get("properties", {}).items()
    }
    return {
        "type": node.get("type", "object"),
        "required": sorted(node.get("required", [])),
        "properties": properties,
    }


def _schema_name(schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        inner = _schema_name(schema.get("items"))
        return f"{inner}[]" if inner else "array"
    return str(schema.get("type"))


def _operations(paths: dict[str, Any]) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for path, methods in paths.items():
        for method, operation in methods.items():
            if not isinstance(operation, dict):
                continue
            body = next(
                (p.get("schema") for p in operation.get("parameters", []) if p.get("in") == "body"),
                None,
            )
            operations[operation["operationId"]] = {
                "method": method.upper(),
                "path": path,
                "body": _schema_name(body),
                "query": sorted(
                    p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
                ),
                "responses": {
                    code: _schema_name(answer.get("schema"))
                    for code, answer in operation.get("responses", {}).items()
                },
            }
    return operations


def _source_info(path: Path, document: dict[str, Any]) -> dict[str, Any]:
    info = document.get("info", {})
    return {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "title": info.get("title"),
        "version": info.get("version"),
        "repository": "github.com/microsoft/botframework-sdk",
    }


def extract(source: Path) -> dict[str, Any]:
    """The facts document for the reference files in `source`."""
    swagger = json.loads((source / SWAGGER).read_text())
    protocol = json.loads((source / PROTOCOL).read_text())
    definitions = swagger["definitions"]
    facts = {
        name: _definition(node, definitions)
        for name, node in sorted(definitions.items())
        if node.get("type", "object") == "object" and "enum" not in node
    }
    for name, node in protocol.get("definitions", {}).items():
        if name in facts:
            facts[name]["protocol_required"] = sorted(node.get("required", []))
    return {
        "generated_by": "tests/teams/extract_connector_spec_facts.py",
        "sources": {
            SWAGGER: _source_info(source / SWAGGER, swagger),
            PROTOCOL: _source_info(source / PROTOCOL, protocol),
        },
        "operations": _operations(swagger["paths"]),
        "definitions": facts,
    }


def main(argv: list[str]) -> int:
    found = [c for c in CANDIDATES if c.is_dir()]
    source = Path(argv[1]) if len(argv) > 1 else (found[0] if found else CANDIDATES[0])
    if not (source / SWAGGER).is_file():
        print(f"no {SWAGGER} in {source}", file=sys.stderr)
        return 1
    OUTPUT.write_text(json.dumps(extract(source), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
