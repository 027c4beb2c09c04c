"""Subprocess entry: a Python HTTP/1.1 load generator (used when ``wrk`` is not installed).

``python -m bench.pyload --url http://127.0.0.1:PORT/stub -c 32 --duration 5`` opens
``-c`` raw asyncio connections, keeps them alive while the server allows it (it
reconnects when a server closes, as HTTP/1.0 servers do), sends the same request
back to back on each, and prints one ``BENCH_JSON {...}`` line with wrk's fields.
``--requests N`` stops after N responses instead (a fixed workload); the duration
still bounds the run. Loopback only: the URL's host must be a loopback address.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(slots=True)
class Totals:
    """What the connections did, summed."""

    requests: int = 0
    sent: int = 0
    non_2xx: int = 0
    connect_errors: int = 0
    read_errors: int = 0
    latencies: list[float] = field(default_factory=list)


def _request_bytes(method: str, host: str, path: str, body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "User-Agent: bench-pyload"]
    if body or method in ("POST", "PUT", "PATCH"):
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip().lower()
    connection = headers.get("connection", "")
    keep = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    length = headers.get("content-length")
    if length is not None:
        await reader.readexactly(int(length))
    else:  # no length: the body runs to the end of the connection
        await reader.read()
        keep = False
    return int(status), keep


async def _connection(
    host: str, port: int, request: bytes, deadline: float, limit: int | None, totals: Totals
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        while time.perf_counter() < deadline and (limit is None or totals.sent < limit):
            if writer is None or reader is None:
                try:
                    reader, writer = await asyncio.open_connection(host, port)
                except OSError:
                    totals.connect_errors += 1
                    await asyncio.sleep(0.01)
                    continue
            totals.sent += 1
            began = time.perf_counter()
            writer.write(request)
            try:
                status, keep = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                totals.read_errors += 1
                writer.close()
                reader = writer = None
                continue
            totals.latencies.append(time.perf_counter() - began)
            totals.requests += 1
            if not 200 <= status < 400:
                totals.non_2xx += 1
            if not keep:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def run(
    url: str, connections: int, duration: float, method: str, body: bytes, limit: int | None
) -> dict[str, float | int]:
    """Drive the load and summarise it in wrk's terms (microseconds)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing to load a non-loopback address: {host}")
    request = _request_bytes(method, f"{host}:{port}", parts.path or "/", body)
    totals = Totals()
    began = time.perf_counter()
    deadline = began + duration
    tasks = [_connection(host, port, request, deadline, limit, totals) for _ in range(connections)]
    async with asyncio.timeout(duration + 30):
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    micro = sorted(t * 1e6 for t in totals.latencies) or [0.0]
    return {
        "requests": totals.requests,
        "duration_us": int(elapsed * 1e6),
        "connect_errors": totals.connect_errors,
        "read_errors": totals.read_errors,
        "write_errors": 0,
        "non_2xx": totals.non_2xx,
        "timeouts": 0,
        "p50_us": int(micro[len(micro) // 2]),
        "p99_us": int(micro[min(len(micro) - 1, int(len(micro) * 0.99))]),
        "mean_us": statistics.fmean(micro),
        "max_us": int(micro[-1]),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print the result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.pyload")
    parser.add_argument("--url", required=True)
    parser.add_argument("-c", "--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds (an upper bound)")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body-file", default="")
    parser.add_argument("--requests", type=int, default=0, help="stop after N responses")
    args = parser.parse_args(argv)
    body = b""
    if args.body_file:
        with open(args.body_file, "rb") as file:
            body = file.read()
    limit = args.requests or None
    try:  # the faster loop makes a faster generator, when installed
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    except ImportError:
        factory = asyncio.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(
            run(args.url, args.connections, args.duration, args.method, body, limit)
        )
    print("BENCH_JSON " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
