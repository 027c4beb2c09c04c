"""MockLLM: the server of the three LLM APIs, its routes and its expectation vocabulary."""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Self, cast

from pydantic import ValidationError

from mocks.core import (
    AdminRoute,
    BaseMock,
    CliOption,
    Expectation,
    ExpectationOwner,
    ExpectationSpec,
    Matcher,
    Method,
    NearMiss,
    Not,
    RecordedRequest,
    Reply,
    ReplyContext,
    Route,
    StreamChunk,
    Violation,
    sse_event,
)

from . import _azure as azure
from . import _errors as errors
from . import _ids
from ._admin import LLMAdmin
from ._anthropic_api import AnthropicAPI
from ._chat import create_chat_completion, encode_choices, iter_chat_chunks
from ._chat import prompt_tokens as chat_prompt_size
from ._completions import create_completion, prompt_texts, stream_completion
from ._embeddings import create_embeddings
from ._errors import LLMError
from ._gemini_api import GeminiAPI
from ._matchers import (
    APIProvider,
    EmbeddingInput,
    Endpoint,
    PromptField,
    RequestModel,
    Streamed,
    ToolOffered,
)
from ._models import DEFAULT_MODELS, ModelCatalog, ModelInfo, parse_model
from ._providers import API, APIS, api_of
from ._ratelimit import RateLimiter, RateLimitExceeded, openai_headers
from ._responders import EmbeddingReply, LLMReply, ToolCallSpec
from ._response_store import ResponseStore, input_items_page, input_list
from ._responses import create_response, input_tokens, stream_response
from ._schema_values import SchemaValueError
from ._streaming import SharedFieldsEncoder, coalesced, faulty_stream
from ._validation import (
    validate_chat_request,
    validate_completion_request,
    validate_embedding_request,
    validate_responses_request,
)

AZURE_PREFIX = "/openai"
DEFAULT_EMBEDDING_SIZE = 1536
#: Retry delay advertised by injected 429s: short, so retrying tests stay fast.
INJECTED_RETRY_AFTER = 0.05
RETRY_HEADER = "X-Stainless-Retry-Count"
#: Azure's names of the operations, in its 429 messages.
_AZURE_OPERATIONS = {
    "chat": "ChatCompletions_Create",
    "completions": "Completions_Create",
    "embeddings": "Embeddings_Create",
    "responses": "Responses_Create",
}
TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")

#: ``with_error(status, message)``: a message naming one of these answers that error.
_NAMED_ERRORS: dict[str, Callable[[], LLMError]] = {
    "rate_limit_exceeded": lambda: errors.rate_limit_exceeded(
        "the model",
        kind="requests",
        limit=3,
        used=3,
        requested=1,
        retry_after=INJECTED_RETRY_AFTER,
    ),
    "insufficient_quota": errors.insufficient_quota,
    "invalid_api_key": lambda: errors.invalid_api_key("sk-mock-invalid"),
    "server_error": errors.server_error,
    "overloaded": errors.overloaded,
    "context_length_exceeded": lambda: errors.context_length_exceeded(128_000, 130_000),
}


def tool_call_spec(name: Any, arguments: Any, call_id: Any = None, *, where: str) -> ToolCallSpec:
    """A `ToolCallSpec` from a test's arguments, refusing what cannot be a call with a
    message naming the argument and what it may be."""
    if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
        raise ValueError(
            f"{where}: name must be a function name of 1 to 64 letters, digits, '_' or '-'; "
            f"got {name!r}"
        )
    if arguments is not None and not isinstance(arguments, str | Mapping):
        raise TypeError(
            f"{where}: arguments must be a mapping of argument names to values (a dict), "
            f"JSON text or None; got {type(arguments).__name__} {arguments!r}"
        )
    if isinstance(arguments, Mapping) and not all(isinstance(k, str) for k in arguments):
        raise TypeError(f"{where}: arguments must have string keys; got {dict(arguments)!r}")
    if call_id is not None and not isinstance(call_id, str):
        raise TypeError(f"{where}: call_id must be a string or None; got {call_id!r}")
    try:
        return ToolCallSpec(
            name=name,
            arguments=arguments if isinstance(arguments, str) else dict(arguments or {}),
            id=call_id,
        )
    except ValidationError as exc:  # arguments that JSON cannot carry
        problem = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise ValueError(f"{where}: {problem}") from None


def tool_call_of(call: Any, where: str) -> ToolCallSpec:
    """A call of `expect_tool_calls`: a `ToolCallSpec` or a ``(name, arguments)`` pair."""
    if isinstance(call, ToolCallSpec):
        return call
    if not isinstance(call, tuple | list) or len(call) != 2:
        raise TypeError(f"{where} must be a ToolCallSpec or a (name, arguments) pair; got {call!r}")
    return tool_call_spec(call[0], call[1], where=where)


def _named_event(event: dict[str, Any]) -> StreamChunk:
    return sse_event(event, event=event["type"])


def _responses_error(index: int, message: str) -> StreamChunk:
    """The Responses API's own ``error`` event."""
    event = {
        "type": "error",
        "code": "server_error",
        "message": message,
        "param": None,
        "sequence_number": index,
    }
    return sse_event(event, event="error")


