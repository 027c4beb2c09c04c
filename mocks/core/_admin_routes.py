"""The engine's admin routes: expectations, journal, verify, reset, settings, scenarios, health.

A test in any language does over HTTP what the Python API does::

    curl -X POST $MOCK/__admin/expectations -d '{"matcher": {"kind": "path", "value": "/ping"},
                                                  "response": {"json": {"ok": true}}, "times": 1}'
    curl $MOCK/ping
    curl $MOCK/__admin/verify        # 200 when everything held, 409 and the report otherwise
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._admin import AdminCall, AdminError, AdminRoute, validation_error
from ._contracts import ContractError
from ._datafile import dotted
from ._engine import SCENARIO_START
from ._expectation import Expectation, ExpectationSpec
from ._matchers import Matcher, parse_matcher
from ._reply import Reply
from ._request import RecordedRequest
from ._state import MockState
from ._verify import Report

#: Expectation fields the API adds when it answers; ignored when posted back.
READ_ONLY_FIELDS = ("call_count", "satisfied", "serializable")


class AdminHost(Protocol):
    """What the engine's admin routes use of a mock."""

    state: MockState

    @property
    def url(self) -> str: ...

    def add_expectation(self, spec: ExpectationSpec) -> Expectation: ...

    def remove_expectation(self, expectation: Expectation | str) -> bool: ...

    def reset(self, *, keep_stubs: bool = True) -> None: ...

    def report(self) -> Report: ...

    def openapi(self) -> dict[str, Any]: ...


class LimitQuery(BaseModel):
    """A page of the journal: the newest `limit` entries, after skipping the newest
    `offset` (oldest first within the page); ``total`` says how many there are."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    limit: int = Field(100, ge=0, le=10_000, description="entries per page (default 100)")
    offset: int = Field(0, ge=0, description="skip this many of the newest entries")


class JournalQuery(LimitQuery):
    """Query parameters of the journal listing."""

    unmatched: bool = Field(False, description="only unmatched requests")


class ResetRequest(BaseModel):
    """Optional body of ``POST /__admin/reset``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    #: Restore the expectations loaded from stub files and cassettes (false drops them).
    keep_stubs: bool = True


