"""A small real upstream service (aiohttp, in a thread) for record/replay tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

SECRETS = {
    "authorization": "Bearer sk-live-AUTHSECRET",
    "api_key_header": "APIKEYSECRET",
    "cookie": "session=COOKIESECRET",
    "signature": "sha256=SIGNATURESECRET",
    "query": "QUERYSECRET",
    "password": "PASSWORDSECRET",
    "account": "ACCOUNTSECRET",
    "token": "TOKENSECRET",
    "set_cookie": "sid=SETCOOKIESECRET",
}
BINARY = bytes(range(256))


async def _stream(request: web.Request) -> web.StreamResponse:
    assert request.headers["Authorization"] == SECRETS["authorization"]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Set-Cookie": SECRETS["set_cookie"]}
    )
    await response.prepare(request)
    for index in range(4):
        await response.write(f'data: {{"index": {index}, "text": "part {index}"}}\n\n'.encode())
        await asyncio.sleep(0.05)
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


async def _echo(request: web.Request) -> web.Response:
    calls = request.app["calls"]
    calls.append(await request.json())
    return web.json_response(
        {"call": len(calls), "qty": calls[-1].get("qty")},
        headers={"X-Request-Count": str(len(calls))},
    )


async def _token(request: web.Request) -> web.Response:
    return web.json_response({"access_token": SECRETS["token"], "token_type": "Bearer"})


async def _binary(request: web.Request) -> web.Response:
    return web.Response(body=BINARY, content_type="application/octet-stream")


@contextmanager
def upstream() -> Iterator[str]:
    """Serve the upstream on a free loopback port; yields its base URL."""
    app = web.Application()
    app["calls"] = []
    app.router.add_get("/v1/stream", _stream)
    app.router.add_post("/v1/echo", _echo)
    app.router.add_post("/oauth/token", _token)
    app.router.add_get("/v1/binary", _binary)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.run_until_complete(runner.cleanup())
        loop.close()
