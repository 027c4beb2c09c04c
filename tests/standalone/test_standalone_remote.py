"""``mock_remote``: two xdist workers share one running stack, each test in its own scope."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mocks.remote import RemoteStack, scope_name

REPO = Path(__file__).resolve().parents[2]

WORKER_TESTS = """
import time

import requests


def _who_am_i(mock_remote, name):
    http = mock_remote["http"]
    http.expect({"matcher": {"kind": "path", "value": "/who"}, "response": {"json": name}})
    for _ in range(30):  # the two workers' calls interleave
        assert requests.get(http.url + "/who", headers=http.headers, timeout=5).json() == name
        time.sleep(0.01)
    assert [entry["path"] for entry in http.requests()] == ["/who"] * 30


def test_alice(mock_remote):
    _who_am_i(mock_remote, "alice")


def test_bob(mock_remote):
    _who_am_i(mock_remote, "bob")


def test_an_unmet_expectation_fails_at_teardown(mock_remote):
    mock_remote["http"].expect(
        {"matcher": {"kind": "path", "value": "/never-called"}, "response": {"status": 204}}
    )
"""


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, str]]:
    """``python -m mocks --only http`` and the environment it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks", "--only", "http", "--timeout", "300"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    variables: dict[str, str] = {}
    for line in process.stdout:
        if line.startswith("# ready"):
            break
        key, _, value = line.strip().partition("=")
        variables[key] = shlex.split(value)[0] if value else ""
    try:
        yield variables
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_two_xdist_workers_see_only_their_own_scope(stack: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "test_workers.py").write_text(WORKER_TESTS)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "2",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        env={**os.environ, **stack},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "3 passed, 1 error" in run.stdout, run.stdout + run.stderr  # at its teardown
    assert "/never-called" in run.stdout  # the report of the test's own scope
    # Every scope was reset after its test: nothing is left on the shared server.
    http = RemoteStack.from_environment("", stack)["http"]
    assert http.call("GET", "/requests")[1]["total"] == 0
    assert http.call("GET", "/health")[1]["scopes"] == 3  # emptied, not forgotten


def test_a_long_test_id_makes_a_scope_name_the_admin_api_takes() -> None:
    name = scope_name("gw0", "tests/test_x.py::test_" + "y" * 300)
    assert len(name) == 200 and name.startswith("gw0/tests/test_x.py::test_yyy")
    assert name != scope_name("gw0", "tests/test_x.py::test_" + "y" * 299)
    assert scope_name("gw1", "t") == "gw1/t"


def test_without_a_stack_the_fixture_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "test_alone.py").write_text("def test_x(mock_remote):\n    pass\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "mock_remote needs a running stack" in run.stdout
