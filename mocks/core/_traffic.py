"""Traffic: what a mock's dashboard shows, kept across resets and labelled by test.

The journal holds the requests since the last reset. `Traffic` keeps a bounded history
of them and of the callbacks the mock delivered, each record numbered in one
process-wide order (so the records of several mocks merge into one timeline) and
labelled with the test that was running when it was noted. The pytest plugin (or
``POST /__admin/ui/test``) names the test; `BaseMock.reset()` notes what the journal
holds before clearing it, so a test's traffic stays visible after the next test began.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._callback import Delivery
from ._journal import MAX_JOURNAL_BYTES
from ._reply import grouped_headers, header_value
from ._request import RecordedRequest, ResponseRecord
from ._state import MockState

#: One numbering for the records of every mock in the process: a later number was noted later.
_NUMBERS = itertools.count(1)


@dataclass(eq=False, slots=True)
class TrafficRecord:
    """One request the mock received (`entry`) or one callback it sent (`delivery`)."""

    id: int
    service: str
    #: The test running when the record was noted (None outside tests).
    test: str | None
    entry: RecordedRequest | None = None
    delivery: Delivery | None = None
    #: The matched expectation, described while it was still registered.
    expectation: str | None = None
    #: For an unmatched request: the nearest expectation and the fields that differed.
    nearest: dict[str, Any] | None = None
    noted_at: float = field(default_factory=time.time)

    @property
    def kind(self) -> str:
        """``"request"`` (to the mock) or ``"callback"`` (from the mock)."""
        return "request" if self.entry is not None else "callback"

    @property
    def at(self) -> float:
        """When it happened: the request's arrival, or the callback's first attempt."""
        if self.entry is not None:
            return self.entry.arrived_at
        assert self.delivery is not None
        attempts = self.delivery.attempts
        return attempts[0].started_at if attempts else self.noted_at

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self.entry.method if self.entry is not None else self._delivery.method

    @property
    def path(self) -> str:
        """The request's path (a callback's: the path of the URL it was sent to)."""
        if self.entry is not None:
            return self.entry.path
        return urlsplit(self._delivery.url).path or "/"

    @property
    def status(self) -> int | None:
        """The status answered (a callback: its last attempt's); None while pending or cut."""
        return self.entry.status if self.entry is not None else self._delivery.status

    @property
    def outcome(self) -> str:
        """Why the answer is what it is: an expectation id, ``route`` (the mock's default
        behaviour), ``unmatched``, ``contract`` (refused for breaking it), a fault; for a
        callback, whether it was delivered."""
        if self.entry is None:
            delivery = self._delivery
            if not delivery.done.is_set():
                return "pending"
            return "delivered" if delivery.succeeded else "failed"
        entry = self.entry
        if entry.fault is not None:
            return f"fault {entry.fault}"
        if entry.unmatched:
            return "unmatched"
        if entry.matched is not None:
            return entry.matched
        if entry.route is not None:
            return "route"
        return "contract" if entry.violations else ""

    @property
    def open(self) -> bool:
        """Whether it may still change: no answer written yet, or a callback still trying."""
        if self.entry is None:
            return not self._delivery.done.is_set()
        return self.entry.response is None and self.entry.fault is None

    @property
    def size(self) -> int:
        """The body bytes it holds (request and response, or a callback and its answers)."""
        if self.entry is None:
            delivery = self._delivery
            return len(delivery.body) + sum(len(a.body) for a in list(delivery.attempts))
        response = self.entry.response
        answered = 0
        if response is not None:
            answered = len(response.body) + sum(map(len, response.chunks or ()))
        return len(self.entry.body) + answered

    @property
    def _delivery(self) -> Delivery:
        assert self.delivery is not None
        return self.delivery

    def summary(self) -> dict[str, Any]:
        """One row of the dashboard's list."""
        row: dict[str, Any] = {
            "id": self.id,
            "mock": self.service,
            "kind": self.kind,
            "test": self.test,
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "outcome": self.outcome,
            "open": self.open,
        }
        if self.entry is not None:
            entry = self.entry
            response = entry.response
            row.update(
                url=entry.url,
                unmatched=entry.unmatched,
                violations=len(entry.violations),
                duration_ms=None if entry.duration is None else round(entry.duration * 1000, 3),
                streamed=response is not None and response.chunks is not None,
            )
        else:
            row.update(url=self._delivery.url, attempts=len(self._delivery.attempts))
        return row

    def detail(self) -> dict[str, Any]:
        """Everything about it: request, response, expectation, near miss, violations."""
        if self.entry is None:
            return {**self.summary(), **_delivery_detail(self._delivery)}
        entry = self.entry
        return {
            **self.summary(),
            "request": {
                "method": entry.method,
                "url": entry.url,
                "headers": grouped_headers(entry.headers.items()),
                **_body(entry.body),
                # A large body is kept truncated by the journal: its whole size and hash.
                "body_size": len(entry.body) if entry.body_size is None else entry.body_size,
                "body_sha256": entry.body_sha256,
            },
            "response": None if entry.response is None else _response(entry.response),
            "expectation": None
            if entry.matched is None
            else {"id": entry.matched, "description": self.expectation},
            "route": entry.route,
            "fault": entry.fault,
            "near_miss": None
            if not entry.unmatched
            else {"text": entry.near_miss, **(self.nearest or {})},
            "violation_list": list(entry.violations),
        }


def _body(data: bytes) -> dict[str, Any]:
    """A body as text, and parsed when it is JSON (the page pretty-prints it)."""
    text = data.decode("utf-8", "replace")
    try:
        document = json.loads(data) if data.strip() else None
    except (ValueError, RecursionError):
        document = None
    return {"body": text, "json": document, "is_json": document is not None}


def _response(record: ResponseRecord) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "status": record.status,
        "headers": grouped_headers([*record.headers.items(), *record.more_headers]),
        **_body(record.body),
        "events": None,
    }
    if record.chunks is not None:
        content_type = header_value(record.headers, "Content-Type")
        answer["events"] = stream_events(record.chunks, "event-stream" in content_type)
    return answer


