"""MockLLM's Anthropic Messages API: its routes, auth, headers, errors and answers.

``POST /v1/messages`` (streamed or not), ``POST /v1/messages/count_tokens`` and the
Anthropic flavour of ``GET /v1/models`` (told apart by ``anthropic-version``). The
key may come as ``x-api-key`` (curl, the Node SDK, older Python SDKs) or
``Authorization: Bearer`` (the current Python SDK); ``anthropic-version`` is required
(any date). Every response carries a ``request-id`` that error bodies repeat, and
answers carry the ``anthropic-ratelimit-*`` headers.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from typing import Any

from mocks.core import RecordedRequest, Reply, Route, StreamChunk, sse_event

from . import _anthropic as wire
from . import _anthropic_errors as errors
from ._anthropic_errors import AnthropicError
from ._anthropic_validation import validate_messages_request
from ._built_reply import BuiltReply
from ._errors import UNKNOWN_MODEL_HINT
from ._host import LLMHost
from ._models import ModelInfo
from ._planning import Output, plan_output
from ._ratelimit import RateLimitExceeded, Window
from ._responders import LLMReply
from ._streaming import faulty_stream

#: The organization Anthropic's answers name (``anthropic-organization-id``).
ORGANIZATION_ID = "00000000-0000-4000-8000-0000000a11ce"

#: ``with_error(status, message)``: a message naming one of these answers that error.
NAMED_ERRORS: dict[str, Callable[[], AnthropicError]] = {
    # a short wait, so retrying tests stay fast (the SDKs read retry-after-ms first)
    "rate_limit_exceeded": lambda: errors.rate_limited("requests", 1, {"retry-after-ms": "50"}),
    "insufficient_quota": lambda: AnthropicError(
        400,
        "Your credit balance is too low to access the Anthropic API.",
        headers={"x-should-retry": "false"},
    ),
    "invalid_api_key": errors.invalid_api_key,
    "server_error": errors.api_error,
    "overloaded": errors.overloaded,
    "context_length_exceeded": lambda: errors.invalid_request(
        "prompt is too long: 210000 tokens > 200000 maximum"
    ),
}


class AnthropicAPI:
    """Answers the Anthropic Messages API for one `MockLLM`."""

    def __init__(self, host: LLMHost) -> None:
        self.host = host

    # ---- auth, headers, errors ---------------------------------------------------

    def api_key(self, request: RecordedRequest) -> str:
        """``x-api-key``, else a bearer token."""
        key = request.headers.get("x-api-key", "").strip()
        bearer = request.headers.get("Authorization", "")
        if not key and bearer.lower().startswith("bearer "):
            key = bearer[7:].strip()
        return key

    def authorize(self, request: RecordedRequest) -> None:
        """Raise the API's 401 (no or wrong key) or 400 (no ``anthropic-version``)."""
        headers = request.headers
        key = self.api_key(request)
        if not key:
            raise errors.missing_api_key()
        allowed = self.host.api_keys
        if allowed is not None and key not in allowed:
            raise errors.invalid_api_key()
        if not headers.get("anthropic-version") and request.path.startswith("/v1/messages"):
            raise errors.missing_version()

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        field: str | None = None,
    ) -> Reply:
        """An error in Anthropic's envelope; a message naming an error (``overloaded``,
        ``rate_limit_exceeded``...) answers that error, with its own status."""
        if message in NAMED_ERRORS:
            return NAMED_ERRORS[message]().reply
        text = f"{field}: {message}" if field and not message.startswith(field) else message
        return AnthropicError(status, text or None).reply

    def finish(self, request: RecordedRequest, reply: Reply) -> Reply:
        """Add ``request-id`` (repeated in an error body) and the organization header."""
        if type(reply) is BuiltReply:  # `messages` built it with these headers
            return reply
        document: Any = reply_document(reply) if reply.status >= 400 else None
        error = (
            reply.status >= 400 and isinstance(document, dict) and document.get("type") == "error"
        )
        given = document.get("request_id") if error else None  # a recorded or programmed id
        rid = given or reply.headers.get("request-id") or wire.request_id(self.host.rng)
        if error and not given:
            reply = Reply.json({**document, "request_id": rid}, reply.status, reply.headers)
        return reply.with_headers(self._own_headers(rid), override=False)

    @staticmethod
    def _own_headers(request_id: str) -> dict[str, str]:
        """The headers Anthropic adds to every answer."""
        return {"request-id": request_id, "anthropic-organization-id": ORGANIZATION_ID}

    @staticmethod
    def malformed() -> Reply:
        """The answer to a body that is not JSON."""
        return errors.invalid_json().reply

    @staticmethod
    def not_found_message(request: RecordedRequest) -> str:
        """What a path the API does not have is answered with."""
        return "Not found"

    def routes(self) -> list[Route]:
        """``POST /v1/messages`` and ``POST /v1/messages/count_tokens``."""
        return [
            Route(
                "POST",
                "/v1/messages",
                self.messages,
                request_schema="anthropic_request",
                response_schema="anthropic_message",
                stream_schema="anthropic_stream_event",
            ),
            Route(
                "POST",
                "/v1/messages/count_tokens",
                self.count_tokens,
                request_schema="anthropic_count_tokens_request",
                response_schema="anthropic_count_tokens",
            ),
        ]

    def contract_error(self, request: RecordedRequest, param: str, message: str) -> Reply:
        """The precise check's error when it finds one, else the contract's."""
        try:
            self._validate(request, request.json)
        except AnthropicError as precise:
            return precise.reply
        return errors.invalid_request(f"{param or 'body'}: {message}").reply

    # ---- answers -----------------------------------------------------------------

    def _validate(self, request: RecordedRequest, body: Any) -> ModelInfo | None:
        count_only = request.path.endswith("/count_tokens")
        model = body.get("model") if isinstance(body, dict) else None
        return validate_messages_request(
            body,
            self.host.catalog_for(request, model),
            context_window=self.host.context_window,
            count_only=count_only,
            unknown_model_hint=UNKNOWN_MODEL_HINT.format(model=model),
        )

    def _take(self, model: str, tokens: int) -> dict[str, str]:
        try:
            return ratelimit_headers(self.host.limiter.take(model, tokens))
        except RateLimitExceeded as exc:
            headers = ratelimit_headers(exc.window)
            raise errors.rate_limited(exc.kind, exc.retry_after, headers) from None

    def messages(self, request: RecordedRequest, reply: LLMReply | None = None) -> Reply:
        """Answer ``POST /v1/messages`` (``reply``: what an expectation programmed)."""
        body = request.json
        self._validate(request, body)
        model = str(body["model"])
        input_tokens = wire.input_tokens(body)
        headers = self._take(model, input_tokens + int(body["max_tokens"]))
        host = self.host
        output, message, signature = self._planned(body, reply)
        if body.get("stream"):
            events = wire.stream_events(
                output,
                model=model,
                message=message,
                input_tokens=input_tokens,
                rng=host.rng,
                thinking_signature=signature,
            )
            chunks = faulty_stream(events, reply, chunk=_event, error=_error_event)
            return host.stream_reply(request, chunks, headers)
        document = wire.create_message(
            output,
            model=model,
            message=message,
            input_tokens=input_tokens,
            thinking_signature=signature,
        )
        host.limiter.settle(input_tokens + output.completion_tokens)
        headers.update(self._own_headers(wire.request_id(host.rng)))
        return BuiltReply.json(document, 200, headers)

    def batch_message(self, request: RecordedRequest, reply: LLMReply | None) -> dict[str, Any]:
        """The message one request of a Message Batch is answered with (`request`'s body
        is its ``params``): checked as ``POST /v1/messages`` checks a body, raising that
        `AnthropicError`, and never streamed. It spends no per-minute budget: batches
        are limited apart from the Messages API."""
        body = request.json
        self._validate(request, body)
        if body.get("stream"):
            raise errors.invalid_request("stream: streaming is not supported in a batch")
        output, message, signature = self._planned(body, reply)
        return wire.create_message(
            output,
            model=str(body["model"]),
            message=message,
            input_tokens=wire.input_tokens(body),
            thinking_signature=signature,
        )

    def _planned(self, body: Any, reply: LLMReply | None) -> tuple[Output, str, str]:
        """The answer to a checked body: its output, message id and thinking signature."""
        host = self.host
        output = plan_output(
            wire.prompt_from_messages(body),
            rng=host.rng,
            seed=host.seed,
            answer=reply.answer() if reply is not None else None,
            call_id=wire.tool_use_id,
        )
        message = wire.message_id(host.rng)
        signature = wire.signature(host.rng) if output.thinking is not None else ""
        return output, message, signature

    def count_tokens(self, request: RecordedRequest) -> Reply:
        """Answer ``POST /v1/messages/count_tokens`` (not a generation: it matches no
        expectation of a completion and spends no budget)."""
        body = request.json
        self._validate(request, body)
        return Reply.json({"input_tokens": wire.input_tokens(body)}, 200)

    def list_models(self, request: RecordedRequest | None = None) -> Reply:
        """``GET /v1/models``: the Anthropic models of the catalogue."""
        return Reply.json(wire.model_list_json(self.host.models.of("anthropic")), 200)

    def get_model(self, request: RecordedRequest, name: str) -> Reply:
        """``GET /v1/models/{model}``."""
        info = self.host.models.get(name)
        if info is None and self.host.allow_unknown_models:
            info = ModelInfo(name, provider="anthropic")
        if info is None:
            raise errors.model_not_found(name, UNKNOWN_MODEL_HINT.format(model=name))
        return Reply.json(wire.model_json(info, name), 200)


