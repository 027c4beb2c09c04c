"""Subprocess entry: time in-process construct + start + stop cycles of one server kind.

``python -m bench.lifecycle --server mockhttp --cycles 200 --budget 60`` prints one
``RESULT {json}`` line with the first (cold) cycle and median / p95 / mean / min / max of
the warm ones, in milliseconds. Cycles stop at ``--cycles`` or when ``--budget`` seconds
are spent (after at least ``--min-cycles``), whichever comes first.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from typing import cast

from .http_servers import SERVER_KINDS, ServerKind, lifecycle_cycle


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` quantile of `values` (nearest rank on the sorted values)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(kind: ServerKind, cycles: int, budget: float, min_cycles: int) -> dict[str, float]:
    """Run the cycles and summarise them (milliseconds)."""
    cycle = lifecycle_cycle(kind)
    started = time.perf_counter()
    cycle()  # cold: first loop, first thread, lazy imports inside the servers
    first = time.perf_counter() - started
    times: list[float] = []
    deadline = time.perf_counter() + budget
    gc.collect()
    for _ in range(cycles):
        began = time.perf_counter()
        cycle()
        times.append(time.perf_counter() - began)
        if len(times) >= min_cycles and time.perf_counter() > deadline:
            break
    ms = [t * 1000 for t in times]
    return {
        "cycles": len(ms),
        "first_ms": first * 1000,
        "median_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 0.95),
        "mean_ms": statistics.fmean(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


def main(argv: list[str] | None = None) -> int:
    """Time the cycles and print the result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.lifecycle")
    parser.add_argument("--server", choices=SERVER_KINDS, required=True)
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds at most")
    parser.add_argument("--min-cycles", type=int, default=20)
    args = parser.parse_args(argv)
    result = measure(cast(ServerKind, args.server), args.cycles, args.budget, args.min_cycles)
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
