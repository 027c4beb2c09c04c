"""What WireMock's journal shows beyond the engine's: an id per served request and the
response it got (WireMock calls the pair a *serve event*).

The engine's journal holds the requests; this log keeps, per journal entry, a seeded
UUID and the reply written, bounded like the journal.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

from ..core import RecordedRequest, Reply, derived_rng


@dataclass(slots=True)
class ServedResponse:
    """The response a request got, as far as the mock wrote one."""

    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class ServeLog:
    """Journal entry -> (event id, response), for the newest `limit` entries."""

    def __init__(self, seed: int = 0, limit: int = 20_000) -> None:
        self._events: dict[int, tuple[RecordedRequest, str, ServedResponse]] = {}
        self._lock = threading.Lock()
        self._seed = seed
        self._ids = derived_rng(seed, "wiremock-events")
        self.limit = limit

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def record(self, entry: RecordedRequest, reply: Reply) -> None:
        """Note the reply written for `entry` (called on every reply)."""
        served = ServedResponse(reply.status, reply.headers, reply.body)
        with self._lock:
            self._events[id(entry)] = (entry, self._new_id(), served)
            if len(self._events) > self.limit:
                del self._events[next(iter(self._events))]

    def event(self, entry: RecordedRequest) -> tuple[str, ServedResponse]:
        """The event id and response of a journal entry (an id is made if it had none)."""
        with self._lock:
            found = self._events.get(id(entry))
            if found is None or found[0] is not entry:
                found = (entry, self._new_id(), ServedResponse(entry.status))
                self._events[id(entry)] = found
            return found[1], found[2]

    def clear(self) -> None:
        """Forget every event and restart the ids."""
        with self._lock:
            self._events.clear()
            self._ids = derived_rng(self._seed, "wiremock-events")


__all__ = ["ServeLog", "ServedResponse"]
