"""Every server kind and scenario the suite runs, HTTP and LLM, behind one interface.

`bench.serve` starts any of them in its own process and the suite asks here what load
a scenario takes; `bench.http_servers` and `bench.llm_servers` hold the servers.
"""

from __future__ import annotations

from typing import TypeGuard, cast, get_args

from . import http_servers, llm_servers
from .http_servers import Request, RunningServer, Scenario, ServerKind
from .llm_servers import LLMKind, LLMScenario, is_llm_kind, is_llm_scenario

Kind = ServerKind | LLMKind
AnyScenario = Scenario | LLMScenario
KINDS: tuple[Kind, ...] = (*http_servers.SERVER_KINDS, *llm_servers.LLM_KINDS)
SCENARIOS = cast(tuple[AnyScenario, ...], (*get_args(Scenario), *llm_servers.LLM_SCENARIOS))
LABELS: dict[str, str] = {**http_servers.LABELS, **llm_servers.LABELS}


def is_http_kind(kind: str) -> TypeGuard[ServerKind]:
    """Whether `kind` names an HTTP server (MockHTTP, pytest-httpserver)."""
    return kind in http_servers.SERVER_KINDS


def is_http_scenario(scenario: str) -> TypeGuard[Scenario]:
    """Whether `scenario` is one of the HTTP workloads."""
    return scenario in get_args(Scenario)


def start(kind: Kind, scenario: AnyScenario, expectations: int = 500) -> RunningServer:
    """Start a server of `kind` programmed for `scenario` (in this process)."""
    if is_llm_kind(kind) and is_llm_scenario(scenario):
        return llm_servers.start(kind, scenario)
    if is_http_kind(kind) and is_http_scenario(scenario):
        return http_servers.start(kind, scenario, expectations)
    raise ValueError(f"{kind} has no scenario {scenario!r}")


def request_for(scenario: AnyScenario) -> Request:
    """The request a scenario's load repeats."""
    if is_llm_scenario(scenario):
        return llm_servers.request_for(scenario)
    if is_http_scenario(scenario):
        return http_servers.request_for(scenario)
    raise ValueError(f"unknown scenario {scenario!r}")
