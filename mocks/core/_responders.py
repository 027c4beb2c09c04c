"""Responders: what an expectation answers with.

A responder is a value (static, sequence, SSE stream; serializable for the admin API)
or a Python callable (in-process only). Domain mocks add their own kinds (an LLM
reply that adapts to `stream=true`, say) by subclassing `Responder` with a new ``kind``.
"""

from __future__ import annotations

import base64
import inspect
import random
import threading
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, ClassVar, Literal, Protocol

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializeAsAny,
    model_validator,
)

from ._cassette import RecordedChunk, decode_body
from ._delays import sleep_at_least
from ._kinds import KindModel, KindRegistry
from ._matchers import Matcher
from ._reply import Reply, StreamChunk, split_headers, sse_event
from ._request import RecordedRequest
from ._template import check_template, render


class ResponderHost(Protocol):
    """What a responder may use of the mock answering (a domain responder casts it to its
    own mock class)."""

    @property
    def rng(self) -> random.Random:
        """The mock's seeded generator."""
        ...

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        *,
        field: str | None = None,
    ) -> Reply:
        """An error in the mock's envelope."""
        ...


class ReplyContext:
    """What a responder gets: the request, the mock answering it, and the path captures."""

    __slots__ = ("_captures", "_matcher", "mock", "request")

    def __init__(
        self, request: RecordedRequest, mock: ResponderHost, matcher: Matcher | None = None
    ) -> None:
        self.request = request
        self.mock = mock
        self._matcher = matcher
        self._captures: dict[str, str] | None = None

    @property
    def captures(self) -> dict[str, str]:
        """Captures of the matcher's path template or regex (worked out on first use)."""
        if self._captures is None:
            matcher = self._matcher
            self._captures = matcher.captures(self.request) if matcher is not None else {}
        return self._captures


class Responder(KindModel):
    """Base of all responders. Subclasses set a unique ``kind`` and implement `reply`."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    #: Every responder class by its ``kind`` (JSON without one is ``static``).
    registry: ClassVar[KindRegistry[Responder]] = KindRegistry("response", default="static")
    kind: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        Responder.registry.register(cls)

    async def reply(self, context: ReplyContext) -> Reply:
        """Produce the reply for one matched request."""
        raise NotImplementedError

    def programmed_documents(self) -> list[tuple[int, Any]]:
        """(status, JSON document) pairs known when programmed, for contract checks."""
        return []

    def reset(self) -> None:
        """Forget any progress (a sequence's position)."""

    @property
    def serializable(self) -> bool:
        """False when the responder holds Python code the admin API cannot carry."""
        return True


def parse_responder(value: Any) -> Any:
    """Turn a JSON object with a ``kind`` into the responder class registered for it."""
    return Responder.registry.parse(value)


AnyResponder = Annotated[SerializeAsAny[Responder], BeforeValidator(parse_responder)]


class StaticResponse(Responder):
    """A fixed response: status, headers, and a JSON document, text or base64 bytes."""

    kind: Literal["static"] = "static"
    status: int = Field(200, ge=100, le=599)
    #: A list of values sends the header once per value (several ``Set-Cookie``).
    headers: dict[str, str | list[str]] = Field(default_factory=dict)
    json_body: Any = Field(None, alias="json")
    body: str | None = None
    body_base64: str | None = None
    #: Fill ``{{request...}}`` placeholders in the body and headers from the request.
    template: bool = False
    _encoded: Reply | None = PrivateAttr(None)

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, serialize_by_alias=True, defer_build=True
    )

    @model_validator(mode="after")
    def _one_body(self) -> StaticResponse:
        given = [
            name
            for name, value in (
                ("json", self.json_body),
                ("body", self.body),
                ("body_base64", self.body_base64),
            )
            if value is not None
        ]
        if len(given) > 1:
            raise ValueError(f"give one of json, body, body_base64, not {' and '.join(given)}")
        if self.body_base64 is not None:
            try:
                base64.b64decode(self.body_base64, validate=True)
            except ValueError as exc:
                raise ValueError(f"body_base64: not base64: {exc}") from exc
        if self.template:
            check_template([self.json_body, self.body, self.headers])
        return self

    def programmed_documents(self) -> list[tuple[int, Any]]:
        if self.json_body is None or self.template:
            return []
        return [(self.status, self.json_body)]

    async def reply(self, context: ReplyContext) -> Reply:
        if not self.template:
            # The private dict directly: pydantic's attribute lookup for a private
            # attribute was 4% of a stubbed request's time.
            private = self.__pydantic_private__
            cached = private["_encoded"] if private else None
            if cached is None:
                cached = self._encoded = self._render(self.headers, self.json_body, self.body)
            return cached  # the same reply each time: nothing changes a reply in place
        headers = render(dict(self.headers), context.request, context.captures)
        json_body = render(self.json_body, context.request, context.captures)
        body = render(self.body, context.request, context.captures)
        return self._render(headers, json_body, body)

    def _render(
        self, programmed: dict[str, str | list[str]], json_body: Any, body: str | None
    ) -> Reply:
        headers, more = split_headers(programmed)
        if json_body is not None:
            reply = Reply.json(json_body, self.status, headers)
        elif self.body_base64 is not None:
            reply = Reply(self.status, headers, base64.b64decode(self.body_base64))
        elif body is not None:
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            reply = Reply(self.status, headers, body.encode())
        else:
            reply = Reply(self.status, headers)
        reply.more_headers = more
        return reply


