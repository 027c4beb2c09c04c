"""Writing a `Reply` to the wire, with dribble, stream delays and stream cuts applied."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass
from typing import Any

from ._delays import ChunkedDribble, Delay, sleep_at_least
from ._faults import cut_connection
from ._reply import Reply, StreamChunk
from ._wire import WireRequest


@dataclass(frozen=True, slots=True)
class WritePlan:
    """How to write one reply: timing, and where to cut the connection."""

    dribble: ChunkedDribble | None = None
    first_event_delay: Delay | None = None
    between_events_delay: Delay | None = None
    #: Cut the connection after this many chunks (Fault.STREAM_CUT).
    cut_after: int | None = None

    @property
    def chunked(self) -> bool:
        """Whether even a plain body goes out in pieces (dribble, or a cut)."""
        return self.dribble is not None or self.cut_after is not None


#: The Content-Type of a body whose reply names none.
_UNTYPED = "application/octet-stream"
#: The plan of most replies: no dribble, no stream delays, no cut.
PLAIN = WritePlan()


async def _chunks(reply: Reply) -> AsyncIterator[StreamChunk]:
    stream = reply.stream
    if stream is None:
        return
    if hasattr(stream, "__aiter__"):
        async for chunk in stream:
            yield chunk
    else:
        for chunk in stream:
            yield chunk


def _split(body: bytes, pieces: int) -> list[bytes]:
    size = max(1, -(-len(body) // pieces))
    return [body[i : i + size] for i in range(0, len(body), size)] or [b""]


def _header_lines(reply: Reply) -> Collection[tuple[str, str]]:
    if reply.more_headers:
        return [*reply.headers.items(), *reply.more_headers]
    return reply.headers.items()


def send_whole(request: WireRequest, reply: Reply) -> None:
    """Send a reply that has a body (or none) and no stream, at once."""
    request.response.send(reply.status, _header_lines(reply), reply.body, reply.reason, _UNTYPED)


async def write_reply(
    request: WireRequest,
    reply: Reply,
    plan: WritePlan,
    rng: random.Random,
    stopping: asyncio.Event,
    on_chunk: Callable[[StreamChunk], Any] | None = None,
) -> None:
    """Send `reply` in pieces according to `plan`: a stream, or a body dribbled or cut
    (`send_whole` sends any other reply at once)."""
    headers = _header_lines(reply)
    writer = request.response
    if reply.stream is None:
        assert plan.dribble is not None or plan.cut_after is not None
        writer.start(reply.status, headers, len(reply.body), reply.reason)
        pieces = _split(reply.body, plan.dribble.chunks if plan.dribble else 2)
        gap = plan.dribble.duration_ms / 1000 / len(pieces) if plan.dribble else 0.0
        for index, piece in enumerate(pieces):
            if plan.cut_after is not None and index >= plan.cut_after:
                cut_connection(request)
                return
            if index and gap:
                await sleep_at_least(gap)
            await writer.write(piece)
        writer.end()
        return
    writer.start(reply.status, headers, None, reply.reason)
    index = 0
    async for chunk in _chunks(reply):
        if stopping.is_set():
            cut_connection(request)
            return
        if plan.cut_after is not None and index >= plan.cut_after:
            cut_connection(request)
            return
        delay = chunk.delay
        if delay is None:
            timing = plan.first_event_delay if index == 0 else plan.between_events_delay
            delay = timing.sample(rng) if timing is not None else 0.0
        if delay:
            await sleep_at_least(delay)
        if on_chunk is not None:
            on_chunk(chunk)
        await writer.write(chunk.data)
        index += 1
    writer.end()
