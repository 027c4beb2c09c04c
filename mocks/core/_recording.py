"""Record and replay: proxy unmatched requests to the real service, and play them back.

Record (``--record-to DIR --upstream URL``): a `Recorder` is the mock's `fallback`, so
requests no expectation answers go to the upstream with an aiohttp client; the answer
is relayed to the caller as it arrives (streams chunk by chunk) and the exchange is
appended to a cassette under ``DIR`` with its timing, secrets redacted (`Redactor`).

Replay (``--replay FILE|DIR``, ``mock.replay(path)``): every interaction becomes an
expectation answering with the recorded bytes; identical requests replay their recorded
responses in order (the last one repeats). With ``timing=True`` the recorded delays
(time to headers, gaps between chunks) are reproduced.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

import aiohttp

from ._cassette import (
    Cassette,
    CassetteRequest,
    CassetteResponse,
    Interaction,
    RecordedChunk,
    encode_body,
    end_to_end,
    joined,
    load_cassettes,
)
from ._datafile import EXTENSIONS
from ._expectation import Expectation, ExpectationSpec
from ._matchers import Body, JsonBody, Matcher, Method, Query, combine
from ._matchers import Path as PathMatcher
from ._redact import REDACTED, Redactor, without_redacted
from ._reply import Reply, StreamChunk, split_headers
from ._request import RecordedRequest
from ._responders import RecordedResponse, Responder, ResponderHost, SequenceResponse
from ._state import MockState


class RecordingHost(ResponderHost, Protocol):
    """What record and replay use of a mock (its error envelope for upstream failures)."""

    state: MockState

    def add_expectation(self, spec: ExpectationSpec) -> Expectation: ...


# ---- record --------------------------------------------------------------------------


def cassette_file(target: Path | str, service: str) -> Path:
    """The cassette to write: `target` itself when it names a file, else a new one in it."""
    path = Path(target)
    if path.suffix in EXTENSIONS:
        return path
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return path / f"{service}-{stamp}.yaml"


class Recorder:
    """The record-mode fallback: proxy to `upstream`, relay the answer, save the exchange.

    Example::

        mock.fallback = Recorder(mock, "https://api.openai.com", "recordings/llm")
    """

    def __init__(
        self,
        mock: RecordingHost,
        upstream: str,
        target: Path | str,
        *,
        redactor: Redactor | None = None,
        timeout: float = 300.0,
    ) -> None:
        self.mock = mock
        self.upstream = upstream.rstrip("/")
        service = mock.state.service
        self.file = cassette_file(target, service)
        self.redactor = redactor or Redactor()
        self.timeout = timeout
        self.cassette = Cassette(service=service, upstream=self.upstream)

    async def __call__(self, request: RecordedRequest) -> Reply | None:
        """Answer `request` from the upstream (a 502 in the mock's envelope if unreachable)."""
        headers = joined(end_to_end(request.headers))
        session = self.mock.state.outbound.session()
        started = time.perf_counter()
        try:
            response = await session.request(
                request.method,
                self.upstream + request.url,
                headers=headers,
                data=request.body or None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            message = f"record mode: upstream {self.upstream} failed: {type(exc).__name__}: {exc}"
            return self.mock.error_reply(502, message, request)
        reply_headers = end_to_end(response.headers)
        single, more = split_headers(reply_headers)
        waited = (time.perf_counter() - started) * 1000
        if _streamed(response):
            stream = self._relay(response, request, headers, reply_headers, waited)
            return Reply(response.status, single, stream=stream, more_headers=more)
        try:
            body = await response.read()
        finally:
            response.release()
        total = (time.perf_counter() - started) * 1000
        recorded = CassetteResponse(
            status=response.status,
            headers=reply_headers,
            duration_ms=round(total, 3),
            **encode_body(body),
        )
        self._save(request, headers, recorded, response.headers.get("Content-Type", ""))
        return Reply(response.status, single, body, more_headers=more)

    async def _relay(
        self,
        response: aiohttp.ClientResponse,
        request: RecordedRequest,
        sent_headers: dict[str, str],
        reply_headers: dict[str, str | list[str]],
        waited_ms: float,
    ) -> AsyncIterator[StreamChunk]:
        chunks: list[RecordedChunk] = []
        last = time.perf_counter()
        try:
            async for data in response.content.iter_any():
                now, gap = time.perf_counter(), round((time.perf_counter() - last) * 1000, 3)
                chunks.append(RecordedChunk(delay_ms=gap, **encode_body(data)))
                last = now
                yield StreamChunk(data, 0.0)
        finally:
            response.release()
            recorded = CassetteResponse(
                status=response.status,
                headers=reply_headers,
                chunks=chunks,
                duration_ms=round(waited_ms, 3),
            )
            self._save(request, sent_headers, recorded, "")

    def _save(
        self,
        request: RecordedRequest,
        sent_headers: dict[str, str],
        response: CassetteResponse,
        content_type: str,
    ) -> None:
        redact = self.redactor
        body, _ = redact.body(request.body, request.headers.get("Content-Type", ""))
        content_type = content_type or response.content_type
        if response.chunks is None:
            answer, changed = redact.body(response.content, content_type)
            if changed:
                response = response.model_copy(
                    update={"body": None, "body_base64": None, **encode_body(answer)}
                )
        else:
            kept, changed = redact.chunks([c.content for c in response.chunks], content_type)
            if changed:
                delays = [c.delay_ms for c in response.chunks]
                chunks = [
                    RecordedChunk(delay_ms=delays[i] if i < len(delays) else 0.0, **encode_body(c))
                    for i, c in enumerate(kept)
                ]
                response = response.model_copy(update={"chunks": chunks})
        response = response.model_copy(update={"headers": redact.headers(response.headers)})
        query = {k: request.query.getall(k) for k in request.query}
        interaction = Interaction(
            request=CassetteRequest(
                method=request.method,
                path=request.path,
                query=redact.query(query),
                headers=redact.headers(sent_headers),
                **encode_body(body),
            ),
            response=response,
            recorded_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
        )
        self.cassette.interactions.append(interaction)
        self.cassette.save(self.file)


def _streamed(response: aiohttp.ClientResponse) -> bool:
    content_type = response.headers.get("Content-Type", "")
    return "text/event-stream" in content_type or (
        response.content_length is None
        and (response.headers.get("Transfer-Encoding", "").lower() == "chunked")
    )


# ---- replay --------------------------------------------------------------------------


def request_matcher(request: CassetteRequest) -> Matcher:
    """What a replayed request must look like: method, path, query and body, less secrets."""
    parts: list[Matcher] = [Method(value=request.method), PathMatcher(value=request.path)]
    for name, values in request.query.items():
        parts.extend(Query(name=name, value=v) for v in values if v != REDACTED)
    document = request.json_document
    if document is not None:
        kept = without_redacted(document)
        op: Literal["eq", "contains"] = "eq" if kept == document else "contains"
        parts.append(JsonBody(value=kept, op=op))
    elif request.content and REDACTED not in (request.body or ""):
        parts.append(Body(value=request.content.decode("utf-8", "replace")))
    return combine(parts)


def replay_specs(cassettes: list[Cassette], *, timing: bool = False) -> list[ExpectationSpec]:
    """Expectations replaying `cassettes`: one per distinct request, answers in order."""
    groups: dict[str, tuple[Matcher, list[Responder]]] = {}
    for cassette in cassettes:
        for interaction in cassette.interactions:
            matcher = request_matcher(interaction.request)
            key = json.dumps(matcher.model_dump(mode="json"), sort_keys=True)
            recorded = interaction.response
            responder = RecordedResponse(
                **recorded.model_dump(exclude={"chunks"}), chunks=recorded.chunks, timing=timing
            )
            groups.setdefault(key, (matcher, []))[1].append(responder)
    specs = []
    for matcher, responders in groups.values():
        response = responders[0] if len(responders) == 1 else SequenceResponse(responses=responders)
        specs.append(
            ExpectationSpec(matcher=matcher, response=response, name="replay", optional=True)
        )
    return specs


def replay(
    mock: RecordingHost, path: str | os.PathLike[str], *, timing: bool = False
) -> list[Expectation]:
    """Add expectations replaying the cassette(s) at `path` (a file or a directory)."""
    cassettes = [cassette for _, cassette in load_cassettes(Path(path))]
    return [mock.add_expectation(spec) for spec in replay_specs(cassettes, timing=timing)]


__all__ = ["Recorder", "RecordingHost", "cassette_file", "replay", "replay_specs"]
