"""Anthropic's Message Batches API: ``/v1/messages/batches`` to create and list,
``/{id}`` to retrieve and delete, ``/{id}/cancel``, and ``/{id}/results`` (JSON Lines).

Each request of a batch is answered as ``POST /v1/messages`` would answer its
``params``: the scope's expectations match it (and count it for ``verify()``), the
default simulator answers the rest, and ``params`` the Messages API would refuse make an
``errored`` result, as the real API checks them while processing, not when the batch is
created. The batch itself is checked at once: ``requests`` must be a non-empty array of
at most 100,000 objects, each with a unique ``custom_id`` (1-64 letters, digits, ``-``
or ``_``) and ``params`` object.

A batch ends at once unless the mock is told to take time
(`MockLLM.with_batch_processing`): until then it is ``in_progress``, its requests count
as ``processing`` and it has no ``results_url``; a cancel in that time makes it
``canceling``, and it ends with every request ``canceled``. Batches belong to the mock
scope they were created in: a scope lists and reads only its own.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from multidict import CIMultiDict, MultiDict

from mocks.core import (
    MockState,
    RecordedRequest,
    Reply,
    ReplyContext,
    ResponderHost,
    Route,
    json_text,
)

from . import _anthropic_errors as errors
from ._anthropic_api import reply_document
from ._anthropic_errors import AnthropicError
from ._ids import alnum_token
from ._responders import LLMReply

#: The most requests a batch may hold.
MAX_REQUESTS = 100_000
#: What a ``custom_id`` may be.
CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
#: Batches kept (the oldest are forgotten first).
KEPT = 1_000
#: How long a batch may process before it expires, in seconds (24 hours).
LIFETIME = 24 * 3600
#: Requests answered between two turns of the event loop while a batch is processed.
SLICE = 100
#: Page sizes of the listing.
DEFAULT_LIMIT, MAX_LIMIT = 20, 1000
#: Where a batch's requests are answered: the Messages API's own path.
MESSAGES_PATH = "/v1/messages"
PREFIX = "/v1/messages/batches"


class BatchHost(ResponderHost, Protocol):
    """What the batches use of `MockLLM`: its state (scopes and their expectations) and
    its URL, besides what a responder uses (a programmed responder answers through it)."""

    @property
    def state(self) -> MockState:
        """Scopes, expectations and settings."""
        ...

    @property
    def url(self) -> str:
        """The mock's base URL."""
        ...


#: Answers one request of a batch (its params as the request's body) with a message, or
#: raises the Messages API's `AnthropicError` (`AnthropicAPI.batch_message`).
MessageAnswer = Callable[[RecordedRequest, LLMReply | None], dict[str, Any]]


@dataclass
class Batch:
    """One Message Batch: its requests, its times, and once it ended its results."""

    id: str
    scope: str
    created_at: float
    ends_at: float
    requests: list[tuple[str, dict[str, Any]]]
    headers: CIMultiDict[str]
    cancel_initiated_at: float | None = None
    ended_at: float | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    #: Held while the batch is processed (see `MessageBatches._advance`).
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def processing_status(self) -> str:
        """``in_progress``, ``canceling`` or ``ended``."""
        if self.ended_at is not None:
            return "ended"
        return "in_progress" if self.cancel_initiated_at is None else "canceling"

    def document(self, base_url: str) -> dict[str, Any]:
        """The ``message_batch`` object."""
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if self.ended_at is None:
            counts["processing"] = len(self.requests)
        for line in self.results:
            counts[line["result"]["type"]] += 1
        ended = self.ended_at is not None
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": self.processing_status,
            "request_counts": counts,
            "ended_at": _rfc3339(self.ended_at),
            "created_at": _rfc3339(self.created_at),
            "expires_at": _rfc3339(self.created_at + LIFETIME),
            "archived_at": None,
            "cancel_initiated_at": _rfc3339(self.cancel_initiated_at),
            "results_url": f"{base_url}{PREFIX}/{self.id}/results" if ended else None,
        }


