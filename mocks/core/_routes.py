"""Routes: a mock's default behaviour, one handler per method and path template."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from ._matchers import compile_path_template
from ._reply import Reply
from ._request import RecordedRequest

Handler = Callable[[RecordedRequest], Reply | Awaitable[Reply]]


@dataclass(slots=True)
class Route:
    """A default handler for ``method`` and ``path`` (a template such as ``/v1/models/{id}``).

    Schemas name files in ``contracts/<service>/``: the request is checked against
    `request_schema` before anything else, the handler's JSON replies (in checking mode)
    against `response_schema`, and each streamed event's JSON against `stream_schema`.
    """

    method: str
    path: str
    handler: Handler
    name: str = ""
    request_schema: str | None = None
    response_schema: str | None = None
    stream_schema: str | None = None
    #: What the request schema checks: the JSON body, the form body, or the query.
    body_format: Literal["json", "form", "query"] = "json"

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self.name = self.name or f"{self.method} {self.path}"


class Router:
    """Finds the route for a method and path: exact paths first, then templates in order."""

    def __init__(self, routes: list[Route] | None = None) -> None:
        self._exact: dict[tuple[str, str], Route] = {}
        self._templates: list[tuple[str, re.Pattern[str], Route]] = []
        for route in routes or []:
            self.add(route)

    def add(self, route: Route) -> None:
        """Register a route."""
        if "{" in route.path:
            self._templates.append((route.method, compile_path_template(route.path), route))
        else:
            self._exact[(route.method, route.path)] = route

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for the request and its path captures, or None."""
        route = self._exact.get((method, path))
        if route is not None:
            return route, {}
        for route_method, pattern, route in self._templates:
            if route_method == method:
                found = pattern.match(path)
                if found:
                    return route, found.groupdict()
        return None

    def allows(self, path: str) -> list[str]:
        """Methods some route accepts for `path` (for 405 answers)."""
        methods = [m for (m, p) in self._exact if p == path]
        methods += [m for m, pattern, _ in self._templates if pattern.match(path)]
        return sorted(set(methods))
