"""One test worker of another process sharing a standalone MockTeams: its bot has its own
app id, which names the worker's scope. It programs that scope, waits for the go file,
gets a token and sends as its bot (no ``X-Mock-Scope`` on the bot's calls); then it runs
a stock botbuilder bot on a port of its own, registers it in its scope, has the channel
message it and lets it reply; it prints what it saw as JSON.

Usage: python teams_scope_worker.py URL APP_ID GO_FILE
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import requests
from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter

from mocks.teams import bot_framework_authentication

SENDS = 10


class HearingBot(ActivityHandler):
    """Answers every message, keeping what it heard."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        self.heard.append(turn_context.activity.text)
        await turn_context.send_activity(f"heard {turn_context.activity.text}")


async def run_bot(url: str, admin: requests.Session, settings: dict[str, Any]) -> dict[str, Any]:
    """Serve a stock CloudAdapter bot configured from the scope's settings, register it in
    the scope, and have the channel message it (the admin call runs in a thread: the bot
    answers on this loop)."""
    adapter = CloudAdapter(bot_framework_authentication(settings["environment"]))
    bot = HearingBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot) or web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    bot_url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"

    def channel() -> dict[str, Any]:
        admin.put(f"{url}/__admin/teams/bot", json={"bot_url": bot_url}, timeout=10)
        answer: dict[str, Any] = admin.post(
            f"{url}/__admin/teams/simulate/message", json={"text": "ping"}, timeout=30
        ).json()
        return answer

    try:
        answer = await asyncio.get_running_loop().run_in_executor(None, channel)
    finally:
        await runner.cleanup()
    return {
        "status": answer["status"],
        "recipient": answer["activity"]["recipient"]["id"],
        "heard": bot.heard,
    }


def main(url: str, app_id: str, go: Path) -> None:
    """Program and read back in the scope `app_id`; the bot's calls carry only its token."""
    admin = requests.Session()
    admin.headers["X-Mock-Scope"] = app_id
    matcher = {
        "kind": "and",
        "all": [
            {"kind": "path", "value": "/activities", "op": "contains"},
            {"kind": "body", "value": app_id, "op": "contains"},
        ],
    }
    admin.post(
        f"{url}/__admin/expectations", json={"matcher": matcher, "times": SENDS}, timeout=10
    ).raise_for_status()
    settings = admin.get(f"{url}/__admin/teams/settings", timeout=10).json()
    chat = admin.post(
        f"{url}/__admin/teams/conversations", json={"users": [f"user-{app_id}"]}, timeout=10
    ).json()["id"]
    deadline = time.monotonic() + 30
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    form = {
        "grant_type": "client_credentials",
        "client_id": app_id,
        "client_secret": settings["environment"]["MicrosoftAppPassword"],
        "scope": "https://api.botframework.com/.default",
    }
    token = requests.post(settings["token_url"], data=form, timeout=10).json()["access_token"]
    bot = requests.Session()
    bot.headers["Authorization"] = f"Bearer {token}"
    sent = [
        bot.post(
            f"{url}/v3/conversations/{chat}/activities",
            json={"type": "message", "text": f"{app_id} #{number}"},
            timeout=10,
        ).status_code
        for number in range(SENDS)
    ]
    journal = admin.get(f"{url}/__admin/requests", timeout=10).json()
    verify = admin.get(f"{url}/__admin/verify", timeout=10)
    bot = asyncio.run(run_bot(url, admin, settings))
    replies = admin.get(f"{url}/__admin/requests", timeout=10).json()["requests"][SENDS + 1 :]
    print(
        json.dumps(
            {
                "sent": sent,
                "journal": [
                    [e["path"].rsplit("/", 1)[-1], e["scope"]] for e in journal["requests"]
                ],
                "verify": verify.status_code,
                "bot": {
                    **bot,
                    "replies": [[e["path"].rsplit("/", 1)[-1], e["status"]] for e in replies],
                },
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
