"""The request journal: every request a mock received, bounded, thread-safe, queryable.

Each scope of a mock has its own journal; a `JournalBudget` bounds them together, so a
client that names many scopes cannot make the mock hold a journal's worth per scope.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
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


class JournalBudget:
    """What the journals of one mock (its scopes) may hold together: `max_entries`
    entries and `max_bytes` of bodies. Past either, the oldest entries go first,
    whichever journal holds them. The journals under one budget share its lock."""

    def __init__(self, max_entries: int = 10_000, max_bytes: int = MAX_JOURNAL_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        #: Entries and body bytes held by all the journals together.
        self.entries = 0
        self.size = 0
        self._journals: weakref.WeakSet[Journal] = weakref.WeakSet()
        #: How many journals joined and did not leave: at most how many the set holds
        #: (one collected without leaving only makes `trim` look at the set), and cheaper
        #: to read than the set's length on every request of a full journal.
        self._joined = 0

    def join(self, journal: Journal) -> None:
        """Count `journal` under this budget (a journal dropped with its scope leaves)."""
        if journal not in self._journals:
            self._journals.add(journal)
            self._joined += 1

    def leave(self, journal: Journal) -> None:
        """Stop counting `journal` (emptied first)."""
        if journal in self._journals:
            self._journals.discard(journal)
            self._joined -= 1

    def trim(self, growing: Journal) -> None:
        """Drop the oldest entries until the journals fit (call with `lock` held)."""
        alone = self._joined == 1
        while self.entries > self.max_entries or self.size > self.max_bytes:
            oldest = growing if alone else self._holding_oldest(growing)
            if not oldest.drop_oldest():
                return

    def _holding_oldest(self, growing: Journal) -> Journal:
        found, arrived = growing, float("inf")
        for journal in self._journals:
            first = journal.first_arrival()
            if first is not None and first < arrived:
                found, arrived = journal, first
        return found


class Journal:
    """The requests a mock received, oldest first. ``mock.requests`` is one.

    It keeps the newest `max_entries`, and at most `max_bytes` of request and response
    bodies (a body over `max_body` is kept truncated once answered, with its size and
    hash); `dropped` counts the entries pushed out. Given a shared `budget`, those bounds
    are the budget's, over every journal under it (a mock's scopes). Query it with the
    same matchers expectations use::

        mock.requests.matching("POST", "/orders", json_contains={"qty": 1})
    """

    def __init__(
        self,
        max_entries: int = 10_000,
        *,
        max_bytes: int = MAX_JOURNAL_BYTES,
        max_body: int = MAX_BODY_KEPT,
        budget: JournalBudget | None = None,
    ) -> None:
        self._entries: deque[RecordedRequest] = deque()
        self.budget = budget or JournalBudget(max_entries, max_bytes)
        self.budget.join(self)
        self._lock = self.budget.lock
        self.max_body = max_body
        #: The bytes of bodies the journal holds now.
        self.size = 0
        self.dropped = 0
        #: Set when its scope is dropped: it no longer counts against the budget.
        self._closed = False

    @property
    def max_entries(self) -> int:
        """The most entries kept (by this journal and the others under its budget)."""
        return self.budget.max_entries

    @property
    def max_bytes(self) -> int:
        """The most body bytes kept (by this journal and the others under its budget)."""
        return self.budget.max_bytes

    def append(self, entry: RecordedRequest) -> None:
        """Record a request (called by the mock as the request arrives)."""
        with self._lock:
            if self._closed:  # a request on its way when its scope went: nobody reads it
                return
            self._entries.append(entry)
            held = entry._held = len(entry.body)
            budget = self.budget  # counted inline: this runs for every request
            self.size += held
            budget.entries += 1
            budget.size += held
            if budget.entries > budget.max_entries or budget.size > budget.max_bytes:
                budget.trim(self)

    def settle(self, entry: RecordedRequest) -> None:
        """The request is answered: keep large bodies truncated, count the response's."""
        with self._lock:
            if len(entry.body) > self.max_body:
                entry.body_sha256 = hashlib.sha256(entry.body).hexdigest()
                entry.body_size = len(entry.body)
                entry.body = entry.body[: self.max_body]
            # A body kept whole parses again to the same value when asked; a truncated
            # one's parsed form would hold the whole body outside the byte bound.
            entry._forget_parsed()
            response = entry.response
            if response is not None and response.chunks is None:
                if len(response.body) > self.max_body:
                    response.body = response.body[: self.max_body]
            elif response is not None and response.chunks is not None:
                response.chunks = _first_bytes(response.chunks, self.max_body)
            if entry._held >= 0:  # still held (not pushed out or cleared meanwhile)
                held = _held(entry)
                grown, entry._held = held - entry._held, held
                budget = self.budget
                self.size += grown
                budget.size += grown
                if budget.size > budget.max_bytes:
                    budget.trim(self)

    def _count(self, entries: int, size: int) -> None:
        budget = self.budget
        self.size += size
        budget.entries += entries
        budget.size += size

    def drop_oldest(self) -> bool:
        """Push out the oldest entry (the budget's lock held); False when there is none."""
        if not self._entries:
            return False
        oldest = self._entries.popleft()
        self._count(-1, -oldest._held)
        oldest._held = -1
        self.dropped += 1
        return True

    def first_arrival(self) -> float | None:
        """When the oldest entry arrived (the budget's lock held); None when empty."""
        return self._entries[0].arrived_at if self._entries else None

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            for entry in self._entries:
                entry._held = -1
            self._count(-len(self._entries), -self.size)
            self._entries.clear()
            self.dropped = 0

    def close(self) -> None:
        """Forget every entry and leave the budget (its scope is gone)."""
        self.clear()
        with self._lock:
            self._closed = True
            self.budget.leave(self)

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
    held = len(entry.body) + len(response.body)
    return held + sum(map(len, response.chunks)) if response.chunks else held


def _first_bytes(chunks: list[bytes], limit: int) -> list[bytes]:
    kept, size = [], 0
    for chunk in chunks:
        if size + len(chunk) > limit:
            kept.append(chunk[: limit - size])
            break
        kept.append(chunk)
        size += len(chunk)
    return kept
