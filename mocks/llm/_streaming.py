"""Stream faults an expectation attaches to an answer, the same for every API.

`with_stream_error(after=n)` ends a stream with the API's own error event after ``n``
events; `with_malformed_chunk(after=n)` sends a chunk that is not JSON there instead.
Each API renders its events and its error event; this module only decides where the
fault falls, and serializes each chunk as it is written (the events, and every random
draw behind them, are planned before the first one leaves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mocks.core import StreamChunk

from ._responders import LLMReply


def malformed_chunk(index: int) -> StreamChunk:
    """A ``data:`` line whose JSON is cut off."""
    return StreamChunk(b'data: {"id": "' + str(index).encode() + b'", "cho\n\n')


def faulty_stream(
    events: Iterable[Any],
    reply: LLMReply | None,
    *,
    chunk: Callable[[Any], StreamChunk],
    error: Callable[[int, str], StreamChunk],
    tail: StreamChunk | None = None,
) -> Iterator[StreamChunk]:
    """The chunks of ``events`` (each rendered by ``chunk``), with ``reply``'s fault:
    ``error(index, message)`` or a malformed chunk at its place; ``tail`` closes a
    stream that ran to its end (OpenAI's ``[DONE]``)."""
    for index, event in enumerate(events):
        if reply is not None and index == reply.malformed_chunk_after:
            yield malformed_chunk(index)
            return
        if reply is not None and index == reply.stream_error_after:
            yield error(index, reply.stream_error_message)
            return
        yield chunk(event)
    if tail is not None:
        yield tail


#: Events written together once the first has gone out alone (see `coalesced`).
EVENTS_PER_WRITE = 16


def coalesced(
    chunks: Iterable[StreamChunk], per_write: int = EVENTS_PER_WRITE
) -> Iterator[StreamChunk]:
    """The same events in fewer writes: the first alone, then 1, 2, 4... joined, up to
    ``per_write`` (the first tokens leave at once, the rest in few system calls). Only
    for streams whose events carry no delay of their own and are not cut or checked
    one by one.

    >>> data = [StreamChunk(bytes([97 + i])) for i in range(6)]
    >>> [c.data for c in coalesced(data, 4)]
    [b'a', b'b', b'cd', b'ef']
    """
    size = 1
    pending: list[bytes] = []
    for index, chunk in enumerate(chunks):
        if index == 0:
            yield chunk
            continue
        pending.append(chunk.data)
        if len(pending) == size:
            yield StreamChunk(b"".join(pending))
            pending = []
            size = min(size * 2, per_write)
    if pending:
        yield StreamChunk(b"".join(pending))
