"""Flatten a JSON Schema (or an OpenAPI component) into comparable facts, node by node.

Both sides of the contract-versus-spec comparison go through :func:`flatten`: each
object or value position in the document gets a dotted path (``text.body``,
``contacts[].wa_id``; the root is ``""``) and its facts: the JSON types it may have, the
fields it requires, the properties it names and whether it is closed
(``additionalProperties: false``). ``allOf`` parts are folded into one node (``if``/
``then`` parts are skipped: they refine, they do not describe); the branches of
``oneOf``/``anyOf`` (or, without them, of a ``discriminator`` mapping) are united: every
property any branch names, the fields every branch requires.

Used by ``extract_spec_facts.py`` (Meta's spec side, written to ``spec_facts.json``) and
by ``test_whatsapp_contracts_vs_spec.py`` (our side).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Node = dict[str, Any]
Facts = dict[str, dict[str, Any]]
Resolver = Callable[[str], Any]

_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return _JSON_TYPES.get(type(value), "string")


class Flattener:
    """Walks one schema document; `resolve` turns a ``$ref`` string into its target."""

    def __init__(self, resolve: Resolver, max_depth: int = 12) -> None:
        self.resolve = resolve
        self.max_depth = max_depth

    def deref(self, node: Any, seen: tuple[str, ...] = ()) -> tuple[Any, tuple[str, ...]]:
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                return {}, seen
            seen = (*seen, ref)
            node = self.resolve(ref)
        return node, seen

    def merged(self, node: Any, seen: tuple[str, ...] = ()) -> tuple[Node, tuple[str, ...]]:
        """The node with refs followed, ``allOf`` folded and ``oneOf``/``anyOf`` united."""
        node, seen = self.deref(node, seen)
        if not isinstance(node, dict):
            return {}, seen
        result: Node = {k: v for k, v in node.items() if k not in ("allOf", "oneOf", "anyOf")}
        result["properties"] = dict(node.get("properties") or {})
        result["required"] = list(node.get("required") or [])
        for part in node.get("allOf") or []:
            if isinstance(part, dict) and "if" in part:
                continue
            sub, _ = self.merged(part, seen)
            self._fold(result, sub, unite=False)
        alternatives = {key: node.get(key) or [] for key in ("oneOf", "anyOf")}
        mapping = (node.get("discriminator") or {}).get("mapping") or {}
        if mapping and not any(alternatives.values()):
            alternatives["oneOf"] = [{"$ref": ref} for ref in mapping.values()]
        for options in alternatives.values():
            branches = [self.merged(b, seen)[0] for b in options]
            if branches:
                union: Node = {"properties": {}, "required": None}
                for branch in branches:
                    self._fold(union, branch, unite=True)
                self._fold(result, union, unite=False)
        return result, seen

    @staticmethod
    def _fold(into: Node, part: Node, *, unite: bool) -> None:
        into.setdefault("properties", {})
        for name, schema in (part.get("properties") or {}).items():
            known = into["properties"].get(name)
            # a property several branches describe differently may be any of them
            into["properties"][name] = (
                schema if known is None or known == schema else {"anyOf": [known, schema]}
            )
        required = list(part.get("required") or [])
        if unite:
            into["required"] = (
                required
                if into.get("required") is None
                else [r for r in into["required"] if r in required]
            )
        else:
            into["required"] = [*(into.get("required") or []), *required]
        for key in ("type", "items", "additionalProperties"):
            if key in part and key not in into:
                into[key] = part[key]
        into.setdefault("_types", set()).update(part.get("_types") or set())
        if unite:
            into["_types"].update(_declared_types(part))

    def flatten(
        self, node: Any, path: str = "", facts: Facts | None = None, depth: int = 0
    ) -> Facts:
        """The facts of `node` and everything under it."""
        facts = {} if facts is None else facts
        merged, _ = self.merged(node)
        types = set(_declared_types(merged)) | set(merged.get("_types") or set())
        properties = merged.get("properties") or {}
        if properties and not types:
            types.add("object")
        fact: dict[str, Any] = {"types": sorted(types)}
        if "object" in types or properties:
            fact["required"] = sorted(set(merged.get("required") or []))
            fact["properties"] = sorted(properties)
            fact["closed"] = merged.get("additionalProperties") is False
        facts[path] = fact
        if depth >= self.max_depth:
            return facts
        for name, schema in properties.items():
            self.flatten(schema, f"{path}.{name}" if path else name, facts, depth + 1)
        items = merged.get("items")
        if isinstance(items, dict):
            self.flatten(items, f"{path}[]", facts, depth + 1)
        return facts


def _declared_types(node: Node) -> list[str]:
    declared = node.get("type")
    types: list[str] = []
    if isinstance(declared, str):
        types.append(declared)
    elif isinstance(declared, list):
        types.extend(str(t) for t in declared)
    if node.get("nullable"):
        types.append("null")
    if not declared and "const" in node:
        types.append(_json_type(node["const"]))
    if not declared and isinstance(node.get("enum"), list):
        types.extend(_json_type(value) for value in node["enum"])
    return sorted(set(types))


def subtree(facts: Facts, at: str) -> Facts:
    """The facts under path `at`, re-rooted (``at=""`` is everything)."""
    if not at:
        return dict(facts)
    found: Facts = {}
    for path, fact in facts.items():
        if path == at:
            found[""] = fact
        elif path.startswith(at + ".") or path.startswith(at + "["):
            rest = path[len(at) :]
            found[rest.removeprefix(".")] = fact
    return found


def prune(facts: Facts, at: str) -> Facts:
    """The facts without the node `at` and everything under it."""
    return {
        path: fact
        for path, fact in facts.items()
        if not (path == at or path.startswith(at + ".") or path.startswith(at + "["))
    }
