"""The expectation registry and the matching rules.

Expectations are indexed by the exact paths their matchers allow (most domain and
stub expectations name one path), the others by the first path segment of their
literal prefix (``/users/{id}`` and ``^/users/.+`` under ``users``), and the rest by a
text every matching path must contain (``x123`` of an unanchored ``x123$``), so matching
stays cheap as expectations grow: a request looks only at the expectations for its
path, for its first segment, those whose text its path contains, and those that may
match any path. When many of those candidates require one field to hold a value (500
stubs for one path told apart by a header or a JSON body key), a `Shortlist` groups
them by that value, so a request tries only its own value's group. Candidates are
tried by priority (lower first), then newest first.

Writers (tests, on any thread) take a lock and publish new lists; the mock's loop
reads the published lists without locking and does all matching and counting, so a
match and its count happen together and ``times(n)`` is exact under concurrency.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from dataclasses import dataclass

from ._expectation import Expectation
from ._matchers import Difference
from ._request import RecordedRequest
from ._shortlist import SHORTLIST_FROM, Shortlist

SCENARIO_START = "Started"


@dataclass(slots=True)
class NearMiss:
    """The expectation nearest to an unmatched request, and how the request differed."""

    expectation: Expectation | None
    differences: list[Difference]

    def explain(self, request: RecordedRequest) -> str:
        """A readable paragraph for error bodies and reports."""
        head = f"No expectation matched {request.method} {request.url}."
        if self.expectation is None:
            return head + " No expectations are registered."
        lines = [head, f"Nearest expectation: {self.expectation.spec.describe()}"]
        lines.extend(f"  {difference}" for difference in self.differences)
        return "\n".join(lines)

    def summary(self) -> str:
        """One line for a header: the nearest expectation and what differed (ASCII)."""
        if self.expectation is None:
            return "no expectations are registered"
        differences = "; ".join(str(d) for d in self.differences)
        line = f"{self.expectation.id}: {differences}" if differences else self.expectation.id
        line = line.encode("ascii", "backslashreplace").decode()
        return line if len(line) <= 500 else line[:497] + "..."

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "nearest": self.expectation.id if self.expectation else None,
            "differences": [
                {"field": d.field, "expected": d.expected, "actual": d.actual}
                for d in self.differences
            ],
        }


def _first_segment(path: str) -> str | None:
    """``users`` for ``/users/7`` or a prefix ``/users/``; None when it does not end in ``/``."""
    end = path.find("/", 1)
    return path[1:end] if path.startswith("/") and end > 0 else None


def _order_key(expectation: Expectation, sequence: int) -> tuple[int, int]:
    return (expectation.spec.priority, -sequence)


class Engine:
    """Holds expectations, scenario states and ordered groups; picks the match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sequence = itertools.count()
        self._entries: list[tuple[tuple[int, int], Expectation]] = []
        self._by_path: dict[str, list[Expectation]] = {}
        self._by_segment: dict[str, list[Expectation]] = {}
        self._any_path: list[Expectation] = []
        #: Expectations that match only paths containing a text: (text, expectation).
        self._by_literal: list[tuple[str, Expectation]] = []
        #: Per (exact path, first segment), the merged candidate lists (filled lazily,
        #: replaced on every publication, so bounded by the index's size).
        self._merged: dict[tuple[str, str], list[Expectation]] = {}
        #: Per long candidate list (by identity), its shortlist (None: none helps).
        self._shortlists: dict[int, tuple[list[Expectation], Shortlist | None]] = {}
        self._keys: dict[str, tuple[int, int]] = {}
        self.scenarios: dict[str, str] = {}
        self._group_cursor: dict[str, int] = {}
        #: Requests that matched a later member of an ordered group too early.
        self.order_violations: list[str] = []

    # ---- registry ------------------------------------------------------------------

    @property
    def expectations(self) -> list[Expectation]:
        """All expectations, in matching order."""
        return [expectation for _, expectation in self._entries]

    def add(self, expectation: Expectation) -> Expectation:
        """Register an expectation."""
        with self._lock:
            key = _order_key(expectation, next(self._sequence))
            self._keys[expectation.id] = key
            entries = list(self._entries)
            bisect.insort(entries, (key, expectation), key=lambda item: item[0])
            self._publish(entries)
        return expectation

    def remove(self, expectation_id: str) -> bool:
        """Unregister an expectation; False when there is none with that id."""
        with self._lock:
            entries = [e for e in self._entries if e[1].id != expectation_id]
            if len(entries) == len(self._entries):
                return False
            self._keys.pop(expectation_id, None)
            self._publish(entries)
            return True

    def reindex(self) -> None:
        """Re-sort after a priority changed."""
        with self._lock:
            for _, expectation in self._entries:
                sequence = self._keys[expectation.id][1]
                self._keys[expectation.id] = (expectation.spec.priority, sequence)
            entries = [(self._keys[e.id], e) for _, e in self._entries]
            entries.sort(key=lambda item: item[0])
            self._publish(entries)

    def clear(self) -> None:
        """Forget expectations, scenario states, ordered groups and order violations."""
        with self._lock:
            self._keys.clear()
            self._publish([])
            self.scenarios.clear()
            self._group_cursor.clear()
            self.order_violations = []

    def get(self, expectation_id: str) -> Expectation | None:
        """The expectation with that id, if registered."""
        for _, expectation in self._entries:
            if expectation.id == expectation_id:
                return expectation
        return None

    def _publish(self, entries: list[tuple[tuple[int, int], Expectation]]) -> None:
        by_path: dict[str, list[Expectation]] = {}
        by_segment: dict[str, list[Expectation]] = {}
        any_path: list[Expectation] = []
        by_literal: list[tuple[str, Expectation]] = []
        for _, expectation in entries:
            matcher = expectation.spec.matcher
            paths = matcher.exact_paths()
            segment = _first_segment(matcher.path_prefix() or "")
            if paths is not None:
                for path in paths:
                    by_path.setdefault(path, []).append(expectation)
            elif segment is not None:
                by_segment.setdefault(segment, []).append(expectation)
            else:
                literal = matcher.path_literal()
                if literal is None:
                    any_path.append(expectation)
                else:
                    by_literal.append((literal, expectation))
        self._entries = entries
        self._by_path = by_path
        self._by_segment = by_segment
        self._any_path = any_path
        self._by_literal = by_literal
        # Last: a reader that sees the new caches also sees the new lists above.
        self._shortlists = {}
        self._merged = {}

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
        merged = self._merged
        found = merged.get(key)
        if found is None:
            keys = self._keys
            found = sorted(
                [*(exact or ()), *(by_segment or ()), *self._any_path],
                key=lambda e: keys.get(e.id, (0, 0)),
            )
            merged[key] = found  # sorted once per key and publication, not per request
        return found

    def _with_literals(self, path: str) -> list[Expectation]:
        """`candidates` when some expectations are indexed by a text their path contains:
        worked out once per path (the cache is bounded and dropped on every change)."""
        merged = self._merged
        found = merged.get((path, "*"))
        if found is None:
            keys = self._keys
            segment = _first_segment(path)
            found = sorted(
                [
                    *self._by_path.get(path, ()),
                    *(self._by_segment.get(segment, ()) if segment is not None else ()),
                    *self._any_path,
                    *(e for literal, e in self._by_literal if literal in path),
                ],
                key=lambda e: keys.get(e.id, (0, 0)),
            )
            if len(merged) > 4096:
                merged.clear()
            merged[(path, "*")] = found
        return found

    def _shortlisted(
        self, candidates: list[Expectation], request: RecordedRequest
    ) -> list[Expectation]:
        """`candidates` without those a shortlist knows `request` cannot match."""
        shortlists = self._shortlists
        cached = shortlists.get(id(candidates))
        if cached is None or cached[0] is not candidates:
            if len(shortlists) > 4096:
                shortlists.clear()
            cached = (candidates, Shortlist.build(candidates))
            shortlists[id(candidates)] = cached  # holds the list: its id is not reused
        shortlist = cached[1]
        return candidates if shortlist is None else shortlist.narrow(request)

    # ---- matching (on the mock's loop) ---------------------------------------------

    def match(self, request: RecordedRequest) -> Expectation | None:
        """The expectation that answers `request` (counted), or None."""
        too_early: tuple[Expectation, Expectation] | None = None
        candidates = self.candidates(request.path)
        if len(candidates) >= SHORTLIST_FROM:
            candidates = self._shortlisted(candidates, request)
        for expectation in candidates:
            if expectation.exhausted:
                continue
            spec = expectation.spec
            if spec.scenario is not None and spec.required_state is not None:
                state = self.scenarios.get(spec.scenario, SCENARIO_START)
                if state != spec.required_state:
                    continue
            if not spec.matcher.matches(request):
                continue
            if spec.ordered_group is not None:
                due = self._due_before(expectation)
                if due is not None:
                    too_early = too_early or (expectation, due)
                    continue
                self._group_cursor[spec.ordered_group] = self._group_position(expectation)
            expectation.record_call(request)
            if spec.scenario is not None and spec.new_state is not None:
                self.scenarios[spec.scenario] = spec.new_state
            return expectation
        if too_early is not None:
            arrived, due = too_early
            self.order_violations.append(
                f"{request.method} {request.url} matched {arrived.spec.describe()} out of order: "
                f"{due.spec.describe()} was due first"
            )
        return None

    def _group_members(self, group: str) -> list[Expectation]:
        members = [e for _, e in self._entries if e.spec.ordered_group == group]
        members.sort(key=lambda e: -self._keys[e.id][1])
        return members

    def _group_position(self, expectation: Expectation) -> int:
        assert expectation.spec.ordered_group is not None
        return self._group_members(expectation.spec.ordered_group).index(expectation)

    def _due_before(self, expectation: Expectation) -> Expectation | None:
        """The group member that must be met before `expectation` may match, if any."""
        group = expectation.spec.ordered_group
        assert group is not None
        members = self._group_members(group)
        position = members.index(expectation)
        cursor = self._group_cursor.get(group, 0)
        if position < cursor:
            return members[cursor]
        for member in members[cursor:position]:
            if member.call_count == 0 or not member.satisfied:
                return member
        return None

    def near_miss(self, request: RecordedRequest) -> NearMiss:
        """The registered expectation with the fewest differing fields."""
        best: NearMiss | None = None
        for _, expectation in self._entries:
            found = expectation.spec.matcher.differences(request)
            if not found:
                if expectation.exhausted:
                    times = expectation.spec.times
                    found = [Difference("times", f"at most {times} calls", "already used up")]
                elif expectation.spec.scenario is not None:
                    state = self.scenarios.get(expectation.spec.scenario, SCENARIO_START)
                    found = [
                        Difference(
                            f"scenario[{expectation.spec.scenario}]",
                            repr(expectation.spec.required_state),
                            repr(state),
                        )
                    ]
                else:
                    found = [Difference("order", "its turn in the ordered group", "too early")]
            if best is None or len(found) < len(best.differences):
                best = NearMiss(expectation, found)
        return best or NearMiss(None, [])
