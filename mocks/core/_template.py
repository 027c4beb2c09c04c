"""Response templating: ``{{request.json.user.id}}`` and friends, filled from the request.

Templates are opt-in per response (``template=True``). A string that is exactly one
placeholder keeps the value's JSON type; placeholders inside longer strings are
rendered as text. Available values:

- ``request.method``, ``request.path``, ``request.url``, ``request.body``
- ``request.query.NAME``, ``request.headers.NAME``, ``request.path_params.NAME``
- ``request.json.PATH`` (a JSON path below the body, e.g. ``request.json.items[0].id``)
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from ._jsonpath import MISSING, JsonPathExpr
from ._request import RecordedRequest

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")

#: What a placeholder reads: a request and the matcher's captures to a value (or MISSING).
Getter = Callable[[RecordedRequest, dict[str, str]], Any]


def _getter(expression: str) -> Getter:
    """What ``{{expression}}`` reads, worked out once per template, not per request."""
    head, _, rest = expression.partition(".")
    section, _, name = rest.partition(".")
    if head != "request":
        raise ValueError(f"unknown template value {expression!r}")
    if section in ("method", "path", "url") and not name:
        return lambda request, captures: getattr(request, section)
    if section == "body" and not name:
        return lambda request, captures: request.text
    if section == "query":
        return lambda request, captures: request.query.get(name, MISSING)
    if section == "headers":
        return lambda request, captures: request.headers.get(name, MISSING)
    if section == "path_params":
        return lambda request, captures: (
            captures[name] if name in captures else request.path_params.get(name, MISSING)
        )
    if section == "json":
        if not name:
            return lambda request, captures: request.json
        path = JsonPathExpr(name)
        return lambda request, captures: path.find(request.json)
    raise ValueError(f"unknown template value {expression!r}")


@functools.lru_cache(maxsize=1024)
def _compiled(text: str) -> Getter | tuple[str | Getter, ...] | None:
    """A template string read once: None without placeholders, the one `Getter` of a
    string that is exactly one placeholder (its value keeps its JSON type), else the
    literal pieces and getters to join."""
    whole = _PLACEHOLDER.fullmatch(text)
    if whole:
        return _getter(whole.group(1))
    parts: list[str | Getter] = []
    position = 0
    for found in _PLACEHOLDER.finditer(text):
        if found.start() > position:
            parts.append(text[position : found.start()])
        parts.append(_getter(found.group(1)))
        position = found.end()
    if not parts:
        return None
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


def _as_text(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def render(value: Any, request: RecordedRequest, captures: dict[str, str] | None = None) -> Any:
    """Fill every placeholder inside `value` (strings, lists and objects, recursively)."""
    found = captures or {}
    if isinstance(value, str):
        template = _compiled(value)
        if template is None:
            return value
        if not isinstance(template, tuple):
            result = template(request, found)
            return None if result is MISSING else result
        return "".join(
            part if isinstance(part, str) else _as_text(part(request, found)) for part in template
        )
    if isinstance(value, list):
        return [render(item, request, found) for item in value]
    if isinstance(value, dict):
        return {key: render(item, request, found) for key, item in value.items()}
    return value


def check_template(value: Any) -> None:
    """Raise ValueError naming the placeholder when a template refers to an unknown value."""
    if isinstance(value, str):
        _compiled(value)
    elif isinstance(value, list):
        for item in value:
            check_template(item)
    elif isinstance(value, dict):
        for item in value.values():
            check_template(item)
