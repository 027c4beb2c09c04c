"""The generic programmable HTTP mock: no domain, only expectations."""

from __future__ import annotations

from typing import ClassVar

from ..core import BaseMock


class MockHTTP(BaseMock):
    """A programmable HTTP server for any API: a faster pytest-httpserver / WireMock.

    With no expectation matching, it answers 404 with a JSON body naming the nearest
    expectation and what differed (in strict mode, `strict_status`); `verify()`
    reports such requests.

    Example::

        with MockHTTP.start() as mock:
            mock.expect("GET", "/users/{id}").respond(
                json={"id": "{{request.path_params.id}}"}, template=True
            )
            assert requests.get(f"{mock.url}/users/7").json() == {"id": "7"}
            mock.verify()
    """

    service: ClassVar[str] = "http"
