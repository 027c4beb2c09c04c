"""Narrowing a long candidate list by a field its expectations require.

The engine's path index leaves every expectation for one path in one list: 500 stubs
for ``GET /h`` that differ only in an ``X-Key`` header are 500 candidates, each tried in
turn. A `Shortlist` groups such a list by the facet most of them require (a header, a
query parameter, a top-level JSON body key: `Facet`) and the value they require it to
hold, so a request tries the group for its own value and the expectations that do not
require the facet, in the list's order. It only ever leaves out expectations whose
matcher would miss, so matching answers exactly as without it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

from ._expectation import Expectation
from ._matchers import Facet
from ._request import RecordedRequest

#: Lists shorter than this are tried in full: grouping would cost more than it saves.
SHORTLIST_FROM = 16


class Shortlist:
    """A candidate list grouped by the value its expectations require of one facet."""

    __slots__ = ("_by_value", "_facet", "_others", "_position")

    def __init__(self, facet: Facet, candidates: list[Expectation]) -> None:
        self._facet = facet
        self._position = {id(e): index for index, e in enumerate(candidates)}
        self._by_value: dict[Hashable, list[Expectation]] = {}
        self._others: list[Expectation] = []
        for expectation in candidates:
            required = [
                value for found, value in expectation.spec.matcher.requirements() if found == facet
            ]
            if not required:
                self._others.append(expectation)
            else:  # a request without its first required value cannot match it (a
                # header or query parameter may repeat and so hold several at once)
                self._by_value.setdefault(required[0], []).append(expectation)

    @classmethod
    def build(cls, candidates: list[Expectation]) -> Shortlist | None:
        """A shortlist by the facet most candidates require, or None when too few do."""
        counts: Counter[Facet] = Counter()
        for expectation in candidates:
            counts.update({facet for facet, _ in expectation.spec.matcher.requirements()})
        if not counts:
            return None
        facet, count = counts.most_common(1)[0]
        return cls(facet, candidates) if count >= SHORTLIST_FROM else None

    def narrow(self, request: RecordedRequest) -> list[Expectation]:
        """The candidates `request` may match, in the original order."""
        groups = [
            group
            for value in dict.fromkeys(self._facet.values(request))
            if (group := self._by_value.get(value)) is not None
        ]
        if not self._others:
            if not groups:
                return []
            if len(groups) == 1:
                return groups[0]
        position = self._position
        merged = [e for group in groups for e in group]
        merged.extend(self._others)
        merged.sort(key=lambda e: position[id(e)])
        return merged
