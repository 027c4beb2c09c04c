"""Send clients that hard-code Meta's hosts to the mock instead.

pywa (and other WhatsApp clients) build every URL on ``https://graph.facebook.com`` and
download media from ``https://lookaside.fbsbx.com``; they take an HTTP client but no base
URL. The helpers here rewrite requests for those hosts to the mock's address (scheme,
host and port; path and query untouched) and leave every other request alone:

- httpx: :class:`~mocks.whatsapp._reroute_httpx.RerouteTransport` (and the async one),
  passed as ``httpx.Client(transport=...)``;
- requests: :class:`~mocks.whatsapp._reroute_requests.RerouteAdapter`, mounted on a session;
- aiohttp: :func:`aiohttp_middleware`, passed as ``ClientSession(middlewares=[...])``.

>>> rerouted("https://graph.facebook.com/v23.0/123/messages?x=1", "http://127.0.0.1:8080")
'http://127.0.0.1:8080/v23.0/123/messages?x=1'
>>> rerouted("https://example.com/", "http://127.0.0.1:8080") is None
True
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

from aiohttp import ClientRequest, ClientResponse
from yarl import URL

#: The hosts WhatsApp clients hard-code: the Graph API and the media CDN.
REROUTED_HOSTS = ("graph.facebook.com", "lookaside.fbsbx.com")

AiohttpHandler = Callable[[ClientRequest], Awaitable[ClientResponse]]
AiohttpMiddleware = Callable[[ClientRequest, AiohttpHandler], Awaitable[ClientResponse]]


def rerouted(url: str, target: str) -> str | None:
    """`url` moved onto `target` (``http://host:port``) if its host is Meta's, else None."""
    parts = urlsplit(url)
    if parts.hostname not in REROUTED_HOSTS:
        return None
    base = urlsplit(target)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def aiohttp_middleware(target: str) -> AiohttpMiddleware:
    """An aiohttp client middleware sending Meta's hosts to `target`.

    Example::

        async with aiohttp.ClientSession(middlewares=[mock.aiohttp_middleware()]) as s:
            await s.get("https://graph.facebook.com/v23.0/me")   # served by the mock
    """
    base = URL(target)

    async def reroute(request: ClientRequest, handler: AiohttpHandler) -> ClientResponse:
        if request.url.host in REROUTED_HOSTS:
            assert base.host is not None
            request.url = request.url.with_scheme(base.scheme).with_host(base.host)
            request.url = request.url.with_port(base.port)
        return await handler(request)

    return reroute
