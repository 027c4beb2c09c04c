"""``python -m mocks``: every available mock, its environment, and a clean exit."""

from __future__ import annotations

import importlib.util
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]


def _start(tmp_path: Path, *flags: str) -> tuple[subprocess.Popen[str], Path]:
    temp = tmp_path / "tmp"
    temp.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks", *flags],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    return process, temp


def _environment(process: subprocess.Popen[str]) -> dict[str, str]:
    assert process.stdout is not None
    variables: dict[str, str] = {}
    for line in process.stdout:
        if line.startswith("# ready"):
            return variables
        key, _, value = line.strip().partition("=")
        variables[key] = shlex.split(value)[0] if value else ""  # quoted as a shell reads it
    raise AssertionError(f"the stack ended before it was ready: {process.stderr}")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(child) for child in text)
    return found


def _refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split("/")[0].rsplit(":", 1)
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) != 0


def test_stack_prints_its_environment_serves_and_leaves_nothing(tmp_path: Path) -> None:
    env_file = tmp_path / "mocks.env"
    process, temp = _start(tmp_path, "--timeout", "5", "--env-file", str(env_file))
    variables = _environment(process)
    children = _children(process.pid)

    assert "MOCK_HTTP_URL" in variables
    urls = {k: v for k, v in variables.items() if k.startswith("MOCK_") and k.endswith("_URL")}
    if "MOCK_LLM_URL" in urls:
        assert variables["OPENAI_BASE_URL"] == urls["MOCK_LLM_URL"] + "/v1"
    if "MOCK_ZITADEL_URL" in urls:
        assert variables["ZITADEL_ISSUER"] == urls["MOCK_ZITADEL_URL"]
    written = [f"{k}={shlex.quote(v)}" for k, v in variables.items()]  # as a shell reads it
    assert env_file.read_text().splitlines() == written

    for name, url in urls.items():
        health = requests.get(f"{url}/__admin/health", timeout=5)
        assert health.status_code == 200, name
        assert health.json()["url"] == url
    http = urls["MOCK_HTTP_URL"]
    requests.post(
        f"{http}/__admin/expectations",
        json={"matcher": {"kind": "path", "value": "/hi"}, "response": {"body": "hello"}},
        timeout=5,
    )
    assert requests.get(f"{http}/hi", timeout=5).text == "hello"

    assert process.wait(timeout=30) == 0
    for child in children:
        assert not Path(f"/proc/{child}").exists()
    assert all(_refused(url) for url in urls.values())
    assert list(temp.iterdir()) == []  # its log directory is gone


def test_sigterm_stops_the_stack_at_once(tmp_path: Path) -> None:
    process, temp = _start(tmp_path)
    variables = _environment(process)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
    assert _refused(variables["MOCK_HTTP_URL"])
    assert list(temp.iterdir()) == []


def test_a_failed_start_keeps_the_log_dir_only_when_asked(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process, temp = _start(tmp_path, "--port", f"http={port}", "--keep-on-error")
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 2
        assert f"http: cannot listen on 127.0.0.1:{port}: Address already in use" in stderr
        assert "Traceback" not in stderr
        kept = list(temp.iterdir())
        assert len(kept) == 1
        assert f"logs kept in {kept[0]}" in stderr
        assert "Address already in use" in (kept[0] / "mocks.log").read_text()

        plain, plain_temp = _start(tmp_path / "plain", "--port", f"http={port}")
        plain.communicate(timeout=30)
        assert plain.returncode == 2
    assert list(plain_temp.iterdir()) == []


def test_a_bad_flag_is_one_line_and_exit_2(tmp_path: Path) -> None:
    process, _ = _start(tmp_path, "--port", "nosuchmock=80")
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert len(stderr.strip().splitlines()) == 1
    assert "nosuchmock=80" in stderr


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--only", "llm,zitdel"), "'zitdel'"),
        (("--only", "http", "--port", "llm=9000"), "--port: llm is not started"),
    ],
)
def test_a_typo_is_refused_with_the_choices(
    tmp_path: Path, flags: tuple[str, ...], named: str
) -> None:
    process, _ = _start(tmp_path, *flags)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert len(stderr.strip().splitlines()) == 1
    assert named in stderr
    assert "http" in stderr  # the valid choices are listed


def test_an_env_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / ".env"  # its folder is a file: nothing can be written there
    process, _ = _start(tmp_path, "--only", "http", "--env-file", str(target))
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "cannot write" in stderr and str(blocker) in stderr
    assert "Traceback" not in stderr


def test_an_env_file_in_a_new_folder_is_written(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / ".env"
    process, _ = _start(tmp_path, "--only", "http", "--env-file", str(target), "--timeout", "1")
    process.communicate(timeout=30)
    assert process.returncode == 0
    assert target.read_text().startswith("MOCK_HTTP_URL=http://127.0.0.1:")


def test_the_help_lists_only_mocks_that_are_available(tmp_path: Path) -> None:
    process, _ = _start(tmp_path, "--help")
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    listed = stdout.split("Start every available mock (", 1)[1].split(")", 1)[0]
    names = {name.strip() for name in listed.replace("\n", " ").split(",")}
    assert {"http", "llm", "zitadel"} <= names
    for name in names:
        assert importlib.util.find_spec(f"mocks.{name}") is not None, name


def test_the_printed_environment_loads_in_a_shell(tmp_path: Path) -> None:
    env_file = tmp_path / "mocks.env"
    process, _ = _start(tmp_path, "--env-file", str(env_file), "--timeout", "2")
    process.communicate(timeout=60)
    assert process.returncode == 0
    script = f'set -a; . "{env_file}"; printf %s "$WHATSAPP_DISPLAY_PHONE_NUMBER"'
    shown = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert shown.stdout.startswith("+") and " " in shown.stdout  # one value, spaces kept
