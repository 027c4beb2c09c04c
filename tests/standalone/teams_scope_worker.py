"""One test worker of another process sharing a standalone MockTeams: its bot has its own
app id, which names the worker's scope. It programs that scope, waits for the go file,
gets a token and sends as its bot (no ``X-Mock-Scope`` on the bot's calls), and prints
what it saw as JSON.

Usage: python teams_scope_worker.py URL APP_ID GO_FILE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import requests

SENDS = 10


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
    print(
        json.dumps(
            {
                "sent": sent,
                "journal": [
                    [e["path"].rsplit("/", 1)[-1], e["scope"]] for e in journal["requests"]
                ],
                "verify": verify.status_code,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
