"""The pytest fixtures: one server per session, reset per test, verify() after a passing test."""

from __future__ import annotations

import pytest

CONFTEST_INI = """
[pytest]
mocks_check_responses = true
"""


def test_fixture_reuses_one_server_and_resets_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makeini(CONFTEST_INI)
    pytester.makepyfile(
        """
        import requests
        PORTS = []

        def test_one(mock_http):
            PORTS.append(mock_http.port)
            mock_http.expect("GET", "/a").respond(body="one").once()
            assert requests.get(mock_http.url + "/a").text == "one"

        def test_two(mock_http):
            PORTS.append(mock_http.port)
            assert mock_http.expectations == []
            assert len(mock_http.requests) == 0
            assert mock_http.check_responses
            assert PORTS[0] == PORTS[1]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_unmet_expectation_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_forgot_to_call(mock_http):
            mock_http.expect("GET", "/never").respond(200).once()

        @pytest.mark.no_mock_verify
        def test_opted_out(mock_http):
            mock_http.expect("GET", "/never").respond(200).once()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*GET /never: expected 1 call(s), got 0*"])


def test_a_failing_test_is_not_buried_under_a_verify_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_fails(mock_http):
            mock_http.expect("GET", "/never").respond(200).once()
            assert False, "the real failure"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the real failure*"])


async_test = """
import httpx

async def test_async(mock_http):
    mock_http.expect("GET", "/x").respond(json={"v": 1}).once()
    async with httpx.AsyncClient() as client:
        assert (await client.get(mock_http.url + "/x")).json() == {"v": 1}
"""


@pytest.mark.timeout(300)  # three pytest processes: slow on a busy two-core machine
def test_async_tests_and_xdist_workers(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(
        test_a=async_test,
        test_b=async_test.replace("test_async", "test_async_b"),
        test_c=async_test.replace("test_async", "test_async_c"),
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=3)
