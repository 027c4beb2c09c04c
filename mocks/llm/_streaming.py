"""Stream faults an expectation attaches to an answer, the same for every API.

`with_stream_error(after=n)` ends a stream with the API's own error event after ``n``
events; `with_malformed_chunk(after=n)` sends a chunk that is not JSON there instead.
Each API renders its events and its error event; this module only decides where the
fault falls, and serializes each chunk as it is written (the events, and every random
draw behind them, are planned before the first one leaves).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
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
    """The first chunk alone (the first token leaves at once), then the rest joined
    ``per_write`` at a time: the same events, in fewer writes. Only for streams whose
    events carry no delay of their own and are not cut or checked one by one.

    >>> [c.data for c in coalesced([StreamChunk(b"a"), StreamChunk(b"b"), StreamChunk(b"c")], 2)]
    [b'a', b'bc']
    """
    iterator = iter(chunks)
    first = next(iterator, None)
    if first is None:
        return
    yield first
    pending: list[bytes] = []
    for chunk in iterator:
        pending.append(chunk.data)
        if len(pending) == per_write:
            yield StreamChunk(b"".join(pending))
            pending = []
    if pending:
        yield StreamChunk(b"".join(pending))


_encode = json.JSONEncoder(separators=(",", ":")).encode


class SharedFieldsEncoder:
    """Writes the ``data:`` events of a stream whose documents all begin with the same
    fields (OpenAI's chunks repeat ``id``, ``object``, ``created``, ``model``...): those
    are serialized once, per chunk only the rest. The bytes are those `sse_event` writes.

    >>> encoder = SharedFieldsEncoder()
    >>> base = {"id": "c1", "object": "chunk"}
    >>> encoder.chunk({**base, "choices": [1]}).data
    b'data: {"id":"c1","object":"chunk","choices":[1]}\\n\\n'
    """

    def __init__(self) -> None:
        self._shared: list[tuple[str, Any]] = []
        self._prefix = ""

    def _matches(self, document: dict[str, Any]) -> bool:
        return all(document.get(key, _MISSING) is value for key, value in self._shared)

    def chunk(self, document: dict[str, Any]) -> StreamChunk:
        """The event carrying ``document`` (kept on the chunk for contract checks)."""
        if not self._shared or not self._matches(document):
            self._learn(document)
        rest = islice(document.items(), len(self._shared), None)
        tail = ",".join(f"{_encode(key)}:{_encode(value)}" for key, value in rest)
        text = self._prefix + ("," + tail if tail else "") + "}\n\n"
        return StreamChunk(text.encode(), None, document)

    def _learn(self, document: dict[str, Any]) -> None:
        """Take the document's leading scalar fields as the shared ones."""
        shared = []
        for key, value in document.items():
            if isinstance(value, dict | list):
                break
            shared.append((key, value))
        self._shared = shared
        self._prefix = "data: " + _encode(dict(shared))[:-1]


_MISSING = object()
