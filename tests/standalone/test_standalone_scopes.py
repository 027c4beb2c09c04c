"""Parallel isolation: test workers in other processes share one standalone mock, each in
the scope its ``X-Mock-Scope`` header names (expectations, journal, verify, reset), or the
scope its system under test's credential names (MockTeams: the bot's app id)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

WORKER = Path(__file__).with_name("scope_worker.py")
TEAMS_WORKER = Path(__file__).with_name("teams_scope_worker.py")


def _scoped(scope: str) -> dict[str, str]:
    return {"X-Mock-Scope": scope}


def test_two_worker_processes_see_only_their_own_scope(
    start_mock: Callable[..., Any], tmp_path: Path
) -> None:
    mock = start_mock()
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), mock.url, name, str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    go.touch()  # both programmed or programming; their calls interleave from here
    seen = {}
    for name, worker in zip(("w1", "w2"), workers, strict=True):
        out, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0
        seen[name] = json.loads(out)
    for name, found in seen.items():
        assert found["answers"] == [name] * 20  # the same id "greet" lives in both scopes
        assert found["journal"] == [name] * 20
        assert found["verify"] == 200
    default = mock.admin("GET", "/requests").json()
    assert default["total"] == 0  # scoped traffic stays out of the default journal
    assert mock.admin("GET", "/health").json()["scopes"] == 2


def test_two_teams_bots_in_worker_processes_are_scoped_by_their_app_ids(
    start_mock: Callable[..., Any], tmp_path: Path
) -> None:
    """Each worker's bot has its own app id and sends no scope header: its token request
    and its connector calls land in the scope named after its app id. Each worker then
    runs a stock botbuilder bot, registers it in its scope and has the channel message
    it: only its own bot hears it, accepts the token (its audience is that app id) and
    replies into the scope."""
    mock = start_mock(module="mocks.teams")
    go = tmp_path / "go"
    apps = ("worker-bot-1", "worker-bot-2")
    workers = [
        subprocess.Popen(
            [sys.executable, str(TEAMS_WORKER), mock.url, app, str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for app in apps
    ]
    go.touch()
    for app, worker in zip(apps, workers, strict=True):
        out, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0
        found = json.loads(out)
        assert found["sent"] == [201] * 10
        assert found["journal"] == [["token", app]] + [["activities", app]] * 10
        assert found["verify"] == 200
        bot = found["bot"]
        assert (bot["status"], bot["recipient"], bot["heard"]) == (201, f"28:{app}", ["ping"])
        token, reply = bot["replies"]  # the bot's own token request, then its reply
        assert token == ["token", 200] and reply[1] == 201
    # the default scope saw only the bots fetching the channel's keys (no credential)
    default = mock.admin("GET", "/requests").json()["requests"]
    assert {entry["path"].rsplit("/", 1)[-1] for entry in default} == {
        "openidconfiguration",
        "keys",
    }
    assert mock.admin("GET", "/health").json()["scopes"] == 2


def test_a_scope_reset_verify_and_near_miss_leave_other_scopes_alone(
    start_mock: Callable[..., Any],
) -> None:
    mock = start_mock()
    for name in ("a", "b"):
        created = mock.admin(
            "POST",
            "/expectations",
            headers=_scoped(name),
            json={
                "matcher": {"kind": "path", "value": f"/only-{name}"},
                "response": {"status": 204},
            },
        )
        assert created.status_code == 201
    # b's expectation does not answer a's request: a 404 naming a's nearest expectation
    missed = requests.get(f"{mock.url}/only-b", headers=_scoped("a"), timeout=10)
    assert missed.status_code == 404
    assert "/only-a" in missed.headers["X-Mock-Near-Miss"]
    assert requests.get(f"{mock.url}/only-b", headers=_scoped("b"), timeout=10).status_code == 204
    report_a = mock.admin("GET", "/verify", headers=_scoped("a"))
    assert report_a.status_code == 409
    assert "scope a" in report_a.json()["report"] and report_a.json()["unmatched"]
    assert mock.admin("GET", "/verify", headers=_scoped("b")).status_code == 200
    reset = mock.admin("POST", "/reset", headers=_scoped("a"))
    assert reset.json() == {"reset": True, "expectations": 0, "scope": "a"}
    assert mock.admin("GET", "/expectations", headers=_scoped("a")).json()["total"] == 0
    assert mock.admin("GET", "/expectations", headers=_scoped("b")).json()["total"] == 1
    assert mock.admin("GET", "/requests", headers=_scoped("b")).json()["total"] == 1
    too_long = mock.admin("GET", "/requests", headers=_scoped("x" * 201))
    assert too_long.status_code == 400 and too_long.json()["error"]["field"] == "X-Mock-Scope"


def test_shared_stubs_in_the_default_scope_answer_every_scope(
    start_mock: Callable[..., Any],
) -> None:
    mock = start_mock()
    mock.admin(
        "POST",
        "/expectations",
        json={"matcher": {"kind": "path", "value": "/health"}, "response": {"json": "shared"}},
    )
    mock.admin(
        "POST",
        "/expectations",
        headers=_scoped("w"),
        json={"matcher": {"kind": "path", "value": "/health"}, "response": {"json": "own"}},
    )
    assert requests.get(f"{mock.url}/health", headers=_scoped("w"), timeout=10).json() == "own"
    assert requests.get(f"{mock.url}/health", headers=_scoped("v"), timeout=10).json() == "shared"
    assert requests.get(f"{mock.url}/health", timeout=10).json() == "shared"
    # a full reset (no header) forgets every scope
    mock.admin("POST", "/reset")
    assert mock.admin("GET", "/health").json()["scopes"] == 0


def test_the_openapi_document_lists_the_scope_header_on_scoped_routes(
    start_mock: Callable[..., Any],
) -> None:
    document = start_mock().admin("GET", "/openapi.json").json()

    def header_names(path: str, method: str) -> list[str]:
        operation = document["paths"][path][method]
        return [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]

    assert header_names("/__admin/expectations", "post") == ["X-Mock-Scope"]
    assert header_names("/__admin/verify", "get") == ["X-Mock-Scope"]
    assert header_names("/__admin/settings", "get") == []
