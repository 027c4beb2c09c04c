"""Clients that hard-code Meta's hosts reach a local server through the reroute helpers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import aiohttp
import httpx
import pytest
import requests
from aiohttp import web

from mocks.whatsapp._reroute import aiohttp_middleware, rerouted
from mocks.whatsapp._reroute_httpx import AsyncRerouteTransport, RerouteTransport
from mocks.whatsapp._reroute_requests import RerouteAdapter


class EchoServer:
    """A loopback server answering every request with its method, path and query."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def echo(request: web.Request) -> web.Response:
            return web.json_response({"method": request.method, "path": request.path_qs})

        async def start() -> web.AppRunner:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", echo)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            server = site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            return runner

        self.runner = self.loop.run_until_complete(start())
        self.ready.set()
        self.loop.run_forever()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[EchoServer, EchoServer]]:
    mock, other = EchoServer(), EchoServer()
    yield mock, other
    mock.stop()
    other.stop()


META_URLS = [
    "https://graph.facebook.com/v23.0/123/messages?fields=a",
    "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
]


def test_rerouted_keeps_path_and_query() -> None:
    assert rerouted(META_URLS[0], "http://127.0.0.1:9") == (
        "http://127.0.0.1:9/v23.0/123/messages?fields=a"
    )
    assert rerouted("http://graph.facebook.com/x", "http://127.0.0.1:9") == "http://127.0.0.1:9/x"
    assert rerouted("https://graph.facebook.com.evil.example/x", "http://127.0.0.1:9") is None


@pytest.mark.parametrize("url", META_URLS)
def test_httpx_transport(servers: tuple[EchoServer, EchoServer], url: str) -> None:
    mock, other = servers
    with httpx.Client(transport=RerouteTransport(mock.url)) as client:
        answer = client.post(url, json={})
        assert answer.json() == {"method": "POST", "path": url.split(".com", 1)[1]}
        assert client.get(f"{other.url}/untouched").json()["path"] == "/untouched"


def test_httpx_async_transport(servers: tuple[EchoServer, EchoServer]) -> None:
    mock, _ = servers

    async def call() -> dict[str, str]:
        async with httpx.AsyncClient(transport=AsyncRerouteTransport(mock.url)) as client:
            answer = await client.get(META_URLS[1])
            result: dict[str, str] = answer.json()
            return result

    assert asyncio.run(call())["path"] == "/whatsapp_business/attachments/?mid=1"


def test_requests_adapter(servers: tuple[EchoServer, EchoServer]) -> None:
    mock, other = servers
    with RerouteAdapter(mock.url).mount(requests.Session()) as session:
        assert session.delete(META_URLS[0]).json()["method"] == "DELETE"
        assert session.get(f"{other.url}/plain").json()["path"] == "/plain"


def test_aiohttp_middleware(servers: tuple[EchoServer, EchoServer]) -> None:
    mock, other = servers

    async def call() -> tuple[str, str]:
        async with aiohttp.ClientSession(middlewares=(aiohttp_middleware(mock.url),)) as session:
            async with session.get(META_URLS[0]) as first:
                rerouted_path = (await first.json())["path"]
            async with session.get(f"{other.url}/plain") as second:
                plain_path = (await second.json())["path"]
        return rerouted_path, plain_path

    assert asyncio.run(call()) == ("/v23.0/123/messages?fields=a", "/plain")
