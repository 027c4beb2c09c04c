"""The admin API's machinery: routes, the call a handler gets, errors, and the dispatcher.

Every mock serves ``/__admin/...`` on its own port: the engine's routes (see
`mocks.core._admin_routes`) and the mock's own (`admin_routes()` hook, under
``/__admin/<service>/``), all in one `Router` and one OpenAPI document. A handler gets an
`AdminCall` (path captures, query, the body already read and validated) and returns a
pydantic model, a JSON value or a `Reply`. Bad input is answered 400 with
``{"error": {"status", "message", "field", "details"}}``, where ``field`` is the dotted
path of the offending value, and the mock keeps serving.
"""

from __future__ import annotations

import hmac
import inspect
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from multidict import CIMultiDictProxy, MultiMapping
from pydantic import BaseModel, ValidationError

from ._codings import UnreadableBody, decoded_body
from ._datafile import dotted
from ._reply import Reply
from ._routes import Router
from ._wire import WireRequest

log = logging.getLogger("mocks.admin")

#: A schema in the OpenAPI document: a pydantic model, or the name of a hand-written one.
Schema = type[BaseModel] | str
AdminHandlerFunction = Callable[["AdminCall"], Any]


class AdminError(Exception):
    """An admin request that cannot be carried out; answered with `status` and a JSON body."""

    def __init__(
        self,
        status: int,
        message: str,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.details = details or []

    def document(self) -> dict[str, Any]:
        """The JSON answer."""
        error: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.details:
            error["details"] = self.details
        return {"error": error}


def validation_error(exc: ValidationError, prefix: Sequence[int | str] = ()) -> AdminError:
    """A 400 naming every invalid field (the first one in ``field``)."""
    details: list[dict[str, Any]] = [
        {
            "loc": [*prefix, *error["loc"]],
            "field": dotted([*prefix, *error["loc"]]) or "body",
            "message": error["msg"].removeprefix("Value error, "),
            "type": error["type"],
        }
        for error in exc.errors(include_url=False)
    ]
    first = details[0] if details else {"field": dotted(prefix) or "body", "message": str(exc)}
    return AdminError(400, f"{first['field']}: {first['message']}", first["field"], details)


@dataclass(frozen=True, slots=True)
class AdminRoute:
    """One admin operation: how it is dispatched and what the OpenAPI document says of it.

    ``body`` and ``query`` given as pydantic models are validated before the handler
    runs (a bad value is a 400 naming the field); the handler finds them in
    `AdminCall.body` and `AdminCall.query`. ``response`` describes the answer with
    ``status``; ``responses`` adds other (status, description, schema) rows.
    """

    #: The schema of an answer without a body (WireMock's empty 404, say).
    NO_CONTENT: ClassVar[str] = "no content"

    method: str
    path: str
    handler: AdminHandlerFunction
    summary: str
    body: Schema | None = None
    response: Schema | None = None
    status: int = 200
    responses: tuple[tuple[int, str, Schema | None], ...] = ()
    query: type[BaseModel] | None = None
    #: The OpenAPI operationId (default: from the handler's name).
    operation: str = ""
    #: Whether the body is optional (an empty body leaves `AdminCall.body` None).
    body_optional: bool = False
    #: What a successful answer is (the dashboard's page is ``text/html``).
    media_type: str = "application/json"
    #: The admin token may also come as ``?access_token=`` (RFC 6750), for a page a
    #: browser opens (it cannot send the header when following a link).
    token_in_query: bool = False
    #: It works in the scope the ``X-Mock-Scope`` header names (the OpenAPI document
    #: lists the header).
    scoped: bool = False

    def prepare(self, call: AdminCall) -> None:
        """Validate the call's query and body as this route declares them (a bad value is a
        400 naming the field) and put the results in `call.query` and `call.body`."""
        if self.query is not None:
            call.query = self.query.model_validate({k: call.raw_query[k] for k in call.raw_query})
        if self.body is not None and not (self.body_optional and not call.raw_body.strip()):
            document = call.json()
            if isinstance(self.body, type):
                try:
                    call.body = self.body.model_validate(document)
                except RecursionError as exc:
                    raise AdminError(400, "body: nested too deeply", "body") from exc
            else:
                call.body = document

    @property
    def operation_id(self) -> str:
        """The OpenAPI operationId."""
        name = self.operation or getattr(self.handler, "__name__", "operation").strip("_")
        return name.replace("_", " ").title().replace(" ", "")


@dataclass(slots=True)
class AdminCall:
    """What an admin handler gets: the captures, the query, the body, the headers."""

    method: str
    path: str
    params: dict[str, str]
    headers: CIMultiDictProxy[str]
    raw_query: MultiMapping[str]
    raw_body: bytes
    #: The validated query model (a route with ``query=Model``), else None.
    query: Any = None
    #: The validated body model (a route with ``body=Model``), else the parsed JSON or None.
    body: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        """The body as JSON; a missing or invalid body is a 400."""
        if not self.raw_body.strip():
            raise AdminError(400, "body: a JSON document is required", "body")
        try:
            return json.loads(self.raw_body)
        except (ValueError, RecursionError) as exc:
            raise AdminError(400, f"body: invalid JSON: {exc}", "body") from exc


class AdminAPI:
    """Serves ``/__admin/...`` for one mock from one route table.

    `token`, when set, is required as ``Authorization: Bearer <token>`` on every route.
    """

    def __init__(
        self, routes: Sequence[AdminRoute], *, max_body_size: int, token: str | None = None
    ) -> None:
        self.router: Router[AdminRoute] = Router(list(routes))
        self.max_body_size = max_body_size
        self.token = token

    @property
    def routes(self) -> list[AdminRoute]:
        """Every admin route, in order."""
        return list(self.router)

    async def __call__(self, http: WireRequest) -> None:
        """Answer one admin request (never raises: bad input is a 4xx)."""
        try:
            self._authorize(http)
            route, params = self._resolve(http.method, http.path)
            result = await self._run(route, http, params)
            reply = _reply(result, route.status)
        except AdminError as exc:
            reply = Reply.json(exc.document(), exc.status)
        except ValidationError as exc:
            reply = Reply.json(validation_error(exc).document(), 400)
        except Exception as exc:  # a bug: answer it, log it, keep serving
            log.exception("admin %s %s failed", http.method, http.path)
            error = AdminError(500, f"the admin API failed: {type(exc).__name__}: {exc}")
            reply = Reply.json(error.document(), 500)
        log.debug("admin %s %s -> %d", http.method, http.path_qs, reply.status)
        http.response.send(reply.status, list(reply.headers.items()), reply.body, reply.reason)

    def _authorize(self, http: WireRequest) -> None:
        if self.token is None:
            return
        given = http.headers.get("Authorization", "")
        scheme, _, credentials = given.partition(" ")
        if scheme.lower() == "bearer" and self._is_token(credentials.strip()):
            return
        found = self.router.resolve(http.method, http.path)
        in_query = found is not None and found[0].token_in_query
        if in_query and self._is_token(http.query.get("access_token", "")):
            return
        raise AdminError(401, "admin routes need 'Authorization: Bearer <admin token>'")

    def _is_token(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode(), self.token.encode())

    def _resolve(self, method: str, path: str) -> tuple[AdminRoute, dict[str, str]]:
        found = self.router.resolve(method, path)
        if found is not None:
            return found
        allowed = self.router.allows(path)
        if allowed:
            raise AdminError(405, f"{method} is not allowed on {path}; use {', '.join(allowed)}")
        raise AdminError(404, f"no admin route {method} {path}; see /__admin/openapi.json")

    async def _run(self, route: AdminRoute, http: WireRequest, params: dict[str, str]) -> Any:
        body, too_large = await http.read_body(self.max_body_size)
        if too_large:
            raise AdminError(413, f"body: larger than {self.max_body_size} bytes", "body")
        try:
            body = decoded_body(body, http.headers, self.max_body_size)
        except UnreadableBody as exc:
            raise AdminError(exc.status, f"body: {exc.message}", "body") from None
        call = AdminCall(http.method, http.path, params, http.headers, http.query, body)
        route.prepare(call)
        result = route.handler(call)
        return await result if inspect.isawaitable(result) else result


def _reply(result: Any, status: int) -> Reply:
    if isinstance(result, Reply):
        return result
    if result is None and status == 204:
        return Reply(204)
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", by_alias=True)
    return Reply.json(result, status)


__all__ = ["AdminAPI", "AdminCall", "AdminError", "AdminRoute", "Schema", "validation_error"]
