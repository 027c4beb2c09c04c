"""The expectation registry and the matching rules.

The engine keeps expectations in matching order (priority, lower first, then newest
first) and publishes a `CandidateIndex` of them, which tells a request the few it may
match. Writers (tests, on any thread) take a lock and publish a new index; the mock's
loop reads the published one without locking and does all matching and counting, so a
match and its count happen together and ``times(n)`` is exact under concurrency.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from dataclasses import dataclass

from ._expectation import Expectation
from ._index import CandidateIndex, OrderKey, Placement
from ._matchers import Difference
from ._request import RecordedRequest

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


def _order_key(expectation: Expectation, sequence: int) -> OrderKey:
    return (expectation.spec.priority, -sequence)


class Engine:
    """Holds expectations, scenario states and ordered groups; picks the match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sequence = itertools.count()
        self._entries: list[tuple[OrderKey, Expectation]] = []
        self._keys: dict[str, OrderKey] = {}
        self._placements: dict[str, Placement] = {}
        self._index = CandidateIndex(self._order)
        self.scenarios: dict[str, str] = {}
        self._group_cursor: dict[str, int] = {}
        #: Requests that matched a later member of an ordered group too early.
        self.order_violations: list[str] = []

    # ---- registry ------------------------------------------------------------------

    @property
    def expectations(self) -> list[Expectation]:
        """All expectations, in matching order."""
        return [expectation for _, expectation in self._entries]

    def _order(self, expectation: Expectation) -> OrderKey:
        return self._keys.get(expectation.id, (0, 0))

    def add(self, expectation: Expectation) -> Expectation:
        """Register an expectation."""
        with self._lock:
            key = _order_key(expectation, next(self._sequence))
            self._keys[expectation.id] = key
            place = self._placements[expectation.id] = Placement.of(expectation.spec.matcher)
            entries = list(self._entries)
            bisect.insort(entries, (key, expectation), key=lambda item: item[0])
            self._entries = entries
            self._index = self._index.added(expectation, place)
        return expectation

    def remove(self, expectation_id: str) -> bool:
        """Unregister an expectation; False when there is none with that id."""
        with self._lock:
            found = self.get(expectation_id)
            if found is None:
                return False
            self._entries = [e for e in self._entries if e[1] is not found]
            self._index = self._index.removed(found, self._placements.pop(expectation_id))
            self._keys.pop(expectation_id, None)
            return True

    def reindex(self) -> None:
        """Re-sort after a priority changed."""
        with self._lock:
            for _, expectation in self._entries:
                sequence = self._keys[expectation.id][1]
                self._keys[expectation.id] = (expectation.spec.priority, sequence)
            entries = [(self._keys[e.id], e) for _, e in self._entries]
            entries.sort(key=lambda item: item[0])
            self._entries = entries
            self._index = CandidateIndex.build(
                [e for _, e in entries], self._placements, self._order
            )

    def clear(self) -> None:
        """Forget expectations, scenario states, ordered groups and order violations."""
        with self._lock:
            self._entries = []
            self._keys.clear()
            self._placements.clear()
            self._index = CandidateIndex(self._order)
            self.scenarios.clear()
            self._group_cursor.clear()
            self.order_violations = []

    def get(self, expectation_id: str) -> Expectation | None:
        """The expectation with that id, if registered."""
        for _, expectation in self._entries:
            if expectation.id == expectation_id:
                return expectation
        return None

    def candidates(self, path: str) -> list[Expectation]:
        """Expectations that may match a request for `path`, in matching order."""
        return self._index.candidates(path)

    # ---- matching (on the mock's loop) ---------------------------------------------

    def match(self, request: RecordedRequest) -> Expectation | None:
        """The expectation that answers `request` (counted), or None."""
        too_early: tuple[Expectation, Expectation] | None = None
        for expectation in self._index.for_request(request):
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
