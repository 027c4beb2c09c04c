"""Expectations: times, priority, newest-first, ordered groups, scenarios, strict mode."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
import requests

from mocks import MockHTTP, VerificationError
from mocks.core import required_literal


def _get(mock: MockHTTP, path: str) -> requests.Response:
    return requests.get(f"{mock.url}{path}", timeout=5)


def test_times_then_falls_through(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/a").respond(body="twice").times(2)
    assert [_get(fresh_mock, "/a").text for _ in range(2)] == ["twice", "twice"]
    third = _get(fresh_mock, "/a")
    assert third.status_code == 404
    assert "already used up" in third.text
    fresh_mock.reset()


def test_once_and_unlimited(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/u").respond(body="always")
    fresh_mock.expect("GET", "/u").respond(body="first").once()
    assert [_get(fresh_mock, "/u").text for _ in range(3)] == ["first", "always", "always"]
    fresh_mock.verify()


def test_newest_first_and_priority(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/p").respond(body="old")
    fresh_mock.expect("GET", "/p").respond(body="new")
    assert _get(fresh_mock, "/p").text == "new"
    fresh_mock.expect("GET", "/p", priority=1).respond(body="urgent")
    fresh_mock.expect("GET", "/p").respond(body="newest but default priority")
    assert _get(fresh_mock, "/p").text == "urgent"
    fresh_mock.expect(path_regex="^/p$").respond(body="regex").at_priority(0)
    assert _get(fresh_mock, "/p").text == "regex"


def test_indexed_and_unindexed_expectations_keep_one_order(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect(path_regex="^/mix$").respond(body="regex, older")
    fresh_mock.expect("GET", "/mix").respond(body="exact, newer")
    assert _get(fresh_mock, "/mix").text == "exact, newer"
    fresh_mock.expect(path_regex="^/mix$").respond(body="regex, newest")
    assert _get(fresh_mock, "/mix").text == "regex, newest"


def test_ordered_group_in_order_passes(fresh_mock: MockHTTP) -> None:
    with fresh_mock.ordered():
        fresh_mock.expect("POST", "/login").respond(body="1").once()
        fresh_mock.expect("GET", "/data").respond(body="2").once()
        fresh_mock.expect("POST", "/logout").respond(body="3").once()
    url = fresh_mock.url
    got = [
        requests.post(f"{url}/login", timeout=5).text,
        requests.get(f"{url}/data", timeout=5).text,
        requests.post(f"{url}/logout", timeout=5).text,
    ]
    assert got == ["1", "2", "3"]
    fresh_mock.verify()


def test_ordered_group_out_of_order_is_refused_and_reported(fresh_mock: MockHTTP) -> None:
    with fresh_mock.ordered("checkout"):
        fresh_mock.expect("POST", "/cart").respond(body="cart").once()
        fresh_mock.expect("POST", "/pay").respond(body="paid").once()
    early = requests.post(f"{fresh_mock.url}/pay", timeout=5)
    assert early.status_code == 404
    with pytest.raises(VerificationError) as failure:
        fresh_mock.verify()
    text = str(failure.value)
    assert "out of order" in text
    assert "/cart" in text
    fresh_mock.reset()


def test_identical_ordered_members_do_not_report_false_order_violations(
    fresh_mock: MockHTTP,
) -> None:
    with fresh_mock.ordered():
        fresh_mock.expect("GET", "/poll").respond(body="pending").once()
        fresh_mock.expect("GET", "/poll").respond(body="done").once()
    assert [_get(fresh_mock, "/poll").text for _ in range(2)] == ["pending", "done"]
    fresh_mock.verify()


def test_scenarios_move_between_states(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/todo").respond(json=[]).in_scenario("todo", required_state="Started")
    fresh_mock.expect("POST", "/todo").respond(201).in_scenario(
        "todo", required_state="Started", new_state="added"
    )
    fresh_mock.expect("GET", "/todo").respond(json=["milk"]).in_scenario(
        "todo", required_state="added"
    )
    assert _get(fresh_mock, "/todo").json() == []
    assert requests.post(f"{fresh_mock.url}/todo", timeout=5).status_code == 201
    assert fresh_mock.scenario_state("todo") == "added"
    assert _get(fresh_mock, "/todo").json() == ["milk"]
    fresh_mock.set_scenario_state("todo", "Started")
    assert _get(fresh_mock, "/todo").json() == []


def test_strict_mode_answers_the_configured_status_and_names_the_near_miss() -> None:
    with MockHTTP.start(strict=True, strict_status=418) as mock:
        mock.expect("GET", "/known", query={"v": "1"}).respond(body="ok")
        response = _get(mock, "/known?v=2")
        assert response.status_code == 418
        body = response.json()
        assert "Nearest expectation" in body["error"]["message"]
        assert response.headers["X-Mock-Near-Miss"].endswith("query[v]: expected '1', got '2'")
        with pytest.raises(VerificationError, match=r"Unmatched requests:[\s\S]*/known\?v=2"):
            mock.verify()


def test_non_strict_unmatched_is_404_with_explanation_and_reported(fresh_mock: MockHTTP) -> None:
    response = _get(fresh_mock, "/nothing")
    assert response.status_code == 404
    assert "No expectations are registered" in response.json()["error"]["message"]
    assert fresh_mock.requests.last.unmatched
    with pytest.raises(VerificationError, match="/nothing"):
        fresh_mock.verify()
    fresh_mock.reset()


def test_unmet_times_are_reported_with_expected_and_actual(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/twice").respond(204).times(2).named("poller")
    _get(fresh_mock, "/twice")
    with pytest.raises(VerificationError) as failure:
        fresh_mock.verify()
    assert "(poller) GET /twice: expected 2 call(s), got 1" in str(failure.value)
    assert failure.value.report.unmet[0].actual == 1
    fresh_mock.reset()


async def test_concurrency_times_100_of_500_exactly(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/race").respond(body="won").times(100)
    fresh_mock.expect("GET", "/race").respond(body="lost").at_priority(9)
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        responses = await asyncio.gather(
            *(client.get(f"{fresh_mock.url}/race") for _ in range(500))
        )
    results = [response.text for response in responses]
    assert results.count("won") == 100
    assert results.count("lost") == 400
    assert len(fresh_mock.requests) == 500
    assert fresh_mock.expectations[0].call_count == 100
    fresh_mock.verify()


def test_remove_expectation(fresh_mock: MockHTTP) -> None:
    expectation = fresh_mock.expect("GET", "/r").respond(body="x")
    assert fresh_mock.remove_expectation(expectation)
    assert not fresh_mock.remove_expectation(expectation.id)
    assert _get(fresh_mock, "/r").status_code == 404
    fresh_mock.reset()


def test_expectation_with_no_response_answers_200_empty(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("DELETE", "/thing/1")
    response = requests.delete(f"{fresh_mock.url}/thing/1", timeout=5)
    assert (response.status_code, response.content) == (200, b"")


def test_template_and_prefix_indexed_expectations_keep_one_order(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/shop/{item}").respond(body="template, oldest")
    fresh_mock.expect(path_regex="^/shop/a.+").respond(body="anchored regex")
    fresh_mock.expect(path_regex="item$").respond(body="unanchored regex, newest")
    assert _get(fresh_mock, "/shop/apple-item").text == "unanchored regex, newest"
    assert _get(fresh_mock, "/shop/apple").text == "anchored regex"
    assert _get(fresh_mock, "/shop/pear").text == "template, oldest"
    fresh_mock.expect("GET", "/shop/pear").respond(body="exact").at_priority(6)
    assert _get(fresh_mock, "/shop/pear").text == "template, oldest"
    fresh_mock.expect("GET", "/shop/{item}", priority=1).respond(body="urgent template")
    assert _get(fresh_mock, "/shop/apple-item").text == "urgent template"
    assert _get(fresh_mock, "/shopping").status_code == 404


def test_many_template_expectations_each_reach_their_own_path(fresh_mock: MockHTTP) -> None:
    for index in range(200):
        fresh_mock.expect("GET", f"/t{index}/{{id}}").respond(body=str(index))
    with requests.Session() as session:
        for index in (0, 99, 199):
            assert session.get(f"{fresh_mock.url}/t{index}/x", timeout=5).text == str(index)


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        ("x123$", "x123"),
        (r"/v1/chat\.completions", "/v1/chat.completions"),
        ("colou?r", "colo"),
        ("ab{2,3}cdef", "cdef"),
        (r"\d+/files/\w+", "/files/"),
        ("abc|def", None),
        ("(?i)abc", None),
        ("[a-z]+", None),
    ],
)
def test_the_text_every_match_of_a_regex_contains(pattern: str, literal: str | None) -> None:
    assert required_literal(pattern) == literal
    if literal is not None:  # every string the pattern matches contains it
        for sample in ("x123", "/v1/chat.completions", "color", "abbcdef", "7/files/a"):
            if re.search(pattern, sample):
                assert literal in sample


def test_500_unanchored_regexes_are_narrowed_by_their_text() -> None:
    with MockHTTP.start() as mock:
        for index in range(500):
            mock.expect("GET", path_regex=f"x{index:03d}$").respond(body=str(index)).optional()
        assert _get(mock, "/items/x123").text == "123"
        assert _get(mock, "/x007").text == "7"
        assert len(mock.state.engine.candidates("/items/x123")) == 1
        assert _get(mock, "/items/y123").status_code == 404
