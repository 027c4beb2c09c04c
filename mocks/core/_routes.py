"""Routes and the one router: a mock's default behaviour and its admin API use the same lookup.

A path is a template (``/v1/models/{model}``, with an optional regex per parameter:
``/{version:v\\d+\\.\\d+}/{phone_id}/messages``). Exact paths are a dictionary lookup;
templates are indexed by their first literal segment and tried in the order added.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from ._matchers import compile_path_template
from ._reply import Reply
from ._request import RecordedRequest

Handler = Callable[[RecordedRequest], Reply | Awaitable[Reply]]


class Routable(Protocol):
    """Anything the router can hold: a method and a path template."""

    @property
    def method(self) -> str:
        """The HTTP method, upper case."""
        ...

    @property
    def path(self) -> str:
        """The path or path template."""
        ...


R = TypeVar("R", bound=Routable)


@dataclass(slots=True)
class Route:
    """A default handler for ``method`` and ``path`` (a template such as ``/v1/models/{id}``).

    Schemas name files in ``contracts/<service>/``: the request is checked against
    `request_schema` before anything else, the handler's JSON replies (in checking mode)
    against `response_schema`, and each streamed event's JSON against `stream_schema`.
    A request breaking its schema is answered by the mock's `contract_error_reply` and
    reported by `verify()`; with `serve_invalid` it is reported and the handler still
    answers (for APIs whose own error must come from the handler).
    """

    method: str
    path: str
    handler: Handler
    name: str = ""
    request_schema: str | None = None
    response_schema: str | None = None
    stream_schema: str | None = None
    #: What the request schema checks: the JSON body, the form body (urlencoded or
    #: multipart: field -> first value, a file part's value being its filename), or the query.
    body_format: Literal["json", "form", "query"] = "json"
    serve_invalid: bool = False

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self.name = self.name or f"{self.method} {self.path}"


def _segment(path: str) -> str:
    """The first path segment (``users`` of ``/users/7``); "" when there is none."""
    return path[1:].partition("/")[0]


class Router(Generic[R]):
    """Finds the entry for a method and path: exact paths first, then templates in order."""

    def __init__(self, entries: list[R] | None = None) -> None:
        self._exact: dict[tuple[str, str], R] = {}
        self._paths: dict[str, list[str]] = {}
        #: Templates by first literal segment ("" when the first segment is a parameter).
        self._templates: dict[str, list[tuple[int, re.Pattern[str], R]]] = {}
        self._entries: list[R] = []
        for entry in entries or []:
            self.add(entry)

    def add(self, entry: R) -> None:
        """Register an entry; the same method and path twice is a mistake, refused."""
        method = entry.method.upper()
        if any(e.method.upper() == method and e.path == entry.path for e in self._entries):
            raise ValueError(f"two routes for {method} {entry.path}")
        self._entries.append(entry)
        if "{" in entry.path:
            first = _segment(entry.path)
            key = "" if "{" in first else first
            pattern = compile_path_template(entry.path)
            self._templates.setdefault(key, []).append((len(self._entries), pattern, entry))
        else:
            self._exact[(method, entry.path)] = entry
            self._paths.setdefault(entry.path, []).append(method)

    def resolve(self, method: str, path: str) -> tuple[R, dict[str, str]] | None:
        """The entry for the request and its path captures, or None."""
        entry = self._exact.get((method, path))
        if entry is not None:
            return entry, {}
        if not self._templates:
            return None
        for pattern, candidate in self._candidates(path):
            if candidate.method == method:
                found = pattern.match(path)
                if found:
                    return candidate, found.groupdict()
        return None

    def allows(self, path: str) -> list[str]:
        """Methods some entry accepts for `path` (for 405 answers)."""
        methods = list(self._paths.get(path, ()))
        methods += [e.method for pattern, e in self._candidates(path) if pattern.match(path)]
        return sorted(set(methods))

    def _candidates(self, path: str) -> Iterator[tuple[re.Pattern[str], R]]:
        """Templates that may match `path`, in the order they were added."""
        named = self._templates.get(_segment(path), ())
        anywhere = self._templates.get("", ())
        merged = heapq.merge(named, anywhere, key=lambda item: item[0]) if anywhere else named
        for _, pattern, entry in merged:
            yield pattern, entry

    def __iter__(self) -> Iterator[R]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["Handler", "Routable", "Route", "Router"]
