"""Which expectations a request may match: the engine's candidate index.

Expectations are indexed by the exact paths their matchers allow (most domain and
stub expectations name one path), the others by the first path segment of their
literal prefix (``/users/{id}`` and ``^/users/.+`` under ``users``), and the rest by a
text every matching path must contain (``x123`` of an unanchored ``x123$``), so matching
stays cheap as expectations grow: a request looks only at the expectations for its
path, for its first segment, those whose text its path contains, and those that may
match any path. When many of those candidates require one field to hold a value (500
stubs for one path told apart by a header or a JSON body key), a `Shortlist` groups
them by that value, so a request tries only its own value's group.

A `CandidateIndex` is never changed: adding or removing an expectation makes a new one
that shares every bucket it does not touch (so registering n stubs costs n small
updates, not n rebuilds), and the engine publishes it in one assignment. Its caches of
merged lists and shortlists live inside it, so a reader that computed a list from one
index can only ever store it in that index.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from ._expectation import Expectation
from ._matchers import Matcher
from ._request import RecordedRequest
from ._shortlist import SHORTLIST_FROM, Shortlist

#: An expectation's place in matching order (priority, then newest first).
OrderKey = tuple[int, int]
#: At most this many merged lists or shortlists are cached per index (then forgotten).
_CACHE_LIMIT = 4096


def _first_segment(path: str) -> str | None:
    """``users`` for ``/users/7`` or a prefix ``/users/``; None when it does not end in ``/``."""
    end = path.find("/", 1)
    return path[1:end] if path.startswith("/") and end > 0 else None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an expectation is indexed: its exact paths, else a first segment, else a
    text its path contains, else nowhere in particular (it may match any path)."""

    paths: frozenset[str] | None = None
    segment: str | None = None
    literal: str | None = None

    @classmethod
    def of(cls, matcher: Matcher) -> Placement:
        """Worked out once per expectation, from what its matcher says of paths."""
        paths = matcher.exact_paths()
        if paths is not None:
            return cls(paths=paths)
        segment = _first_segment(matcher.path_prefix() or "")
        if segment is not None:
            return cls(segment=segment)
        return cls(literal=matcher.path_literal())


def _inserted(
    bucket: list[Expectation], expectation: Expectation, order: Callable[[Expectation], OrderKey]
) -> list[Expectation]:
    copy = list(bucket)
    bisect.insort(copy, expectation, key=order)
    return copy


def _without(
    buckets: dict[str, list[Expectation]], names: frozenset[str], expectation: Expectation
) -> dict[str, list[Expectation]]:
    changed = dict(buckets)
    for name in names:
        left = [e for e in changed.get(name, ()) if e is not expectation]
        if left:
            changed[name] = left
        else:
            changed.pop(name, None)
    return changed


