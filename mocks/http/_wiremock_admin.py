"""WireMock's admin API on MockHTTP, beside the engine's own, in WireMock's JSON shapes.

Mappings (list, create, get, edit, delete, reset, import, find/remove by metadata), the
journal (list, one event, count, find, unmatched, near misses, reset), near misses of a
request or a pattern, scenarios (list, reset, set state), reset and global settings.

Nine routes exist in both APIs with different shapes (``GET /__admin/requests``, ...).
`WireMockAdmin.shared` puts one route on each that picks the API per call: a body tells
(a native matcher has a ``kind``; WireMock's settings have ``fixedDelay`` or
``delayDistribution``), else the header ``X-Mock-Admin-Dialect: wiremock|native``,
else the mock's mode (`MockHTTP.wiremock_mode`).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from ..core import (
    AdminCall,
    AdminRoute,
    FixedDelay,
    Journal,
    LogNormalDelay,
    MockSettings,
    Reply,
    UniformDelay,
)
from ._wiremock_errors import MappingError
from ._wiremock_journal import ServeLog
from ._wiremock_matchers import value_request
from ._wiremock_request import body_pattern, request_matcher
from ._wiremock_response import delay_distribution
from ._wiremock_shapes import (
    LoggedRequestError,
    distance,
    error_reply,
    logged_request,
    pointer,
    request_from_logged,
    serve_event,
)
from ._wiremock_stubs import WireMockStubs


class WireMockHost(Protocol):
    """What WireMock's admin routes use of the mock (MockHTTP)."""

    wiremock_stubs: WireMockStubs
    serve_log: ServeLog
    wiremock_mode: bool

    @property
    def url(self) -> str: ...

    @property
    def requests(self) -> Journal: ...

    @property
    def settings(self) -> MockSettings: ...

    def reset(self, *, keep_stubs: bool = True) -> None: ...

    def scenario_state(self, scenario: str) -> str: ...

    def set_scenario_state(self, scenario: str, state: str) -> None: ...

    def with_latency(self, delay: Any) -> Any: ...


Handler = Callable[[AdminCall], Reply | Awaitable[Reply]]
_SETTINGS = {"fixedDelay", "delayDistribution", "extended", "proxyPassThrough"}
_NEAR_MISSES = 3
_EMPTY = Reply(200)


