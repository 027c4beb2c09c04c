"""What WireMock's journal shows beyond the engine's: an id per served request (WireMock
calls a request and its answer a *serve event*).

The engine's journal holds the requests and the answers written; this log gives each
entry a seeded UUID the first time WireMock's API shows it, bounded like the journal.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

from ..core import RecordedRequest, ResponseRecord, derived_rng


@dataclass(slots=True)
class ServedResponse:
    """The response a request got, as far as the mock wrote one."""

    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class ServeLog:
    """Journal entry -> (event id, response), for the newest `limit` entries."""

    def __init__(self, seed: int = 0, limit: int = 20_000) -> None:
        self._events: dict[int, tuple[RecordedRequest, str]] = {}
        self._lock = threading.Lock()
        self._seed = seed
        self._ids = derived_rng(seed, "wiremock-events")
        self.limit = limit

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def event(self, entry: RecordedRequest) -> tuple[str, ServedResponse]:
        """The event id and response of a journal entry (its id is made when first asked)."""
        response = entry.response
        served = (
            ServedResponse(entry.status)
            if response is None
            else ServedResponse(response.status, dict(response.headers), _body(response))
        )
        with self._lock:
            found = self._events.get(id(entry))
            if found is None or found[0] is not entry:
                found = (entry, self._new_id())
                self._events[id(entry)] = found
                if len(self._events) > self.limit:
                    del self._events[next(iter(self._events))]
            return found[1], served

    def clear(self) -> None:
        """Forget every event and restart the ids."""
        with self._lock:
            self._events.clear()
            self._ids = derived_rng(self._seed, "wiremock-events")


def _body(response: ResponseRecord) -> bytes:
    return response.body if response.chunks is None else b"".join(response.chunks)


__all__ = ["ServeLog", "ServedResponse"]
