"""The same conversation, standalone: ``python -m mocks.whatsapp`` in one process, a pywa
bot in another, and the test speaking only curl to the mock's admin API.

Nothing here imports the mock: a test written in any language could do the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BOT = REPO / "tests" / "whatsapp" / "pywa_bot.py"
USER = "15551234567"
ACCOUNT = {
    "phone-number-id": "111222333444555",
    "waba-id": "999888777666555",
    "access-token": "standalone-token",
    "app-secret": "standalone-secret",
    "verify-token": "standalone-verify",
}


def _start(command: list[str], ready: str) -> tuple[subprocess.Popen[str], str]:
    """Start a process and return it with the rest of its first line starting with `ready`."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(ready):
            return process, line[len(ready) :].strip()
    process.kill()
    raise AssertionError(
        f"{command[:3]} did not start: {process.stderr.read() if process.stderr else ''}"
    )


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture(scope="module")
def standalone() -> Iterator[tuple[str, str]]:
    """(mock URL, bot webhook URL): the mock and the bot, each in a process of its own."""
    flags = [item for name, value in ACCOUNT.items() for item in (f"--{name}", value)]
    mock, url = _start(
        [sys.executable, "-m", "mocks.whatsapp", "--port", "0", *flags],
        "MockWhatsApp listening on ",
    )
    bot_flags = [
        "--phone-id",
        ACCOUNT["phone-number-id"],
        "--waba-id",
        ACCOUNT["waba-id"],
        "--token",
        ACCOUNT["access-token"],
        "--app-secret",
        ACCOUNT["app-secret"],
        "--verify-token",
        ACCOUNT["verify-token"],
    ]
    bot, port = _start(
        [sys.executable, str(BOT), "--port", "0", "--graph-url", url, *bot_flags], "READY "
    )
    try:
        yield url, f"http://127.0.0.1:{port}/webhook"
    finally:
        _stop(bot)
        _stop(mock)


def curl(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    """Call the admin API with curl; (status, parsed JSON body)."""
    command = ["curl", "-sS", "-X", method, "-w", "\n%{http_code}", url]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    text, _, status = done.stdout.rpartition("\n")
    return int(status), json.loads(text) if text.strip() else None


def test_a_conversation_over_the_admin_api(standalone: tuple[str, str]) -> None:
    url, webhook = standalone
    admin = f"{url}/__admin/whatsapp"
    status, target = curl("PUT", f"{admin}/webhook", {"url": webhook})
    assert (status, target) == (200, {"url": webhook})

    status, verified = curl("POST", f"{admin}/verify-webhook")
    assert status == 200 and verified["ok"] is True and verified["body"] == verified["challenge"]

    status, delivered = curl(
        "POST", f"{admin}/conversations/{USER}/messages", {"text": "ping", "name": "Alice"}
    )
    assert status == 200 and delivered["delivered"] is True and delivered["status"] == 200
    assert delivered["wamid"].startswith("wamid.HBgL")

    status, reply = curl("GET", f"{admin}/conversations/{USER}/reply?contains=pong&timeout=10")
    assert status == 200
    assert (reply["direction"], reply["kind"], reply["text"]) == ("out", "text", "pong")
    assert reply["raw"]["context"]["message_id"] == delivered["wamid"]

    curl("POST", f"{admin}/conversations/{USER}/messages", {"text": "menu"})
    status, menu = curl("GET", f"{admin}/conversations/{USER}/reply?contains=Track%20order")
    assert status == 200 and menu["kind"] == "interactive"
    status, tapped = curl(
        "POST", f"{admin}/incoming", {"from_number": USER, "button": {"title": "Track order"}}
    )
    assert status == 200 and tapped["delivered"] is True
    status, choice = curl("GET", f"{admin}/conversations/{USER}/reply?contains=you%20chose")
    assert status == 200 and choice["text"] == "you chose Track order"

    status, conversation = curl("GET", f"{admin}/conversations/{USER}")
    said = [
        (e["direction"], e["kind"], e["text"])
        for e in conversation["entries"]
        if e["kind"] != "status"
    ]
    assert said == [
        ("in", "text", "ping"),
        ("out", "text", "pong"),
        ("in", "text", "menu"),
        ("out", "interactive", "Menu\nWhat next?\nTap one\n[Track order] [Talk to us]"),
        ("in", "interactive", "[tapped Track order]"),
        ("out", "text", "you chose Track order"),
    ]
    statuses = [e for e in conversation["entries"] if e["kind"] == "status"]
    assert statuses and all(e["direction"] == "in" for e in statuses)

    status, sent = curl("GET", f"{admin}/sent")
    assert status == 200 and [m["to"] for m in sent["messages"]] == [USER] * 3


def test_no_reply_is_a_404_with_the_transcript(standalone: tuple[str, str]) -> None:
    url, webhook = standalone
    admin = f"{url}/__admin/whatsapp"
    curl("PUT", f"{admin}/webhook", {"url": webhook})
    curl("POST", f"{admin}/conversations/15550000001/messages", {"text": "hello"})
    status, error = curl(
        "GET", f"{admin}/conversations/15550000001/reply?contains=goodbye&timeout=0.5"
    )
    assert status == 404
    assert "no message containing 'goodbye'" in error["error"]["message"]
    assert "echo: hello" in error["error"]["message"]


def test_bad_admin_input_is_400_naming_the_field(standalone: tuple[str, str]) -> None:
    url, _ = standalone
    admin = f"{url}/__admin/whatsapp"
    status, error = curl(
        "POST", f"{admin}/incoming", {"from_number": USER, "text": "a", "button": {"title": "b"}}
    )
    assert status == 400 and "exactly one" in error["error"]["message"]
    status, error = curl(
        "POST", f"{admin}/incoming", {"from_number": USER, "button": {"title": "Nope"}}
    )
    assert status == 404 and "nothing to tap titled 'Nope'" in error["error"]["message"]
    status, error = curl("PUT", f"{admin}/webhook", {"url": "ftp://x"})
    assert status == 400 and error["error"]["field"] == "url"
    status, error = curl("POST", f"{admin}/webhooks", {"object": "whatsapp_business_account"})
    assert status == 400 and '"entry"' in error["error"]["message"]
    status, _ = curl("GET", f"{url}/__admin/health")
    assert status == 200  # still serving


def test_graph_api_over_curl(standalone: tuple[str, str]) -> None:
    url, _ = standalone
    token = ACCOUNT["access-token"]
    done = subprocess.run(
        [
            "curl",
            "-sS",
            "-H",
            f"Authorization: Bearer {token}",
            f"{url}/v23.0/{ACCOUNT['phone-number-id']}",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(done.stdout)["id"] == ACCOUNT["phone-number-id"]
    refused = subprocess.run(
        ["curl", "-sS", f"{url}/v23.0/{ACCOUNT['phone-number-id']}"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(refused.stdout)["error"]["code"] == 190
