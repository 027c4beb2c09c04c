"""`MockHooks`: every hook a mock package may override, each declared once with its default.

`BaseMock` inherits them; a domain mock overrides what its API needs. The request path
calls the reply hooks (through its `PathHooks` protocol); the admin API serves
`admin_routes()`; the stack and the pytest fixtures read `stack_environment()`; the CLI
adds `cli_options()`. Nothing here holds state.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from ._admin import AdminRoute
from ._contracts import Violation
from ._engine import NearMiss
from ._options import CliOption
from ._reply import Reply
from ._request import RecordedRequest
from ._routes import Route


class MockHooks:
    """The hooks of a mock, with the generic behaviour `MockHTTP` uses."""

    #: The mock's name: its contracts folder (``contracts/<service>/``), its logger
    #: (``mocks.<service>``), its admin prefix (``/__admin/<service>/``), its fixture
    #: (``mock_<service>``) and its command (``python -m mocks.<service>``).
    service: ClassVar[str] = "http"
    #: Schema of this mock's error envelope: programmed error responses are checked
    #: against it when programmed, generated ones in checking mode.
    error_schema: ClassVar[str | None] = None

    def build_routes(self) -> list[Route]:
        """The default behaviour: routes answered when no expectation matches (or when
        the matched expectation programs no response). Called once, at construction."""
        return []

    def admin_routes(self) -> list[AdminRoute]:
        """The mock's own admin endpoints, under ``/__admin/<service>/``: served by the
        engine's admin router (same token rule) and listed in ``/__admin/openapi.json``.
        A route with the method and path of an engine route replaces it (wrap one of
        `engine_admin_routes()` to answer another API's shape on the same path)."""
        return []

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        *,
        field: str | None = None,
    ) -> Reply:
        """An error in this mock's envelope (used for 404, 405, 413, 500, injected errors,
        exhausted sequences). The generic one: ``{"error": {"status", "message", "field"}}``."""
        error: dict[str, Any] = {"status": status, "message": message}
        if field is not None:
            error["field"] = field
        return Reply.json({"error": error}, status)

    def precheck(self, request: RecordedRequest, route: Route | None) -> Reply | None:
        """Answer before contracts and expectations (authentication, say); None goes on."""
        return None

    def scope_key(self, request: RecordedRequest) -> str | None:
        """A credential the test controls that names the scope of a request without an
        ``X-Mock-Scope`` header (the API key, the phone-number id, ...): when a scope of
        that name exists, the request is answered and journaled there. None: no such key."""
        return None

    def finish_reply(self, request: RecordedRequest, reply: Reply) -> Reply:
        """Last touch on every reply before it is written (headers every answer carries).

        Return a new reply rather than change `reply`: a stub hands out the same one for
        every request (``return reply.with_headers({...}, override=False)``)."""
        return reply

    def injected_error_reply(
        self, status: int, message: str | None, request: RecordedRequest
    ) -> Reply:
        """The answer to an injected error (`with_error`, error rates); `message` may be None."""
        return self.error_reply(status, message or HTTPStatus(status).phrase, request)

    def contract_error_reply(self, request: RecordedRequest, violation: Violation) -> Reply:
        """The answer to a request that breaks its route's contract (400 by default)."""
        return self.error_reply(400, violation.message, request, field=violation.param)

    def malformed_body_reply(self, request: RecordedRequest, route: Route) -> Reply:
        """The answer to a body that is not the JSON (or form) its route takes."""
        return self.error_reply(400, "the request body is not valid JSON", request, field="body")

    def unmatched_reply(self, request: RecordedRequest, near_miss: NearMiss, status: int) -> Reply:
        """The answer to a request no expectation matched and no route serves, in the API's
        own envelope. The engine adds the near miss as an ``X-Mock-Near-Miss`` header and
        keeps it in the journal (``/__admin/requests/unmatched``); it never goes into the
        body, so an API's error envelope stays the API's."""
        return self.error_reply(status, near_miss.explain(request), request)

    def sign_callback(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> dict[str, str]:
        """Sign an outbound request (webhook signatures); returns the headers to send.
        `body` is exactly the bytes that will be sent."""
        return headers

    def stack_environment(self) -> dict[str, str]:
        """The environment variables a system under test reads to reach this mock
        (``OPENAI_BASE_URL``, ...); the stack adds ``MOCK_<SERVICE>_URL`` itself."""
        return {}

    @classmethod
    def cli_options(cls) -> list[CliOption]:
        """Extra flags of ``python -m mocks.<service>``, passed to the constructor."""
        return []


__all__ = ["MockHooks"]
