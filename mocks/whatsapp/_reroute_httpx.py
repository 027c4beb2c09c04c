"""httpx transports that send graph.facebook.com and lookaside.fbsbx.com to the mock.

Imported only when asked for (httpx is the client's dependency, not the mock's).

Example::

    wa = pywa.WhatsApp(phone_id=..., token=...,
                       session=httpx.Client(transport=mock.httpx_transport()))
"""

from __future__ import annotations

from typing import Any

import httpx

from ._reroute import rerouted


def _moved(request: httpx.Request, target: str) -> httpx.Request:
    url = rerouted(str(request.url), target)
    if url is not None:
        request.url = httpx.URL(url)
    return request


class RerouteTransport(httpx.BaseTransport):
    """Sends requests for Meta's hosts to `target`, the rest as usual."""

    def __init__(self, target: str, **transport_options: Any) -> None:
        self.target = target
        self._inner = httpx.HTTPTransport(**transport_options)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite the URL when its host is Meta's, then send it."""
        return self._inner.handle_request(_moved(request, self.target))

    def close(self) -> None:
        """Close the pooled connections."""
        self._inner.close()


class AsyncRerouteTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`RerouteTransport` (for ``httpx.AsyncClient``, pywa_async)."""

    def __init__(self, target: str, **transport_options: Any) -> None:
        self.target = target
        self._inner = httpx.AsyncHTTPTransport(**transport_options)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Rewrite the URL when its host is Meta's, then send it."""
        return await self._inner.handle_async_request(_moved(request, self.target))

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._inner.aclose()
