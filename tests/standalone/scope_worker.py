"""One test worker of another process sharing a standalone mock: programs its own scope,
waits for the go file, sends its traffic, and prints what it saw as JSON.

Usage: python scope_worker.py URL SCOPE GO_FILE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import requests


def main(url: str, scope: str, go: Path) -> None:
    """Program, wait, call, read back: everything in `scope`."""
    session = requests.Session()
    session.headers["X-Mock-Scope"] = scope
    created = session.post(
        f"{url}/__admin/expectations",
        json={
            "id": "greet",
            "matcher": {"kind": "path", "value": "/greet"},
            "response": {"json": {"worker": scope}},
            "times": 20,
        },
        timeout=10,
    )
    created.raise_for_status()
    deadline = time.monotonic() + 30
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    answers = [session.get(f"{url}/greet", timeout=10).json()["worker"] for _ in range(20)]
    journal = session.get(f"{url}/__admin/requests", timeout=10).json()
    verify = session.get(f"{url}/__admin/verify", timeout=10)
    print(
        json.dumps(
            {
                "answers": answers,
                "journal": [e["scope"] for e in journal["requests"]],
                "verify": verify.status_code,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
