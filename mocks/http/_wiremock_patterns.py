"""WireMock's value patterns (``{"equalTo": "x"}``, ``{"matches": "..."}``, ...) as engine
matchers.

A pattern is translated once, for one place in the request: the caller gives a *leaf*,
a function building the engine matcher that compares that place (a header, a query
parameter, the body, a cookie) by one of the engine's lookups (``eq``, ``contains``,
``regex``, ``present``, ``absent``). ``doesNotMatch``, ``and`` and ``or`` compose leaves
with the engine's ``~``, `And` and `Or`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..core import And, Matcher, Not, Or
from ._wiremock_errors import MappingError, join
from ._wiremock_matchers import full_match

#: Builds the matcher comparing one place of the request: (op, value) -> matcher.
Leaf = Callable[[str, str], Matcher]

#: The string operators every place takes.
STRING_OPERATORS = ("equalTo", "contains", "matches", "doesNotMatch", "absent", "and", "or")
_MODIFIERS = ("caseInsensitive",)


def operator_of(pattern: Any, field: str, modifiers: tuple[str, ...] = _MODIFIERS) -> str:
    """The one operator key of a pattern object (refusing none, several, or a non-object)."""
    if not isinstance(pattern, dict):
        raise MappingError(field, 'a pattern is an object such as {"equalTo": "text"}')
    operators = [key for key in pattern if key not in modifiers]
    if len(operators) != 1:
        found = ", ".join(operators) or "none"
        raise MappingError(field, f"a pattern has exactly one operator, found {found}")
    return str(operators[0])


def regex(value: Any, field: str) -> str:
    """A regex as WireMock means it (the whole text must match), checked now."""
    if not isinstance(value, str):
        raise MappingError(field, "a regular expression must be a string")
    try:
        re.compile(value)
    except re.error as exc:
        raise MappingError(field, f"invalid regular expression: {exc}") from exc
    return full_match(value)


def combine(parts: list[Matcher]) -> Matcher | None:
    """All of `parts` as one matcher (None when there are none)."""
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(all=parts)


def string_pattern(pattern: Any, leaf: Leaf, field: str) -> Matcher:
    """Translate one string pattern into engine matchers over `leaf`."""
    op = operator_of(pattern, field)
    value = pattern[op]
    where = join(field, op)
    if pattern.get("caseInsensitive") and op != "equalTo":
        raise MappingError(join(field, "caseInsensitive"), "only equalTo takes caseInsensitive")
    if op in ("equalTo", "contains") and not isinstance(value, str):
        raise MappingError(where, "must be a string")
    if op == "equalTo":
        if pattern.get("caseInsensitive"):
            return leaf("regex", "(?i)" + full_match(re.escape(value)))
        return leaf("eq", value)
    if op == "contains":
        return leaf("contains", value)
    if op == "matches":
        return leaf("regex", regex(value, where))
    if op == "doesNotMatch":
        return Not(matcher=leaf("regex", regex(value, where)))
    if op == "absent":
        if not isinstance(value, bool):
            raise MappingError(where, "must be true or false")
        return leaf("absent" if value else "present", "")
    if op in ("and", "or"):
        return _composite(op, value, leaf, where)
    raise MappingError(where, f"the {op!r} matcher is not supported here")


def _composite(op: str, items: Any, leaf: Leaf, field: str) -> Matcher:
    if not isinstance(items, list) or not items:
        raise MappingError(field, "must be a non-empty list of patterns")
    parts = [string_pattern(item, leaf, f"{field}[{i}]") for i, item in enumerate(items)]
    return And(all=parts) if op == "and" else Or(any=parts)


__all__ = ["STRING_OPERATORS", "Leaf", "combine", "operator_of", "regex", "string_pattern"]