class EngineAdmin:
    """The handlers of the engine's admin routes, for one mock."""

    def __init__(self, host: AdminHost) -> None:
        self.host = host
        self.state = host.state

    # ---- expectations ---------------------------------------------------------------

    @staticmethod
    def describe(expectation: Expectation) -> dict[str, Any]:
        """An expectation as JSON: its spec plus the read-only call count and state."""
        spec = expectation.spec
        return {
            **spec.model_dump(mode="json"),
            "call_count": expectation.call_count,
            "satisfied": expectation.satisfied,
            "serializable": spec.matcher.serializable
            and (spec.response is None or spec.response.serializable),
        }

    @staticmethod
    def _spec(document: Any, prefix: Sequence[int | str] = ()) -> ExpectationSpec:
        if not isinstance(document, dict):
            where = dotted(prefix) if prefix else "body"
            raise AdminError(400, f"{where}: an expectation must be a JSON object", where)
        document = {k: v for k, v in document.items() if k not in READ_ONLY_FIELDS}
        try:
            return ExpectationSpec.model_validate(document)
        except ValidationError as exc:
            raise validation_error(exc, prefix) from exc
        except RecursionError as exc:
            where = dotted(prefix) or "body"
            raise AdminError(400, f"{where}: nested too deeply", where) from exc

    def create_expectations(self, call: AdminCall) -> dict[str, Any]:
        document = call.body
        many = isinstance(document, list)
        items = document if many else [document]
        specs = [self._spec(item, (i,) if many else ()) for i, item in enumerate(items)]
        ids = [s.id for s in specs]
        for index, spec in enumerate(specs):
            taken = self.state.engine.get(spec.id) is not None or ids.index(spec.id) != index
            if taken:
                where = dotted([index, "id"] if many else ["id"])
                raise AdminError(409, f"{where}: an expectation {spec.id!r} exists", where)
        added: list[Expectation] = []
        try:
            for spec in specs:
                added.append(self.host.add_expectation(spec))
        except ContractError as exc:
            for expectation in added:  # all or nothing
                self.host.remove_expectation(expectation)
            where = dotted([len(added), "response"] if many else ["response"])
            raise AdminError(400, f"{where}: {exc}", where) from exc
        described = [self.describe(e) for e in added]
        return {"expectations": described, "total": len(described)} if many else described[0]

    def list_expectations(self, call: AdminCall) -> dict[str, Any]:
        items = [self.describe(e) for e in self.state.engine.expectations]
        return {"expectations": items, "total": len(items)}

    def _expectation(self, expectation_id: str) -> Expectation:
        found = self.state.engine.get(expectation_id)
        if found is None:
            raise AdminError(404, f"no expectation {expectation_id!r}", "id")
        return found

    def get_expectation(self, call: AdminCall) -> dict[str, Any]:
        return self.describe(self._expectation(call.params["id"]))

    def delete_expectation(self, call: AdminCall) -> None:
        self.host.remove_expectation(self._expectation(call.params["id"]))

    def delete_expectations(self, call: AdminCall) -> dict[str, Any]:
        expectations = self.state.engine.expectations
        for expectation in expectations:
            self.host.remove_expectation(expectation)
        return {"deleted": len(expectations)}

    # ---- journal --------------------------------------------------------------------

    def list_requests(self, call: AdminCall) -> dict[str, Any]:
        query: JournalQuery = call.query
        entries = self.state.journal.snapshot()
        if query.unmatched:
            entries = [e for e in entries if e.unmatched]
        return self._entries(entries, query)

    def _entries(self, entries: list[RecordedRequest], page: LimitQuery) -> dict[str, Any]:
        total = len(entries)
        end = max(total - page.offset, 0)
        shown = entries[max(end - page.limit, 0) : end]
        return {
            "requests": [e.to_dict() for e in shown],
            "total": total,
            "offset": page.offset,
            "limit": page.limit,
            "dropped": self.state.journal.dropped,
        }

    @staticmethod
    def _matcher(call: AdminCall) -> Matcher:
        document = call.body
        if not isinstance(document, dict):
            raise AdminError(400, "body: a matcher must be a JSON object with a 'kind'", "body")
        try:
            matcher: Matcher = parse_matcher(document)
        except ValidationError as exc:
            raise validation_error(exc) from exc
        except RecursionError as exc:
            raise AdminError(400, "body: nested too deeply", "body") from exc
        except ValueError as exc:
            raise AdminError(400, f"kind: {exc}", "kind") from exc
        return matcher

    def find_requests(self, call: AdminCall) -> dict[str, Any]:
        return self._entries(self.state.journal.filter(self._matcher(call)), call.query)

    def count_requests(self, call: AdminCall) -> dict[str, Any]:
        return {"count": len(self.state.journal.filter(self._matcher(call)))}

    def clear_requests(self, call: AdminCall) -> dict[str, Any]:
        cleared = len(self.state.journal)
        self.state.journal.clear()
        return {"cleared": cleared}

    def unmatched_requests(self, call: AdminCall) -> dict[str, Any]:
        items = []
        for entry in self.state.journal.unmatched:
            near_miss = self.state.engine.near_miss(entry)
            items.append({**entry.to_dict(), "nearest": near_miss.to_dict()})
        return {"requests": items, "total": len(items)}

    # ---- verify, reset, health, openapi ----------------------------------------------

    def verify(self, call: AdminCall) -> Reply:
        report = self.host.report()
        return Reply.json(report.to_dict(), status=409 if report else 200)

    def reset(self, call: AdminCall) -> dict[str, Any]:
        keep = call.body.keep_stubs if isinstance(call.body, ResetRequest) else True
        self.host.reset(keep_stubs=keep)
        return {"reset": True, "expectations": len(self.state.engine.expectations)}

    def health(self, call: AdminCall) -> dict[str, Any]:
        return {
            "status": "ok",
            "mock": type(self.host).__name__,
            "service": self.state.service,
            "url": self.host.url,
            "expectations": len(self.state.engine.expectations),
            "requests": len(self.state.journal),
        }

    def openapi(self, call: AdminCall) -> dict[str, Any]:
        return self.host.openapi()

    # ---- settings and scenarios -------------------------------------------------------

    def settings_document(self) -> dict[str, Any]:
        """The mock-wide settings as JSON, with the seed."""
        return {**self.state.settings.model_dump(mode="json"), "seed": self.state.seed}

    def get_settings(self, call: AdminCall) -> dict[str, Any]:
        return self.settings_document()

    def put_settings(self, call: AdminCall) -> dict[str, Any]:
        changes = call.body
        if not isinstance(changes, dict):
            raise AdminError(400, "body: settings must be a JSON object", "body")
        seed = changes.pop("seed", None)
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise AdminError(400, "seed: must be an integer", "seed")
        latency = changes.get("latency")
        if isinstance(latency, int | float) and not isinstance(latency, bool):
            changes["latency"] = {"kind": "fixed", "ms": latency}
        settings = self.state.settings
        try:
            updated = type(settings).model_validate({**settings.model_dump(), **changes})
        except ValidationError as exc:
            raise validation_error(exc) from exc
        for name in changes:
            setattr(settings, name, getattr(updated, name))
        if seed is not None:
            self.state.reseed(seed)
        return self.settings_document()

    def _scenarios(self) -> dict[str, str]:
        engine = self.state.engine
        names = {e.spec.scenario for e in engine.expectations if e.spec.scenario is not None}
        names.update(engine.scenarios)
        return {name: engine.scenarios.get(name, SCENARIO_START) for name in sorted(names)}

    def get_scenarios(self, call: AdminCall) -> dict[str, Any]:
        return {"scenarios": self._scenarios()}

    def put_scenarios(self, call: AdminCall) -> dict[str, Any]:
        states = call.body
        if not isinstance(states, dict):
            raise AdminError(400, "body: a JSON object of scenario -> state", "body")
        for name, state in states.items():
            if not isinstance(state, str):
                raise AdminError(400, f"{name}: a state must be a string", name)
        self.state.engine.scenarios.update(states)
        return {"scenarios": self._scenarios()}

    def put_scenario(self, call: AdminCall) -> dict[str, Any]:
        document = call.body
        state = document.get("state") if isinstance(document, dict) else None
        if not isinstance(state, str):
            raise AdminError(400, "state: a string is required", "state")
        self.state.engine.scenarios[call.params["name"]] = state
        return {"scenarios": self._scenarios()}

    # ---- the table ------------------------------------------------------------------

    def routes(self) -> list[AdminRoute]:
        """The engine's admin routes (the OpenAPI document is built from them)."""
        bad = (400, "Invalid input; `error.field` names the offending field", "Error")
        return [
            AdminRoute(
                "GET", "/__admin/health", self.health, "Health and counts", response="Health"
            ),
            AdminRoute(
                "GET",
                "/__admin/openapi.json",
                self.openapi,
                "This OpenAPI document",
                response="OpenAPIDocument",
            ),
            AdminRoute(
                "POST",
                "/__admin/expectations",
                self.create_expectations,
                "Create one expectation (an object) or many (an array)",
                body="ExpectationInput",
                response="ExpectationCreated",
                status=201,
                responses=(bad, (409, "An expectation with that id exists", "Error")),
            ),
            AdminRoute(
                "GET",
                "/__admin/expectations",
                self.list_expectations,
                "List expectations in matching order",
                response="ExpectationList",
            ),
            AdminRoute(
                "DELETE",
                "/__admin/expectations",
                self.delete_expectations,
                "Delete every expectation",
                response="Deleted",
            ),
            AdminRoute(
                "GET",
                "/__admin/expectations/{id}",
                self.get_expectation,
                "Get one expectation",
                response="Expectation",
                responses=((404, "No such expectation", "Error"),),
            ),
            AdminRoute(
                "DELETE",
                "/__admin/expectations/{id}",
                self.delete_expectation,
                "Delete one expectation",
                status=204,
                responses=((404, "No such expectation", "Error"),),
            ),
            AdminRoute(
                "GET",
                "/__admin/requests",
                self.list_requests,
                "The journal, oldest first",
                query=JournalQuery,
                response="RequestList",
                responses=(bad,),
            ),
            AdminRoute(
                "DELETE",
                "/__admin/requests",
                self.clear_requests,
                "Clear the journal",
                response="Cleared",
            ),
            AdminRoute(
                "POST",
                "/__admin/requests/find",
                self.find_requests,
                "Journal entries matching a matcher (the expectations' matcher JSON)",
                body="Matcher",
                query=LimitQuery,
                response="RequestList",
                responses=(bad,),
            ),
            AdminRoute(
                "POST",
                "/__admin/requests/count",
                self.count_requests,
                "How many journal entries match a matcher",
                body="Matcher",
                response="Count",
                responses=(bad,),
            ),
            AdminRoute(
                "GET",
                "/__admin/requests/unmatched",
                self.unmatched_requests,
                "Unmatched requests with their nearest expectation and what differed",
                response="UnmatchedList",
            ),
            AdminRoute(
                "GET",
                "/__admin/verify",
                self.verify,
                "Verify: expectations met, no unmatched requests, no contract violations",
                response="VerifyReport",
                responses=(
                    (409, "Problems found: the same report verify() gives", "VerifyReport"),
                ),
            ),
            AdminRoute(
                "POST",
                "/__admin/reset",
                self.reset,
                "Clear expectations, journal, scenarios and faults; restore stub files "
                "(unless keep_stubs is false)",
                body=ResetRequest,
                body_optional=True,
                response="ResetResult",
                responses=(bad,),
            ),
            AdminRoute(
                "GET",
                "/__admin/settings",
                self.get_settings,
                "Mock-wide settings",
                response="Settings",
            ),
            AdminRoute(
                "PUT",
                "/__admin/settings",
                self.put_settings,
                "Change mock-wide settings (only the fields given; null removes a fault)",
                body="SettingsUpdate",
                response="Settings",
                responses=(bad,),
            ),
            AdminRoute(
                "GET",
                "/__admin/scenarios",
                self.get_scenarios,
                "Scenario states",
                response="Scenarios",
            ),
            AdminRoute(
                "PUT",
                "/__admin/scenarios",
                self.put_scenarios,
                "Set several scenario states",
                body="ScenarioStates",
                response="Scenarios",
                responses=(bad,),
            ),
            AdminRoute(
                "PUT",
                "/__admin/scenarios/{name}",
                self.put_scenario,
                "Set one scenario's state",
                body="ScenarioState",
                response="Scenarios",
                responses=(bad,),
            ),
        ]


__all__ = ["AdminHost", "EngineAdmin", "JournalQuery", "ResetRequest"]
