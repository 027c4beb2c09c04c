"""The engine's candidate index answers as trying every expectation in order would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, MultiDict

from mocks.core import Expectation, ExpectationSpec, RecordedRequest
from mocks.core._engine import Engine
from mocks.core._matchers import And, Anything, Header, Matcher, Path

_PATHS = ["/a/1", "/a/2", "/a/x1", "/b/1", "/c", "/v1/a/1"]

_path_matchers = st.one_of(
    st.builds(lambda v: Path(value=v), st.sampled_from(_PATHS)),
    st.just(Path(value="/a/{id}", op="template")),
    st.just(Path(value=r"^/a/\d+$", op="regex")),
    st.just(Path(value=r"x1$", op="regex")),
    st.just(Path(value="/b", op="startswith")),
    st.just(Path(value="a/", op="contains")),
    st.just(Anything()),
)
_matchers = st.one_of(
    _path_matchers,
    st.builds(
        lambda path, key: And(all=[path, Header(name="X-Key", value=key)]),
        _path_matchers,
        st.sampled_from(["k1", "k2"]),
    ),
)
_operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), _matchers, st.integers(1, 3)),
        st.tuples(st.just("remove"), st.integers(0, 60), st.just(0)),
        st.tuples(st.just("priority"), st.integers(0, 60), st.integers(1, 3)),
    ),
    max_size=60,
)


def _request(path: str, key: str | None) -> RecordedRequest:
    headers = CIMultiDict({"X-Key": key} if key else {})
    return RecordedRequest("GET", path, MultiDict(), headers, b"")


@settings(max_examples=150, deadline=None)
@given(operations=_operations, keys=st.lists(st.sampled_from([None, "k1", "k2", "k3"]), min_size=1))
def test_candidates_keep_every_match_in_matching_order(
    operations: list[tuple[str, Matcher | int, int]], keys: list[str | None]
) -> None:
    engine = Engine()
    added: dict[str, int] = {}  # id -> when it was added
    for operation, subject, priority in operations:
        registered = engine.expectations
        if operation == "add":
            assert isinstance(subject, Matcher)
            expectation = engine.add(
                Expectation(ExpectationSpec(matcher=subject, priority=priority))
            )
            added[expectation.id] = len(added)
        elif registered:
            assert isinstance(subject, int)
            chosen = registered[subject % len(registered)]
            if operation == "remove":
                assert engine.remove(chosen.id)
            else:
                chosen.spec.priority = priority
                engine.reindex()
    in_order = engine.expectations
    # priority first (lower wins), then the newest
    assert in_order == sorted(in_order, key=lambda e: (e.spec.priority, -added[e.id]))
    for path in [*_PATHS, "/d/1", "/"]:
        for key in keys:
            request = _request(path, key)
            tried = engine._index.for_request(request)
            assert [e for e in tried if e.spec.matcher.matches(request)] == [
                e for e in in_order if e.spec.matcher.matches(request)
            ]
    assert not engine.remove("exp-none")
