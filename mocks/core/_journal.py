"""The request journal: every request a mock received, bounded, thread-safe, queryable."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any, overload

from ._matchers import Matcher, build_matcher, describe_matcher
from ._request import RecordedRequest

#: Bodies kept whole up to this size; a larger one is kept truncated, with its size and
#: SHA-256 (the request is matched and answered on the whole body first).
MAX_BODY_KEPT = 1024 * 1024
#: What the bodies kept by a journal may add up to before the oldest entries go.
MAX_JOURNAL_BYTES = 64 * 1024 * 1024


class Journal:
    """The requests a mock received, oldest first. ``mock.requests`` is one.

    It keeps the newest `max_entries`, and at most `max_bytes` of request and response
    bodies (a body over `max_body` is kept truncated once answered, with its size and
    hash); `dropped` counts the entries pushed out. Query it with the same matchers
    expectations use::

        mock.requests.matching("POST", "/orders", json_contains={"qty": 1})
    """

    def __init__(
        self,
        max_entries: int = 10_000,
        *,
        max_bytes: int = MAX_JOURNAL_BYTES,
        max_body: int = MAX_BODY_KEPT,
    ) -> None:
        self._entries: deque[RecordedRequest] = deque()
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_body = max_body
        #: The bytes of bodies the journal holds now.
        self.size = 0
        self.dropped = 0

    def append(self, entry: RecordedRequest) -> None:
        """Record a request (called by the mock as the request arrives)."""
        with self._lock:
            self._entries.append(entry)
            entry._held = len(entry.body)
            self.size += entry._held
            self._trim()

    def settle(self, entry: RecordedRequest) -> None:
        """The request is answered: keep large bodies truncated, count the response's."""
        with self._lock:
            if len(entry.body) > self.max_body:
                entry.body_sha256 = hashlib.sha256(entry.body).hexdigest()
                entry.body_size = len(entry.body)
                entry.body = entry.body[: self.max_body]
            response = entry.response
            if response is not None and response.chunks is None:
                if len(response.body) > self.max_body:
                    response.body = response.body[: self.max_body]
            elif response is not None and response.chunks is not None:
                response.chunks = _first_bytes(response.chunks, self.max_body)
            if entry._held >= 0:  # still held (not pushed out or cleared meanwhile)
                held = _held(entry)
                self.size += held - entry._held
                entry._held = held
            self._trim()

    def _trim(self) -> None:
        while self._entries and (
            len(self._entries) > self.max_entries or self.size > self.max_bytes
        ):
            oldest = self._entries.popleft()
            self.size -= oldest._held
            oldest._held = -1
            self.dropped += 1

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            for entry in self._entries:
                entry._held = -1
            self._entries.clear()
            self.size = 0
            self.dropped = 0

    def matching(
        self, method: str | None = None, path: str | None = None, **matchers: Any
    ) -> list[RecordedRequest]:
        """Entries matching a matcher, given in `expect()`'s keyword form (or ``matcher=``)."""
        matcher = build_matcher(method, path, **matchers)
        return [entry for entry in self.snapshot() if matcher.matches(entry)]

    def count(self, method: str | None = None, path: str | None = None, **matchers: Any) -> int:
        """How many entries match."""
        return len(self.matching(method, path, **matchers))

    def filter(self, matcher: Matcher) -> list[RecordedRequest]:
        """Entries matching a matcher object."""
        return [entry for entry in self.snapshot() if matcher.matches(entry)]

    @property
    def last(self) -> RecordedRequest:
        """The newest entry; IndexError when there is none."""
        with self._lock:
            return self._entries[-1]

    @property
    def unmatched(self) -> list[RecordedRequest]:
        """Entries no expectation and no default behaviour answered."""
        return [entry for entry in self.snapshot() if entry.unmatched]

    # ---- assertions ------------------------------------------------------------------

    def assert_called(self, matcher: Matcher, times: int | None = None) -> list[RecordedRequest]:
        """Assert requests matching `matcher` arrived (exactly `times` if given); return them."""
        __tracebackhide__ = True
        found = self.filter(matcher)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = "at least 1" if times is None else str(times)
        raise AssertionError(
            f"expected {wanted} request(s) matching {describe_matcher(matcher)}, "
            f"got {len(found)}" + self._similar(matcher)
        )

    def assert_not_called(self, matcher: Matcher) -> None:
        """Assert no request matching `matcher` arrived."""
        __tracebackhide__ = True
        found = self.filter(matcher)
        if found:
            listed = "\n".join(f"  - {r.method} {r.url}" for r in found[:10])
            raise AssertionError(
                f"expected no request matching {describe_matcher(matcher)}, "
                f"got {len(found)}:\n{listed}"
            )

    def assert_called_in_order(self, matchers: list[Matcher]) -> None:
        """Assert requests matching each matcher arrived in this order."""
        __tracebackhide__ = True
        entries = self.snapshot()
        position = 0
        for matcher in matchers:
            while position < len(entries) and not matcher.matches(entries[position]):
                position += 1
            if position == len(entries):
                seen = "\n".join(f"  - {r.method} {r.url}" for r in entries[-20:])
                raise AssertionError(
                    f"no request matching {describe_matcher(matcher)} after the ones before "
                    f"it in the order given; requests received:\n{seen}"
                )
            position += 1

    def _similar(self, matcher: Matcher) -> str:
        entries = self.snapshot()
        if not entries:
            return "; no requests were received"
        ranked = sorted(entries, key=lambda r: len(matcher.differences(r)))[:3]
        lines = ["; similar requests:"]
        for entry in ranked:
            lines.append(f"  - {entry.method} {entry.url}")
            lines.extend(f"      {d}" for d in matcher.differences(entry))
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> list[RecordedRequest]: ...
    def __getitem__(self, index: int | slice) -> RecordedRequest | list[RecordedRequest]:
        return self.snapshot()[index]

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __repr__(self) -> str:
        return f"<Journal {len(self)} requests>"


def _held(entry: RecordedRequest) -> int:
    """The body bytes an entry holds (request, and response once answered)."""
    response = entry.response
    if response is None:
        return len(entry.body)
    answered = len(response.body) + sum(len(c) for c in response.chunks or ())
    return len(entry.body) + answered


def _first_bytes(chunks: list[bytes], limit: int) -> list[bytes]:
    kept, size = [], 0
    for chunk in chunks:
        if size + len(chunk) > limit:
            kept.append(chunk[: limit - size])
            break
        kept.append(chunk)
        size += len(chunk)
    return kept
