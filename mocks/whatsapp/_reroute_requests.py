"""A requests adapter that sends graph.facebook.com and lookaside.fbsbx.com to the mock.

Imported only when asked for (requests is the client's dependency, not the mock's).

Example::

    session = requests.Session()
    mock.requests_adapter().mount(session)
    session.get("https://graph.facebook.com/v23.0/me")   # served by the mock
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

from ._reroute import REROUTED_HOSTS, rerouted


class RerouteAdapter(HTTPAdapter):
    """An HTTPAdapter that rewrites Meta's hosts to `target` before sending."""

    def __init__(self, target: str, **adapter_options: Any) -> None:
        super().__init__(**adapter_options)
        self.target = target

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        """Rewrite the URL when its host is Meta's, then send it."""
        url = rerouted(request.url or "", self.target)
        if url is not None:
            request.url = url
        return super().send(request, *args, **kwargs)

    def mount(self, session: requests.Session) -> requests.Session:
        """Mount on `session` for Meta's hosts (http and https); returns the session."""
        for host in REROUTED_HOSTS:
            for scheme in ("https", "http"):
                session.mount(f"{scheme}://{host}/", self)
        return session
