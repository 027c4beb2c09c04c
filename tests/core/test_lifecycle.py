"""Server lifecycle: start, stop, ports, threads, loops, and no leaks."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import socket
import threading
import time

import httpx
import pytest
import requests

from mocks import Fault, MockHTTP


def _open_fds() -> set[str]:
    """Descriptors open now, each as its number and target (so a reused number still differs)."""
    gc.collect()
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            found.add(f"{fd}->{os.readlink(f'/proc/self/fd/{fd}')}")
    return found


def _threads() -> set[int]:
    return {thread.ident or 0 for thread in threading.enumerate()}


def test_start_binds_a_free_port_and_reports_its_url() -> None:
    with MockHTTP.start() as mock:
        assert mock.port > 0
        assert mock.url == f"http://127.0.0.1:{mock.port}"
        mock.expect("GET", "/ping").respond(json={"ok": True})
        assert requests.get(f"{mock.url}/ping", timeout=5).json() == {"ok": True}
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{mock.url}/ping", timeout=2)


def test_start_on_a_given_port() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with MockHTTP.start(port=port) as mock:
        assert mock.port == port
        assert requests.get(f"{mock.url}/x", timeout=5).status_code == 404


def test_port_in_use_raises_oserror() -> None:
    with MockHTTP.start() as mock, pytest.raises(OSError):
        taken = socket.socket()
        try:
            taken.bind(("127.0.0.1", mock.port))
            taken.listen()
        finally:
            taken.close()
        MockHTTP.start(port=mock.port)


def test_stop_is_idempotent_and_joins_the_thread() -> None:
    mock = MockHTTP.start()
    threads = {t.name for t in threading.enumerate()}
    assert f"http:{mock.port}" in threads
    mock.stop()
    mock.stop()
    assert f"http:{mock.port}" not in {t.name for t in threading.enumerate()}
    assert not mock.running


def test_stop_ends_a_hanging_request_and_an_open_stream() -> None:
    mock = MockHTTP.start()
    mock.expect("GET", "/hang").with_fault(Fault.HANG)
    mock.expect("GET", "/stream").respond_with_stream([f"event {i}" for i in range(1000)])
    mock.expect("GET", "/stream").with_stream_delays(between_events=50).respond_with_stream(
        [f"event {i}" for i in range(1000)]
    )
    outcome: dict[str, object] = {}

    def call(name: str) -> None:
        try:
            outcome[name] = requests.get(f"{mock.url}/{name}", timeout=30).status_code
        except requests.RequestException as exc:
            outcome[name] = type(exc).__name__

    workers = [threading.Thread(target=call, args=(n,)) for n in ("hang", "stream")]
    for worker in workers:
        worker.start()
    time.sleep(0.3)
    started = time.monotonic()
    mock.stop()
    for worker in workers:
        worker.join(10)
    assert time.monotonic() - started < 5
    assert set(outcome) == {"hang", "stream"}
    assert outcome["hang"] != 200


def test_a_thousand_start_stop_cycles_leak_no_threads_or_descriptors() -> None:
    # Warm up once so lazily created process-wide resources are not counted as leaks.
    MockHTTP.start().stop()
    threads, fds = _threads(), _open_fds()
    for _ in range(1000):
        mock = MockHTTP.start()
        mock.stop()
    # Leftovers of earlier tests may close meanwhile; nothing new may stay open.
    assert _threads() <= threads
    assert _open_fds() <= fds


def test_cycles_that_served_requests_leak_nothing() -> None:
    MockHTTP.start().stop()
    threads, fds = _threads(), _open_fds()
    with requests.Session() as session:
        for _ in range(50):
            with MockHTTP.start() as mock:
                mock.expect("GET", "/a").respond(json=[1])
                assert session.get(f"{mock.url}/a", timeout=5).json() == [1]
    assert _threads() <= threads
    assert _open_fds() <= fds


def test_blocking_clients_work_while_the_test_blocks() -> None:
    with MockHTTP.start() as mock:
        mock.expect("GET", "/slow").with_latency(50).respond(body="done")
        results: list[str] = []
        workers = [
            threading.Thread(
                target=lambda: results.append(requests.get(f"{mock.url}/slow", timeout=5).text)
            )
            for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert results == ["done"] * 8


async def test_async_tests_use_the_mock_without_blocking_their_loop() -> None:
    with MockHTTP.start() as mock:
        mock.expect("GET", "/slow").with_latency(200).respond(json={"slow": True})
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{mock.url}/slow")
        task.cancel()
        assert response.json() == {"slow": True}
        assert ticks >= 10, "the test's own loop kept running while the mock answered"
        mock.verify()


def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.fail("this machine has no IPv6 loopback")
    with MockHTTP.start(host="::1") as mock:
        assert mock.url.startswith("http://[::1]:")
        mock.expect("GET", "/v6").respond(body="six")
        assert requests.get(f"{mock.url}/v6", timeout=5).text == "six"