class _Refused(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _ok(document: Any, status: int = 200) -> Reply:
    return Reply.json(document, status)


def _count(call: AdminCall, name: str, default: int | None = None) -> int | None:
    """A whole-number query parameter (422 naming it when it is not one)."""
    text = call.raw_query.get(name)
    if not text:
        return default
    if not text.isdigit():
        raise _Refused(error_reply(422, f"{name}: not a whole number: {text!r}", f"/{name}"))
    return int(text)


def _match_result(distance: float) -> dict[str, Any]:
    return {"subEvents": [], "diffDescriptions": [], "distance": distance}


def _document(call: AdminCall) -> Any:
    if not call.raw_body.strip():
        raise _Refused(error_reply(422, "a JSON body is required"))
    try:
        return json.loads(call.raw_body)
    except ValueError as exc:
        raise _Refused(error_reply(422, f"Error parsing JSON: {exc}")) from exc


def _mapping_error(exc: MappingError, prefix: str = "") -> Reply:
    field = f"{prefix}.{exc.field}" if prefix else exc.field
    return error_reply(422, f"{field}: {exc.message}", pointer(field))


def _handled(handler: Callable[[AdminCall], Reply]) -> Callable[[AdminCall], Reply]:
    def run(call: AdminCall) -> Reply:
        try:
            return handler(call)
        except _Refused as refused:
            return refused.reply
        except MappingError as exc:
            return _mapping_error(exc)

    run.__name__ = handler.__name__
    return run


class WireMockAdmin:
    """The WireMock admin handlers of one MockHTTP."""

    def __init__(self, mock: WireMockHost) -> None:
        self.mock = mock

    @property
    def _stubs(self) -> WireMockStubs:
        return self.mock.wiremock_stubs

    # ---- mappings ------------------------------------------------------------------

    def list_mappings(self, call: AdminCall) -> Reply:
        mappings = self._stubs.listing()
        offset = _count(call, "offset", 0) or 0
        limit = _count(call, "limit")
        page = mappings[offset:] if limit is None else mappings[offset : offset + limit]
        return _ok({"mappings": page, "meta": {"total": len(mappings)}})

    def create_mapping(self, call: AdminCall) -> Reply:
        translated = self._stubs.translate(_document(call))
        self._stubs.add(translated)
        return _ok(translated.mapping, 201)

    def get_mapping(self, call: AdminCall) -> Reply:
        found = self._stubs.get(call.params["id"])
        return Reply(404) if found is None else _ok(found)

    def edit_mapping(self, call: AdminCall) -> Reply:
        stub_id = call.params["id"]
        if self._stubs.get(stub_id) is None:
            return Reply(404)
        document = _document(call)
        if not isinstance(document, dict):
            raise _Refused(error_reply(422, "a mapping is a JSON object"))
        translated = self._stubs.translate({**document, "id": stub_id, "uuid": stub_id})
        self._stubs.add(translated)
        return _ok(translated.mapping)

    def delete_mapping(self, call: AdminCall) -> Reply:
        return _ok({}) if self._stubs.remove(call.params["id"]) else Reply(404)

    def delete_mappings(self, call: AdminCall) -> Reply:
        self._stubs.remove_all()
        return _ok({})

    def reset_mappings(self, call: AdminCall) -> Reply:
        self._stubs.reset_to_files()
        return _ok({})

    def import_mappings(self, call: AdminCall) -> Reply:
        document = _document(call)
        items = document.get("mappings") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise _Refused(error_reply(422, "mappings: a list is required", "/mappings"))
        options = document.get("importOptions") or {}
        if not isinstance(options, dict):
            raise _Refused(error_reply(422, "importOptions: must be an object", "/importOptions"))
        translated = []
        for index, item in enumerate(items):
            try:
                translated.append(self._stubs.translate(item))
            except MappingError as exc:
                return _mapping_error(exc, f"mappings[{index}]")
        if options.get("deleteAllNotInImport"):
            self._stubs.remove_all()
        ignore = options.get("duplicatePolicy") == "IGNORE"
        for item in translated:
            if not (ignore and self._stubs.get(item.spec.id) is not None):
                self._stubs.add(item)
        return _ok({})

    def _by_metadata(self, call: AdminCall) -> list[dict[str, Any]]:
        matcher = body_pattern(_document(call), "")
        return [
            mapping
            for mapping in self._stubs.listing()
            if matcher.matches(value_request(json.dumps(mapping.get("metadata") or {})))
        ]

    def find_by_metadata(self, call: AdminCall) -> Reply:
        found = self._by_metadata(call)
        return _ok({"mappings": found, "meta": {"total": len(found)}})

    def remove_by_metadata(self, call: AdminCall) -> Reply:
        for mapping in self._by_metadata(call):
            self._stubs.remove(mapping["id"])
        return _ok({})

    # ---- journal -------------------------------------------------------------------

    def _event(self, entry: Any) -> dict[str, Any]:
        event_id, served = self.mock.serve_log.event(entry)
        mapping = self._stubs.mapping_of(entry.matched)
        return serve_event(entry, event_id, served, mapping, self.mock.url)

    def list_requests(self, call: AdminCall) -> Reply:
        entries = list(reversed(self.mock.requests.snapshot()))
        since = call.raw_query.get("since")
        if since:
            try:
                moment = dt.datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise _Refused(error_reply(422, f"since: not a date: {since!r}")) from None
            entries = [e for e in entries if e.arrived_at >= moment]
        total = len(entries)
        limit = _count(call, "limit")
        if limit is not None:
            entries = entries[:limit]
        events = [self._event(entry) for entry in entries]
        return _ok({"requests": events, "meta": {"total": total}, "requestJournalDisabled": False})

    def get_request(self, call: AdminCall) -> Reply:
        for entry in self.mock.requests.snapshot():
            event = self._event(entry)
            if event["id"] == call.params["id"]:
                return _ok(event)
        return Reply(404)

    def reset_requests(self, call: AdminCall) -> Reply:
        self.mock.requests.clear()
        self.mock.serve_log.clear()
        return _ok({})

    def _pattern(self, call: AdminCall) -> Any:
        return request_matcher(_document(call), "")

    def count_requests(self, call: AdminCall) -> Reply:
        count = len(self.mock.requests.filter(self._pattern(call)))
        return _ok({"count": count, "requestJournalDisabled": False})

    def find_requests(self, call: AdminCall) -> Reply:
        found = self.mock.requests.filter(self._pattern(call))
        logged = [logged_request(entry, self.mock.url) for entry in found]
        return _ok({"requests": logged, "requestJournalDisabled": False})

    def unmatched_requests(self, call: AdminCall) -> Reply:
        logged = [logged_request(entry, self.mock.url) for entry in self.mock.requests.unmatched]
        return _ok({"requests": logged, "requestJournalDisabled": False})

    def unmatched_near_misses(self, call: AdminCall) -> Reply:
        misses = []
        for entry in self.mock.requests.unmatched:
            misses.extend(self._nearest_stubs(entry)[:1])
        return _ok({"nearMisses": misses})

    # ---- near misses ---------------------------------------------------------------

    def _nearest_stubs(self, request: Any) -> list[dict[str, Any]]:
        ranked = sorted(
            (
                (distance(expectation.spec.matcher, request), mapping)
                for expectation, mapping in self._stubs.served()
            ),
            key=lambda item: item[0],
        )
        logged = logged_request(request, self.mock.url)
        return [
            {"request": logged, "stubMapping": mapping, "matchResult": _match_result(gap)}
            for gap, mapping in ranked[:_NEAR_MISSES]
        ]

    def near_misses_of_request(self, call: AdminCall) -> Reply:
        try:
            request = request_from_logged(_document(call))
        except LoggedRequestError as exc:
            return error_reply(422, str(exc), pointer(exc.field))
        return _ok({"nearMisses": self._nearest_stubs(request)})

    def near_misses_of_pattern(self, call: AdminCall) -> Reply:
        pattern = _document(call)
        matcher = request_matcher(pattern, "")
        ranked = sorted(
            ((distance(matcher, entry), entry) for entry in self.mock.requests.snapshot()),
            key=lambda item: item[0],
        )
        misses = [
            {
                "request": logged_request(entry, self.mock.url),
                "requestPattern": pattern,
                "matchResult": _match_result(gap),
            }
            for gap, entry in ranked[:_NEAR_MISSES]
        ]
        return _ok({"nearMisses": misses})

    # ---- scenarios, reset, settings --------------------------------------------------

    def list_scenarios(self, call: AdminCall) -> Reply:
        listed = []
        for name, states in self._stubs.scenarios().items():
            mappings = [m for m in self._stubs.listing() if m.get("scenarioName") == name]
            listed.append(
                {
                    "id": name,
                    "name": name,
                    "state": self.mock.scenario_state(name),
                    "possibleStates": states,
                    "mappings": mappings,
                }
            )
        return _ok({"scenarios": listed})

    def reset_scenarios(self, call: AdminCall) -> Reply:
        for name in self._stubs.scenarios():
            self.mock.set_scenario_state(name, "Started")
        return _ok({})

    def set_scenario_state(self, call: AdminCall) -> Reply:
        name = call.params["name"]
        states = self._stubs.scenarios().get(name)
        if states is None:
            return error_reply(404, f"Scenario {name} does not exist", code=404)
        document = _document(call) if call.raw_body.strip() else {}
        state = document.get("state") if isinstance(document, dict) else None
        if state is None:  # no state: back to the start, as WireMock does
            state = "Started"
        if state not in states:
            return error_reply(422, f"Scenario {name} does not support state {state}", code=11)
        self.mock.set_scenario_state(name, state)
        return _ok({})

    def reset(self, call: AdminCall) -> Reply:
        self.mock.reset()
        return _EMPTY

    def get_settings(self, call: AdminCall) -> Reply:
        latency = self.mock.settings.latency
        settings: dict[str, Any] = {}
        if isinstance(latency, FixedDelay):
            settings["fixedDelay"] = int(latency.ms) if latency.ms.is_integer() else latency.ms
        elif isinstance(latency, UniformDelay):
            settings["delayDistribution"] = {
                "type": "uniform",
                "lower": latency.lower_ms,
                "upper": latency.upper_ms,
            }
        elif isinstance(latency, LogNormalDelay):
            settings["delayDistribution"] = {
                "type": "lognormal",
                "median": latency.median_ms,
                "sigma": latency.sigma,
            }
        return _ok({"settings": settings})

    def update_settings(self, call: AdminCall) -> Reply:
        document = _document(call)
        if not isinstance(document, dict):
            raise _Refused(error_reply(422, "settings are a JSON object"))
        unknown = set(document) - _SETTINGS
        if unknown:
            field = sorted(unknown)[0]
            return error_reply(422, f"{field}: not a global setting", pointer(field))
        fixed = document.get("fixedDelay")
        distribution = document.get("delayDistribution")
        latency: FixedDelay | UniformDelay | LogNormalDelay | None = None
        if fixed is not None:
            if isinstance(fixed, bool) or not isinstance(fixed, int | float) or fixed < 0:
                return error_reply(422, "fixedDelay: milliseconds, 0 or more", "/fixedDelay")
            latency = FixedDelay(ms=fixed)
        elif distribution is not None:
            latency = delay_distribution(distribution, "delayDistribution")
        self.mock.with_latency(latency)
        return Reply(200)

    # ---- the tables ----------------------------------------------------------------

    def routes(self) -> list[AdminRoute]:
        """WireMock's routes that the engine does not have."""
        table: list[tuple[str, str, Callable[[AdminCall], Reply], str]] = [
            ("GET", "/__admin/mappings", self.list_mappings, "WireMock: list stub mappings"),
            ("POST", "/__admin/mappings", self.create_mapping, "WireMock: create a mapping"),
            ("DELETE", "/__admin/mappings", self.delete_mappings, "WireMock: delete all"),
            ("GET", "/__admin/mappings/{id}", self.get_mapping, "WireMock: get a mapping"),
            ("PUT", "/__admin/mappings/{id}", self.edit_mapping, "WireMock: edit a mapping"),
            ("DELETE", "/__admin/mappings/{id}", self.delete_mapping, "WireMock: delete one"),
            ("POST", "/__admin/mappings/reset", self.reset_mappings, "WireMock: file mappings"),
            ("POST", "/__admin/mappings/import", self.import_mappings, "WireMock: import"),
            (
                "POST",
                "/__admin/mappings/find-by-metadata",
                self.find_by_metadata,
                "WireMock: mappings whose metadata match",
            ),
            (
                "POST",
                "/__admin/mappings/remove-by-metadata",
                self.remove_by_metadata,
                "WireMock: remove mappings whose metadata match",
            ),
            ("GET", "/__admin/requests/{id}", self.get_request, "WireMock: one serve event"),
            ("POST", "/__admin/requests/reset", self.reset_requests, "WireMock: clear journal"),
            (
                "GET",
                "/__admin/requests/unmatched/near-misses",
                self.unmatched_near_misses,
                "WireMock: near misses of unmatched requests",
            ),
            (
                "POST",
                "/__admin/near-misses/request",
                self.near_misses_of_request,
                "WireMock: the mappings nearest a logged request",
            ),
            (
                "POST",
                "/__admin/near-misses/request-pattern",
                self.near_misses_of_pattern,
                "WireMock: the requests nearest a request pattern",
            ),
            ("POST", "/__admin/scenarios/reset", self.reset_scenarios, "WireMock: reset all"),
            (
                "PUT",
                "/__admin/scenarios/{name}/state",
                self.set_scenario_state,
                "WireMock: set a scenario's state",
            ),
            ("POST", "/__admin/settings", self.update_settings, "WireMock: global settings"),
        ]
        errors = (
            (404, "WireMock: no such mapping, request or scenario", AdminRoute.NO_CONTENT),
            (422, "WireMock: invalid input (its errors body, pointing at the field)", None),
        )
        #: WireMock's own answers where they are not a 200 JSON object.
        answers: dict[tuple[str, str], tuple[int, str | None]] = {
            ("POST", "/__admin/mappings"): (201, None),
            ("POST", "/__admin/settings"): (200, AdminRoute.NO_CONTENT),
        }
        return [
            AdminRoute(
                method,
                path,
                _handled(handler),
                summary,
                body_optional=True,
                responses=errors,
                status=answers.get((method, path), (200, None))[0],
                response=answers.get((method, path), (200, None))[1],
            )
            for method, path, handler, summary in table
        ]

    def shared(self, routes: Sequence[AdminRoute]) -> list[AdminRoute]:
        """`routes` with each route both APIs share answering the API the call speaks."""
        wiremock: dict[tuple[str, str], tuple[Callable[[AdminCall], Reply], Callable[..., bool]]]
        wiremock = {
            ("GET", "/__admin/requests"): (self.list_requests, self._bodiless),
            ("DELETE", "/__admin/requests"): (self.reset_requests, self._bodiless),
            ("POST", "/__admin/requests/find"): (self.find_requests, self._pattern_body),
            ("POST", "/__admin/requests/count"): (self.count_requests, self._pattern_body),
            ("GET", "/__admin/requests/unmatched"): (self.unmatched_requests, self._bodiless),
            ("POST", "/__admin/reset"): (self.reset, self._bodiless),
            ("GET", "/__admin/scenarios"): (self.list_scenarios, self._bodiless),
            ("GET", "/__admin/settings"): (self.get_settings, self._bodiless),
            ("PUT", "/__admin/settings"): (self.update_settings, self._settings_body),
        }
        shared = []
        for route in routes:
            found = wiremock.get((route.method, route.path))
            shared.append(route if found is None else self._either(route, *found))
        return shared

    # ---- choosing the API per call -------------------------------------------------------

    def _dialect(self, call: AdminCall) -> str | None:
        chosen = call.headers.get("X-Mock-Admin-Dialect", "").lower()
        return chosen if chosen in ("wiremock", "native") else None

    def _mode(self, call: AdminCall) -> bool:
        chosen = self._dialect(call)
        return chosen == "wiremock" if chosen else self.mock.wiremock_mode

    def _bodiless(self, call: AdminCall) -> bool:
        return not call.raw_body.strip() and self._mode(call)

    def _pattern_body(self, call: AdminCall) -> bool:
        if call.body is None:  # no body, or not JSON: the mode says whose error it gets
            return self._mode(call)
        return isinstance(call.body, dict) and "kind" not in call.body

    def _settings_body(self, call: AdminCall) -> bool:
        body = call.body
        if body is None:
            return self._mode(call)
        return isinstance(body, dict) and bool(body) and set(body) <= _SETTINGS

    def _either(
        self, native: AdminRoute, wiremock: Callable[[AdminCall], Reply], speaks: Any
    ) -> AdminRoute:
        handled = _handled(wiremock)

        async def handler(call: AdminCall) -> Any:
            call.body = _parsed(call.raw_body)
            if speaks(call):
                return handled(call)
            native.prepare(call)
            result = native.handler(call)
            return await result if inspect.isawaitable(result) else result

        handler.__name__ = getattr(native.handler, "__name__", "handler")
        return AdminRoute(
            native.method,
            native.path,
            handler,
            native.summary + " (WireMock's shape for WireMock calls)",
            response=None,  # the native schema, or WireMock's shape: one JSON object or other
            status=native.status,
            responses=native.responses,
            operation=native.operation_id,
            body_optional=True,
        )


def _parsed(raw: bytes) -> Any:
    """The body as JSON; None when it is empty or not JSON."""
    try:
        return json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return None


__all__ = ["WireMockAdmin"]
