"""Subprocess entry: the peers that have no command line of their own, as standalone servers.

``python -m bench.standalone aiohttp`` (a bare aiohttp ``web.Application``, one route),
``python -m bench.standalone http1`` (the mocks' own HTTP/1.1 server with a bare handler:
no engine, no journal, uvloop as MockHTTP has it),
``python -m bench.standalone pytest-httpserver`` (one ``expect_request``),
``python -m bench.standalone sink`` (a webhook receiver counting what it gets),
and ``python -m bench.standalone pypi-mockllm`` (the PyPI mockllm, as `bench.llm_servers`
runs it). Each prints
``... listening on http://127.0.0.1:PORT`` once it answers, like ``python -m mocks.http``
does, and serves ``GET /stub`` (STUB_DOCUMENT) until SIGTERM or SIGINT.

Each imports only what its server needs, so a cold start measures the server, not the
bench: the stub document lives in `bench.stub`, which imports nothing.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .stub import STUB_BYTES, STUB_DOCUMENT, STUB_PATH


def _wait_for_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()


def serve_aiohttp(port: int) -> None:
    """A bare aiohttp application: one route answering STUB_BYTES, no access log."""
    import socket

    from aiohttp import web

    async def stub(request: web.Request) -> web.Response:
        return web.Response(body=STUB_BYTES, content_type="application/json")

    app = web.Application()
    app.router.add_get(STUB_PATH, stub)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # run_app calls `print` once the site listens; access_log=None: no line per request.
    web.run_app(
        app,
        sock=sock,
        access_log=None,
        print=lambda _: print(f"aiohttp listening on {url}", flush=True),
        handle_signals=True,
    )


def serve_http1(port: int) -> None:
    """The server under every mock (`mocks.core._http1`) with a handler that answers
    STUB_BYTES to anything: what a request costs below the engine."""
    import asyncio

    from mocks.core._http1 import Http1Server
    from mocks.core._wire import WireRequest

    headers = [("Content-Type", "application/json")]

    async def stub(request: WireRequest) -> None:
        await request.read_body(1 << 20)
        request.response.send(200, headers, STUB_BYTES)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Http1Server(stub, loop), "127.0.0.1", port)
        bound = server.sockets[0].getsockname()[1]
        print(f"http1 listening on http://127.0.0.1:{bound}", flush=True)
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
        server.close()

    try:
        import uvloop
    except ImportError:
        asyncio.run(serve())
    else:
        uvloop.run(serve())


def serve_sink(port: int) -> None:
    """A webhook receiver (a stand-in bot): answers every POST 200 ``{}`` at once and
    counts them. ``GET /__count`` answers ``{"count": N, "first": T0, "last": T1}`` (wall
    clock of the first and last POST); ``GET /__last`` the last 16 POSTs (path, headers,
    body as text), oldest first, so a bench can replay what a mock sent."""
    import json
    import socket
    import time
    from collections import deque

    from aiohttp import web

    seen = {"count": 0, "first": 0.0, "last": 0.0}
    last: deque[dict[str, object]] = deque(maxlen=16)

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        now = time.time()
        if not seen["count"]:
            seen["first"] = now
        seen["count"] += 1
        seen["last"] = now
        last.append(
            {
                "path": request.path,
                "headers": dict(request.headers),
                "body": body.decode("utf-8", "replace"),
            }
        )
        return web.Response(body=b"{}", content_type="application/json")

    async def count(request: web.Request) -> web.Response:
        return web.Response(body=json.dumps(seen).encode(), content_type="application/json")

    async def recent(request: web.Request) -> web.Response:
        return web.Response(body=json.dumps(list(last)).encode(), content_type="application/json")

    app = web.Application()
    app.router.add_get("/__count", count)
    app.router.add_get("/__last", recent)
    app.router.add_post("/{tail:.*}", receive)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    web.run_app(
        app,
        sock=sock,
        access_log=None,
        print=lambda _: print(f"sink listening on {url}", flush=True),
    )


def serve_httpserver(port: int) -> None:
    """pytest-httpserver with its defaults, one expectation, werkzeug's request log off."""
    import logging

    from pytest_httpserver import HTTPServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = HTTPServer(host="127.0.0.1", port=port)
    server.expect_request(STUB_PATH, method="GET").respond_with_json(STUB_DOCUMENT)
    server.start()
    print(f"pytest-httpserver listening on {server.url_for('/').rstrip('/')}", flush=True)
    try:
        _wait_for_signal()
    finally:
        server.stop()


def serve_pypi_mockllm() -> None:
    """mockllm (PyPI) as `bench.llm_servers.start_pypi_mockllm` runs it: its app in one
    uvicorn server on a thread, its answers file written for the bench."""
    from .llm_servers import start_pypi_mockllm

    server = start_pypi_mockllm()
    print(f"mockllm listening on {server.url}", flush=True)
    try:
        _wait_for_signal()
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    """Serve the peer named on the command line until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m bench.standalone")
    parser.add_argument(
        "server", choices=("aiohttp", "http1", "pytest-httpserver", "sink", "pypi-mockllm")
    )
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.server == "aiohttp":
        serve_aiohttp(args.port)
    elif args.server == "http1":
        serve_http1(args.port)
    elif args.server == "pytest-httpserver":
        serve_httpserver(args.port)
    elif args.server == "sink":
        serve_sink(args.port)
    else:
        serve_pypi_mockllm()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
