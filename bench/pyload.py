"""Subprocess entry: a Python HTTP/1.1 load generator (used when ``wrk`` is not installed).

``python -m bench.pyload --url http://127.0.0.1:PORT/stub -c 32 --duration 5`` opens
``-c`` raw asyncio connections, keeps them alive while the server allows it (it
reconnects when a server closes, as HTTP/1.0 servers do), sends the same request
back to back on each, and prints one ``BENCH_JSON {...}`` line with wrk's fields.
``--requests N`` stops after N responses instead (a fixed workload); the duration
still bounds the run. ``--rate R`` paces the requests: R a second in all (a soak).
``--header 'Name: value'`` (repeatable) adds request headers.
Loopback only: the URL's host must be a loopback address.

``--stream`` reads each response as a Server-Sent Events stream (``data: {json}``
events: OpenAI's chunks ending with ``data: [DONE]``, Anthropic's events ending with
``message_stop``, Gemini's responses ending with a ``finishReason``), the whole of it,
and also reports the content chunks received (an event carrying text, see
`event_text`), the content characters, time to first content chunk (``ttft_*``), and
streams that ended without their end marker or (with ``--expect-chars N``) with other
than N content characters.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
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
    #: With --stream: content chunks and characters received, and streams found wanting.
    chunks: int = 0
    chars: int = 0
    incomplete: int = 0
    ttfts: list[float] = field(default_factory=list)


class StreamReader:
    """Counts the content chunks of one SSE response as its bytes arrive."""

    __slots__ = ("buffer", "chars", "chunks", "done", "first")

    def __init__(self) -> None:
        self.buffer = b""
        self.chunks = 0
        self.chars = 0
        self.done = False
        #: perf_counter() when the first content chunk arrived.
        self.first: float | None = None

    def feed(self, data: bytes) -> None:
        """Take the next bytes of the body; count every complete event in them."""
        *events, self.buffer = (self.buffer + data).split(b"\n\n")
        for event in events:
            for line in event.split(b"\n"):
                if not line.startswith(b"data:"):
                    continue
                payload = line[5:].strip()
                if payload == b"[DONE]":
                    self.done = True
                    continue
                document = json.loads(payload)
                content = event_text(document)
                if content:
                    if self.first is None:
                        self.first = time.perf_counter()
                    self.chunks += 1
                    self.chars += len(content)
                if _ends_stream(document):
                    self.done = True


def event_text(document: Any) -> str:
    """The content one streamed event carries: an OpenAI chunk's ``choices[].delta
    .content``, an Anthropic ``text_delta`` (mockllm nests it in ``delta.delta``), or a
    Gemini response's text parts (thoughts left out)."""
    if not isinstance(document, dict):
        return ""
    texts = [
        (choice.get("delta") or {}).get("content") or "" for choice in document.get("choices") or ()
    ]
    delta = document.get("delta")
    if isinstance(delta, dict):
        nested = delta.get("delta")
        inner = nested if isinstance(nested, dict) else delta
        if delta.get("type") in ("text_delta", "content_block_delta") or inner is not delta:
            texts.append(str(inner.get("text") or ""))
    for candidate in document.get("candidates") or ():
        for part in (candidate.get("content") or {}).get("parts") or ():
            if not part.get("thought"):
                texts.append(str(part.get("text") or ""))
    return "".join(texts)


def _ends_stream(document: Any) -> bool:
    """Anthropic's ``message_stop``, or a Gemini response with a ``finishReason``."""
    if not isinstance(document, dict):
        return False
    if document.get("type") == "message_stop":
        return True
    return any(c.get("finishReason") for c in document.get("candidates") or ())


def _request_bytes(
    method: str, host: str, path: str, body: bytes, headers: Sequence[str] = ()
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "User-Agent: bench-pyload", *headers]
    if body or method in ("POST", "PUT", "PATCH"):
        if not any(h.lower().startswith("content-type:") for h in headers):
            lines.append("Content-Type: application/json")  # unless a header names another
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(
    reader: asyncio.StreamReader, sink: Callable[[bytes], None] | None = None
) -> tuple[int, bool]:
    """Read one response, handing its body to `sink` as it arrives (chunk by chunk when
    the transfer is chunked); return its status and whether the connection stays open."""
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
    if "chunked" in headers.get("transfer-encoding", ""):
        while size := int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16):
            data = await reader.readexactly(size + 2)  # the chunk and its CRLF
            if sink is not None:
                sink(data[:-2])
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, up to the blank line
            pass
    elif length is not None:
        data = await reader.readexactly(int(length))
        if sink is not None:
            sink(data)
    else:  # no length: the body runs to the end of the connection
        data = await reader.read()
        if sink is not None:
            sink(data)
        keep = False
    return int(status), keep