class SequenceResponse(Responder):
    """Responses one after another; when exhausted the last repeats, or an error answers."""

    kind: Literal["sequence"] = "sequence"
    responses: list[AnyResponder] = Field(min_length=1)
    then: Literal["repeat", "error"] = "repeat"
    #: Status of the error sent after the sequence is exhausted (with ``then="error"``).
    error_status: int = Field(500, ge=400, le=599)
    _position: int = PrivateAttr(0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def programmed_documents(self) -> list[tuple[int, Any]]:
        return [doc for item in self.responses for doc in item.programmed_documents()]

    def reset(self) -> None:
        with self._lock:
            self._position = 0
        for item in self.responses:
            item.reset()

    @property
    def serializable(self) -> bool:
        return all(item.serializable for item in self.responses)

    async def reply(self, context: ReplyContext) -> Reply:
        with self._lock:
            position = self._position
            self._position += 1
        if position >= len(self.responses):
            if self.then == "error":
                return context.mock.error_reply(
                    self.error_status, "response sequence exhausted", context.request
                )
            position = len(self.responses) - 1
        return await self.responses[position].reply(context)


class SseEvent(BaseModel):
    """One event of a programmed SSE stream."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    data: Any
    event: str | None = None
    id: str | None = None
    #: Milliseconds before this event (default: the stream's between-events delay).
    delay_ms: float | None = Field(None, ge=0)


class StreamResponse(Responder):
    """A Server-Sent Events stream; each event's data is text or JSON."""

    kind: Literal["sse"] = "sse"
    events: list[SseEvent]
    status: int = Field(200, ge=100, le=599)
    headers: dict[str, str] = Field(default_factory=dict)
    template: bool = False

    async def reply(self, context: ReplyContext) -> Reply:
        chunks: list[StreamChunk] = []
        for item in self.events:
            data = (
                render(item.data, context.request, context.captures)
                if self.template
                else (item.data)
            )
            delay = None if item.delay_ms is None else item.delay_ms / 1000
            chunks.append(sse_event(data, event=item.event, id=item.id, delay=delay))
        return Reply.sse(chunks, self.status, dict(self.headers))


ReplyFunction = Callable[[RecordedRequest], Any]


class CallableResponse(Responder):
    """A Python function of the request (sync or async), in-process only.

    It may return a `Reply`, a ``(status, json)`` pair, a str (text), bytes, or any
    other JSON value (sent as a 200 JSON response).
    """

    kind: Literal["callable"] = "callable"
    function: ReplyFunction = Field(exclude=True)

    @property
    def serializable(self) -> bool:
        return False

    async def reply(self, context: ReplyContext) -> Reply:
        result = self.function(context.request)
        if inspect.isawaitable(result):
            result = await result
        return as_reply(result)


class RecordedResponse(Responder):
    """A response replayed from a cassette: the recorded bytes, optionally its timing."""

    kind: Literal["recorded"] = "recorded"
    status: int = Field(200, ge=100, le=599)
    #: A name given a list goes out once per value (``Set-Cookie``).
    headers: dict[str, str | list[str]] = Field(default_factory=dict)
    body: str | None = None
    body_base64: str | None = None
    chunks: list[RecordedChunk] | None = None
    duration_ms: float = Field(0.0, ge=0)
    #: Reproduce the recorded delays (time to headers, gaps between chunks).
    timing: bool = False

    async def reply(self, context: ReplyContext) -> Reply:
        if self.timing and self.duration_ms:
            await sleep_at_least(self.duration_ms / 1000)
        headers, more = split_headers(self.headers)
        if self.chunks is None:
            body = decode_body(self.body, self.body_base64)
            return Reply(self.status, headers, body, more_headers=more)
        return Reply(self.status, headers, stream=self._stream(self.chunks), more_headers=more)

    async def _stream(self, chunks: list[RecordedChunk]) -> AsyncIterator[StreamChunk]:
        for chunk in chunks:
            yield StreamChunk(chunk.content, chunk.delay_ms / 1000 if self.timing else None)


def as_reply(result: Any) -> Reply:
    """Coerce what a callable returned into a `Reply`."""
    if isinstance(result, Reply):
        return result
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int):
        return Reply.json(result[1], result[0])
    if isinstance(result, bytes):
        return Reply(200, {"Content-Type": "application/octet-stream"}, result)
    if isinstance(result, str):
        return Reply.text(result)
    return Reply.json(result)
