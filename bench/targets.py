"""The mocks' hot paths, standalone: how each is started and the request it repeats.

One `Target` per mock, shared by the soak (`bench.soak`) and the concurrency burst
(`bench.concurrency`): MockHTTP ``GET /stub``; MockLLM a chat completion; MockZitadel a
client-credentials token (JWT); MockWhatsApp a send, with its three status webhooks to
the sink; MockTeams a user's message delivered to the bot (the sink) as a signed
activity. Each is started as its users start it (``python -m mocks.<name>``) and
programmed as the domains section programs it (`bench.domain_servers`).

`LLM_STREAMS`: MockLLM and the PyPI package mockllm (`bench.standalone pypi-mockllm`)
programmed with the `bench.llm_servers` long answer (2,042 characters), streamed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .domain_servers import TEAMS, WHATSAPP, ZITADEL, Canned, Contender, call
from .http_servers import Request
from .llm_servers import LONG_PROMPT, LONG_TEXT, MODEL, SHORT_ANSWER, body_for, request_for
from .peer_servers import COLD_ONLY, mockhttp_spec
from .procs import Probe, ServerProc, ServerSpec


@dataclass(frozen=True, slots=True)
class Target:
    """One mock under load: how to start it and the request it gets."""

    name: str
    label: str
    spec: Callable[[str, Canned], ServerSpec]
    #: Programs the started server (given the sink's URL); the request to repeat.
    prepare: Callable[[ServerProc, str, Canned], Request]


def probe_request(probe: Probe) -> Request:
    """The load request a server's start-up probe sends."""
    headers = tuple(f"{name}: {value}" for name, value in probe.headers)
    return Request(probe.path, probe.method, probe.body, headers)


def _from_domain(contender: Contender, workload: str, name: str) -> Target:
    def prepare(server: ServerProc, sink: str, canned: Canned) -> Request:
        return contender.prepare(server, sink, canned)[workload]

    return Target(name, contender.label, contender.spec, prepare)


def fixed(name: str, label: str, spec: ServerSpec) -> Target:
    """A target needing no programming: it repeats its spec's probe."""
    request = probe_request(spec.probe)
    return Target(name, label, lambda sink, canned: spec, lambda *_: request)


def _contender(domain: Any, key: str) -> Contender:
    found: Contender = next(c for c in domain.contenders if c.key == key)
    return found


TARGETS: tuple[Target, ...] = (
    fixed("http", "MockHTTP", mockhttp_spec()),
    fixed("llm", "MockLLM", COLD_ONLY[0]),
    _from_domain(_contender(ZITADEL, "mock-zitadel"), "token", "zitadel"),
    _from_domain(_contender(WHATSAPP, "mock-whatsapp-statuses"), "send-statuses", "whatsapp"),
    _from_domain(_contender(TEAMS, "mock-teams"), "activity", "teams"),
)


# ---- streamed chat completions: MockLLM and mockllm (PyPI) -------------------------------

STREAM = request_for("stream")
#: The long answer to the long prompt, as MockLLM's admin API takes it.
LONG_EXPECTATION = {
    "id": "long-answer",
    "matcher": {"kind": "llm_prompt", "field": "last_user", "value": LONG_PROMPT, "op": "contains"},
    "response": {"kind": "llm_reply", "content": LONG_TEXT},
}


def _program_mockllm(server: ServerProc, sink: str, canned: Canned) -> Request:
    for path, document in (
        ("/__admin/llm/models", {"id": MODEL}),
        ("/__admin/expectations", LONG_EXPECTATION),
    ):
        status, answer = call(server.url, "POST", path, document)
        if status != 201:
            raise RuntimeError(f"MockLLM {path}: {status} {str(answer)[:300]}")
    return STREAM


def _pypi_mockllm(sink: str, canned: Canned) -> ServerSpec:
    chat = Probe(
        STREAM.path,
        "POST",
        json.dumps(body_for("chat")).encode(),
        (("Authorization", "Bearer x"),),
        contains=SHORT_ANSWER.encode(),
    )
    command = [sys.executable, "-m", "bench.standalone", "pypi-mockllm"]
    return ServerSpec("pypi-mockllm", "mockllm (PyPI)", lambda folder, port: command, chat)


LLM_STREAMS: tuple[Target, ...] = (
    Target("llm", "MockLLM", lambda sink, canned: COLD_ONLY[0], _program_mockllm),
    Target("pypi-mockllm", "mockllm (PyPI)", _pypi_mockllm, lambda *_: STREAM),
)

__all__ = ["LLM_STREAMS", "TARGETS", "Target", "fixed", "probe_request"]
