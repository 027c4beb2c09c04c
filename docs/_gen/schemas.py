"""JSON Schemas (as an OpenAPI document holds them) rendered as Markdown tables and types."""

from __future__ import annotations

import json
import re
from typing import Any

_REF_PREFIX = "#/components/schemas/"


def anchor(name: str) -> str:
    """The HTML id of a schema's heading."""
    return "schema-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def prose(text: str) -> str:
    """A docstring-style description as Markdown (``Example::`` becomes ``Example:``)."""
    return re.sub(r"::\n", ":\n", text.strip())


def one_line(text: str) -> str:
    """Text that fits in a table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _constraints(schema: dict[str, Any]) -> str:
    parts = []
    for key, sign in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
    ):
        if key in schema:
            parts.append(f"{sign} {schema[key]}")
    if "minLength" in schema:
        parts.append(f"at least {schema['minLength']} characters")
    if "pattern" in schema:
        parts.append(f"matching `{schema['pattern']}`")
    if "format" in schema:
        parts.append(f"({schema['format']})")
    return (" " + ", ".join(parts)) if parts else ""


def type_of(schema: Any) -> str:
    """A short Markdown type: ``string``, ``array of [Matcher](#schema-matcher)``, ..."""
    if not isinstance(schema, dict) or not schema:
        return "any"
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(_REF_PREFIX)
        return f"[{name}](#{anchor(name)})"
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = list(dict.fromkeys(type_of(option) for option in schema[key]))
            return " or ".join(options)
    if "allOf" in schema:
        return " and ".join(type_of(part) for part in schema["allOf"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(type_of({**schema, "type": k}) for k in kind)
    if kind == "array":
        items = schema.get("items")
        return "array" if items is None else f"array of {type_of(items)}"
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, dict) and values:
            return f"object of {type_of(values)}"
        return "object"
    if isinstance(kind, str):
        return kind + _constraints(schema)
    return "any"


def _default(schema: dict[str, Any]) -> str:
    if "default" not in schema:
        return ""
    return f"`{json.dumps(schema['default'])}`"


def render_schema(name: str, schema: dict[str, Any]) -> str:
    """One schema: a heading with a stable anchor, its description, its fields."""
    lines = [f"### `{name}` {{#{anchor(name)}}}", ""]
    description = schema.get("description")
    if description:
        lines += [prose(description), ""]
    properties: dict[str, Any] = schema.get("properties") or {}
    if properties:
        required = set(schema.get("required") or [])
        lines += ["| Field | Type | Required | Default | Description |", "|---|---|---|---|---|"]
        for field, spec in properties.items():
            spec = spec if isinstance(spec, dict) else {}
            cells = [
                f"`{field}`",
                one_line(type_of(spec)),
                "yes" if field in required else "",
                one_line(_default(spec)),
                one_line(spec.get("description", "")),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        if schema.get("additionalProperties") is False:
            lines += ["", "Other fields are refused (400 naming the field)."]
    else:
        lines.append(f"Type: {type_of(schema)}.")
    return "\n".join(lines) + "\n"


def referenced(schema: Any, found: set[str] | None = None) -> set[str]:
    """The names of the component schemas `schema` refers to, directly or not."""
    found = set() if found is None else found
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            found.add(ref.removeprefix(_REF_PREFIX))
        for value in schema.values():
            referenced(value, found)
    elif isinstance(schema, list):
        for value in schema:
            referenced(value, found)
    return found


def closure(names: set[str], components: dict[str, Any]) -> list[str]:
    """`names` and every schema they reach, sorted."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in components:
            continue
        seen.add(name)
        todo += sorted(referenced(components[name]) - seen)
    return sorted(seen, key=str.lower)
