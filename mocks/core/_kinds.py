"""The one registry of JSON ``kind`` names, for matchers and responders alike.

A matcher or responder is a pydantic model with a literal ``kind``; defining the class
registers it, and the admin API, stub files and cassettes find the class by that name.
Two classes claiming one kind is a bug, refused at import time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class KindRegistry(Generic[M]):
    """Classes of one family (matchers, or responders) by their ``kind``."""

    def __init__(self, family: str, default: str | None = None) -> None:
        self.family = family
        #: The kind a JSON object without ``kind`` gets (responders: ``static``).
        self.default = default
        self._classes: dict[str, type[M]] = {}

    def register(self, cls: type[M]) -> None:
        """Register `cls` under its ``kind`` default; a class without one is abstract."""
        field = cls.model_fields.get("kind")
        if field is None or not isinstance(field.default, str):
            return
        kind = field.default
        existing = self._classes.get(kind)
        if existing is not None and _name(existing) != _name(cls):  # a reload is no clash
            raise TypeError(
                f"{self.family} kind {kind!r} is taken by {existing.__module__}."
                f"{existing.__qualname__}; {cls.__module__}.{cls.__qualname__} needs another"
            )
        self._classes[kind] = cls

    def parse(self, value: Any) -> Any:
        """A JSON object with a ``kind`` turned into its registered class; others unchanged."""
        if not isinstance(value, dict):
            return value
        kind = value.get("kind", self.default)
        cls = self._classes.get(kind) if isinstance(kind, str) else None
        if cls is None:
            known = ", ".join(sorted(self._classes))
            raise ValueError(f"unknown {self.family} kind {kind!r}; known kinds: {known}")
        try:
            return cls.model_validate({**value, "kind": kind})
        except re.error as exc:  # a class compiling a pattern of the document's
            raise ValueError(f"invalid regular expression: {exc}") from exc

    def classes(self) -> list[type[M]]:
        """The registered classes, each once, in registration order."""
        return list(dict.fromkeys(self._classes.values()))

    def __getitem__(self, kind: str) -> type[M]:
        return self._classes[kind]

    def __contains__(self, kind: object) -> bool:
        return kind in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._classes))


class KindModel(BaseModel):
    """The base of matchers and responders: a pydantic model whose private attributes
    (``_regex``, a cached reply...) are read at a dict lookup's cost. pydantic's own
    lookup of a private attribute cost about 2-3 µs a read, on every request a matcher
    is tried against or a responder answers; this one about 0.5 µs."""

    def __getattr__(self, name: str) -> Any:
        try:
            return object.__getattribute__(self, "__pydantic_private__")[name]
        except (AttributeError, KeyError, TypeError):  # not (yet) a private attribute
            # pydantic's own, which it hides from type checkers: named by string
            fallback = getattr(super(), "__getattr__")  # noqa: B009
            return fallback(name)


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


__all__ = ["KindModel", "KindRegistry"]