class CandidateIndex:
    """One published state of the index (immutable but for its caches)."""

    __slots__ = (
        "_any_path",
        "_by_literal",
        "_by_path",
        "_by_segment",
        "_merged",
        "_order",
        "_shortlists",
    )

    def __init__(
        self,
        order: Callable[[Expectation], OrderKey],
        by_path: dict[str, list[Expectation]] | None = None,
        by_segment: dict[str, list[Expectation]] | None = None,
        any_path: list[Expectation] | None = None,
        by_literal: list[tuple[str, Expectation]] | None = None,
    ) -> None:
        self._order = order
        self._by_path = by_path or {}
        self._by_segment = by_segment or {}
        self._any_path = any_path or []
        #: Expectations that match only paths containing a text: (text, expectation).
        self._by_literal = by_literal or []
        #: Per cache key, the merged candidate list; per long list (by identity), its
        #: shortlist. Filled lazily, bounded, never shared between indexes.
        self._merged: dict[object, list[Expectation]] = {}
        self._shortlists: dict[int, tuple[list[Expectation], Shortlist | None]] = {}

    @classmethod
    def build(
        cls,
        entries: list[Expectation],
        placements: dict[str, Placement],
        order: Callable[[Expectation], OrderKey],
    ) -> CandidateIndex:
        """The index of `entries`, given in matching order."""
        by_path: dict[str, list[Expectation]] = {}
        by_segment: dict[str, list[Expectation]] = {}
        any_path: list[Expectation] = []
        by_literal: list[tuple[str, Expectation]] = []
        for expectation in entries:
            place = placements[expectation.id]
            if place.paths is not None:
                for path in place.paths:
                    by_path.setdefault(path, []).append(expectation)
            elif place.segment is not None:
                by_segment.setdefault(place.segment, []).append(expectation)
            elif place.literal is not None:
                by_literal.append((place.literal, expectation))
            else:
                any_path.append(expectation)
        return cls(order, by_path, by_segment, any_path, by_literal)

    def added(self, expectation: Expectation, place: Placement) -> CandidateIndex:
        """A new index with `expectation` too (its order key already known to `order`)."""
        by_path, by_segment = self._by_path, self._by_segment
        any_path, by_literal = self._any_path, self._by_literal
        order = self._order
        if place.paths is not None:
            by_path = dict(by_path)
            for path in place.paths:
                by_path[path] = _inserted(by_path.get(path, []), expectation, order)
        elif place.segment is not None:
            by_segment = dict(by_segment)
            by_segment[place.segment] = _inserted(
                by_segment.get(place.segment, []), expectation, order
            )
        elif place.literal is not None:
            by_literal = [*by_literal, (place.literal, expectation)]
        else:
            any_path = _inserted(any_path, expectation, order)
        return CandidateIndex(order, by_path, by_segment, any_path, by_literal)

    def removed(self, expectation: Expectation, place: Placement) -> CandidateIndex:
        """A new index without `expectation`."""
        by_path, by_segment = self._by_path, self._by_segment
        any_path, by_literal = self._any_path, self._by_literal
        if place.paths is not None:
            by_path = _without(by_path, place.paths, expectation)
        elif place.segment is not None:
            by_segment = _without(by_segment, frozenset((place.segment,)), expectation)
        elif place.literal is not None:
            by_literal = [item for item in by_literal if item[1] is not expectation]
        else:
            any_path = [e for e in any_path if e is not expectation]
        return CandidateIndex(self._order, by_path, by_segment, any_path, by_literal)

    def candidates(self, path: str) -> list[Expectation]:
        """Expectations that may match a request for `path`, in matching order."""
        if self._by_literal:
            return self._with_literals(path)
        exact = self._by_path.get(path)
        segment = _first_segment(path)
        by_segment = self._by_segment.get(segment) if segment is not None else None
        if by_segment is None:
            if not exact:
                return self._any_path
            if not self._any_path:
                return exact
        elif not exact and not self._any_path:
            return by_segment
        key = (path if exact else "", (segment or "") if by_segment else "")
        found = self._merged.get(key)
        if found is None:
            found = sorted([*(exact or ()), *(by_segment or ()), *self._any_path], key=self._order)
            self._remember(key, found)  # sorted once per key and index, not per request
        return found

    def _with_literals(self, path: str) -> list[Expectation]:
        """`candidates` when some expectations are indexed by a text their path contains:
        worked out once per path."""
        key = (path, "*")
        found = self._merged.get(key)
        if found is None:
            segment = _first_segment(path)
            found = sorted(
                [
                    *self._by_path.get(path, ()),
                    *(self._by_segment.get(segment, ()) if segment is not None else ()),
                    *self._any_path,
                    *(e for literal, e in self._by_literal if literal in path),
                ],
                key=self._order,
            )
            self._remember(key, found)
        return found

    def _remember(self, key: object, found: list[Expectation]) -> None:
        if len(self._merged) > _CACHE_LIMIT:
            self._merged.clear()
        self._merged[key] = found

    def for_request(self, request: RecordedRequest) -> list[Expectation]:
        """The candidates for `request`'s path, less those a shortlist knows it misses."""
        candidates = self.candidates(request.path)
        if len(candidates) < SHORTLIST_FROM:
            return candidates
        shortlists = self._shortlists
        cached = shortlists.get(id(candidates))
        if cached is None or cached[0] is not candidates:
            if len(shortlists) > _CACHE_LIMIT:
                shortlists.clear()
            cached = (candidates, Shortlist.build(candidates))
            shortlists[id(candidates)] = cached  # holds the list: its id is not reused
        shortlist = cached[1]
        return candidates if shortlist is None else shortlist.narrow(request)
