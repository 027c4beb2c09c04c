"""Stream faults an expectation attaches to an answer, the same for every API.

`with_stream_error(after=n)` ends a stream with the API's own error event after ``n``
events; `with_malformed_chunk(after=n)` sends a chunk that is not JSON there instead.
Each API renders its events and its error event; this module only decides where the
fault falls, and serializes each chunk as it is written (the events, and every random
draw behind them, are planned before the first one leaves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from json.encoder import encode_basestring
from typing import Any

from mocks.core import StreamChunk, json_text

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


#: A value's compact JSON; for the common scalars without the encoder's per-call set-up.
FieldEncoder = Callable[[Any], str | None]


def encode_value(value: Any) -> str:
    """Compact JSON of ``value`` (as `sse_event` writes it: non-ASCII as it is)."""
    if isinstance(value, str) and value.isascii():
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    return json_text(value)


class SharedFieldsEncoder:
    """Writes the ``data:`` events of a stream whose documents all begin with the same
    fields (OpenAI's chunks repeat ``id``, ``object``, ``created``, ``model``...): those
    are serialized once, per chunk only the rest, a field in ``fast`` by its own
    encoder when that knows the value's shape (``None``: it does not). The bytes are
    those `sse_event` writes.

    >>> encoder = SharedFieldsEncoder()
    >>> base = {"id": "c1", "object": "chunk"}
    >>> encoder.chunk({**base, "choices": [1], "usage": None}).data
    b'data: {"id":"c1","object":"chunk","choices":[1],"usage":null}\\n\\n'
    """

    def __init__(self, fast: Mapping[str, FieldEncoder] | None = None) -> None:
        self.fast = dict(fast or {})
        self._shared = 0
        self._first: Any = _MISSING
        self._prefix = ""

    def chunk(self, document: dict[str, Any]) -> StreamChunk:
        """The event carrying ``document`` (kept on the chunk for contract checks)."""
        if not document or next(iter(document.values())) is not self._first:
            self._learn(document)
        parts = [self._prefix]
        fast = self.fast
        for key, value in islice(document.items(), self._shared, None):
            encoder = fast.get(key)
            text = encoder(value) if encoder is not None else None
            parts.append(f',"{key}":' + (text if text is not None else encode_value(value)))
        if not self._shared:
            parts[1] = parts[1][1:] if len(parts) > 1 else ""
        parts.append("}\n\n")
        return StreamChunk("".join(parts).encode(), None, document)

    def _learn(self, document: dict[str, Any]) -> None:
        """Take the document's leading scalar fields as the shared ones."""
        shared: dict[str, Any] = {}
        for key, value in document.items():
            if isinstance(value, dict | list):
                break
            shared[key] = value
        self._shared = len(shared)
        self._first = next(iter(shared.values()), _MISSING)
        self._prefix = "data: " + (json_text(shared)[:-1] if shared else "{")


_MISSING = object()
