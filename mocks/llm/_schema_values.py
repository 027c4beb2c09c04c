"""Deterministic instances of a JSON schema.

Structured output (``response_format`` ``json_schema``, ``text.format``) and forced
tool calls must produce JSON that validates against the caller's schema. This module
builds such an instance from the schema alone, walking the keywords that JSON Schema
(draft 2020-12 and the subset OpenAI's strict mode allows) uses to shape values:
``type``, ``enum``, ``const``, ``properties``/``required``, ``items``/``prefixItems``,
``anyOf``/``oneOf``/``allOf``, local ``$ref`` (``#/$defs/...``), string ``format``,
``pattern``, length and range bounds, and ``multipleOf``.

Strings prefer the ``words`` the caller passes (the prompt's key words), so a tool
call for "the weather in Paris" gets ``{"location": "Paris"}``.

>>> import random
>>> generate_instance({"type": "object", "properties": {"n": {"type": "integer",
...     "minimum": 3, "maximum": 3}}, "required": ["n"]}, random.Random(0))
{'n': 3}
"""

from __future__ import annotations

import importlib
import math
import random
import string
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

MAX_DEPTH = 24
"""Nesting beyond which a schema is taken to recurse without end."""
OPTIONAL_DEPTH = 4
"""Nesting beyond which optional properties are left out."""

_re_parser: Any = importlib.import_module("re._parser")

_FILLER_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf")


class SchemaValueError(ValueError):
    """The schema admits no value this generator can build (``false``, bad ``$ref``)."""


def generate_instance(
    schema: Mapping[str, Any] | bool,
    rng: random.Random,
    *,
    words: Sequence[str] = (),
) -> Any:
    """Return a value that validates against ``schema``.

    ``rng`` drives every choice, so the same generator state gives the same value;
    ``words`` are preferred for free-text strings.
    """
    return _Generator(schema, rng, words).value(schema, 0, None)