@dataclass(frozen=True, slots=True)
class Streaming:
    """--stream: read SSE; a stream with other than `expect_chars` characters is wanting."""

    expect_chars: int | None = None


async def _connection(
    host: str,
    port: int,
    request: bytes,
    deadline: float,
    limit: int | None,
    totals: Totals,
    streaming: Streaming | None = None,
    interval: float | None = None,
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    next_at = time.perf_counter()
    try:
        while time.perf_counter() < deadline and (limit is None or totals.sent < limit):
            if interval is not None:  # a steady rate: start requests `interval` apart
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
                if time.perf_counter() >= deadline:
                    break
            if writer is None or reader is None:
                try:
                    reader, writer = await asyncio.open_connection(host, port)
                except OSError:
                    totals.connect_errors += 1
                    await asyncio.sleep(0.01)
                    continue
            totals.sent += 1
            stream = StreamReader() if streaming is not None else None
            began = time.perf_counter()
            writer.write(request)
            try:
                status, keep = await _read_response(reader, None if stream is None else stream.feed)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                totals.read_errors += 1
                writer.close()
                reader = writer = None
                continue
            totals.latencies.append(time.perf_counter() - began)
            totals.requests += 1
            if not 200 <= status < 400:
                totals.non_2xx += 1
            if stream is not None and streaming is not None:
                _count_stream(stream, streaming, began, totals)
            if not keep:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


def _count_stream(stream: StreamReader, streaming: Streaming, began: float, totals: Totals) -> None:
    totals.chunks += stream.chunks
    totals.chars += stream.chars
    if stream.first is not None:
        totals.ttfts.append(stream.first - began)
    expected = streaming.expect_chars
    if not stream.done or not stream.chunks or expected not in (None, stream.chars):
        totals.incomplete += 1


def percentiles(seconds: list[float], prefix: str) -> dict[str, int]:
    """p50 and p99 (and max) of `seconds`, in whole microseconds, keys ``<prefix>p50_us``..."""
    micro = sorted(t * 1e6 for t in seconds) or [0.0]
    return {
        f"{prefix}p50_us": int(micro[len(micro) // 2]),
        f"{prefix}p99_us": int(micro[min(len(micro) - 1, int(len(micro) * 0.99))]),
        f"{prefix}max_us": int(micro[-1]),
    }


async def run(
    url: str,
    connections: int,
    duration: float,
    method: str,
    body: bytes,
    limit: int | None,
    headers: Sequence[str] = (),
    streaming: Streaming | None = None,
    rate: float | None = None,
) -> dict[str, float | int]:
    """Drive the load and summarise it in wrk's terms (microseconds); `rate` caps it at
    that many requests/s in all (each connection starts one every connections/rate s)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"refusing to load a non-loopback address: {host}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = _request_bytes(method, f"{host}:{port}", target, body, headers)
    totals = Totals()
    began = time.perf_counter()
    deadline = began + duration
    interval = connections / rate if rate else None
    tasks = [
        _connection(host, port, request, deadline, limit, totals, streaming, interval)
        for _ in range(connections)
    ]
    async with asyncio.timeout(duration + 30):
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    result: dict[str, float | int] = {
        "requests": totals.requests,
        "duration_us": int(elapsed * 1e6),
        "connect_errors": totals.connect_errors,
        "read_errors": totals.read_errors,
        "write_errors": 0,
        "non_2xx": totals.non_2xx,
        "timeouts": 0,
        **percentiles(totals.latencies, ""),
        "mean_us": statistics.fmean(totals.latencies) * 1e6 if totals.latencies else 0.0,
    }
    if streaming is not None:
        result.update(
            chunks=totals.chunks,
            chars=totals.chars,
            incomplete=totals.incomplete,
            **percentiles(totals.ttfts, "ttft_"),
        )
    return result


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop's loop when installed (a faster generator), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print the result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.pyload")
    parser.add_argument("--url", required=True)
    parser.add_argument("-c", "--connections", type=int, default=1)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds (an upper bound)")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body-file", default="")
    parser.add_argument("--requests", type=int, default=0, help="stop after N responses")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--stream", action="store_true", help="read SSE; count content chunks")
    parser.add_argument("--expect-chars", type=int, help="--stream: content characters each")
    parser.add_argument("--rate", type=float, help="at most this many requests/s in all")
    args = parser.parse_args(argv)
    body = b""
    if args.body_file:
        with open(args.body_file, "rb") as file:
            body = file.read()
    limit = args.requests or None
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        streaming = Streaming(args.expect_chars) if args.stream else None
        result = runner.run(
            run(
                args.url,
                args.connections,
                args.duration,
                args.method,
                body,
                limit,
                args.header,
                streaming,
                args.rate,
            )
        )
    print("BENCH_JSON " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
