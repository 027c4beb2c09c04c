"""pytest-httpserver's handlers: a matcher and how to answer it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from http import HTTPStatus
from typing import Any

from werkzeug import Request, Response

from ._errors import NoHandlerError
from ._matching import RequestMatcher

Handler = Callable[[Request], Any]
PostHook = Callable[[Request, Response], Response]


class HandlerType(Enum):
    """How often a handler answers: always, once, or once and in order."""

    PERMANENT = "permanent"
    ONESHOT = "oneshot"
    ORDERED = "ordered"


class RequestHandler:
    """A matcher and its answer; returned by ``expect_request`` and friends.

    Program the answer with `respond_with_json`, `respond_with_data`,
    `respond_with_response` or `respond_with_handler`; `with_post_hook` changes every
    response after it is made. The server is told of each change (fixed answers are the
    engine's static responses; handlers and hooks run per request).
    """

    def __init__(self, matcher: RequestMatcher) -> None:
        self.matcher = matcher
        self.request_handler: Handler | None = None
        #: The fixed response, when the answer is one (else None).
        self.response: Response | None = None
        self._hooks: list[PostHook] = []
        self.on_change: Callable[[RequestHandler], None] | None = None

    @property
    def hooks(self) -> list[PostHook]:
        """The post hooks, in the order they run."""
        return list(self._hooks)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    def respond_with_json(
        self,
        response_json: Any,
        status: int = HTTPStatus.OK.value,
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        """Answer a JSON document (indented by 4, as pytest-httpserver sends it)."""
        text = json.dumps(response_json, indent=4)
        self.respond_with_data(text, status, headers, content_type=content_type)

    def respond_with_data(
        self,
        response_data: str | bytes = "",
        status: int = HTTPStatus.OK.value,
        headers: Mapping[str, str | Iterable[str]] | Iterable[tuple[str, str]] | None = None,
        mimetype: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Answer a body with a status and headers (werkzeug's ``Response`` arguments)."""
        self.respond_with_response(Response(response_data, status, headers, mimetype, content_type))

    def respond_with_response(self, response: Response) -> None:
        """Answer this werkzeug ``Response`` (a str is sent as a text body)."""
        self.response = response if isinstance(response, Response) else None
        self.request_handler = lambda request: response
        self._changed()

    def respond_with_handler(self, func: Handler) -> None:
        """Answer what ``func(request)`` returns (a ``Response``, a str, or None)."""
        self.response = None
        self.request_handler = func
        self._changed()

    def with_post_hook(self, hook: PostHook) -> RequestHandler:
        """Pass every response through ``hook(request, response)``."""
        self._hooks.append(hook)
        self._changed()
        return self

    def respond(self, request: Request) -> Any:
        """The answer to `request` (`NoHandlerError` when none was programmed)."""
        if self.request_handler is None:
            raise NoHandlerError(
                "Matching request handler found but no response defined: "
                f"{request.method} {request.path}"
            )
        response = self.request_handler(request)
        for hook in self._hooks:
            response = hook(request, response)
        return response

    def __repr__(self) -> str:
        matcher = self.matcher
        text = (
            f"<{type(self).__name__} uri={matcher.uri!r} method={matcher.method!r} "
            f"query_string={matcher.query_string!r} headers={matcher.headers!r} "
            f"data={matcher.data!r} json={matcher.json!r}"
        )
        if matcher.data_form is not None:
            text += f" data_form={matcher.data_form!r}"
        return text + ">"


class RequestHandlerList(list[RequestHandler]):
    """Handlers in registration order; `match` gives the first that matches."""

    def match(self, request: Request) -> RequestHandler | None:
        """The first handler whose matcher matches `request`, or None."""
        return next((h for h in self if h.matcher.match(request)), None)


__all__ = ["HandlerType", "RequestHandler", "RequestHandlerList"]
