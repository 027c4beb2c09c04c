"""The request journal: every request a mock received, bounded, thread-safe, queryable."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from typing import Any, overload

from ._matchers import Matcher, build_matcher
from ._request import RecordedRequest


class Journal:
    """The requests a mock received, oldest first. ``mock.requests`` is one.

    It keeps the newest `max_entries`; `dropped` counts those pushed out. Query it
    with the same matchers expectations use::

        mock.requests.matching("POST", "/orders", json_contains={"qty": 1})
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: deque[RecordedRequest] = deque(maxlen=max_entries)
        self._lock = threading.Lock()
        self.dropped = 0

    @property
    def max_entries(self) -> int:
        """How many entries it keeps."""
        return self._entries.maxlen or 0

    def append(self, entry: RecordedRequest) -> None:
        """Record a request (called by the mock as the request arrives)."""
        with self._lock:
            if len(self._entries) == self._entries.maxlen:
                self.dropped += 1
            self._entries.append(entry)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
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
