"""The command line of ``python -m mocks.<name>``: help, bad flags, signals."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mocks.http", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_shows_every_flag_and_worked_examples() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for flag in (
        "--port",
        "--host",
        "--stubs",
        "--strict",
        "--seed",
        "--latency",
        "--error-rate",
        "--record-to",
        "--upstream",
        "--replay",
        "--replay-timing",
        "--redact-field",
        "--admin-token",
        "--log-level",
    ):
        assert flag in result.stdout, flag
    assert "examples:" in result.stdout
    assert "curl -X POST http://127.0.0.1:8080/__admin/expectations" in result.stdout
    assert "/__admin/openapi.json" in result.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--bogus"], "--bogus"),
        (["--port", "70000"], "--port"),
        (["--port", "abc"], "--port"),
        (["--error-rate", "2"], "--error-rate"),
        (["--latency", "-5"], "--latency"),
        (["--upstream", "ftp://example"], "--upstream"),
        (["--record-to", "somewhere"], "--record-to needs --upstream"),
        (["--log-level", "LOUD"], "--log-level"),
    ],
)
def test_a_bad_flag_is_one_line_and_exit_2(args: list[str], named: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("python -m mocks.http: error: ")
    assert named in lines[0]


def test_a_broken_cassette_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    cassette = tmp_path / "bad.yaml"
    cassette.write_text("interactions:\n  - request: {method: GET, path: /x}\n    response: {}\n")
    result = _run("--replay", str(cassette))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"python -m mocks.http: error: {cassette}:3: interactions[0].response.status: "
        "Field required"
    ]


def test_sigint_stops_it_cleanly(start_mock: Callable[..., Any]) -> None:
    mock = start_mock("--seed", "3", "--strict")
    assert requests.get(f"{mock.url}/x", timeout=5).status_code == 500  # strict
    mock.process.send_signal(signal.SIGINT)
    assert mock.process.wait(timeout=10) == 0


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc and sets RLIMIT_NOFILE")
def test_a_standalone_mock_holds_more_connections_than_its_shells_open_files_limit() -> None:
    import resource
    import socket

    low = 256
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2 * low:
        pytest.fail(f"this machine's hard open-files limit ({hard}) is too low for the test")
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks.http", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard)),
    )
    sockets: list[socket.socket] = []
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" listening on ")[1].strip()
        limits = Path(f"/proc/{process.pid}/limits").read_text()
        soft = next(line for line in limits.splitlines() if line.startswith("Max open files"))
        assert int(soft.split()[3]) > low
        host, port = url.removeprefix("http://").split(":")
        for _ in range(low + 100):  # more connections at once than the shell's limit
            connection = socket.create_connection((host, int(port)), timeout=10)
            connection.sendall(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
            sockets.append(connection)
        answers = [connection.recv(64) for connection in sockets]
        assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers)
    finally:
        for connection in sockets:
            connection.close()
        process.terminate()
        process.wait(timeout=10)


def test_a_standalone_mock_tunes_the_collector_of_its_own_process_only() -> None:
    """``python -m mocks.<name>`` owns its process: start-up is frozen out of the cyclic
    collector and young objects are collected less often. A mock started inside a
    test's process leaves that process's collector as it was."""
    import gc

    from mocks import MockHTTP
    from mocks.core.cli import YOUNG_COLLECTION_EVERY

    code = (
        "import gc, sys\n"
        "from mocks.core import cli\n"
        "from mocks.http import MockHTTP\n"
        "cli._serve = lambda mock, args: print(gc.get_threshold()[0], gc.get_freeze_count())\n"
        "sys.exit(cli.main(MockHTTP, ['--port', '0']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    threshold, frozen = (int(word) for word in result.stdout.split())
    assert threshold == YOUNG_COLLECTION_EVERY and frozen > 10_000
    before = (gc.get_threshold(), gc.get_freeze_count())
    with MockHTTP.start() as mock:
        assert requests.get(mock.url + "/x", timeout=5).status_code == 404
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