def stream_events(chunks: list[bytes], sse: bool) -> list[dict[str, Any]]:
    """A streamed answer event by event: Server-Sent Events parsed (name, data, JSON),
    other streams one entry per chunk written."""
    if not sse:
        return [{"event": None, **_body(chunk)} for chunk in chunks]
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    events = []
    for block in text.split("\n\n"):
        name, data = None, []
        for line in block.split("\n"):
            key, _, value = line.partition(":")
            if key == "event":
                name = value.strip()
            elif key == "data":
                data.append(value.removeprefix(" "))
        if name is not None or data:
            events.append({"event": name, **_body("\n".join(data).encode())})
    return events


def _delivery_detail(delivery: Delivery) -> dict[str, Any]:
    return {
        "request": {
            "method": delivery.method,
            "url": delivery.url,
            "headers": dict(delivery.headers),
            **_body(delivery.body),
        },
        "attempts": [
            {
                "number": attempt.number,
                "status": attempt.status,
                "error": attempt.error,
                "duration_ms": round(attempt.duration * 1000, 3),
                **_body(attempt.body),
            }
            for attempt in list(delivery.attempts)
        ],
    }


class Traffic:
    """A mock's bounded traffic history, labelled by test: the newest `size` records, and
    no more than `max_bytes` of bodies (the journal's own bound)."""

    def __init__(
        self, state: MockState, size: int = 2000, max_bytes: int = MAX_JOURNAL_BYTES
    ) -> None:
        self.state = state
        self.max_bytes = max_bytes
        self._records: deque[TrafficRecord] = deque(maxlen=size)
        self._lock = threading.Lock()
        #: The newest entry noted of each scope's journal (oldest first, append only).
        self._last_entries: dict[str, RecordedRequest] = {}
        self._deliveries: weakref.WeakSet[Delivery] = weakref.WeakSet()
        #: The test running now, given by `begin_test`.
        self.test: str | None = None
        #: Bumped by `clear()`, so a page polling for news knows to start over.
        self.epoch = 0

    def sync(self) -> None:
        """Note the journal entries and deliveries not noted yet, under the current test."""
        with self._lock:
            for entry in self._new_entries():
                self._records.append(self._entry_record(entry))
            for delivery in list(self.state.outbound.deliveries):
                if delivery not in self._deliveries:
                    self._deliveries.add(delivery)
                    record = TrafficRecord(next(_NUMBERS), self.state.service, self.test)
                    record.delivery = delivery
                    self._records.append(record)
            self._trim()

    def _trim(self) -> None:
        """Forget the oldest records while the bodies held are over `max_bytes` (sizes
        change as answers are written, so they are counted afresh)."""
        held = sum(record.size for record in self._records)
        while len(self._records) > 1 and held > self.max_bytes:
            held -= self._records.popleft().size

    def _new_entries(self) -> list[RecordedRequest]:
        """The entries of every scope's journal not noted yet, in order of arrival."""
        new: list[RecordedRequest] = []
        for name in ["", *self.state.scopes]:
            new += self._new_in(name, self.state.scope(name).journal.snapshot())
        if len(new) > 1:
            new.sort(key=lambda entry: entry.arrived_at)
        return new

    def _new_in(self, scope: str, entries: list[RecordedRequest]) -> list[RecordedRequest]:
        last = self._last_entries.get(scope)
        if entries:
            self._last_entries[scope] = entries[-1]
        # The journal was cleared or rolled over since the last look: all of it is new.
        for position in range(len(entries) - 1, -1, -1):
            if entries[position] is last:
                return entries[position + 1 :]
        return entries

    def _entry_record(self, entry: RecordedRequest) -> TrafficRecord:
        record = TrafficRecord(next(_NUMBERS), self.state.service, self.test, entry=entry)
        scope = self.state.scope(entry.scope)
        if entry.matched is not None:
            expectation = scope.engine.get(entry.matched) or self.state.engine.get(entry.matched)
            record.expectation = expectation.spec.describe() if expectation else None
        if entry.unmatched:
            near_miss = scope.near_miss(entry)
            record.nearest = {
                **near_miss.to_dict(),
                "description": near_miss.expectation.spec.describe()
                if near_miss.expectation
                else None,
            }
        return record

    def begin_test(self, name: str | None) -> None:
        """Label what comes next with test `name` (None: no test); what came before keeps
        the previous label."""
        self.sync()
        self.test = name

    def records(self) -> list[TrafficRecord]:
        """Every record kept, oldest first (noting what is new first)."""
        self.sync()
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget the history (the journal itself is the mock's: `reset()` clears it)."""
        with self._lock:
            self._records.clear()
            self.epoch += 1
            # Entries still in the journals are old news once forgotten.
            self._last_entries = {}
            self._new_entries()
            self._deliveries = weakref.WeakSet(self.state.outbound.deliveries)


__all__ = ["Traffic", "TrafficRecord", "stream_events"]