class MessageBatches:
    """The batches of one `MockLLM`, and the routes that serve them.

    Example::

        batches = MessageBatches(mock, mock.anthropic.batch_message)
        batches.processing_seconds = 2.0   # batches stay in_progress for two seconds
    """

    def __init__(
        self, host: BatchHost, answer: MessageAnswer, clock: Callable[[], float] = time.time
    ) -> None:
        self.host = host
        self.answer = answer
        self.clock = clock
        #: How long a batch takes to process, in seconds (0: it ends when created).
        self.processing_seconds = 0.0
        self._batches: OrderedDict[str, Batch] = OrderedDict()

    def clear(self) -> None:
        """Forget every batch."""
        self._batches.clear()

    def routes(self) -> list[Route]:
        """The six routes of the API."""
        return [
            Route(
                "POST",
                PREFIX,
                self.create,
                request_schema="anthropic_batch_request",
                response_schema="anthropic_message_batch",
                serve_invalid=True,  # the precise 400 comes from `create`
            ),
            Route("GET", PREFIX, self.listing, response_schema="anthropic_message_batch_list"),
            Route(
                "GET",
                f"{PREFIX}/{{batch_id}}",
                self.retrieve,
                response_schema="anthropic_message_batch",
            ),
            Route(
                "DELETE",
                f"{PREFIX}/{{batch_id}}",
                self.delete,
                response_schema="anthropic_deleted_message_batch",
            ),
            Route(
                "POST",
                f"{PREFIX}/{{batch_id}}/cancel",
                self.cancel,
                response_schema="anthropic_message_batch",
            ),
            Route("GET", f"{PREFIX}/{{batch_id}}/results", self.results),
        ]

    # ---- the routes --------------------------------------------------------------------

    async def create(self, request: RecordedRequest) -> Reply:
        """``POST /v1/messages/batches``."""
        if request.body and not request.is_json:
            raise errors.invalid_json()
        requests = _checked_requests(request.json)
        now = self.clock()
        batch = Batch(
            id="msgbatch_01" + alnum_token(self.host.rng, 22),
            scope=request.scope,
            created_at=now,
            ends_at=now + self.processing_seconds,
            requests=requests,
            headers=CIMultiDict(request.headers),
        )
        self._batches[batch.id] = batch
        while len(self._batches) > KEPT:
            self._batches.popitem(last=False)
        await self._advance(batch)
        return self._answer(batch, request)

    async def listing(self, request: RecordedRequest) -> Reply:
        """``GET /v1/messages/batches``: the scope's batches, newest first, a page at a
        time (``limit``, ``after_id``, ``before_id``)."""
        limit = _limit(request.query.get("limit"))
        own = [b for b in reversed(self._batches.values()) if b.scope == request.scope]
        after, before = request.query.get("after_id"), request.query.get("before_id")
        ids = [b.id for b in own]
        if after is not None:
            own = own[ids.index(after) + 1 :] if after in ids else []
            page = own[:limit]
        elif before is not None:
            own = own[: ids.index(before)] if before in ids else []
            page = own[-limit:]
        else:
            page = own[:limit]
        for batch in page:
            await self._advance(batch)
        base = self._base_url(request)
        data = [batch.document(base) for batch in page]
        return Reply.json(
            {
                "data": data,
                "has_more": len(own) > len(page),
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
            }
        )

    async def retrieve(self, request: RecordedRequest) -> Reply:
        """``GET /v1/messages/batches/{id}`` (polled until ``processing_status`` is ended)."""
        batch = self._found(request)
        await self._advance(batch)
        return self._answer(batch, request)

    async def cancel(self, request: RecordedRequest) -> Reply:
        """``POST /v1/messages/batches/{id}/cancel``: a batch still processing becomes
        ``canceling``; one that ended cannot be canceled (400)."""
        batch = self._found(request)
        await self._advance(batch)
        if batch.ended_at is not None:
            raise errors.invalid_request(
                f"Message batch {batch.id} has already ended and can no longer be canceled."
            )
        if batch.cancel_initiated_at is None:
            batch.cancel_initiated_at = self.clock()
        return self._answer(batch, request)

    async def delete(self, request: RecordedRequest) -> Reply:
        """``DELETE /v1/messages/batches/{id}``: only once it ended (cancel it first)."""
        batch = self._found(request)
        await self._advance(batch)
        if batch.ended_at is None:
            raise errors.invalid_request(
                f"Message batch {batch.id} is still processing: cancel it before deleting it."
            )
        del self._batches[batch.id]
        return Reply.json({"id": batch.id, "type": "message_batch_deleted"})

    async def results(self, request: RecordedRequest) -> Reply:
        """``GET /v1/messages/batches/{id}/results``: one JSON line per request, once the
        batch ended."""
        batch = self._found(request)
        await self._advance(batch)
        if batch.ended_at is None:
            raise errors.invalid_request(
                f"Message batch {batch.id} is still processing: its results are available "
                "once processing has ended."
            )
        lines = "".join(json_text(line) + "\n" for line in batch.results)
        return Reply(200, {"Content-Type": "application/x-jsonl"}, lines.encode())

    # ---- processing ----------------------------------------------------------------------

    async def _advance(self, batch: Batch) -> None:
        """End `batch` when its time came, or at once when canceled. A large batch is
        answered a slice at a time, letting the mock serve other requests meanwhile; a
        call that comes then waits for the same processing instead of repeating it."""
        async with batch.lock:
            if batch.ended_at is not None:
                return
            if batch.cancel_initiated_at is not None:
                batch.results = [
                    {"custom_id": custom_id, "result": {"type": "canceled"}}
                    for custom_id, _ in batch.requests
                ]
            elif self.clock() >= batch.ends_at:
                results = []
                for index, (custom_id, params) in enumerate(batch.requests, 1):
                    results.append(
                        {"custom_id": custom_id, "result": await self._answered(batch, params)}
                    )
                    if index % SLICE == 0:
                        await asyncio.sleep(0)
                batch.results = results
            else:
                return
            batch.ended_at = self.clock()

    async def _answered(self, batch: Batch, params: dict[str, Any]) -> dict[str, Any]:
        """The result of one request: what ``POST /v1/messages`` would answer its params
        with, in the batch's scope."""
        item = RecordedRequest(
            "POST",
            MESSAGES_PATH,
            MultiDict(),
            batch.headers,
            json_text(params).encode(),
            scope=batch.scope,
        )
        host = self.host
        scope = host.state.scope(batch.scope)
        expectation = scope.match(item)
        spec = expectation.spec if expectation is not None else None
        try:
            if spec is None:
                settings = host.state.settings
                if settings.strict:  # as an unmatched request is answered in strict mode
                    explained = scope.near_miss(item).explain(item)
                    scope.problems.unmatched_request(explained)
                    return _from_reply(host.error_reply(settings.strict_status, explained, item))
                return {"type": "succeeded", "message": self.answer(item, None)}
            if spec.error is not None and _drawn(host, spec.error.rate):
                return _from_reply(
                    host.error_reply(spec.error.status, spec.error.message or "", item)
                )
            response = spec.response
            if response is None or isinstance(response, LLMReply):
                return {"type": "succeeded", "message": self.answer(item, response)}
            return _from_reply(await response.reply(ReplyContext(item, host, spec.matcher)))
        except AnthropicError as error:
            return {"type": "errored", "error": error.body()}

    # ---- helpers -------------------------------------------------------------------------

    def _found(self, request: RecordedRequest) -> Batch:
        batch_id = request.path_params.get("batch_id", "")
        batch = self._batches.get(batch_id)
        if batch is None or batch.scope != request.scope:
            raise AnthropicError(404, f"Message batch {batch_id} not found.")
        return batch

    def _answer(self, batch: Batch, request: RecordedRequest) -> Reply:
        return Reply.json(batch.document(self._base_url(request)))

    def _base_url(self, request: RecordedRequest) -> str:
        """The mock as the client reached it (its ``Host``), for ``results_url``."""
        host = request.headers.get("Host")
        return f"http://{host}" if host else self.host.url


