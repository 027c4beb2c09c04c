"""The live dashboard: ``/__admin/ui`` on every mock, and one page for a whole stack.

The page (``mocks/core/ui/``: HTML, CSS and JavaScript shipped in the package, inlined
into one answer, nothing fetched from elsewhere) polls the JSON routes below it:

| route | what it answers |
|---|---|
| ``GET /__admin/ui`` | the page (a browser may give the admin token as ``?access_token=``) |
| ``GET /__admin/ui/traffic`` | records newer than ``after``, newest first, filtered |
| ``GET /__admin/ui/traffic/{id}`` | one record: request, response, expectation, near miss |
| ``GET /__admin/ui/sequence`` | the sequence diagram of the filtered records, with Mermaid |
| ``GET /__admin/ui/verify`` | each mock's `verify()` report |
| ``GET /__admin/ui/cassette`` | a mock's traffic as a cassette file |
| ``POST /__admin/ui/reset`` | reset the mocks and forget their traffic |
| ``POST /__admin/ui/test`` | name the test now running (the pytest plugin does it in-process) |

A dashboard shows its own mock's traffic; `include()` adds other mocks (``python -m
mocks`` makes every mock's page show the whole stack). The routes are admin routes:
the admin token rule holds for them as for the rest of the admin API.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from ._admin import AdminCall, AdminError, AdminRoute
from ._reply import Reply
from ._sequence import SequenceDiagram
from ._state import MockState
from ._traffic import Traffic, TrafficRecord
from ._verify import Report

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Where the page's assets live, inside the package.
ASSETS = "ui"
UI_PATH = "/__admin/ui"


class DashboardHost(Protocol):
    """What a dashboard uses of a mock."""

    state: MockState
    dashboard: Dashboard

    @property
    def url(self) -> str: ...

    def reset(self, *, keep_stubs: bool = True) -> None: ...

    def report(self) -> Report: ...


class TrafficFilter(BaseModel):
    """Which records to show; every field narrows, none given shows everything."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    #: Only this mock's traffic (its service name: ``llm``, ``http``, ...).
    mock: str | None = Field(None, max_length=100)
    #: Only paths containing this text.
    path: str | None = Field(None, max_length=2000)
    #: A status (``404``), a class (``4xx``), or ``pending`` (no answer yet).
    status: str | None = Field(None, pattern=r"^([1-5][0-9][0-9]|[1-5]xx|pending)$")
    #: Only this test's traffic (its pytest node id, or the name given to ``/ui/test``).
    test: str | None = Field(None, max_length=1000)

    def matches(self, record: TrafficRecord) -> bool:
        """Whether `record` passes every filter given."""
        if self.mock and record.service != self.mock:
            return False
        if self.path and self.path not in record.path:
            return False
        if self.test and record.test != self.test:
            return False
        return not self.status or _status_matches(self.status, record.status)


def _status_matches(wanted: str, status: int | None) -> bool:
    if wanted == "pending":
        return status is None
    if status is None:
        return False
    return str(status) == wanted or (wanted.endswith("xx") and str(status)[0] == wanted[0])


class TrafficQuery(TrafficFilter):
    """The traffic route's query: a filter, and what the page has already."""

    #: Only records numbered above this (the ``last`` of the previous answer).
    after: int = Field(0, ge=0)
    #: At most this many (the newest).
    limit: int = Field(500, ge=1, le=5000)
    #: Records the page holds that were still open (no answer yet, a callback retrying),
    #: comma-separated: they are answered again, as they are now.
    open: str | None = Field(None, pattern=r"^[0-9]{1,12}(,[0-9]{1,12}){0,499}$")


class SequenceQuery(TrafficFilter):
    """The sequence route's query: a filter, and how many records to draw at most."""

    limit: int = Field(200, ge=1, le=2000)


class CassetteQuery(BaseModel):
    """The cassette route's query."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    #: Whose traffic (default: the mock serving the page).
    mock: str | None = Field(None, max_length=100)
    #: Only this test's traffic.
    test: str | None = Field(None, max_length=1000)


class PageQuery(BaseModel):
    """The page's query: the admin token, for a browser that cannot send the header."""

    model_config = ConfigDict(extra="allow", defer_build=True)
    access_token: str | None = Field(None, max_length=1000)


