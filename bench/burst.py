"""Subprocess entry: N requests at once, one connection each, from an aiohttp client.

``python -m bench.burst --url http://127.0.0.1:PORT/stub -n 1000`` raises its own limit
of open files (``RLIMIT_NOFILE``) to the hard limit, creates N request tasks on one
``aiohttp.ClientSession`` whose connector has no connection limit (``limit=0``: every
request opens its own connection), lets them all go at once (an event they all wait
for), and prints one ``BURST_JSON {...}`` line: how many were sent, answered by status,
failed by kind of error, the wall time from the start to the last answer, latency
percentiles (from the start to the whole body read), and the limit of open files.

``--stream`` reads each answer as Server-Sent Events (`bench.pyload.StreamReader`):
latency is then the time to the last chunk, ``ttft_*`` the time to the first content
chunk, and a stream without its end marker or (``--expect-chars N``) with other than N
content characters is counted ``incomplete``. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from .pyload import StreamReader, loop_factory, percentiles


@dataclass(slots=True)
class Outcomes:
    """What the burst's requests came to."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    ttfts: list[float] = field(default_factory=list)
    incomplete: int = 0
    last: float = 0.0


def raise_nofile() -> tuple[int, int]:
    """Raise this process's soft limit of open files to the hard one; (soft, hard) now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


async def _one(
    session: aiohttp.ClientSession,
    go: asyncio.Event,
    request: dict[str, Any],
    expect_chars: int | None,
    found: Outcomes,
) -> None:
    await go.wait()
    began = time.perf_counter()
    try:
        async with session.request(**request) as response:
            if expect_chars is None:
                await response.read()
            else:
                reader = StreamReader()
                async for data in response.content.iter_any():
                    reader.feed(data)
                if reader.first is not None:
                    found.ttfts.append(reader.first - began)
                if not reader.done or reader.chars != expect_chars:
                    found.incomplete += 1
        ended = time.perf_counter()
        found.statuses[response.status] += 1
        found.latencies.append(ended - began)
        found.last = max(found.last, ended)
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        found.errors[type(exc).__name__] += 1


async def burst(
    url: str,
    count: int,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    expect_chars: int | None,
    timeout: float,
) -> dict[str, Any]:
    """Send `count` requests at once, each on its own connection; the outcome, summed."""
    host = urlsplit(url).hostname or ""
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing to load a non-loopback address: {host}")
    found = Outcomes()
    go = asyncio.Event()
    request = {"method": method, "url": url, "data": body, "headers": headers}
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        tasks = [
            asyncio.create_task(_one(session, go, request, expect_chars, found))
            for _ in range(count)
        ]
        await asyncio.sleep(0)  # every task now waits for the start
        began, cpu_began = time.perf_counter(), time.process_time()
        go.set()
        await asyncio.gather(*tasks)
    result: dict[str, Any] = {
        "sent": count,
        "statuses": {str(k): v for k, v in sorted(found.statuses.items())},
        "errors": dict(found.errors),
        "wall_s": round(max(found.last - began, 0.0), 4),
        "client_cpu_s": round(time.process_time() - cpu_began, 3),
        **percentiles(found.latencies, ""),
    }
    if expect_chars is not None:
        result.update(incomplete=found.incomplete, **percentiles(found.ttfts, "ttft_"))
    return result


def main(argv: list[str] | None = None) -> int:
    """Parse the options, raise the fd limit, burst, print the result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.burst")
    parser.add_argument("--url", required=True)
    parser.add_argument("-n", "--requests", type=int, default=1000)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body-file", default="")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--stream", action="store_true", help="read SSE to the end")
    parser.add_argument("--expect-chars", type=int, help="--stream: content characters each")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    args = parser.parse_args(argv)
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    soft, hard = raise_nofile()
    body = None
    if args.body_file:
        with open(args.body_file, "rb") as file:
            body = file.read()
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    expect_chars = args.expect_chars if args.stream else None
    if args.stream and expect_chars is None:
        parser.error("--stream needs --expect-chars")
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        result = runner.run(
            burst(args.url, args.requests, args.method, body, headers, expect_chars, args.timeout)
        )
    result["nofile"] = {"before": list(before), "raised": [soft, hard]}
    print("BURST_JSON " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
