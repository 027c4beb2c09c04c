"""Many expectations for one path told apart by a header, a query parameter or a JSON key."""

from __future__ import annotations

import json

import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, MultiDict

from mocks import MockHTTP
from mocks.core import Expectation, ExpectationSpec, RecordedRequest
from mocks.core._matchers import And, Header, JsonBody, Method, Path, Query
from mocks.core._shortlist import SHORTLIST_FROM, Shortlist


def _request(
    headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    body: bytes = b"",
    query: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> RecordedRequest:
    return RecordedRequest("POST", "/h", MultiDict(query), CIMultiDict(headers), body)


def _keyed(matchers: list[And]) -> list[Expectation]:
    return [Expectation(ExpectationSpec(matcher=m)) for m in matchers]


def test_a_request_tries_only_the_expectations_its_header_value_can_match() -> None:
    candidates = _keyed(
        [And(all=[Path(value="/h"), Header(name="X-Key", value=f"k{i}")]) for i in range(40)]
    )
    shortlist = Shortlist.build(candidates)
    assert shortlist is not None
    assert shortlist.narrow(_request([("x-key", "k7")])) == [candidates[7]]
    assert shortlist.narrow(_request([("X-KEY", "nope")])) == []
    assert shortlist.narrow(_request()) == []
    # a repeated header: any of its values may match, in the list's order
    assert shortlist.narrow(_request([("X-Key", "k9"), ("X-Key", "k3"), ("X-Key", "k9")])) == [
        candidates[3],
        candidates[9],
    ]


def test_expectations_without_the_field_stay_in_order_among_the_group() -> None:
    matchers = [
        And(all=[Path(value="/h"), Header(name="x-key", value=f"k{i % 20}")]) for i in range(30)
    ]
    matchers.insert(5, And(all=[Path(value="/h"), Method(value="POST")]))
    matchers.insert(0, And(all=[Path(value="/h"), Header(name="x-key", value="k1", op="contains")]))
    candidates = _keyed(matchers)
    shortlist = Shortlist.build(candidates)
    assert shortlist is not None
    request = _request([("X-Key", "k1")])
    narrowed = shortlist.narrow(request)
    assert narrowed == [candidates[0], candidates[2], candidates[6], candidates[23]]
    assert narrowed == [c for c in candidates if c.spec.matcher.matches(request)]
    # the unkeyed ones are tried even when no keyed one can match
    assert shortlist.narrow(_request([("X-Key", "zzz")])) == [candidates[0], candidates[6]]


def test_json_keys_group_by_value_as_equality_does() -> None:
    candidates = _keyed(
        [
            And(all=[Path(value="/b"), JsonBody(value={"key": f"k{i}", "n": 1}, op="contains")])
            for i in range(20)
        ]
        + [And(all=[Path(value="/b"), JsonBody(value={"key": 5}, op="contains")])]
    )
    shortlist = Shortlist.build(candidates)
    assert shortlist is not None
    assert shortlist.narrow(_request(body=b'{"key": "k4", "n": 1, "x": 2}')) == [candidates[4]]
    assert shortlist.narrow(_request(body=b'{"key": 5.0}')) == [candidates[20]]
    assert shortlist.narrow(_request(body=b'{"key": ["k4"]}')) == []
    assert shortlist.narrow(_request(body=b'["k4"]')) == []
    assert shortlist.narrow(_request(body=b"not json")) == []


def test_query_parameters_group_too_and_a_repeated_field_may_meet_two_requirements() -> None:
    matchers = [And(all=[Path(value="/q"), Query(name="id", value=str(i))]) for i in range(20)]
    matchers.append(And(all=[Query(name="id", value="1"), Query(name="id", value="2")]))
    candidates = _keyed(matchers)
    shortlist = Shortlist.build(candidates)
    assert shortlist is not None
    both = _request(query=[("id", "2"), ("id", "1")])  # ?id=2&id=1 meets id=1 and id=2
    assert shortlist.narrow(both) == [candidates[1], candidates[2], candidates[20]]
    assert candidates[20].spec.matcher.matches(both)
    assert shortlist.narrow(_request(query=[("id", "2")])) == [candidates[2]]


def test_short_lists_and_lists_without_a_common_field_are_not_grouped() -> None:
    few = _keyed(
        [And(all=[Header(name="x-key", value=f"k{i}")]) for i in range(SHORTLIST_FROM - 1)]
    )
    assert Shortlist.build(few) is None
    assert Shortlist.build(_keyed([And(all=[Path(value=f"/p{i}")]) for i in range(50)])) is None


def test_500_header_stubs_over_http_answer_as_without_the_shortlist() -> None:
    with MockHTTP.start() as mock:
        for index in range(500):
            mock.expect("GET", "/h", headers={"X-Key": f"k{index}"}).respond(
                body=str(index)
            ).optional()
        mock.expect("GET", "/h", headers={"X-Key": "k3"}).respond(body="newest").once()
        fallback = mock.expect("GET", "/h").respond(body="fallback").optional()
        mock.expect("GET", "/h", headers={"X-Key": "k0"}, priority=1).respond(
            body="urgent"
        ).optional()
        with requests.Session() as session:

            def get(key: str) -> str:
                return session.get(f"{mock.url}/h", headers={"X-Key": key}, timeout=5).text

            assert get("k499") == "fallback"  # the newest without a header is tried first
            assert mock.remove_expectation(fallback)
            assert [get("k499"), get("k3"), get("k3"), get("k0"), get("k250")] == [
                "499",
                "newest",
                "3",
                "urgent",
                "250",
            ]
            missed = session.get(f"{mock.url}/h", headers={"X-Key": "k500"}, timeout=5)
            assert missed.status_code == 404
            assert "header[X-Key]" in missed.text  # the near-miss report still names it
        assert len(mock.requests) == 7


def test_500_json_body_stubs_over_http() -> None:
    with MockHTTP.start() as mock:
        for index in range(500):
            mock.expect("POST", "/b", json_contains={"key": f"k{index}"}).respond(
                body=str(index)
            ).optional()
        with requests.Session() as session:
            answers = [
                session.post(f"{mock.url}/b", json={"key": f"k{i}", "n": 1}, timeout=5).text
                for i in (0, 499, 77)
            ]
            assert answers == ["0", "499", "77"]
            assert session.post(f"{mock.url}/b", json={"key": "k500"}, timeout=5).status_code == 404


_scalars = st.one_of(
    st.sampled_from(["a", "b", "1"]), st.integers(0, 2), st.sampled_from([1.0, True, False, None])
)
_matchers = st.one_of(
    st.builds(
        lambda name, value, op: And(all=[Header(name=name, value=value, op=op)]),
        st.sampled_from(["X-Key", "x-key", "X-Other"]),
        st.sampled_from(["a", "b", "1"]),
        st.sampled_from(["eq", "eq", "contains"]),
    ),
    st.builds(
        lambda values: And(all=[Query(name="id", value=value) for value in values]),
        st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=2),
    ),
    st.builds(  # two requirements of one header: a repeated header may meet both
        lambda keys: And(all=[Header(name="X-Key", value=key) for key in keys]),
        st.lists(st.sampled_from(["a", "b", "1"]), min_size=2, max_size=2),
    ),
    st.builds(
        lambda document, op: And(all=[JsonBody(value=document, op=op)]),
        st.dictionaries(st.sampled_from(["key", "n"]), _scalars, min_size=1),
        st.sampled_from(["eq", "contains"]),
    ),
    st.just(And(all=[Method(value="POST")])),
)
_documents = st.one_of(
    st.dictionaries(
        st.sampled_from(["key", "n", "x"]), st.one_of(_scalars, st.lists(_scalars, max_size=2))
    ),
    st.lists(_scalars, max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    matchers=st.lists(_matchers, min_size=1, max_size=30),
    headers=st.lists(
        st.tuples(st.sampled_from(["X-Key", "x-other"]), st.sampled_from(["a", "b", "1", "ab"])),
        max_size=3,
    ),
    query=st.lists(st.tuples(st.just("id"), st.sampled_from(["a", "b"])), max_size=2),
    document=st.one_of(st.none(), _documents),
)
def test_a_shortlist_keeps_every_expectation_that_matches_in_order(
    matchers: list[And],
    headers: list[tuple[str, str]],
    query: list[tuple[str, str]],
    document: object,
) -> None:
    candidates = _keyed(matchers)
    request = _request(headers, b"" if document is None else json.dumps(document).encode(), query)
    matching = [c for c in candidates if c.spec.matcher.matches(request)]
    facets = {facet for c in candidates for facet, _ in c.spec.matcher.requirements()}
    for facet in facets:  # grouped by each field, whether or not enough require it
        narrowed = Shortlist(facet, candidates).narrow(request)
        assert [c for c in narrowed if c.spec.matcher.matches(request)] == matching
        assert narrowed == [c for c in candidates if c in narrowed]  # the list's order
