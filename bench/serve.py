"""Subprocess entry: serve one server kind, programmed for one scenario, until told to stop.

``python -m bench.serve --server mockhttp --scenario stub`` (or ``--server mockllm
--scenario stream``; see `bench.servers`) prints one ``READY {json}``
line (url, idle memory), then answers commands read from stdin, one a line:

- ``mark``: prints ``MARK {json}`` with the CPU seconds this process has used so far
  (user + system, every thread), so the suite can charge a load run's CPU to the server;
- ``stop`` (or EOF, or ``--timeout`` seconds without a command): stops the server and
  prints ``DONE {json}``: peak RSS (VmHWM), how many requests the server recorded, and
  any problems it saw (unmatched requests, ...).

``--serve-for S`` ignores stdin and serves for S seconds (for profiling by hand).

Running each server in its own process keeps the measurements apart: the load generator
never shares the server's GIL, and VmHWM is the server's own peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
from pathlib import Path
from typing import cast

from .servers import KINDS, SCENARIOS, AnyScenario, Kind, start


def memory_kb() -> dict[str, int]:
    """VmRSS and VmHWM of this process in KiB (empty off Linux)."""
    status = Path("/proc/self/status")
    if not status.exists():
        return {}
    found: dict[str, int] = {}
    for line in status.read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def main(argv: list[str] | None = None) -> int:
    """Serve until stdin says stop; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("--server", choices=KINDS, required=True)
    parser.add_argument("--scenario", choices=SCENARIOS, default="stub")
    parser.add_argument("--expectations", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=900.0, help="stop after this long")
    parser.add_argument(
        "--serve-for", type=float, default=0.0, help="ignore stdin; serve this many seconds"
    )
    args = parser.parse_args(argv)
    server = start(cast(Kind, args.server), cast(AnyScenario, args.scenario), args.expectations)
    idle = memory_kb()
    ready = {"url": server.url, "idle_rss_kb": idle.get("VmRSS"), "idle_hwm_kb": idle.get("VmHWM")}
    print("READY " + json.dumps(ready), flush=True)
    commands: queue.Queue[str] = queue.Queue()

    def read_commands() -> None:
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put("stop")  # EOF: the parent went away

    if args.serve_for:  # by hand (say, under a profiler): no commands, a fixed time
        args.timeout = args.serve_for
    else:
        threading.Thread(target=read_commands, daemon=True).start()
    while True:
        try:
            command = commands.get(timeout=args.timeout)
        except queue.Empty:
            break
        if command != "mark":
            break
        times = os.times()
        mark = {"cpu_s": times.user + times.system, "served": server.served()}
        print("MARK " + json.dumps(mark), flush=True)
    served, problems = server.served(), server.problems()
    peak = memory_kb()
    server.stop()
    done = {"peak_rss_kb": peak.get("VmHWM"), "served": served, "problems": problems[:2000]}
    print("DONE " + json.dumps(done), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
