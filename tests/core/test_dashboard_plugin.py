"""The pytest plugin attaches the Mermaid sequence of a failing test's traffic to its report
(and labels every mock's dashboard traffic with the running test)."""

from __future__ import annotations

import fnmatch
import re

import pytest

from mocks.pytest_plugin import SEQUENCE_SECTION

TESTS = """
import requests

def test_passes(mock_http):
    mock_http.expect("GET", "/fine").respond(200)
    requests.get(mock_http.url + "/fine")

def test_fails(mock_http, mock_llm):
    mock_http.expect("GET", "/users/7").respond(json={"id": 7})
    requests.get(mock_http.url + "/users/7")
    requests.post(mock_http.url + "/orders", json={"qty": 1})
    assert False, "the real failure"

def test_fails_at_verify(mock_http):
    mock_http.expect("GET", "/never").respond(200).once()
    requests.get(mock_http.url + "/other")

def test_without_mocks():
    assert False
"""


@pytest.fixture
def outcome(pytester: pytest.Pytester) -> pytest.RunResult:
    pytester.makepyfile(test_journeys=TESTS)
    return pytester.runpytest("-p", "no:cacheprovider")


def _section(result: pytest.RunResult, test: str) -> list[str]:
    """The lines of the sequence section printed under test `test`'s failure."""
    lines = result.outlines
    header = next(i for i, line in enumerate(lines) if re.fullmatch(rf"_+ {test} _+", line))
    start = next(i for i in range(header, len(lines)) if SEQUENCE_SECTION in lines[i])
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("___", "---", "==="))),
        len(lines),
    )
    return lines[start + 1 : end]


def test_a_failing_test_shows_its_traffic_as_mermaid(outcome: pytest.RunResult) -> None:
    outcome.assert_outcomes(passed=2, failed=2, errors=1)
    outcome.stdout.fnmatch_lines(["*_ test_fails _*", "*the real failure*"])
    section = _section(outcome, "test_fails")
    expected = [
        "sequenceDiagram",
        "    participant sut as system under test",
        "    participant mock_http as http",
        "    participant mock_llm as llm",
        "    sut->>mock_http: GET /users/7",
        "    mock_http-->>sut: 200 exp-*",
        "    sut->>mock_http: POST /orders",
        "    mock_http-->>sut: 404 unmatched",
        "    Note over mock_http: unmatched: nearest exp-*, method, path differed",
    ]
    assert len(section) == len(expected), section
    for line, pattern in zip(section, expected, strict=True):
        assert fnmatch.fnmatchcase(line, pattern), (line, pattern)


def test_each_failing_report_has_only_its_own_traffic(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_journeys=TESTS)
    reports = pytester.inline_run("-p", "no:cacheprovider").getreports("pytest_runtest_logreport")
    sections = {
        (report.head_line, report.when): dict(report.sections).get(SEQUENCE_SECTION)
        for report in reports
    }
    failing = sections[("test_fails", "call")]
    assert failing is not None and "GET /users/7" in failing and "/fine" not in failing
    at_verify = sections[("test_fails_at_verify", "teardown")]
    assert at_verify is not None
    assert "sut->>mock_http: GET /other" in at_verify and "/users/7" not in at_verify
    # Passing tests and tests without a mock get no section.
    assert sections[("test_passes", "call")] is None
    assert sections[("test_without_mocks", "call")] is None


def test_a_failing_test_that_reached_no_mock_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_never_called(mock_http):
            assert False
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert _section(result, "test_never_called") == [
        "sequenceDiagram",
        "    participant sut as system under test",
        "    participant mock_http as http",
        "    %% no request reached the mocks during this test",
    ]


def test_the_dashboard_labels_traffic_with_the_running_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_one(mock_http):
            mock_http.expect("GET", "/one").respond(200)
            requests.get(mock_http.url + "/one")

        def test_two(mock_http):
            feed = requests.get(mock_http.url + "/__admin/ui/traffic").json()
            assert feed["current_test"].endswith("::test_two")
            [one] = feed["records"]
            assert one["path"] == "/one" and one["test"].endswith("::test_one")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
