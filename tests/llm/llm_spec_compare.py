"""Compare our JSON Schemas (``contracts/llm/``) with the facts of a published API
description (``tests/llm/spec_facts/<provider>.json``, extracted by
``spec_facts/extract.py``, which names its source).

At every level where both describe an object the comparison checks the same
``required`` fields (when the source states them), no property the source does not
know, and the same JSON types for each property. Polymorphic places (output items,
content parts, stream events) are matched branch by branch on their ``type``
discriminator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mocks.core import Contracts

FACTS = Path(__file__).resolve().parent / "spec_facts"

Node = dict[str, Any]


class Side:
    """One side of the comparison: a schema document and how to follow its refs."""

    def __init__(self, root: Node, *, facts: Node | None = None) -> None:
        self.root = root
        self.facts = facts

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if self.facts is not None:
                node = self.facts["schemas"][ref.rsplit("/", 1)[-1]]
            else:
                document, _, pointer = ref.partition("#")
                target: Any = (
                    _anchored(load_contract(document.removesuffix(".json")), document)
                    if document
                    else self.root
                )
                for part in filter(None, pointer.split("/")):
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
        stated = spec.facts is None or spec.facts.get("states_required", True)
        if stated and sorted(mine.get("required", [])) != sorted(theirs.get("required", [])):
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


def disagreements(
    contract: Node, facts: Node, schema: str, seen: list[str] | None = None
) -> list[str]:
    """Every disagreement of ``contract`` with the spec ``schema`` described by ``facts``;
    ``seen`` collects the property paths compared."""
    ours, spec = Side(contract), Side({}, facts=facts)
    theirs = {"$ref": f"#/schemas/{schema}"}
    return compare(ours, spec, contract, theirs, "", [] if seen is None else seen)


def load_facts(provider: str) -> Node:
    """The committed facts of one provider's published API description."""
    facts: Node = json.loads((FACTS / f"{provider}.json").read_text())
    return facts


def _anchored(node: Any, document: str) -> Any:
    """`node` (from contract file `document`) with its local refs (``#/$defs/x``) made
    to name that file, so they resolve there when followed from another contract."""
    if isinstance(node, dict):
        return {
            key: document + value
            if key == "$ref" and isinstance(value, str) and value.startswith("#")
            else _anchored(value, document)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_anchored(item, document) for item in node]
    return node


def load_contract(name: str) -> Node:
    """One of our contracts, as committed."""
    contract: Node = json.loads((Contracts("llm").folder / f"{name}.json").read_text())
    return contract


def check_pairs(
    name: str, facts: Node, pairs: dict[str, str], deviations: dict[tuple[str, str], str]
) -> None:
    """Assert that contract ``name`` agrees with its paired schema, except where a listed
    deviation says why, and that every listed deviation still exists."""
    problems = disagreements(load_contract(name), facts, pairs[name])
    allowed = {path for (contract, path) in deviations if contract == name}
    unexplained = [p for p in problems if p.split(":")[0] not in allowed]
    assert unexplained == [], "\n".join(unexplained)
    explained = {p.split(":")[0] for p in problems} & allowed
    assert explained == allowed, "a listed deviation no longer exists; drop it from the list"