class DashboardReset(BaseModel):
    """Optional body of ``POST /__admin/ui/reset``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    #: Reset only this mock (default: every mock the page shows).
    mock: str | None = Field(None, max_length=100)
    #: Restore the expectations loaded from stub files and cassettes.
    keep_stubs: bool = True


class RunningTest(BaseModel):
    """Body of ``POST /__admin/ui/test``: the test starting now (null: none)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    name: str | None = Field(max_length=1000)


class Dashboard:
    """A mock's dashboard: its traffic history, the mocks it shows, and its routes.

    Example (a stack's mocks showing each other's traffic)::

        for mock in stack:
            mock.dashboard.include(*stack)
        print(stack.http.url + "/__admin/ui")
    """

    def __init__(self, host: DashboardHost) -> None:
        self.host = host
        #: This mock's traffic, kept across resets.
        self.traffic = Traffic(host.state)
        self._peers: list[DashboardHost] = []

    @property
    def sources(self) -> list[DashboardHost]:
        """The mocks the page shows: this one first, then those included."""
        return [self.host, *(peer for peer in self._peers if peer is not self.host)]

    def include(self, *hosts: DashboardHost) -> None:
        """Show these mocks' traffic too (the mock itself and repeats are ignored)."""
        for host in hosts:
            if all(host is not known for known in self.sources):
                self._peers.append(host)

    def begin_test(self, name: str | None) -> None:
        """Label what every shown mock receives from now on with test `name`."""
        for source in self.sources:
            source.dashboard.traffic.begin_test(name)

    def records(self, selection: TrafficFilter | None = None) -> list[TrafficRecord]:
        """The shown mocks' records passing `selection`, in time order."""
        found = [r for s in self.sources for r in s.dashboard.traffic.records()]
        if selection is not None:
            found = [r for r in found if selection.matches(r)]
        return sorted(found, key=lambda r: (r.at, r.id))

    def _source(self, service: str | None) -> DashboardHost:
        if service is None:
            return self.host
        for source in self.sources:
            if source.state.service == service:
                return source
        known = ", ".join(s.state.service for s in self.sources)
        raise AdminError(400, f"mock: no mock {service!r} on this page; shown: {known}", "mock")

    # ---- the routes ----------------------------------------------------------------

    def page(self, call: AdminCall) -> Reply:
        html, policy = _page()
        headers = {
            "Content-Security-Policy": policy,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        return Reply.text(html, headers=headers, content_type="text/html; charset=utf-8")

    def traffic_page(self, call: AdminCall) -> dict[str, Any]:
        query: TrafficQuery = call.query
        every = self.records()
        tests = list(dict.fromkeys(r.test for r in every if r.test is not None))
        current = self.host.dashboard.traffic.test
        if current is not None and current not in tests:
            tests.append(current)
        shown = [r for r in every if query.matches(r)]
        reopened = {int(n) for n in query.open.split(",")} if query.open else set()
        fresh = [r for r in shown if r.id > query.after or r.id in reopened]
        fresh.sort(key=lambda r: (r.at, r.id), reverse=True)
        return {
            "epoch": sum(s.dashboard.traffic.epoch for s in self.sources),
            "last": max((r.id for r in every), default=query.after),
            "total": len(shown),
            "mocks": [{"service": s.state.service, "url": s.url} for s in self.sources],
            "tests": tests,
            "current_test": current,
            "records": [r.summary() for r in fresh[: query.limit]],
        }

    def record(self, call: AdminCall) -> dict[str, Any]:
        wanted = call.params["id"]
        for record in self.records():
            if str(record.id) == wanted:
                return record.detail()
        raise AdminError(404, f"no traffic record {wanted!r} (it may have been forgotten)", "id")

    def sequence_route(self, call: AdminCall) -> dict[str, Any]:
        query: SequenceQuery = call.query
        records = self.records(query)[-query.limit :]
        return SequenceDiagram.of(records).to_dict()

    def verify(self, call: AdminCall) -> dict[str, Any]:
        mocks = []
        for source in self.sources:
            report = source.report()
            mocks.append({"service": source.state.service, "url": source.url, **report.to_dict()})
        return {"ok": all(m["ok"] for m in mocks), "mocks": mocks}

    def cassette(self, call: AdminCall) -> Reply:
        query: CassetteQuery = call.query
        source = self._source(query.mock)
        service = source.state.service
        selection = TrafficFilter(test=query.test)
        records = [r for r in source.dashboard.traffic.records() if selection.matches(r)]
        from ._export import traffic_cassette  # cassette models: loaded on first download

        document = traffic_cassette(service, records).model_dump(mode="json", exclude_none=True)
        disposition = f'attachment; filename="{service}-cassette.json"'
        return Reply(
            200,
            {"Content-Type": "application/json", "Content-Disposition": disposition},
            (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode(),
        )

    def reset(self, call: AdminCall) -> dict[str, Any]:
        body = call.body if isinstance(call.body, DashboardReset) else DashboardReset()
        chosen = [self._source(body.mock)] if body.mock else self.sources
        for source in chosen:
            source.reset(keep_stubs=body.keep_stubs)
            source.dashboard.traffic.clear()
        return {"reset": [s.state.service for s in chosen]}

    def name_test(self, call: AdminCall) -> dict[str, Any]:
        body: RunningTest = call.body
        self.begin_test(body.name)
        return {"test": body.name}

    def routes(self) -> list[AdminRoute]:
        """The dashboard's admin routes."""
        bad = (400, "Invalid input; `error.field` names the offending field", "Error")
        return [
            AdminRoute(
                "GET",
                UI_PATH,
                self.page,
                "The live dashboard (an HTML page; its assets ship in the package)",
                query=PageQuery,
                media_type="text/html",
                token_in_query=True,
                operation="DashboardPage",
            ),
            AdminRoute(
                "GET",
                f"{UI_PATH}/traffic",
                self.traffic_page,
                "Traffic records newer than `after`, newest first, filtered",
                query=TrafficQuery,
                operation="DashboardTraffic",
            ),
            AdminRoute(
                "GET",
                f"{UI_PATH}/traffic/{{id}}",
                self.record,
                "One traffic record: request, response, expectation, near miss, violations",
                responses=((404, "No such record", "Error"),),
                operation="DashboardRecord",
            ),
            AdminRoute(
                "GET",
                f"{UI_PATH}/sequence",
                self.sequence_route,
                "The sequence diagram of the filtered traffic, with its Mermaid text",
                query=SequenceQuery,
                operation="DashboardSequence",
            ),
            AdminRoute(
                "GET",
                f"{UI_PATH}/verify",
                self.verify,
                "The verify() report of every mock the page shows",
                operation="DashboardVerify",
            ),
            AdminRoute(
                "GET",
                f"{UI_PATH}/cassette",
                self.cassette,
                "A mock's traffic as a cassette (the format record mode writes)",
                query=CassetteQuery,
                responses=(bad,),
                operation="DashboardCassette",
            ),
            AdminRoute(
                "POST",
                f"{UI_PATH}/reset",
                self.reset,
                "Reset the mocks the page shows (or one) and forget their traffic",
                body=DashboardReset,
                body_optional=True,
                operation="DashboardReset",
            ),
            AdminRoute(
                "POST",
                f"{UI_PATH}/test",
                self.name_test,
                "Name the test starting now: later traffic is labelled with it",
                body=RunningTest,
                operation="DashboardTest",
            ),
        ]


@functools.cache
def _page() -> tuple[str, str]:
    """The page with its style and script inlined, and a policy allowing only those."""
    folder = resources.files(__package__).joinpath(ASSETS)
    html = folder.joinpath("dashboard.html").read_text(encoding="utf-8")
    style = folder.joinpath("dashboard.css").read_text(encoding="utf-8")
    script = folder.joinpath("dashboard.js").read_text(encoding="utf-8")
    html = html.replace("/*STYLE*/", style).replace("/*SCRIPT*/", script)
    policy = "; ".join(
        [
            "default-src 'none'",
            f"style-src {_digest(style)}",
            f"script-src {_digest(script)}",
            "connect-src 'self'",
            "img-src 'self' data: blob:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return html, policy


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def traffic_diagram(mocks: Iterable[DashboardHost], *, test: str | None = None) -> SequenceDiagram:
    """The sequence diagram of several mocks' traffic (one test's, when `test` is given).

    Every mock is a lifeline, called or not. The pytest plugin attaches
    ``traffic_diagram(mocks, test=item.nodeid).mermaid()`` to a failing test's report.
    """
    mocks, selection = list(mocks), TrafficFilter(test=test)
    records = [r for m in mocks for r in m.dashboard.traffic.records() if selection.matches(r)]
    return SequenceDiagram.of(records, [m.state.service for m in mocks])


__all__ = [
    "Dashboard",
    "DashboardHost",
    "TrafficFilter",
    "traffic_diagram",
]