def _checked_requests(body: Any) -> list[tuple[str, dict[str, Any]]]:
    """``(custom_id, params)`` of each request, or the 400 naming what is wrong."""
    if not isinstance(body, Mapping):
        raise errors.invalid_request("body: Input should be a valid dictionary")
    requests = body.get("requests")
    if requests is None:
        raise errors.field_required("requests")
    if not isinstance(requests, list):
        raise errors.invalid_request("requests: Input should be a valid list")
    if not 1 <= len(requests) <= MAX_REQUESTS:
        raise errors.invalid_request(
            f"requests: a batch holds from 1 to {MAX_REQUESTS:,} requests, not {len(requests)}"
        )
    checked: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for index, entry in enumerate(requests):
        where = f"requests.{index}"
        if not isinstance(entry, Mapping):
            raise errors.invalid_request(f"{where}: Input should be a valid dictionary")
        custom_id, params = entry.get("custom_id"), entry.get("params")
        if custom_id is None:
            raise errors.field_required(f"{where}.custom_id")
        if not isinstance(custom_id, str) or CUSTOM_ID.fullmatch(custom_id) is None:
            raise errors.invalid_request(
                f"{where}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
            )
        if custom_id in seen:
            raise errors.invalid_request(
                f"{where}.custom_id: custom_id {custom_id!r} is used by more than one request; "
                "each must be unique within the batch"
            )
        if params is None:
            raise errors.field_required(f"{where}.params")
        if not isinstance(params, dict):
            raise errors.invalid_request(f"{where}.params: Input should be a valid dictionary")
        seen.add(custom_id)
        checked.append((custom_id, params))
    return checked


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise errors.invalid_request("limit: Input should be a valid integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.invalid_request(f"limit: Input should be from 1 to {MAX_LIMIT}")
    return limit


def _drawn(host: BatchHost, rate: float) -> bool:
    return rate >= 1 or host.rng.random() < rate


def _from_reply(reply: Reply) -> dict[str, Any]:
    """The result a programmed reply makes: succeeded with a ``message`` it carries,
    errored with the error it carries (or an ``api_error`` for anything else)."""
    document = reply_document(reply)
    if reply.status < 400 and isinstance(document, dict) and document.get("type") == "message":
        return {"type": "succeeded", "message": document}
    if isinstance(document, dict) and document.get("type") == "error":
        error = {key: value for key, value in document.items() if key != "request_id"}
        return {"type": "errored", "error": error}
    status = reply.status if reply.status >= 400 else 500  # a success that is no message
    return {"type": "errored", "error": AnthropicError(status).body()}


def _rfc3339(moment: float | None) -> str | None:
    """A time as the API writes it (``2024-08-20T18:37:24.100435Z``)."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
