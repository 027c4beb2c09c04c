"""Faults: connection-level failures (WireMock's names) and injected error responses."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from ._wire import WireRequest


class Fault(StrEnum):
    """A connection fault, as the client sees it."""

    #: Close the connection without sending anything.
    EMPTY_RESPONSE = "EMPTY_RESPONSE"
    #: Send a status line and headers, then a chunk that is not valid chunked encoding.
    MALFORMED_RESPONSE_CHUNK = "MALFORMED_RESPONSE_CHUNK"
    #: Send random bytes, then close.
    RANDOM_DATA_THEN_CLOSE = "RANDOM_DATA_THEN_CLOSE"
    #: Reset the connection (TCP RST).
    CONNECTION_RESET_BY_PEER = "CONNECTION_RESET_BY_PEER"
    #: Start the response, then cut the connection after `after` chunks of the body.
    STREAM_CUT = "STREAM_CUT"
    #: Never answer; the request hangs until the client gives up or the mock stops.
    HANG = "HANG"


class FaultSpec(BaseModel):
    """A fault to apply, to every matching request or to a seeded fraction of them."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    fault: Fault
    #: For STREAM_CUT: how many chunks (SSE events, dribble pieces) get through first.
    after: int = Field(1, ge=0)
    rate: float = Field(1.0, ge=0, le=1)


class ErrorSpec(BaseModel):
    """An error response in the mock's own envelope, always or for a seeded fraction."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    status: int = Field(500, ge=400, le=599)
    message: str | None = None
    rate: float = Field(1.0, ge=0, le=1)
    headers: dict[str, str] = Field(default_factory=dict)


def _close_with_reset(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


_MALFORMED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"zz\r\nnot a chunk\r\n"
)


async def apply_connection_fault(
    fault: Fault, request: WireRequest, rng: random.Random, stopping: asyncio.Event
) -> None:
    """Carry out a connection fault on the request's transport (all but STREAM_CUT)."""
    transport = request.transport
    if fault is Fault.HANG:
        while not stopping.is_set() and not transport.is_closing():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), 0.05)
        transport.close()
    elif fault is Fault.EMPTY_RESPONSE:
        transport.close()
    elif fault is Fault.CONNECTION_RESET_BY_PEER:
        _close_with_reset(transport)
    elif fault is Fault.RANDOM_DATA_THEN_CLOSE:
        transport.write(rng.randbytes(256))
        transport.close()
    elif fault is Fault.MALFORMED_RESPONSE_CHUNK:
        transport.write(_MALFORMED)
        transport.close()


def cut_connection(request: WireRequest) -> None:
    """Cut a response part way (for STREAM_CUT): what was written arrives, then the
    connection closes without the end of the body, so the client sees it incomplete."""
    request.keep_alive = False
    request.transport.close()
