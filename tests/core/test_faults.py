"""Faults and delays as the client sees them, and reproducible from the seed."""

from __future__ import annotations

import math
import random
import statistics
import time

import httpx
import pytest
import requests

from mocks import Fault, FixedDelay, LogNormalDelay, MockHTTP, UniformDelay


def _still_serving(mock: MockHTTP) -> None:
    mock.expect("GET", "/alive").respond(body="yes")
    assert requests.get(f"{mock.url}/alive", timeout=5).text == "yes"


@pytest.mark.parametrize(
    ("fault", "error", "detail"),
    [
        (Fault.EMPTY_RESPONSE, requests.ConnectionError, "RemoteDisconnected"),
        (Fault.CONNECTION_RESET_BY_PEER, requests.ConnectionError, "reset by peer"),
        (Fault.RANDOM_DATA_THEN_CLOSE, requests.ConnectionError, "BadStatusLine"),
        (Fault.MALFORMED_RESPONSE_CHUNK, requests.exceptions.ChunkedEncodingError, "chunk"),
    ],
)
def test_connection_faults_as_the_client_sees_them(
    fresh_mock: MockHTTP, fault: Fault, error: type[Exception], detail: str
) -> None:
    fresh_mock.expect("GET", "/f").with_fault(fault).respond(json={"never": "sent"})
    with pytest.raises(error) as raised:
        requests.get(f"{fresh_mock.url}/f", timeout=5)
    assert detail.lower() in repr(raised.value).lower()
    entry = fresh_mock.requests.last
    assert entry.fault == fault.value
    assert entry.matched is not None
    _still_serving(fresh_mock)


def test_hang_until_the_client_gives_up(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/hang").with_fault(Fault.HANG)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{fresh_mock.url}/hang", timeout=0.3)
    assert time.monotonic() - started >= 0.3
    assert fresh_mock.requests.last.fault == "HANG"
    _still_serving(fresh_mock)


def test_stream_cut_part_way(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/s").respond_with_stream(
        [f"chunk {i}" for i in range(10)]
    ).with_fault(Fault.STREAM_CUT, after=3)
    received: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError), httpx.stream("GET", f"{fresh_mock.url}/s") as r:
        for line in r.iter_lines():
            if line:
                received.append(line)
    assert received == ["data: chunk 0", "data: chunk 1", "data: chunk 2"]
    _still_serving(fresh_mock)


def test_plain_body_cut_part_way(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("GET", "/big").respond(body="x" * 10_000).with_fault(
        Fault.STREAM_CUT, after=1
    )
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{fresh_mock.url}/big", timeout=5)


def test_fault_rate_is_a_seeded_fraction() -> None:
    def pattern() -> list[bool]:
        outcome = []
        with MockHTTP.start(seed=11) as mock:
            mock.expect("GET", "/x").respond(body="ok").with_fault(Fault.EMPTY_RESPONSE, rate=0.5)
            for _ in range(30):
                try:
                    requests.get(f"{mock.url}/x", timeout=5)
                    outcome.append(True)
                except requests.ConnectionError:
                    outcome.append(False)
        return outcome

    first = pattern()
    assert first == pattern()
    assert 5 < first.count(False) < 25


def test_injected_error_uses_the_envelope(fresh_mock: MockHTTP) -> None:
    fresh_mock.expect("POST", "/pay").respond(json={"ok": True}).with_error(
        503, "maintenance", headers={"Retry-After": "2"}
    )
    response = requests.post(f"{fresh_mock.url}/pay", timeout=5)
    assert response.status_code == 503
    assert response.json() == {"error": {"status": 503, "message": "maintenance"}}
    assert response.headers["Retry-After"] == "2"
    assert fresh_mock.requests.last.fault == "error 503"


def test_error_rate_is_reproducible_and_near_the_rate() -> None:
    def statuses(seed: int) -> list[int]:
        with MockHTTP.start(seed=seed) as mock, requests.Session() as session:
            mock.expect("GET", "/e").respond(body="ok").with_error_rate(0.25, status=502)
            return [session.get(f"{mock.url}/e", timeout=5).status_code for _ in range(200)]

    first = statuses(3)
    assert first == statuses(3)
    assert first != statuses(4)
    assert 30 <= first.count(502) <= 70
    assert set(first) == {200, 502}


def test_mock_wide_latency_and_error_rate() -> None:
    with MockHTTP.start(seed=1) as mock:
        mock.with_latency(60).with_error_rate(1.0, status=500, message="down")
        mock.expect("GET", "/w").respond(body="ok")
        started = time.monotonic()
        response = requests.get(f"{mock.url}/w", timeout=5)
        assert time.monotonic() - started >= 0.06
        assert response.json()["error"]["message"] == "down"
        mock.with_error_rate(0)
        assert requests.get(f"{mock.url}/w", timeout=5).text == "ok"
        mock.reset()
        assert mock.settings.latency is None


def _observed(mock: MockHTTP, path: str, count: int) -> list[float]:
    with requests.Session() as session:
        for _ in range(count):
            session.get(f"{mock.url}{path}", timeout=10)
    return [entry.duration or 0.0 for entry in mock.requests.matching("GET", path)]


def test_fixed_delay() -> None:
    with MockHTTP.start() as mock:
        mock.expect("GET", "/d").with_latency(FixedDelay(ms=80)).respond(body="ok")
        observed = _observed(mock, "/d", 5)
    assert all(0.08 <= d < 0.2 for d in observed)


def test_uniform_delays_are_the_seeded_draws() -> None:
    with MockHTTP.start(seed=42) as mock:
        mock.expect("GET", "/u").with_latency(UniformDelay(lower_ms=10, upper_ms=60)).respond(
            body="ok"
        )
        observed = _observed(mock, "/u", 20)
    replay = random.Random(42)
    expected = [replay.uniform(10, 60) / 1000 for _ in range(20)]
    for seen, drawn in zip(observed, expected, strict=True):
        assert drawn <= seen < drawn + 0.25
    assert all(d >= 0.01 for d in observed)


def test_lognormal_delays_follow_median_and_cap() -> None:
    with MockHTTP.start(seed=5) as mock:
        mock.expect("GET", "/l").with_latency(
            LogNormalDelay(median_ms=30, sigma=0.5, max_ms=90)
        ).respond(body="ok")
        observed = _observed(mock, "/l", 40)
    replay = random.Random(5)
    expected = [min(replay.lognormvariate(math.log(30), 0.5), 90) / 1000 for _ in range(40)]
    for seen, drawn in zip(observed, expected, strict=True):
        assert drawn <= seen < drawn + 0.25
    assert 0.02 <= statistics.median(observed) <= 0.045
    assert max(observed) < 0.09 + 0.05


def test_chunked_dribble_spreads_the_body_over_the_duration() -> None:
    with MockHTTP.start() as mock:
        mock.expect("GET", "/drip").respond(body="abcdefghij" * 10).with_dribble(5, 400)
        arrivals: list[float] = []
        started = time.monotonic()
        with httpx.stream("GET", f"{mock.url}/drip") as response:
            body = b""
            for piece in response.iter_raw():
                body += piece
                arrivals.append(time.monotonic() - started)
    assert body == b"abcdefghij" * 10
    assert len(arrivals) >= 3
    assert arrivals[-1] >= 0.3
    assert response.headers["Content-Length"] == "100"


def test_delays_are_refused_when_malformed() -> None:
    with pytest.raises(ValueError, match="upper_ms"):
        UniformDelay(lower_ms=10, upper_ms=5)
    with pytest.raises(TypeError):
        MockHTTP().expect("GET", "/x").with_latency("fast")  # type: ignore[arg-type]
