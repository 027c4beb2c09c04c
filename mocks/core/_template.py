"""Response templating: ``{{request.json.user.id}}`` and friends, filled from the request.

Templates are opt-in per response (``template=True``). A string that is exactly one
placeholder keeps the value's JSON type; placeholders inside longer strings are
rendered as text. Available values:

- ``request.method``, ``request.path``, ``request.url``, ``request.body``
- ``request.query.NAME``, ``request.headers.NAME``, ``request.path_params.NAME``
- ``request.json.PATH`` (a JSON path below the body, e.g. ``request.json.items[0].id``)
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._jsonpath import MISSING, JsonPathExpr
from ._request import RecordedRequest

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def _lookup(expression: str, request: RecordedRequest, captures: dict[str, str]) -> Any:
    head, _, rest = expression.partition(".")
    if head != "request":
        raise ValueError(f"unknown template value {expression!r}")
    section, _, name = rest.partition(".")
    if section in ("method", "path", "url", "body") and not name:
        return request.text if section == "body" else getattr(request, section)
    if section == "query":
        return request.query.get(name, MISSING)
    if section == "headers":
        return request.headers.get(name, MISSING)
    if section == "path_params":
        return {**request.path_params, **captures}.get(name, MISSING)
    if section == "json":
        return JsonPathExpr(name).find(request.json) if name else request.json
    raise ValueError(f"unknown template value {expression!r}")


def _as_text(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def render(value: Any, request: RecordedRequest, captures: dict[str, str] | None = None) -> Any:
    """Fill every placeholder inside `value` (strings, lists and objects, recursively)."""
    found = captures or {}
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            result = _lookup(whole.group(1), request, found)
            return None if result is MISSING else result
        return _PLACEHOLDER.sub(lambda m: _as_text(_lookup(m.group(1), request, found)), value)
    if isinstance(value, list):
        return [render(item, request, found) for item in value]
    if isinstance(value, dict):
        return {key: render(item, request, found) for key, item in value.items()}
    return value


def check_template(value: Any) -> None:
    """Raise ValueError naming the placeholder when a template refers to an unknown value."""
    if isinstance(value, str):
        for found in _PLACEHOLDER.finditer(value):
            expression = found.group(1)
            head, _, rest = expression.partition(".")
            section = rest.partition(".")[0]
            if head != "request" or section not in (
                "method",
                "path",
                "url",
                "body",
                "query",
                "headers",
                "path_params",
                "json",
            ):
                raise ValueError(f"unknown template value {expression!r}")
    elif isinstance(value, list):
        for item in value:
            check_template(item)
    elif isinstance(value, dict):
        for item in value.values():
            check_template(item)
