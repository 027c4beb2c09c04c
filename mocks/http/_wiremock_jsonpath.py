"""WireMock's JSON paths (Jayway's dialect) and how WireMock prints the values it finds.

A path is compiled once and read many times. It takes keys (``$.a``, ``$['a b']``),
indexes (``[0]``, ``[-1]``), wildcards (``[*]``, ``.*``), deep scans (``$..id``) and
filters (``[?(@.qty > 1)]``, ``[?(@.name == 'x')]``, ``[?(@.flag)]``). A path without
wildcards, scans or filters is *definite*: it finds one value or none.

`as_text` prints a value as WireMock's templates and string matchers see it: strings as
they are, numbers as Java prints them, objects and arrays as Jackson's pretty printer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: What a definite path finds where there is nothing.
NOTHING: Any = type("Nothing", (), {"__repr__": lambda self: "NOTHING"})()

_FILTER = re.compile(
    r"""^@((?:\.[A-Za-z_$][\w$-]*|\[\d+\])+)\s*"""
    r"""(?:(==|!=|<=|>=|<|>)\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null))?$"""
)
_STEP = re.compile(
    r"""\.\.(?P<deep>[A-Za-z_$][\w$-]*|\*)"""
    r"""|\.(?P<key>[A-Za-z_$][\w$-]*|\*)"""
    r"""|\[(?P<index>-?\d+)\]"""
    r"""|\[(?P<quoted>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]"""
    r"""|\[(?P<star>\*)\]"""
    r"""|\[\?\((?P<filter>[^()]*)\)\]"""
)


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str  # "key", "index", "star", "deep", "filter"
    key: str | int | None = None
    filter_path: tuple[str | int, ...] = ()
    op: str | None = None
    operand: Any = None


def _literal(text: str) -> Any:
    if text[0] in "'\"":
        return text[1:-1].replace("\\" + text[0], text[0])
    return json.loads(text)


def _filter_path(text: str) -> tuple[str | int, ...]:
    return tuple(
        int(part[1:-1]) if part.startswith("[") else part[1:]
        for part in re.findall(r"\.[^.\[]+|\[\d+\]", text)
    )


class WireMockJsonPath:
    """A compiled JSON path; ``ValueError`` says where an expression cannot be read."""

    __slots__ = ("definite", "source", "steps")

    def __init__(self, source: str) -> None:
        self.source = source
        text = source.strip()
        if not text.startswith("$"):
            raise ValueError(f"a JSON path starts with '$': {source!r}")
        steps: list[_Step] = []
        position = 1
        while position < len(text):
            found = _STEP.match(text, position)
            if found is None:
                raise ValueError(f"cannot read JSON path {source!r} at {text[position:]!r}")
            steps.append(self._step(found, source))
            position = found.end()
        self.steps = tuple(steps)
        self.definite = all(step.kind in ("key", "index") for step in steps)

    @staticmethod
    def _step(found: re.Match[str], source: str) -> _Step:
        if found["deep"] is not None:
            return _Step("deep", None if found["deep"] == "*" else found["deep"])
        if found["key"] is not None:
            return _Step("star") if found["key"] == "*" else _Step("key", found["key"])
        if found["index"] is not None:
            return _Step("index", int(found["index"]))
        if found["quoted"] is not None:
            return _Step("key", _literal(found["quoted"]))
        if found["star"] is not None:
            return _Step("star")
        condition = _FILTER.match(found["filter"].strip())
        if condition is None:
            raise ValueError(f"unsupported filter in JSON path {source!r}: {found['filter']!r}")
        operand = _literal(condition[3]) if condition[3] is not None else None
        return _Step("filter", None, _filter_path(condition[1]), condition[2], operand)

    def find(self, document: Any) -> list[Any]:
        """Every value the path reaches (for a definite path, at most one)."""
        current = [document]
        for step in self.steps:
            current = [found for value in current for found in _apply(step, value)]
        return current

    def first(self, document: Any) -> Any:
        """A definite path's value (`NOTHING` when absent); the list of values otherwise."""
        found = self.find(document)
        if self.definite:
            return found[0] if found else NOTHING
        return found


def _apply(step: _Step, value: Any) -> list[Any]:
    if step.kind == "key":
        return [value[step.key]] if isinstance(value, dict) and step.key in value else []
    if step.kind == "index":
        assert isinstance(step.key, int)
        if isinstance(value, list) and -len(value) <= step.key < len(value):
            return [value[step.key]]
        return []
    if step.kind == "star":
        return _children(value)
    if step.kind == "deep":
        return [v for node in _descendants(value) for v in _deep_match(step, node)]
    return [item for item in _children(value) if _holds(step, item)]


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, list) else []


def _descendants(value: Any) -> list[Any]:
    found = [value]
    for child in _children(value):
        found.extend(_descendants(child))
    return found


def _deep_match(step: _Step, node: Any) -> list[Any]:
    if step.key is None:
        return _children(node)
    return [node[step.key]] if isinstance(node, dict) and step.key in node else []


def _holds(step: _Step, item: Any) -> bool:
    value = item
    for part in step.filter_path:
        if isinstance(part, int):
            if not isinstance(value, list) or not -len(value) <= part < len(value):
                return False
        elif not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    if step.op is None:
        return True
    operand = step.operand
    if step.op == "==":
        return _same(value, operand)
    if step.op == "!=":
        return not _same(value, operand)
    if not _comparable(value, operand):
        return False
    if step.op == "<":
        return bool(value < operand)
    if step.op == "<=":
        return bool(value <= operand)
    if step.op == ">":
        return bool(value > operand)
    return bool(value >= operand)


def _same(value: Any, operand: Any) -> bool:
    if isinstance(value, bool) or isinstance(operand, bool):
        return value is operand
    return bool(value == operand)


def _comparable(value: Any, operand: Any) -> bool:
    numbers = (int, float)
    if isinstance(value, bool) or isinstance(operand, bool):
        return False
    return (isinstance(value, numbers) and isinstance(operand, numbers)) or (
        isinstance(value, str) and isinstance(operand, str)
    )


def number_text(value: int | float) -> str:
    """A JSON number as Java prints it (``2.5``, ``3``, ``1.0E10``)."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e7:
        return f"{value:.1f}"
    text = repr(value)
    return text.replace("e+", "E").replace("e-", "E-") if "e" in text else text


def as_text(value: Any) -> str:
    """A found value as WireMock prints it in templates and compares it in matchers."""
    if value is NOTHING or value is None:
        return "" if value is NOTHING else "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_text(value)
    return pretty_json(value)


def pretty_json(value: Any, depth: int = 0) -> str:
    """JSON as Jackson's default pretty printer writes it (objects indented, arrays inline)."""
    if isinstance(value, dict):
        if not value:
            return "{ }"
        pad = "  " * (depth + 1)
        items = [f"{pad}{json.dumps(k)} : {pretty_json(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(pretty_json(item, depth) for item in value) + " ]"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return number_text(value)
    return json.dumps(value, ensure_ascii=False)


__all__ = ["NOTHING", "WireMockJsonPath", "as_text", "number_text", "pretty_json"]