def reply_document(reply: Reply) -> Any:
    """The JSON object behind `reply`: the document it was built from, else its body
    parsed (a recorded answer carries bytes only); None when the body is no JSON object."""
    if reply.document is not None:
        return reply.document
    if reply.body[:1] != b"{":
        return None
    try:
        return json.loads(reply.body)
    except ValueError:
        return None


def _event(event: dict[str, Any]) -> StreamChunk:
    return sse_event(event, event=event["type"])


def _error_event(index: int, message: str) -> StreamChunk:
    return sse_event(errors.stream_error(message), event="error")


def ratelimit_headers(window: Window) -> dict[str, str]:
    """The ``anthropic-ratelimit-*`` headers for ``window`` (resets as RFC 3339 times)."""
    now = time.time()
    limit, remaining = str(window.token_limit), str(window.tokens_remaining)
    reset = _utc_time(int(now + window.tokens_reset))
    return {  # the token budget's three lines, repeated for input and output tokens
        "anthropic-ratelimit-requests-limit": str(window.request_limit),
        "anthropic-ratelimit-requests-remaining": str(window.requests_remaining),
        "anthropic-ratelimit-requests-reset": _utc_time(int(now + window.requests_reset)),
        "anthropic-ratelimit-tokens-limit": limit,
        "anthropic-ratelimit-tokens-remaining": remaining,
        "anthropic-ratelimit-tokens-reset": reset,
        "anthropic-ratelimit-input-tokens-limit": limit,
        "anthropic-ratelimit-input-tokens-remaining": remaining,
        "anthropic-ratelimit-input-tokens-reset": reset,
        "anthropic-ratelimit-output-tokens-limit": limit,
        "anthropic-ratelimit-output-tokens-remaining": remaining,
        "anthropic-ratelimit-output-tokens-reset": reset,
    }


@functools.lru_cache(maxsize=128)
def _utc_time(epoch_second: int) -> str:
    """``2026-12-03T10:47:25Z`` for a second since the epoch (remembered: every answer
    carries two, and within a second they repeat)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_second))
