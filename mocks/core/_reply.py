"""What a responder or a route produces: a status, headers, and a body or a stream."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _json
from ._callback import Callback


@dataclass(slots=True)
class StreamChunk:
    """One piece of a streamed body (one SSE event, say), with an optional delay before it."""

    data: bytes
    #: Seconds to wait before writing this chunk; None means the mock's between-events delay.
    delay: float | None = None
    #: The JSON document the chunk carries, when it carries one (for contract checks).
    document: Any = None


def sse_event(
    data: Any,
    *,
    event: str | None = None,
    id: str | None = None,
    delay: float | None = None,
) -> StreamChunk:
    """One Server-Sent Event; `data` that is not a string is sent as compact JSON."""
    fields = b""
    if event is not None:
        fields += f"event: {event}\n".encode()
    if id is not None:
        fields += f"id: {id}\n".encode()
    if isinstance(data, str):
        lines = "\n".join(f"data: {line}" for line in data.split("\n"))
        return StreamChunk(fields + lines.encode() + b"\n\n", delay)
    # compact JSON holds no line break: one data line
    return StreamChunk(fields + b"data: " + _json.dumps(data) + b"\n\n", delay, data)


@dataclass(slots=True)
class Reply:
    """A response before it is written: the request path applies delays and faults to it.

    A responder may hand out the same reply for every request (a stub's fixed answer
    does), so nothing after the responder changes a reply in place: the path and the
    mocks' hooks make a new one (`with_headers`, `dataclasses.replace`).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: Chunks written one by one (SSE, say) instead of `body`.
    stream: Iterable[StreamChunk] | AsyncIterable[StreamChunk] | None = None
    #: The JSON document behind `body`, kept for contract checks.
    document: Any = None
    #: A reason phrase other than the status's standard one (HTTP/1.1 status line).
    reason: str | None = None
    #: Requests the mock makes once this reply is written (webhooks a default route
    #: emits, say); signed with the mock's signing hook unless they say otherwise.
    callbacks: list[Callback] = field(default_factory=list)
    #: Header lines sent besides `headers`: a name sent more than once (each
    #: ``Set-Cookie`` on its own line). See `split_headers`.
    more_headers: list[tuple[str, str]] = field(default_factory=list)

    def with_headers(self, headers: Mapping[str, str], *, override: bool = True) -> Reply:
        """A copy with `headers` added after the reply's own; ``override=False`` keeps a
        value the reply already has (a name in another case is the same name)."""
        merged = dict(self.headers)
        if override:
            lowered = {name.lower(): name for name in merged}
            for name, value in headers.items():
                merged.pop(lowered.get(name.lower(), name), None)
                merged[name] = value
        else:
            taken = set(map(str.lower, merged))
            for name, value in headers.items():
                if name.lower() not in taken:
                    merged[name] = value
        return Reply(
            self.status,
            merged,
            self.body,
            self.stream,
            self.document,
            self.reason,
            self.callbacks,
            self.more_headers,
        )

    @classmethod
    def json(
        cls,
        document: Any,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """A JSON reply."""
        body = _json.dumps(document)
        merged = {"Content-Type": "application/json"}
        merged.update(headers or {})
        return cls(status, merged, body, None, document)

    @classmethod
    def text(
        cls,
        text: str,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain; charset=utf-8",
    ) -> Reply:
        """A text reply (HTML too, with ``content_type="text/html; charset=utf-8"``)."""
        merged = {"Content-Type": content_type}
        merged.update(headers or {})
        return cls(status, merged, text.encode())

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        """A redirect to `location`."""
        return cls(status, {"Location": location})

    @classmethod
    def sse(
        cls,
        chunks: Iterable[StreamChunk] | AsyncIterable[StreamChunk],
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """A Server-Sent Events stream of `chunks` (see `sse_event`)."""
        merged = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}
        merged.update(headers or {})
        return cls(status, merged, b"", chunks)


def split_headers(
    headers: Mapping[str, str | list[str]],
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Programmed headers as `Reply` takes them: a name given one value goes to
    ``headers``, a name given a list goes out once per value (``more_headers``).

    >>> split_headers({"X-A": "1", "Set-Cookie": ["a=1", "b=2"]})
    ({'X-A': '1'}, [('Set-Cookie', 'a=1'), ('Set-Cookie', 'b=2')])
    """
    single: dict[str, str] = {}
    more: list[tuple[str, str]] = []
    for name, value in headers.items():
        if isinstance(value, str):
            single[name] = value
        else:
            more.extend((name, item) for item in value)
    return single, more


def grouped_headers(lines: Iterable[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Header lines as one entry a name: a name that came more than once keeps each
    value, in order, in a list (the inverse of `split_headers`).

    >>> grouped_headers([("X-A", "1"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    {'X-A': '1', 'Set-Cookie': ['a=1', 'b=2']}
    """
    grouped: dict[str, str | list[str]] = {}
    for name, value in lines:
        earlier = grouped.get(name)
        if earlier is None:
            grouped[name] = value
        elif isinstance(earlier, list):
            earlier.append(value)
        else:
            grouped[name] = [earlier, value]
    return grouped


def header_value(headers: Mapping[str, str | list[str]], name: str) -> str:
    """The value of header `name` in a ``{name: value or [values]}`` mapping, its name in
    any case (the first of several values; "" when there is none)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else next(iter(value), "")
    return ""


class ReplyError(Exception):
    """Raised in a route handler or responder to answer `reply` instead of going on.

    The request path writes it like any other reply, so a domain error is one line::

        raise ReplyError(self.error_reply(400, "to: required", request, field="to"))

    A domain's own error class may subclass it and build `reply` from its fields.
    """

    def __init__(self, reply: Reply) -> None:
        super().__init__(f"reply {reply.status}")
        self._reply = reply

    @property
    def reply(self) -> Reply:
        """The answer the request path writes."""
        return self._reply
