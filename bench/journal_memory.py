"""The memory a server's request journal keeps per request, and whether it is bounded.

Python servers are measured in-process with ``tracemalloc`` (``python -m
bench.journal_memory --server mockhttp``): the server starts with its one stub and is
warmed up, then tracing starts and `--requests` requests arrive from a separate
`bench.pyload` process; after a ``gc.collect()`` the memory still held by allocations
made since tracing began, divided by the entries the journal gained, is the cost of one
entry (request and answer as the journal keeps them). Then 2x the journal's bound more
requests arrive: a bounded journal holds no more memory after them than at its bound.

WireMock runs in a JVM, where ``tracemalloc`` has no equivalent: `jvm_heap_used_kb` asks
``jcmd`` for the heap in use after a full collection, before and after a fixed number of
requests, on WireMock with its journal and without (the difference is the journal's).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import shutil
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

from .load import run_load
from .stub import STUB_DOCUMENT, STUB_PATH

SERVERS = ("mockhttp", "pytest-httpserver")


def _send(url: str, requests: int) -> None:
    run_load(
        url + STUB_PATH,
        connections=8,
        duration=600,
        generator="python",
        requests=requests,
    )


def _start(server: str) -> tuple[str, Callable[[], int], Callable[[], None], int | None]:
    """(url, journal length, stop, journal bound) of a started server."""
    if server == "mockhttp":
        from mocks.http import MockHTTP

        mock = MockHTTP.start()
        mock.expect("GET", STUB_PATH).respond(json=STUB_DOCUMENT)
        return mock.url, lambda: len(mock.requests), mock.stop, mock.requests.max_entries
    import logging

    from pytest_httpserver import HTTPServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    httpserver = HTTPServer(host="127.0.0.1", port=0)
    httpserver.expect_request(STUB_PATH).respond_with_json(STUB_DOCUMENT)
    httpserver.start()
    return httpserver.url_for("/").rstrip("/"), lambda: len(httpserver.log), httpserver.stop, None


def _traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def measure(server: str, requests: int) -> dict[str, Any]:
    """Bytes per journal entry, and the memory held after 2x the bound more requests."""
    url, entries, stop, bound = _start(server)
    try:
        _send(url, 200)  # warm-up: lazy imports, caches, the first connections
        tracemalloc.start()
        before, count = _traced(), entries()
        _send(url, requests)
        held, gained = _traced() - before, entries() - count
        more = (bound or 0) + requests  # past the bound: a bounded journal holds no more
        _send(url, more)
        held_after = _traced() - before
        tracemalloc.stop()
        return {
            "server": server,
            "requests": requests,
            "entries_gained": gained,
            "bytes_per_entry": round(held / gained) if gained else None,
            "bound": bound,
            "requests_after": requests + more,
            "entries_after": entries(),
            "held_mib_after": round(held_after / 2**20, 2),
        }
    finally:
        stop()


# ---- the JVM ---------------------------------------------------------------------------

_USED = re.compile(r"used (\d+)K")


def jvm_heap_used_kb(pid: int) -> int | None:
    """Java heap in use (KiB) right after a full collection, by ``jcmd``; None without it."""
    jcmd = shutil.which("jcmd")
    if jcmd is None:
        return None
    subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=60, check=False)
    info = subprocess.run(
        [jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60, check=False
    )
    total = 0
    for line in info.stdout.splitlines():
        if "Metaspace" in line or "class space" in line:
            continue
        if "generation" in line or "heap" in line:
            found = _USED.search(line)
            if found:
                total += int(found[1])
    return total or None


def main(argv: list[str] | None = None) -> int:
    """Measure one Python server; print ``RESULT {json}``."""
    parser = argparse.ArgumentParser(prog="python -m bench.journal_memory")
    parser.add_argument("--server", choices=SERVERS, required=True)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args(argv)
    print("RESULT " + json.dumps(measure(args.server, args.requests)), flush=True)
    return 0


def in_subprocess(server: str, requests: int) -> dict[str, Any]:
    """`measure` in a fresh interpreter (tracing must not see the bench's own objects)."""
    from .load import run_tagged

    command = [sys.executable, "-m", "bench.journal_memory", "--server", server,
               "--requests", str(requests)]  # fmt: skip
    return run_tagged(command, "RESULT ", 900, f"journal memory of {server}")


if __name__ == "__main__":
    raise SystemExit(main())
