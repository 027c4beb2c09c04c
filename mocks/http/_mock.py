"""The generic programmable HTTP mock: no domain, only expectations (and WireMock's words)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar

from ..core import (
    AdminRoute,
    BaseMock,
    CliOption,
    Expectation,
)
from ._wiremock_admin import WireMockAdmin
from ._wiremock_files import is_wiremock_source
from ._wiremock_journal import ServeLog
from ._wiremock_stubs import WireMockStubs

StubSource = str | os.PathLike[str]


class MockHTTP(BaseMock):
    """A programmable HTTP server for any API: a faster pytest-httpserver / WireMock.

    With no expectation matching, it answers 404 with a JSON body naming the nearest
    expectation and what differed (in strict mode, `strict_status`); `verify()`
    reports such requests.

    It also serves WireMock stub mappings: ``stubs=`` (and ``--stubs DIR``) load a
    WireMock root (``mappings/*.json``, bodies from ``__files/``) as they load native
    stub files, and WireMock's admin API (``/__admin/mappings``, ...) runs beside the
    native one. Where both APIs use the same route (``GET /__admin/requests``, ...), a
    body says which one it speaks; a call without one gets WireMock's shape in WireMock
    mode (``wiremock=True``, ``--wiremock``, or a WireMock root loaded), else the native.

    Example::

        with MockHTTP.start() as mock:
            mock.expect("GET", "/users/{id}").respond(
                json={"id": "{{request.path_params.id}}"}, template=True
            )
            assert requests.get(f"{mock.url}/users/7").json() == {"id": "7"}
            mock.verify()

        with MockHTTP.start(stubs="wiremock-root/") as mock:   # a WireMock user's files
            requests.get(f"{mock.url}/api/orders")
    """

    service: ClassVar[str] = "http"

    def __init__(
        self,
        *,
        wiremock: bool = False,
        stubs: StubSource | Sequence[StubSource] | None = None,
        **options: Any,
    ) -> None:
        sources = [stubs] if isinstance(stubs, str | os.PathLike) else list(stubs or ())
        roots = [source for source in sources if is_wiremock_source(source)]
        native = [source for source in sources if source not in roots]
        self.wiremock_stubs = WireMockStubs(self, options.get("seed", 0))
        self.serve_log = ServeLog(options.get("seed", 0))
        self._wiremock_admin = WireMockAdmin(self)
        super().__init__(stubs=native or None, **options)
        #: Bodiless admin calls on the routes both APIs share answer in WireMock's shapes.
        self.wiremock_mode = wiremock or bool(roots)
        for root in roots:
            self.wiremock_stubs.load(root)

    @classmethod
    def cli_options(cls) -> list[CliOption]:
        return [
            CliOption(
                "wiremock",
                "WireMock mode: the admin routes both APIs share answer in WireMock's shapes "
                "(on by itself when --stubs names a WireMock root)",
                type=bool,
            )
        ]

    def admin_routes(self) -> list[AdminRoute]:
        """WireMock's admin routes, and the engine's routes WireMock shares, answering the
        API each call speaks."""
        return [
            *self._wiremock_admin.routes(),
            *self._wiremock_admin.shared(self.engine_admin_routes()),
        ]

    def load_stubs(self, path: str | os.PathLike[str]) -> list[Expectation]:
        """Load native stub files, or a WireMock root / mapping file (then WireMock mode)."""
        if is_wiremock_source(path):
            self.wiremock_mode = True
            return self.wiremock_stubs.load(path)
        return super().load_stubs(path)

    def reset(self, *, keep_stubs: bool = True) -> None:
        super().reset(keep_stubs=keep_stubs)
        self.serve_log.clear()
        self.wiremock_stubs.forget_unserved(files_too=not keep_stubs)
