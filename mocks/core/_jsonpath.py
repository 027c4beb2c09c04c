"""A small JSON path: ``$.a.b[0]['c d'][-1]`` or ``a.b.0``, compiled once, read many times."""

from __future__ import annotations

import re
from typing import Any

#: Returned by `JsonPathExpr.find` when the path does not exist in the document.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()

_TOKEN = re.compile(r"""\.([^.\[\]]+)|\[(-?\d+)\]|\[['"]([^'"]*)['"]\]|\[\*\]""")


class JsonPathExpr:
    """A compiled path of object keys and array indexes (negative indexes count from the end)."""

    __slots__ = ("source", "steps")

    def __init__(self, source: str) -> None:
        self.source = source
        text = source.strip()
        if text.startswith("$"):
            text = text[1:]
        elif text and not text.startswith((".", "[")):
            text = "." + text
        steps: list[str | int] = []
        position = 0
        while position < len(text):
            found = _TOKEN.match(text, position)
            if found is None or found.group(0) == "[*]":
                raise ValueError(f"cannot read JSON path {source!r} at {text[position:]!r}")
            key, index, quoted = found.groups()
            if index is not None:
                steps.append(int(index))
            elif key is not None and key.lstrip("-").isdigit():
                steps.append(int(key))
            else:
                steps.append(key if key is not None else quoted)
            position = found.end()
        self.steps: tuple[str | int, ...] = tuple(steps)

    def find(self, document: Any) -> Any:
        """The value at the path, or `MISSING`."""
        current = document
        for step in self.steps:
            if isinstance(step, int):
                if not isinstance(current, list) or not -len(current) <= step < len(current):
                    return MISSING
                current = current[step]
            elif isinstance(current, dict) and step in current:
                current = current[step]
            else:
                return MISSING
        return current