def _chunk_error(index: int, message: str) -> StreamChunk:
    chunk = sse_event(errors.error_body(message, "server_error"))
    chunk.document = None  # an error envelope, not a chunk: nothing to check it against
    return chunk


def _model_flag(text: str) -> ModelInfo:
    """``--extra-models`` read by `parse_model`, its complaint shown as argparse shows it."""
    try:
        return parse_model(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def endpoint_of(path: str) -> str | None:
    """Which API a path serves: ``chat``, ``completions``, ``embeddings``, ``responses``."""
    for suffix, name in (
        ("/chat/completions", "chat"),
        ("/completions", "completions"),
        ("/embeddings", "embeddings"),
        (":embedContent", "embeddings"),
        (":batchEmbedContents", "embeddings"),
        ("/responses", "responses"),
    ):
        if path.endswith(suffix):
            return name
    return None


def _completion_limit(endpoint: str | None, body: Mapping[str, Any]) -> int:
    """The completion tokens a request may use, as the rate limiter estimates it."""
    keys = {
        "chat": ("max_completion_tokens", "max_tokens"),
        "completions": ("max_tokens",),
        "responses": ("max_output_tokens",),
    }.get(endpoint or "", ())
    for key in keys:
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 16 if endpoint == "completions" else 0


def retry_count(request: RecordedRequest) -> int:
    """The attempt number the SDKs send (``X-Stainless-Retry-Count``; 0 for the first)."""
    try:
        return int(request.headers.get(RETRY_HEADER, "0"))
    except ValueError:
        return 0


def _retried_by_sdks(request: RecordedRequest) -> bool:
    """Whether the answer to ``request`` is one the SDKs retry."""
    status = request.status
    connection_fault = request.fault is not None and not request.fault.startswith("error ")
    if connection_fault or status is None:
        return True
    return status in (408, 409, 429) or status >= 500


class LLMExpectation(Expectation):
    """An expectation of MockLLM, with stream faults and API errors in the LLM's terms.

    Chains everything an `Expectation` does (``.times(n)``, ``.once()``,
    ``.with_latency(ms)``, ``.with_error(status)``, ``.with_stream_delays(...)``,
    ``.with_fault(Fault.STREAM_CUT, after=n)``) plus the methods below.
    """

    def __init__(self, spec: ExpectationSpec, owner: ExpectationOwner | None = None) -> None:
        super().__init__(spec, owner)
        self._logical_only = False
        #: Retried attempts this expectation answered (with ``count_logical_calls``).
        self.retries = 0

    def _update_reply(self, **fields: Any) -> Self:
        current = self.spec.response
        base = current if isinstance(current, LLMReply) else LLMReply()
        return self.respond_with_responder(base.model_copy(update=fields))

    def with_stream_error(self, after: int = 1, message: str | None = None) -> Self:
        """End the stream with an ``error`` event after ``after`` events."""
        update: dict[str, Any] = {"stream_error_after": after}
        if message is not None:
            update["stream_error_message"] = message
        return self._update_reply(**update)

    def with_malformed_chunk(self, after: int = 1) -> Self:
        """Send a chunk that is not JSON after ``after`` events, and end the stream."""
        return self._update_reply(malformed_chunk_after=after)

    def with_api_error(self, code: str, status: int | None = None) -> Self:
        """Answer the API's error ``code``: ``rate_limit_exceeded`` (429, retry headers),
        ``insufficient_quota`` (429, ``x-should-retry: false``), ``invalid_api_key`` (401),
        ``server_error`` (500), ``overloaded`` (503), ``context_length_exceeded`` (400)."""
        if code not in _NAMED_ERRORS:
            raise ValueError(f"unknown error code {code!r}; known: {', '.join(_NAMED_ERRORS)}")
        return self.with_error(status or _NAMED_ERRORS[code]().status, code)

    def count_logical_calls(self) -> Self:
        """Count only first attempts toward ``times``: SDK retries of a call
        (``X-Stainless-Retry-Count`` > 0) are answered and kept in ``calls`` but
        counted in ``retries``, and an expectation whose last answer was one the SDKs
        retry (408, 409, 429, 5xx, a connection fault) keeps matching for the retry."""
        self._logical_only = True
        return self

    @property
    def exhausted(self) -> bool:
        if not self._logical_only or not super().exhausted:
            return super().exhausted
        last = self.calls[-1] if self.calls else None
        return last is None or not _retried_by_sdks(last)

    def record_call(self, request: RecordedRequest) -> None:
        if self._logical_only and retry_count(request) > 0:
            with self._lock:
                self.retries += 1
                self.calls.append(request)
            return
        super().record_call(request)

    def reset_calls(self) -> None:
        super().reset_calls()
        self.retries = 0

    @property
    def logical_call_count(self) -> int:
        """How many of the answered requests were first attempts (not SDK retries)."""
        return sum(1 for request in self.calls if retry_count(request) == 0)


class MockLLM(BaseMock):
    """OpenAI's, Anthropic's and Gemini's APIs on one port, which their SDKs cannot tell
    from the real ones.

    With nothing programmed it answers every chat, Responses, legacy completion and
    embedding request plausibly and deterministically (from ``seed``); expectations
    override that, whichever API a request comes in on (``provider=`` restricts one to
    an API). It speaks the real paths (OpenAI's with and without ``/v1`` and Azure's
    ``/openai/deployments/{deployment}/...``; Anthropic's ``/v1/messages``; Gemini's
    ``/{v1,v1beta}/models/{model}:generateContent`` and friends), auth, error envelopes
    and streaming of each. The Anthropic SDK reaches it with ``base_url=mock.url``,
    ``google-genai`` with ``HttpOptions(base_url=mock.url)``.

    Example::

        with MockLLM.start() as llm:
            llm.expect_completion("capital of France", "Paris.").once()
            client = OpenAI(base_url=f"{llm.url}/v1", api_key="sk-test")
            reply = client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "The capital of France?"}],
            )
            assert reply.choices[0].message.content == "Paris."
            llm.verify()

    Options: ``api_keys`` (accept only these; default any non-empty key), ``models``
    (the catalogue), ``extra_models`` (models added to it: `ModelInfo` or ids, as
    `parse_model` reads them), ``allow_unknown_models`` (serve any model name instead
    of 404; also ``--allow-unknown-models`` and ``PATCH /__admin/llm/settings``),
    ``context_window`` (overrides every model's), ``requests_per_minute`` and
    ``tokens_per_minute`` (rate limits), ``created`` (a fixed timestamp), and the
    engine's options (``seed``, ``strict``, ``latency``, ``error_rate``, ...).
    """

    service: ClassVar[str] = "llm"
    error_schema: ClassVar[str | None] = "any_error"

    def __init__(
        self,
        *,
        api_keys: Iterable[str] | None = None,
        models: Iterable[ModelInfo] = DEFAULT_MODELS,
        extra_models: Iterable[ModelInfo | str] = (),
        allow_unknown_models: bool = False,
        context_window: int | None = None,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        created: int | None = None,
        **options: Any,
    ) -> None:
        self._initial = (
            None if api_keys is None else list(api_keys),
            context_window,
            requests_per_minute,
            tokens_per_minute,
        )
        self.api_keys: list[str] | None = self._initial[0]
        self._initial_models = [
            *models,
            *(parse_model(m) if isinstance(m, str) else m for m in extra_models),
        ]
        self._initial_allow_unknown = allow_unknown_models
        self.models = ModelCatalog(self._initial_models)
        self.allow_unknown_models = allow_unknown_models
        self.context_window = context_window
        self.limiter = RateLimiter(requests_per_minute, tokens_per_minute)
        self.created = created
        #: Responses kept for ``previous_response_id`` and ``GET /v1/responses/{id}``.
        self.stored_responses = ResponseStore()
        self.anthropic = AnthropicAPI(self)
        self.gemini = GeminiAPI(self)
        #: The APIs answered beside OpenAI's, each with its auth, envelope and headers.
        self.dialects: dict[str, AnthropicAPI | GeminiAPI] = {
            "anthropic": self.anthropic,
            "gemini": self.gemini,
        }
        super().__init__(**options)

    # ---- routes --------------------------------------------------------------------

    def build_routes(self) -> list[Route]:
        routes: list[Route] = [
            Route(
                "POST",
                "/v1/messages",
                self._messages,
                request_schema="anthropic_request",
                response_schema="anthropic_message",
                stream_schema="anthropic_stream_event",
            ),
            Route(
                "POST",
                "/v1/messages/count_tokens",
                self.anthropic.count_tokens,
                request_schema="anthropic_count_tokens_request",
                response_schema="anthropic_count_tokens",
            ),
        ]
        routes += self.gemini.routes()
        for prefix in ("/v1", ""):
            routes += self._api_routes(prefix, prefix)
        routes += self._api_routes(f"{AZURE_PREFIX}/deployments/{{deployment}}", AZURE_PREFIX)
        return routes

    def _api_routes(self, generation_prefix: str, other_prefix: str) -> list[Route]:
        def post(path: str, handler: Any, name: str, response: str, chunk: str | None) -> Route:
            return Route(
                "POST",
                path,
                handler,
                request_schema=f"{name}_request",
                response_schema=response,
                stream_schema=chunk,
            )

        p = generation_prefix
        return [
            post(f"{p}/chat/completions", self._generation, "chat", "chat_response", "chat_chunk"),
            post(
                f"{p}/completions",
                self._generation,
                "completion",
                "completion_response",
                "completion_chunk",
            ),
            post(f"{p}/embeddings", self._embeddings, "embedding", "embedding_response", None),
            post(
                f"{other_prefix}/responses",
                self._generation,
                "responses",
                "response",
                "response_event",
            ),
            Route(
                "GET",
                f"{other_prefix}/responses/{{response_id}}",
                self._get_response,
                response_schema="response",
            ),
            Route(
                "DELETE",
                f"{other_prefix}/responses/{{response_id}}",
                self._delete_response,
                response_schema="response_deleted",
            ),
            Route(
                "GET",
                f"{other_prefix}/responses/{{response_id}}/input_items",
                self._input_items,
                response_schema="response_input_items",
            ),
            Route(
                "GET", f"{other_prefix}/models", self._list_models, response_schema="any_model_list"
            ),
            Route(
                "GET",
                f"{other_prefix}/models/{{model}}",
                self._get_model,
                response_schema="any_model",
            ),
        ]

    # ---- configuration ---------------------------------------------------------------

    def with_rate_limit(
        self, requests_per_minute: int | None = None, tokens_per_minute: int | None = None
    ) -> Self:
        """Enforce per-minute request and token budgets (``None`` leaves one unlimited)."""
        self.limiter = RateLimiter(requests_per_minute, tokens_per_minute)
        return self

    def with_context_window(self, tokens: int | None) -> Self:
        """Answer ``context_length_exceeded`` past ``tokens`` (``None``: each model's own)."""
        self.context_window = tokens
        return self

    def reset(self, *, keep_stubs: bool = True) -> None:
        """Clear expectations, journal and faults, and restore the configured keys,
        context window and rate limits."""
        super().reset(keep_stubs=keep_stubs)
        self.api_keys = None if self._initial[0] is None else list(self._initial[0])
        self.context_window = self._initial[1]
        self.limiter = RateLimiter(self._initial[2], self._initial[3])
        self.models = ModelCatalog(self._initial_models)
        self.allow_unknown_models = self._initial_allow_unknown
        self.stored_responses.clear()

    def llm_settings(self) -> dict[str, Any]:
        """The settings ``GET /__admin/llm/settings`` shows."""
        return {
            "allow_unknown_models": self.allow_unknown_models,
            "context_window": self.context_window,
            "requests_per_minute": self.limiter.requests_per_minute,
            "tokens_per_minute": self.limiter.tokens_per_minute,
        }

    def admin_routes(self) -> list[AdminRoute]:
        """``/__admin/llm/settings`` and ``/__admin/llm/models``: the settings and the
        model catalogue over HTTP."""
        return LLMAdmin(self).routes()

    @classmethod
    def cli_options(cls) -> list[CliOption]:
        """``--allow-unknown-models`` and ``--extra-models ID[=KIND]`` (repeatable)."""
        return [
            CliOption(
                "allow_unknown_models",
                "serve any model name instead of answering 404 model_not_found",
                type=bool,
            ),
            CliOption(
                "extra_models",
                "add a model to the catalogue: ID (a chat model), ID=completion, "
                "ID=embedding or ID=embedding:DIMENSIONS",
                type=_model_flag,
                metavar="ID[=KIND]",
                repeat=True,
            ),
        ]

    def stack_environment(self) -> dict[str, str]:
        """What the OpenAI, Azure, Anthropic and Gemini clients read to reach this mock
        (``google-genai`` reads ``GOOGLE_GEMINI_BASE_URL`` and ``GOOGLE_API_KEY`` or
        ``GEMINI_API_KEY``; the Anthropic SDK ``ANTHROPIC_BASE_URL``)."""
        key = self.api_keys[0] if self.api_keys else "sk-mock"
        return {
            "OPENAI_BASE_URL": f"{self.url}/v1",
            "OPENAI_API_KEY": key,
            "AZURE_OPENAI_ENDPOINT": self.url,
            "AZURE_OPENAI_API_KEY": key,
            "OPENAI_API_VERSION": "2024-10-21",
            "ANTHROPIC_BASE_URL": self.url,
            "ANTHROPIC_API_KEY": key,
            "GOOGLE_GEMINI_BASE_URL": self.url,
            "GEMINI_API_KEY": key,
            "GOOGLE_API_KEY": key,
        }

    # ---- the expectation vocabulary ---------------------------------------------------

    def _add(self, matcher: Matcher, response: Any) -> LLMExpectation:
        spec = ExpectationSpec(matcher=matcher, response=response)
        return cast(LLMExpectation, self.add_expectation(spec, handle=LLMExpectation))

    @staticmethod
    def generation_matcher(
        prompt_contains: str | None = None,
        *,
        system_contains: str | None = None,
        model: str | None = None,
        tool_result_contains: str | None = None,
        tools_offered: Sequence[str] = (),
        stream: bool | None = None,
        provider: API | None = None,
    ) -> Matcher:
        """A matcher for generation requests (chat, Responses, legacy completions,
        Anthropic messages, Gemini ``generateContent``); ``provider`` restricts it to
        one API (``openai``, ``anthropic`` or ``gemini``)."""
        parts: list[Matcher] = [
            Method(value="POST"),
            Endpoint(value="generation"),
        ]
        if provider is not None:
            if provider not in APIS:
                raise ValueError(f"unknown provider {provider!r}; use one of {', '.join(APIS)}")
            parts.append(APIProvider(value=provider))
        if prompt_contains is not None:
            parts.append(PromptField(field="last_user", value=prompt_contains, op="contains"))
        if system_contains is not None:
            parts.append(PromptField(field="system", value=system_contains, op="contains"))
        if model is not None:
            parts.append(PromptField(field="model", value=model))
        if tool_result_contains is not None:
            parts.append(
                PromptField(field="tool_result", value=tool_result_contains, op="contains")
            )
        parts.extend(ToolOffered(name=name) for name in tools_offered)
        if stream is not None:
            parts.append(Streamed(value=stream))
        matcher = parts[0]
        for part in parts[1:]:
            matcher = matcher & part
        return matcher

    def expect_completion(
        self,
        prompt_contains: str | None = None,
        response: str | None = None,
        *,
        refusal: str | None = None,
        system_contains: str | None = None,
        model: str | None = None,
        tool_result_contains: str | None = None,
        tools_offered: Sequence[str] = (),
        provider: API | None = None,
    ) -> LLMExpectation:
        """Expect a generation request whose last user message contains
        ``prompt_contains``, and answer ``response`` (the simulator answers when it is
        ``None``; ``refusal`` answers a refusal instead).

        Works for every API, streamed or not: chat completions, the Responses API,
        legacy completions, Anthropic's Messages API and Gemini's ``generateContent``,
        each answered in its own shape (``provider="anthropic"`` restricts it to one).
        ``tool_result_contains`` matches the turn right after tool results, which is
        how the answer step of an agent loop is scripted.
        """
        matcher = self.generation_matcher(
            prompt_contains,
            system_contains=system_contains,
            model=model,
            tool_result_contains=tool_result_contains,
            tools_offered=tools_offered,
            provider=provider,
        )
        return self._add(matcher, LLMReply(content=response, refusal=refusal))

    def expect_streaming(
        self,
        chunks: Sequence[str],
        prompt_contains: str | None = None,
        *,
        system_contains: str | None = None,
        model: str | None = None,
        tool_result_contains: str | None = None,
        tools_offered: Sequence[str] = (),
        provider: API | None = None,
    ) -> LLMExpectation:
        """Expect a streamed request and stream exactly ``chunks`` as the content."""
        matcher = self.generation_matcher(
            prompt_contains,
            system_contains=system_contains,
            model=model,
            tool_result_contains=tool_result_contains,
            tools_offered=tools_offered,
            stream=True,
            provider=provider,
        )
        return self._add(matcher, LLMReply(chunks=list(chunks)))

    def expect_tool_call(
        self,
        name: str,
        arguments: Mapping[str, Any] | str | None = None,
        *,
        prompt_contains: str | None = None,
        call_id: str | None = None,
        content: str | None = None,
        system_contains: str | None = None,
        model: str | None = None,
        tool_result_contains: str | None = None,
        provider: API | None = None,
    ) -> LLMExpectation:
        """Expect a request offering the function ``name``, and call it with
        ``arguments`` (a mapping, or JSON text as a model would write it).

        Unless ``tool_result_contains`` is given, it matches only while the model is not
        answering tool results, so an agent loop moves on to the answer instead of
        calling the tool forever; with it, it scripts a tool call that follows another.
        """
        call = tool_call_spec(name, arguments, call_id, where="expect_tool_call")
        return self.expect_tool_calls(
            [call],
            prompt_contains=prompt_contains,
            content=content,
            system_contains=system_contains,
            model=model,
            tool_result_contains=tool_result_contains,
            provider=provider,
        )

    def expect_tool_calls(
        self,
        calls: Sequence[ToolCallSpec | tuple[str, Mapping[str, Any] | str]],
        *,
        prompt_contains: str | None = None,
        content: str | None = None,
        system_contains: str | None = None,
        model: str | None = None,
        tool_result_contains: str | None = None,
        provider: API | None = None,
    ) -> LLMExpectation:
        """Like `expect_tool_call`, with several (parallel) calls in one answer."""
        specs = [
            tool_call_of(call, f"expect_tool_calls: calls[{i}]") for i, call in enumerate(calls)
        ]
        if not specs:
            raise ValueError("expect_tool_calls: calls is empty; give at least one call")
        matcher = self.generation_matcher(
            prompt_contains,
            system_contains=system_contains,
            model=model,
            tool_result_contains=tool_result_contains,
            tools_offered=list(dict.fromkeys(spec.name for spec in specs)),
            provider=provider,
        )
        if tool_result_contains is None:
            matcher = matcher & Not(matcher=PromptField(field="last_role", value="tool"))
        return self._add(matcher, LLMReply(content=content, tool_calls=specs))

    def expect_embedding(
        self,
        dimensions: int | None = None,
        *,
        input_contains: str | None = None,
        model: str | None = None,
        provider: API | None = None,
    ) -> LLMExpectation:
        """Expect an embedding request (OpenAI's ``/embeddings``, Gemini's
        ``:embedContent`` and ``:batchEmbedContents``), answered with vectors of
        ``dimensions`` (a request's own ``dimensions``/``outputDimensionality`` wins)."""
        matcher: Matcher = Method(value="POST") & Endpoint(value="embedding")
        if input_contains is not None:
            matcher = matcher & EmbeddingInput(value=input_contains)
        if model is not None:
            matcher = matcher & RequestModel(value=model)
        if provider is not None:
            matcher = matcher & APIProvider(value=provider)
        return self._add(matcher, EmbeddingReply(dimensions=dimensions))

    def logical_requests(
        self, method: str | None = None, path: str | None = None, **matchers: Any
    ) -> list[RecordedRequest]:
        """Journaled requests (matching as `expect` takes them) that were first attempts,
        not SDK retries: the calls an application made, however often the SDK retried."""
        found = self.requests.matching(method, path, **matchers)
        return [request for request in found if retry_count(request) == 0]

    # ---- engine hooks ----------------------------------------------------------------

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        *,
        field: str | None = None,
    ) -> Reply:
        """An error in the envelope of the API the request speaks (OpenAI's, with the
        status's realistic type and code, when there is no request)."""
        dialect = self.dialects.get(api_of(request)) if request is not None else None
        if dialect is not None:
            return dialect.error_reply(status, message, field)
        if message in _NAMED_ERRORS:
            error = _NAMED_ERRORS[message]()
        else:
            error = errors.error_for_status(status)
            if status == 429:
                error = _NAMED_ERRORS["rate_limit_exceeded"]()
            if message:
                error.message = message
        error.status = status
        if field is not None:
            error.param = field
        if request is not None and azure.is_azure(request.path) and status != 400:
            error = azure.AzureError(status, error.message, code=str(status), headers=error.headers)
        return self._error(error, request)

    def precheck(self, request: RecordedRequest, route: Route | None) -> Reply | None:
        """The real API's 401 comes before anything else looks at an API request."""
        if route is None:
            return None
        dialect = self.dialects.get(api_of(request))
        if dialect is not None:
            dialect.authorize(request)  # its own error class is the answer
        else:
            self._authorize(request)  # an LLMError is the answer
        return None

    def injected_error_reply(
        self, status: int, message: str | None, request: RecordedRequest
    ) -> Reply:
        """An injected error with the status's realistic OpenAI type, code and message."""
        return self.error_reply(status, message or "", request)

    def finish_reply(self, request: RecordedRequest, reply: Reply) -> Reply:
        """Every answer carries its API's response headers (OpenAI's ``x-request-id``
        and friends, Anthropic's ``request-id``)."""
        dialect = self.dialects.get(api_of(request))
        if dialect is not None:
            return dialect.finish(reply)
        if azure.is_azure(request.path):
            deployment = request.path_params.get("deployment", "")
            for name, value in azure.headers(deployment, self.rng).items():
                reply.headers.setdefault(name, value)
            return reply
        for name, value in self._headers().items():
            reply.headers.setdefault(name, value)
        return reply

    def contract_error_reply(self, request: RecordedRequest, violation: Violation) -> Reply:
        dialect = self.dialects.get(api_of(request))
        if dialect is not None:
            return dialect.contract_error(request, violation.param, violation.message)
        try:
            self._validate(endpoint_of(request.path), request.json, request)
            error = LLMError(
                400,
                f"Invalid '{violation.param or 'body'}': {violation.message}",
                param=violation.param or None,
                code="invalid_value",
            )
        except LLMError as precise:
            error = precise
        return self._error(error, request)

    def malformed_body_reply(self, request: RecordedRequest, route: Route) -> Reply:
        dialect = self.dialects.get(api_of(request))
        if dialect is not None:
            return dialect.error_reply(400, "Invalid JSON payload received.")
        return self._error(errors.invalid_json(), request)

    def unmatched_reply(self, request: RecordedRequest, near_miss: NearMiss, status: int) -> Reply:
        if status != 404:
            message = near_miss.explain(request)
        elif api_of(request) != "openai":
            message = "Not found"
        elif azure.is_azure(request.path):
            message = "Resource not found"
        else:
            message = f"Invalid URL ({request.method} {request.path})"
        reply = self.error_reply(status, message, request)
        document = {**reply.document, "near_miss": near_miss.to_dict()}
        return Reply.json(document, status, reply.headers)

    # ---- answering -------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {
            "x-request-id": _ids.request_id(self.rng),
            "openai-version": "2020-10-01",
            "openai-organization": "user-mock",
            "openai-processing-ms": str(self.rng.randint(20, 400)),
        }

    @staticmethod
    def _error(error: LLMError, request: RecordedRequest | None) -> Reply:
        return error.reply

    def now(self) -> int:
        """The ``created`` timestamp answers carry (the fixed one, when given)."""
        return self.created if self.created is not None else int(time.time())

    def _authorize(self, request: RecordedRequest) -> None:
        header = request.headers.get("Authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if azure.is_azure(request.path):
            key = key or request.headers.get("api-key", "").strip()
            if not key:
                raise azure.missing_key()
            if self.api_keys is not None and key not in self.api_keys:
                raise azure.invalid_key()
            if "api-version" not in request.query:
                raise azure.missing_api_version()
            return
        if not key:
            raise errors.missing_api_key()
        if self.api_keys is not None and key not in self.api_keys:
            raise errors.invalid_api_key(key)

    def _acquire(self, request: RecordedRequest, model: str, tokens: int) -> dict[str, str]:
        """Spend the rate-limit budget: OpenAI's 429, or Azure's on its paths."""
        if not azure.is_azure(request.path):
            return self.limiter.acquire(model, tokens)
        try:
            return openai_headers(self.limiter.take(model, tokens))
        except RateLimitExceeded as exc:
            operation = _AZURE_OPERATIONS.get(endpoint_of(request.path) or "", "Create")
            raise azure.rate_limited(
                exc.retry_after, openai_headers(exc.window), operation
            ) from None

    def catalog_for(self, request: RecordedRequest, model: Any) -> ModelCatalog | None:
        """The catalogue to check ``model`` against; ``None`` serves any name.

        Azure names deployments, not models: any name the resource has is served. With
        ``allow_unknown_models`` a catalogued model keeps its limits and sizes."""
        if request.path.startswith(f"{AZURE_PREFIX}/"):
            return None
        if self.allow_unknown_models and not (isinstance(model, str) and model in self.models):
            return None
        return self.models

    def _validate(
        self, endpoint: str | None, body: Any, request: RecordedRequest
    ) -> ModelInfo | None:
        catalog = self.catalog_for(
            request, body.get("model") if isinstance(body, Mapping) else None
        )
        window = self.context_window
        if endpoint == "chat":
            return validate_chat_request(body, catalog, context_window=window)
        if endpoint == "completions":
            return validate_completion_request(body, catalog, context_window=window)
        if endpoint == "responses":
            return validate_responses_request(body, catalog, context_window=window)
        if endpoint == "embeddings":
            return validate_embedding_request(body, catalog)
        return None

    def _body(self, request: RecordedRequest) -> dict[str, Any]:
        body = request.json
        if not isinstance(body, dict):
            raise errors.invalid_json()
        deployment = request.path_params.get("deployment")
        if deployment and not body.get("model"):
            body = {**body, "model": deployment}
        return body

    def _generation(self, request: RecordedRequest) -> Reply:
        return self._generate(request, None)

    def _embeddings(self, request: RecordedRequest) -> Reply:
        return self._embed(request, None)

    def _messages(self, request: RecordedRequest) -> Reply:
        return self.anthropic.messages(request)

    def llm_reply(self, context: ReplyContext, reply: LLMReply) -> Reply:
        """Answer a matched request with a programmed `LLMReply` (called by it), in the
        shape of the API the request speaks."""
        api = api_of(context.request)
        if api == "anthropic":
            return self.anthropic.messages(context.request, reply)
        if api == "gemini":
            if endpoint_of(context.request.path) == "embeddings":
                return self.gemini.embed(context.request)
            return self.gemini.generate(context.request, reply)
        if endpoint_of(context.request.path) == "embeddings":
            return self._embed(context.request, None)
        return self._generate(context.request, reply)

    def embedding_reply(self, context: ReplyContext, reply: EmbeddingReply) -> Reply:
        """Answer a matched request with a programmed `EmbeddingReply` (called by it)."""
        if api_of(context.request) == "gemini":
            return self.gemini.embed(context.request, reply)
        return self._embed(context.request, reply)

    def _generate(self, request: RecordedRequest, reply: LLMReply | None) -> Reply:
        endpoint = endpoint_of(request.path)
        body = self._body(request)
        self._validate(endpoint, body, request)
        earlier: list[dict[str, Any]] = []
        if endpoint == "responses":
            earlier, body = self._continued(body)
        model = str(body.get("model", ""))
        estimate = self._prompt_size(endpoint, body) + _completion_limit(endpoint, body)
        headers = self._acquire(request, model, estimate)
        answer = reply.answer() if reply is not None else None
        options: dict[str, Any] = {
            "rng": self.rng,
            "created": self.now(),
            "seed": self.seed,
            "answer": answer,
        }
        try:
            if body.get("stream"):
                return self._stream(endpoint, body, options, reply, headers, earlier, request)
            document = self._document(endpoint, body, options)
        except SchemaValueError as exc:
            raise errors.invalid_value("response_format", f"Invalid schema: {exc}") from exc
        if endpoint == "responses" and body.get("store") is not False:
            self.stored_responses.keep(document, request.json, earlier, self.rng)
        usage = document.get("usage") or {}
        self.limiter.settle(int(usage.get("total_tokens") or 0))
        return Reply.json(document, 200, headers)

    def _continued(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """``(earlier items, the body as the model sees it)``: a request naming
        ``previous_response_id`` continues that stored conversation."""
        previous = body.get("previous_response_id")
        if not isinstance(previous, str):
            return [], body
        earlier = self.stored_responses.conversation(previous)
        if earlier is None:
            raise LLMError(
                400,
                f"Previous response with id '{previous}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        return earlier, {**body, "input": [*earlier, *input_list(body.get("input"))]}

    def _prompt_size(self, endpoint: str | None, body: Mapping[str, Any]) -> int:
        if endpoint == "chat":
            return chat_prompt_size(body)
        if endpoint == "responses":
            return input_tokens(body)
        return sum(count for _text, count in prompt_texts(body.get("prompt")))

    @staticmethod
    def _document(
        endpoint: str | None, body: Mapping[str, Any], options: dict[str, Any]
    ) -> dict[str, Any]:
        if endpoint == "chat":
            return create_chat_completion(body, **options)
        if endpoint == "completions":
            return create_completion(body, **options)
        return create_response(body, **options)

    def _stream(
        self,
        endpoint: str | None,
        body: Mapping[str, Any],
        options: dict[str, Any],
        reply: LLMReply | None,
        headers: dict[str, str],
        earlier: list[dict[str, Any]],
        request: RecordedRequest,
    ) -> Reply:
        documents: Iterable[dict[str, Any]]
        if endpoint == "responses":
            events = stream_response(body, **options)
            cut = reply is not None and (
                reply.stream_error_after is not None or reply.malformed_chunk_after is not None
            )
            if body.get("store") is not False and not cut:
                final = events[-1]["response"]
                self.stored_responses.keep(final, request.json, earlier, self.rng)
            chunks = faulty_stream(events, reply, chunk=_named_event, error=_responses_error)
            return self.stream_reply(request, chunks, headers)
        if endpoint == "chat":
            documents = iter_chat_chunks(body, **options)
        else:
            documents = stream_completion(body, **options)
        encoder = SharedFieldsEncoder({"choices": encode_choices} if endpoint == "chat" else None)
        chunks = faulty_stream(
            documents, reply, chunk=encoder.chunk, error=_chunk_error, tail=sse_event("[DONE]")
        )
        return self.stream_reply(request, chunks, headers)

    def stream_reply(
        self,
        request: RecordedRequest,
        chunks: Iterable[StreamChunk],
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A streamed reply whose events go out in few writes (the first alone), unless
        they must go one by one: stream delays or a dribble on the matched expectation,
        a stream cut, or checking mode (each event is checked as it is written)."""
        if not self._paced(request):
            chunks = coalesced(chunks)
        return Reply.sse(chunks, headers=dict(headers or {}))

    def _paced(self, request: RecordedRequest) -> bool:
        if self.check_responses or request.fault is not None:
            return True
        if request.matched is None:
            return False
        for expectation in self.expectations:
            if expectation.id == request.matched:
                spec = expectation.spec
                timed = (spec.first_event_delay, spec.between_events_delay, spec.dribble)
                return any(part is not None for part in timed)
        return False

    def _embed(self, request: RecordedRequest, reply: EmbeddingReply | None) -> Reply:
        body = self._body(request)
        info = validate_embedding_request(body, self.catalog_for(request, body.get("model")))
        native = info.dimensions if info is not None and info.dimensions else None
        if reply is not None and reply.dimensions is not None:
            body = {**body, "dimensions": reply.dimensions}
        document = create_embeddings(
            body, dimensions=native or DEFAULT_EMBEDDING_SIZE, seed=self.seed
        )
        tokens = int(document["usage"]["total_tokens"])
        headers = self._acquire(request, str(body["model"]), tokens)
        return Reply.json(document, 200, headers)

    def _stored(self, request: RecordedRequest) -> Any:
        found = self.stored_responses.get(request.path_params.get("response_id", ""))
        if found is None:
            name = request.path_params.get("response_id", "")
            raise LLMError(404, f"Response with id '{name}' not found.")
        return found

    def _get_response(self, request: RecordedRequest) -> Reply:
        return Reply.json(self._stored(request).document, 200)

    def _delete_response(self, request: RecordedRequest) -> Reply:
        stored = self._stored(request)
        self.stored_responses.delete(stored.document["id"])
        document = {"id": stored.document["id"], "object": "response", "deleted": True}
        return Reply.json(document, 200)

    def _input_items(self, request: RecordedRequest) -> Reply:
        query = request.query
        try:
            limit = int(query.get("limit", "20"))
        except ValueError:
            raise errors.invalid_type("limit", "an integer", query.get("limit")) from None
        if not 1 <= limit <= 100:
            raise errors.invalid_value("limit", "Invalid 'limit': expected 1 to 100.")
        order = query.get("order", "desc")
        if order not in ("asc", "desc"):
            raise errors.unsupported_value("order", order, ["asc", "desc"])
        page = input_items_page(
            self._stored(request), order=order, limit=limit, after=query.get("after")
        )
        return Reply.json(page, 200)

    def _list_models(self, request: RecordedRequest) -> Reply:
        api = api_of(request)
        if api == "anthropic":
            return self.anthropic.list_models()
        if api == "gemini":
            return self.gemini.list_models(request)
        return Reply.json(self.models.list_json(), 200)

    def _get_model(self, request: RecordedRequest) -> Reply:
        name = request.path_params.get("model", "")
        dialect = self.dialects.get(api_of(request))
        if dialect is not None:
            return dialect.get_model(request, name)
        info = self.models.get(name)
        if info is None and self.allow_unknown_models:
            info = ModelInfo(name, owned_by="user")
        if info is None:
            raise errors.model_not_found(name, param="model")
        return Reply.json({**info.to_json(), "id": name}, 200)