class _Generator:
    def __init__(
        self, root: Mapping[str, Any] | bool, rng: random.Random, words: Sequence[str]
    ) -> None:
        self.root = root
        self.rng = rng
        self.words = [w for w in words if w] or list(_FILLER_WORDS)
        self.word_index = 0

    # -- dispatch ----------------------------------------------------------------------

    def value(self, schema: Mapping[str, Any] | bool, depth: int, name: str | None) -> Any:
        if depth > MAX_DEPTH:
            raise SchemaValueError("schema nests too deeply (a required cycle?)")
        if schema is True:
            return self.text(name, {})
        if schema is False:
            raise SchemaValueError("the schema `false` admits no value")
        schema = self.flatten(schema, depth)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.rng.choice(list(schema["enum"]))
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.value(self.pick_branch(schema[key], schema), depth + 1, name)
        kind = self.pick_type(schema)
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return self.array(schema, depth, name)
        if kind == "string":
            return self.string(schema, name)
        if kind == "integer":
            return self.integer(schema)
        if kind == "number":
            return self.number(schema)
        if kind == "boolean":
            return self.rng.random() < 0.5
        return None

    def flatten(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        """Resolve ``$ref`` and merge ``allOf`` into one schema."""
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k not in ("$ref", "allOf")}
        if "$ref" in schema:
            target = self.resolve(str(schema["$ref"]))
            base = self.flatten(target, depth + 1) if isinstance(target, Mapping) else {}
            merged = _merge(base, merged)
        for part in schema.get("allOf") or ():
            if isinstance(part, Mapping):
                merged = _merge(merged, self.flatten(part, depth + 1))
        return merged

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise SchemaValueError(f"only local $ref is supported, got {ref!r}")
        node: Any = self.root
        for raw in ref[1:].split("/")[1:]:
            key = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise SchemaValueError(f"$ref {ref!r} does not resolve")
        return node

    def pick_branch(self, branches: Sequence[Any], parent: Mapping[str, Any]) -> Any:
        def is_null(branch: Any) -> bool:
            return isinstance(branch, Mapping) and branch.get("type") == "null"

        usable = [b for b in branches if not is_null(b)] or list(branches)
        branch = usable[0] if len(usable) == 1 else self.rng.choice(usable)
        siblings = {k: v for k, v in parent.items() if k not in ("anyOf", "oneOf", "default")}
        if isinstance(branch, Mapping) and siblings:
            return _merge(siblings, dict(branch))
        return branch

    def pick_type(self, schema: Mapping[str, Any]) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            options = [k for k in kind if k != "null"] or ["null"]
            return str(options[0])
        if isinstance(kind, str):
            return kind
        if "properties" in schema or "required" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema:
            return "array"
        if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
            return "number"
        return "string"

    # -- containers --------------------------------------------------------------------

    def object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        required = [str(r) for r in schema.get("required") or ()]
        result: dict[str, Any] = {}
        for key, sub in properties.items():
            if key in required or depth < OPTIONAL_DEPTH:
                result[key] = self.value(sub, depth + 1, key)
        for key in required:
            if key not in result:
                extra = _additional(schema)
                result[key] = self.value(extra, depth + 1, key)
        extra = _additional(schema)
        index = 0
        while len(result) < int(schema.get("minProperties", 0)) and extra is not False:
            key = f"key{index}"
            index += 1
            if key not in result:
                result[key] = self.value(extra, depth + 1, key)
        return result

    def array(self, schema: Mapping[str, Any], depth: int, name: str | None) -> list[Any]:
        prefix = list(schema.get("prefixItems") or ())
        items = schema.get("items", True)
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        if depth < OPTIONAL_DEPTH:
            count = max(low, len(prefix) if items is False else max(len(prefix), 1))
            count = max(count, min(low + 2, 2 if high is None else int(high)))
        else:  # deep down (a recursive schema, say) build only what is required
            count = low
        if high is not None:
            count = min(count, int(high))
        result: list[Any] = []
        attempts = 0
        while len(result) < count and attempts < count * 10 + 10:
            attempts += 1
            position = len(result)
            sub = prefix[position] if position < len(prefix) else items
            element = self.value(sub, depth + 1, name)
            if schema.get("uniqueItems") and element in result:
                continue
            result.append(element)
        if len(result) < low:
            raise SchemaValueError("cannot build enough unique array items")
        return result

    # -- scalars -----------------------------------------------------------------------

    def string(self, schema: Mapping[str, Any], name: str | None) -> str:
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            text = _FORMATS[fmt](self.rng)
        elif isinstance(schema.get("pattern"), str):
            text = _from_pattern(str(schema["pattern"]), self.rng)
        else:
            text = self.text(name, schema)
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        if len(text) < low:
            text = (text + "x" * low)[:low] if not text else (text * (low // len(text) + 1))[:low]
        if high is not None and len(text) > int(high):
            text = text[: int(high)]
        return str(text)

    def text(self, name: str | None, schema: Mapping[str, Any]) -> str:
        del name, schema
        word = self.words[self.word_index % len(self.words)]
        self.word_index += 1
        return word

    def integer(self, schema: Mapping[str, Any]) -> int:
        low, high = _bounds(schema, integer=True)
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first = math.ceil(low / step)
            last = math.floor(high / step)
            if first > last:
                raise SchemaValueError("no multiple of multipleOf within the bounds")
            return self.rng.randint(first, min(last, first + 20)) * step
        return self.rng.randint(int(low), int(high))

    def number(self, schema: Mapping[str, Any]) -> float | int:
        step = schema.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0:
            low, high = _bounds(schema, integer=False)
            first = math.ceil(low / step)
            last = math.floor(high / step)
            if first > last:
                raise SchemaValueError("no multiple of multipleOf within the bounds")
            value = self.rng.randint(first, min(last, first + 20)) * step
            return int(value) if float(value).is_integer() else value
        low, high = _bounds(schema, integer=False)
        value = round(self.rng.uniform(low, high), 2)
        if not _within(value, schema):
            value = (low + high) / 2
        return value


def _additional(schema: Mapping[str, Any]) -> Any:
    extra = schema.get("additionalProperties", True)
    return True if extra is None else extra


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if key == "properties" and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        elif key == "required" and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *[r for r in value if r not in merged[key]]]
        else:
            merged[key] = value
    return merged


def _numeric(schema: Mapping[str, Any], key: str) -> float | None:
    value = schema.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _bounds(schema: Mapping[str, Any], *, integer: bool) -> tuple[float, float]:
    """The closed interval the numeric keywords allow (1 to 100 when unbounded)."""
    low = _numeric(schema, "minimum")
    high = _numeric(schema, "maximum")
    ex_low = _numeric(schema, "exclusiveMinimum")
    ex_high = _numeric(schema, "exclusiveMaximum")
    nudge = 1.0 if integer else 0.01
    if ex_low is not None:
        low = ex_low + nudge if low is None else max(low, ex_low + nudge)
    if ex_high is not None:
        high = ex_high - nudge if high is None else min(high, ex_high - nudge)
    if low is None and high is None:
        low, high = 1.0, 100.0
    elif low is None:
        assert high is not None
        low = min(1.0, high) if high >= 1 else high - 100
    elif high is None:
        high = low + 100
    if integer:
        low, high = float(math.ceil(low)), float(math.floor(high))
    if low > high:
        raise SchemaValueError("the numeric bounds admit no value")
    return low, high


def _within(value: float, schema: Mapping[str, Any]) -> bool:
    low = _numeric(schema, "minimum")
    high = _numeric(schema, "maximum")
    ex_low = _numeric(schema, "exclusiveMinimum")
    ex_high = _numeric(schema, "exclusiveMaximum")
    return (
        (low is None or value >= low)
        and (high is None or value <= high)
        and (ex_low is None or value > ex_low)
        and (ex_high is None or value < ex_high)
    )


def _date(rng: random.Random) -> str:
    return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _time(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"


_FORMATS: dict[str, Any] = {
    "date-time": lambda rng: f"{_date(rng)}T{_time(rng)}",
    "date": _date,
    "time": _time,
    "duration": lambda rng: f"PT{rng.randint(1, 59)}M",
    "email": lambda rng: f"user{rng.randint(1, 999)}@example.com",
    "idn-email": lambda rng: f"user{rng.randint(1, 999)}@example.com",
    "hostname": lambda rng: f"host{rng.randint(1, 99)}.example.com",
    "idn-hostname": lambda rng: f"host{rng.randint(1, 99)}.example.com",
    "ipv4": lambda rng: ".".join(str(rng.randint(1, 254)) for _ in range(4)),
    "ipv6": lambda rng: ":".join(f"{rng.randint(0, 65535):x}" for _ in range(8)),
    "uri": lambda rng: f"https://example.com/item/{rng.randint(1, 9999)}",
    "iri": lambda rng: f"https://example.com/item/{rng.randint(1, 9999)}",
    "uri-reference": lambda rng: f"/item/{rng.randint(1, 9999)}",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
}


def _from_pattern(pattern: str, rng: random.Random) -> str:
    """Build a string that matches ``pattern`` by walking its parsed form."""
    try:
        parsed = _re_parser.parse(pattern)
    except Exception as exc:  # re.error, but any failure means the same to us
        raise SchemaValueError(f"cannot parse pattern {pattern!r}") from exc
    return _emit(parsed, rng, {})


def _emit(items: Any, rng: random.Random, groups: dict[int, str]) -> str:
    out: list[str] = []
    p = _re_parser
    for op, arg in items:
        if op == p.LITERAL:
            out.append(chr(arg))
        elif op == p.NOT_LITERAL:
            out.append("a" if chr(arg) != "a" else "b")
        elif op == p.ANY:
            out.append("a")
        elif op == p.IN:
            out.append(_emit_class(arg, rng))
        elif op in (p.MAX_REPEAT, p.MIN_REPEAT, getattr(p, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            top = low + 3 if high == p.MAXREPEAT else min(high, low + 3)
            count = rng.randint(low, max(low, top))
            out.extend(_emit(sub, rng, groups) for _ in range(count))
        elif op == p.SUBPATTERN:
            group, _add, _del, sub = arg
            text = _emit(sub, rng, groups)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif op == p.ATOMIC_GROUP:
            out.append(_emit(arg, rng, groups))
        elif op == p.BRANCH:
            out.append(_emit(rng.choice(arg[1]), rng, groups))
        elif op == p.GROUPREF:
            out.append(groups.get(arg, ""))
        elif op == p.CATEGORY:
            out.append(_category(arg))
        # AT (anchors) and lookarounds add no characters.
    return "".join(out)


def _emit_class(items: Any, rng: random.Random) -> str:
    p = _re_parser
    if items and items[0][0] == p.NEGATE:
        banned = set()
        for op, arg in items[1:]:
            if op == p.LITERAL:
                banned.add(chr(arg))
            elif op == p.RANGE:
                banned.update(chr(c) for c in range(arg[0], arg[1] + 1))
        for char in string.ascii_letters + string.digits:
            if char not in banned:
                return char
        return "~"
    op, arg = rng.choice(list(items))
    if op == p.LITERAL:
        return chr(arg)
    if op == p.RANGE:
        return chr(rng.randint(arg[0], arg[1]))
    if op == p.CATEGORY:
        return _category(arg)
    return "a"


def _category(category: Any) -> str:
    name = str(category).upper()
    if "NOT_DIGIT" in name:
        return "a"
    if "DIGIT" in name:
        return "7"
    if "NOT_SPACE" in name or ("NOT_WORD" not in name and "WORD" in name):
        return "a"
    if "NOT_WORD" in name:
        return "-"
    return " "
