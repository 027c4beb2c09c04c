"""The npm ``wiremock-rest-client``, from a Node script configured only by the server's URL,
gets the same answers from MockHTTP as from WireMock itself."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from wiremock_oracle import INSTALL, NODE_MODULES, wiremock

from mocks import MockHTTP

SCRIPT = Path(__file__).parent / "node" / "wiremock_rest_client.js"


def drive(url: str) -> dict[str, Any]:
    """Run the Node script against `url`; its JSON report."""
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for this test"
    assert (NODE_MODULES / "wiremock-rest-client").is_dir(), f"run: {INSTALL}"
    done = subprocess.run(
        [node, str(SCRIPT), url],
        env={**os.environ, "NODE_PATH": str(NODE_MODULES)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_the_node_client_gets_what_wiremock_gives(tmp_path: Path) -> None:
    (tmp_path / "mappings").mkdir()
    with MockHTTP.start(wiremock=True) as mock:
        ours = drive(mock.url)
    with wiremock(tmp_path) as oracle:
        theirs = drive(oracle)
    assert ours["hello"] == {"hello": "world"}
    assert ours["switched"] == "switched on"
    assert ours["missing"] == 404
    assert ours["mappingsTotal"] == 2
    assert ours["byMetadata"] == [ours["createdId"]]
    assert ours["count"] == 1
    assert ours["scenarios"] == [["light", "on", ["Started", "on"]]]
    assert ours["afterReset"] == ["Started"] and ours["afterSet"] == ["on"]
    assert (ours["afterDelete"], ours["afterJournalReset"]) == (1, 0)
    for key in ("createdId", "byMetadata"):  # ids are each server's own
        ours.pop(key), theirs.pop(key)
    assert ours == theirs
