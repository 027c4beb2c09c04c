"""The admin REST API: a mock's engine over HTTP, under ``/__admin`` on the mock's own port.

Every mock has one (`BaseMock.admin`), so a test in any language can do what the Python
API does: program expectations (the `ExpectationSpec` JSON), read and filter the journal
with the same matcher JSON, verify, reset, change mock-wide settings and scenario states::

    curl -X POST $MOCK/__admin/expectations -d '{"matcher": {"kind": "path", "value": "/ping"},
                                                  "response": {"json": {"ok": true}}, "times": 1}'
    curl $MOCK/ping
    curl $MOCK/__admin/verify        # 200 when everything held, 409 and the report otherwise

Bad input is answered 400 with ``{"error": {"message", "field", "details"}}``, where
``field`` is the dotted path of the offending value (``matcher.all[0].value``), and the
mock keeps serving. `routes()` is the route table; the OpenAPI document is built from it.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import ValidationError

from ._contracts import ContractError
from ._datafile import dotted
from ._expectation import Expectation, ExpectationSpec
from ._matchers import compile_path_template, parse_matcher
from ._recording import RecordedResponse as RecordedResponse  # registers the "recorded" kind

if TYPE_CHECKING:
    from ._mock import BaseMock

#: Expectation fields the API adds when it answers; ignored when posted back.
READ_ONLY_FIELDS = ("call_count", "satisfied", "serializable")

AdminHandler = Callable[["AdminAPI", web.BaseRequest, dict[str, str]], Awaitable[web.Response]]


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

    def response(self) -> web.Response:
        """The JSON answer."""
        error: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.details:
            error["details"] = self.details
        return web.json_response({"error": error}, status=self.status)


def validation_error(exc: ValidationError, prefix: Sequence[int | str] = ()) -> AdminError:
    """A 400 naming every invalid field (the first one in ``field``)."""
    details: list[dict[str, Any]] = [
        {
            "loc": [*prefix, *error["loc"]],
            "field": dotted([*prefix, *error["loc"]]),
            "message": error["msg"].removeprefix("Value error, "),
            "type": error["type"],
        }
        for error in exc.errors(include_url=False)
    ]
    first = details[0] if details else {"field": dotted(prefix), "message": str(exc)}
    return AdminError(400, f"{first['field']}: {first['message']}", first["field"], details)


@dataclass(frozen=True, slots=True)
class AdminRoute:
    """One admin operation: dispatch data and what the OpenAPI document says about it."""

    method: str
    path: str
    handler: AdminHandler
    summary: str
    #: Component name of the request body schema (see `mocks.core._openapi`).
    body: str | None = None
    #: (status, description, component name or None).
    responses: tuple[tuple[int, str, str | None], ...] = ()
    #: (name, JSON type, description) of query parameters.
    query: tuple[tuple[str, str, str], ...] = ()
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", compile_path_template(self.path))


class AdminAPI:
    """Serves ``/__admin/...`` for one mock. ``BaseMock`` installs one without a token.

    `token`, when set, is required as ``Authorization: Bearer <token>`` on every admin
    route. `remember` marks expectations (from stub files, cassettes) that
    ``POST /__admin/reset`` restores, as WireMock restores its file-backed mappings.
    """

    def __init__(
        self, mock: BaseMock, *, token: str | None = None, max_body_size: int | None = None
    ) -> None:
        self.mock = mock
        self.token = token
        self.max_body_size = max_body_size if max_body_size is not None else mock.max_body_size
        self._kept: list[ExpectationSpec] = []

    # ---- baseline ------------------------------------------------------------------

    def remember(self, specs: Sequence[ExpectationSpec]) -> None:
        """Make `specs` (already added) survive ``/__admin/reset``: it re-adds fresh copies."""
        self._kept.extend(_fresh(spec) for spec in specs)

    # ---- dispatch ------------------------------------------------------------------

    async def __call__(self, http: web.BaseRequest) -> web.StreamResponse:
        """Answer one admin request (never raises: bad input is a 4xx)."""
        try:
            self._authorize(http)
            route, params = self._resolve(http.method, http.path)
            response = await route.handler(self, http, params)
        except AdminError as exc:
            response = exc.response()
        except Exception as exc:  # a bug: answer it, log it, keep serving
            self.mock.log.exception("admin %s %s failed", http.method, http.path)
            message = f"the admin API failed: {type(exc).__name__}: {exc}"
            response = AdminError(500, message).response()
        self.mock.log.debug("admin %s %s -> %d", http.method, http.path_qs, response.status)
        return response

    def _authorize(self, http: web.BaseRequest) -> None:
        if self.token is None:
            return
        given = http.headers.get("Authorization", "")
        scheme, _, credentials = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            credentials.strip().encode(), self.token.encode()
        ):
            error = AdminError(401, "admin routes need 'Authorization: Bearer <admin token>'")
            raise error

    def _resolve(self, method: str, path: str) -> tuple[AdminRoute, dict[str, str]]:
        allowed: list[str] = []
        for route in ROUTES:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict()
            allowed.append(route.method)
        if allowed:
            raise AdminError(405, f"{method} is not allowed on {path}; use {', '.join(allowed)}")
        raise AdminError(404, f"no admin route {path}; see /__admin/openapi.json")

    # ---- request bodies ------------------------------------------------------------

    async def _json_body(self, http: web.BaseRequest) -> Any:
        from ._mock import _read_body  # the request path's bounded read

        body, too_large = await _read_body(http, self.max_body_size)
        if too_large:
            raise AdminError(400, f"body: larger than {self.max_body_size} bytes", "body")
        if not body.strip():
            raise AdminError(400, "body: a JSON document is required", "body")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise AdminError(400, f"body: invalid JSON: {exc}", "body") from exc

    def _spec(self, document: Any, prefix: Sequence[int | str] = ()) -> ExpectationSpec:
        if not isinstance(document, dict):
            where = dotted(prefix) if prefix else "body"
            raise AdminError(400, f"{where}: an expectation must be a JSON object", where)
        document = {k: v for k, v in document.items() if k not in READ_ONLY_FIELDS}
        try:
            return ExpectationSpec.model_validate(document)
        except ValidationError as exc:
            raise validation_error(exc, prefix) from exc

    # ---- expectations --------------------------------------------------------------

    def describe(self, expectation: Expectation) -> dict[str, Any]:
        """An expectation as JSON: its spec plus the read-only call count and state."""
        spec = expectation.spec
        return {
            **spec.model_dump(mode="json"),
            "call_count": expectation.call_count,
            "satisfied": expectation.satisfied,
            "serializable": spec.matcher.serializable
            and (spec.response is None or spec.response.serializable),
        }

    async def create_expectations(
        self, http: web.BaseRequest, params: dict[str, str]
    ) -> web.Response:
        document = await self._json_body(http)
        many = isinstance(document, list)
        items = document if many else [document]
        specs = [self._spec(item, (i,) if many else ()) for i, item in enumerate(items)]
        ids = [s.id for s in specs]
        for index, spec in enumerate(specs):
            taken = self.mock._engine.get(spec.id) is not None or ids.index(spec.id) != index
            if taken:
                where = dotted([index, "id"] if many else ["id"])
                raise AdminError(409, f"{where}: an expectation {spec.id!r} exists", where)
        added: list[Expectation] = []
        try:
            for spec in specs:
                added.append(self.mock.add_expectation(spec))
        except ContractError as exc:
            for expectation in added:  # all or nothing
                self.mock.remove_expectation(expectation)
            index = len(added)
            where = dotted([index, "response"] if many else ["response"])
            raise AdminError(400, f"{where}: {exc}", where) from exc
        described = [self.describe(e) for e in added]
        body = {"expectations": described} if many else described[0]
        return web.json_response(body, status=201)

    async def list_expectations(
        self, http: web.BaseRequest, params: dict[str, str]
    ) -> web.Response:
        items = [self.describe(e) for e in self.mock.expectations]
        return web.json_response({"expectations": items, "total": len(items)})

    def _expectation(self, expectation_id: str) -> Expectation:
        found = self.mock._engine.get(expectation_id)
        if found is None:
            raise AdminError(404, f"no expectation {expectation_id!r}", "id")
        return found

    async def get_expectation(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        return web.json_response(self.describe(self._expectation(params["id"])))

    async def delete_expectation(
        self, http: web.BaseRequest, params: dict[str, str]
    ) -> web.Response:
        self.mock.remove_expectation(self._expectation(params["id"]))
        return web.Response(status=204)

    async def delete_expectations(
        self, http: web.BaseRequest, params: dict[str, str]
    ) -> web.Response:
        expectations = self.mock.expectations
        for expectation in expectations:
            self.mock.remove_expectation(expectation)
        return web.json_response({"deleted": len(expectations)})

    # ---- journal -------------------------------------------------------------------

    def _limit(self, http: web.BaseRequest) -> int | None:
        raw = http.query.get("limit")
        if raw is None:
            return None
        if not raw.isdigit():
            raise AdminError(400, "limit: must be a whole number", "limit")
        return int(raw)

    async def list_requests(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        entries = self.mock.requests.snapshot()
        if http.query.get("unmatched", "").lower() in ("1", "true", "yes"):
            entries = [e for e in entries if e.unmatched]
        return self._entries(entries, self._limit(http))

    def _entries(self, entries: list[Any], limit: int | None) -> web.Response:
        total = len(entries)
        if limit is not None:
            entries = entries[-limit:] if limit else []
        return web.json_response(
            {
                "requests": [e.to_dict() for e in entries],
                "total": total,
                "dropped": self.mock.requests.dropped,
            }
        )

    async def _matcher(self, http: web.BaseRequest) -> Any:
        document = await self._json_body(http)
        try:
            return parse_matcher(document) if isinstance(document, dict) else _not_matcher()
        except ValidationError as exc:
            raise validation_error(exc) from exc
        except ValueError as exc:
            raise AdminError(400, f"kind: {exc}", "kind") from exc

    async def find_requests(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        matcher = await self._matcher(http)
        return self._entries(self.mock.requests.filter(matcher), self._limit(http))

    async def count_requests(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        matcher = await self._matcher(http)
        return web.json_response({"count": len(self.mock.requests.filter(matcher))})

    async def clear_requests(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        cleared = len(self.mock.requests)
        self.mock.requests.clear()
        return web.json_response({"cleared": cleared})

    async def unmatched_requests(
        self, http: web.BaseRequest, params: dict[str, str]
    ) -> web.Response:
        items = []
        for entry in self.mock.requests.unmatched:
            near_miss = self.mock._engine.near_miss(entry)
            items.append({**entry.to_dict(), "nearest": near_miss.to_dict()})
        return web.json_response({"requests": items, "total": len(items)})

    # ---- verify, reset, health -----------------------------------------------------

    async def verify(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        report = self.mock.report()
        return web.json_response(report.to_dict(), status=409 if report else 200)

    async def reset(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        self.mock.reset()
        for spec in self._kept:
            self.mock.add_expectation(_fresh(spec))
        return web.json_response({"reset": True, "expectations": len(self.mock.expectations)})

    async def health(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        return web.json_response(
            {
                "status": "ok",
                "mock": type(self.mock).__name__,
                "service": self.mock.service,
                "url": self.mock.url,
                "expectations": len(self.mock.expectations),
                "requests": len(self.mock.requests),
            }
        )

    async def openapi(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        from ._openapi import openapi_document

        return web.json_response(openapi_document(self.mock, ROUTES))

    # ---- settings and scenarios ----------------------------------------------------

    def settings_document(self) -> dict[str, Any]:
        """The mock-wide settings as JSON, with the seed."""
        return {**self.mock.settings.model_dump(mode="json"), "seed": self.mock.seed}

    async def get_settings(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        return web.json_response(self.settings_document())

    async def put_settings(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        changes = await self._json_body(http)
        if not isinstance(changes, dict):
            raise AdminError(400, "body: settings must be a JSON object", "body")
        seed = changes.pop("seed", None)
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise AdminError(400, "seed: must be an integer", "seed")
        latency = changes.get("latency")
        if isinstance(latency, int | float) and not isinstance(latency, bool):
            changes["latency"] = {"kind": "fixed", "ms": latency}
        settings_type = type(self.mock.settings)
        try:
            updated = settings_type.model_validate({**self.mock.settings.model_dump(), **changes})
        except ValidationError as exc:
            raise validation_error(exc) from exc
        for name in changes:
            setattr(self.mock.settings, name, getattr(updated, name))
        if seed is not None:
            self.mock.reseed(seed)
        return web.json_response(self.settings_document())

    def _scenarios(self) -> dict[str, str]:
        names = {e.spec.scenario for e in self.mock.expectations if e.spec.scenario is not None}
        names.update(self.mock._engine.scenarios)
        return {name: self.mock.scenario_state(name) for name in sorted(names)}

    async def get_scenarios(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        return web.json_response({"scenarios": self._scenarios()})

    async def put_scenarios(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        states = await self._json_body(http)
        if not isinstance(states, dict):
            raise AdminError(400, "body: a JSON object of scenario -> state", "body")
        for name, state in states.items():
            if not isinstance(state, str):
                raise AdminError(400, f"{name}: a state must be a string", name)
        for name, state in states.items():
            self.mock.set_scenario_state(name, state)
        return web.json_response({"scenarios": self._scenarios()})

    async def put_scenario(self, http: web.BaseRequest, params: dict[str, str]) -> web.Response:
        document = await self._json_body(http)
        state = document.get("state") if isinstance(document, dict) else None
        if not isinstance(state, str):
            raise AdminError(400, "state: a string is required", "state")
        self.mock.set_scenario_state(params["name"], state)
        return web.json_response({"scenarios": self._scenarios()})


def _fresh(spec: ExpectationSpec) -> ExpectationSpec:
    """A new, unplayed copy of a JSON-serializable spec (a sequence starts over)."""
    return ExpectationSpec.model_validate(spec.model_dump(mode="json"))


def _not_matcher() -> Any:
    raise AdminError(400, "body: a matcher must be a JSON object with a 'kind'", "body")


_EXP = "Expectation"
_ERR = "Error"
_BAD = (400, "Invalid input; `error.field` names the offending field", _ERR)

#: Every admin route; the dispatcher and the OpenAPI document both read this table.
ROUTES: tuple[AdminRoute, ...] = (
    AdminRoute(
        "GET",
        "/__admin/health",
        AdminAPI.health,
        "Health and counts",
        responses=((200, "The mock is serving", "Health"),),
    ),
    AdminRoute(
        "GET",
        "/__admin/openapi.json",
        AdminAPI.openapi,
        "This OpenAPI document",
        responses=((200, "OpenAPI 3.1 document", None),),
    ),
    AdminRoute(
        "POST",
        "/__admin/expectations",
        AdminAPI.create_expectations,
        "Create one expectation (an object) or many (an array)",
        body="ExpectationInput",
        responses=(
            (201, "Created: the expectation, or {expectations: [...]}", "ExpectationCreated"),
            _BAD,
            (409, "An expectation with that id exists", _ERR),
        ),
    ),
    AdminRoute(
        "GET",
        "/__admin/expectations",
        AdminAPI.list_expectations,
        "List expectations in matching order",
        responses=((200, "The expectations", "ExpectationList"),),
    ),
    AdminRoute(
        "DELETE",
        "/__admin/expectations",
        AdminAPI.delete_expectations,
        "Delete every expectation",
        responses=((200, "How many", "Deleted"),),
    ),
    AdminRoute(
        "GET",
        "/__admin/expectations/{id}",
        AdminAPI.get_expectation,
        "Get one expectation",
        responses=((200, "The expectation", _EXP), (404, "No such expectation", _ERR)),
    ),
    AdminRoute(
        "DELETE",
        "/__admin/expectations/{id}",
        AdminAPI.delete_expectation,
        "Delete one expectation",
        responses=((204, "Deleted", None), (404, "No such expectation", _ERR)),
    ),
    AdminRoute(
        "GET",
        "/__admin/requests",
        AdminAPI.list_requests,
        "The journal, oldest first",
        query=(
            ("limit", "integer", "only the newest N"),
            ("unmatched", "boolean", "only unmatched requests"),
        ),
        responses=((200, "Journal entries", "RequestList"), _BAD),
    ),
    AdminRoute(
        "DELETE",
        "/__admin/requests",
        AdminAPI.clear_requests,
        "Clear the journal",
        responses=((200, "How many were cleared", "Cleared"),),
    ),
    AdminRoute(
        "POST",
        "/__admin/requests/find",
        AdminAPI.find_requests,
        "Journal entries matching a matcher (the expectations' matcher JSON)",
        body="Matcher",
        query=(("limit", "integer", "only the newest N"),),
        responses=((200, "Matching entries", "RequestList"), _BAD),
    ),
    AdminRoute(
        "POST",
        "/__admin/requests/count",
        AdminAPI.count_requests,
        "How many journal entries match a matcher",
        body="Matcher",
        responses=((200, "The count", "Count"), _BAD),
    ),
    AdminRoute(
        "GET",
        "/__admin/requests/unmatched",
        AdminAPI.unmatched_requests,
        "Unmatched requests with their nearest expectation and what differed",
        responses=((200, "Unmatched entries", "UnmatchedList"),),
    ),
    AdminRoute(
        "GET",
        "/__admin/verify",
        AdminAPI.verify,
        "Verify: expectations met, no unmatched requests, no contract violations",
        responses=(
            (200, "Everything held", "VerifyReport"),
            (409, "Problems found: the same report verify() gives", "VerifyReport"),
        ),
    ),
    AdminRoute(
        "POST",
        "/__admin/reset",
        AdminAPI.reset,
        "Clear expectations, journal, scenarios and faults; restore stub files",
        responses=((200, "Reset", "ResetResult"),),
    ),
    AdminRoute(
        "GET",
        "/__admin/settings",
        AdminAPI.get_settings,
        "Mock-wide settings",
        responses=((200, "The settings", "Settings"),),
    ),
    AdminRoute(
        "PUT",
        "/__admin/settings",
        AdminAPI.put_settings,
        "Change mock-wide settings (only the fields given; null removes a fault)",
        body="SettingsUpdate",
        responses=((200, "The settings now", "Settings"), _BAD),
    ),
    AdminRoute(
        "GET",
        "/__admin/scenarios",
        AdminAPI.get_scenarios,
        "Scenario states",
        responses=((200, "Scenario -> state", "Scenarios"),),
    ),
    AdminRoute(
        "PUT",
        "/__admin/scenarios",
        AdminAPI.put_scenarios,
        "Set several scenario states",
        body="ScenarioStates",
        responses=((200, "Scenario -> state", "Scenarios"), _BAD),
    ),
    AdminRoute(
        "PUT",
        "/__admin/scenarios/{name}",
        AdminAPI.put_scenario,
        "Set one scenario's state",
        body="ScenarioState",
        responses=((200, "Scenario -> state", "Scenarios"), _BAD),
    ),
)

__all__ = ["ROUTES", "AdminAPI", "AdminError", "AdminRoute", "validation_error"]
