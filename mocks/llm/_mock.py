"""MockLLM: the server of the three LLM APIs, its routes and its expectation vocabulary.

The answering lives in one module per API (`OpenAIAPI`, `AnthropicAPI`, `GeminiAPI`);
MockLLM routes each request to the API it speaks (`api_of`) for its auth, errors and
headers, keeps what the three share (keys, catalogue, limits, streams) and offers the
one expectation vocabulary that answers them all.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Self, cast

from mocks.core import (
    AdminRoute,
    BaseMock,
    CliOption,
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
)

from ._admin import LLMAdmin
from ._anthropic_api import AnthropicAPI
from ._anthropic_batches import MessageBatches
from ._expectation import LLMExpectation, retry_count, tool_call_of, tool_call_spec
from ._gemini_api import GeminiAPI
from ._host import Dialect
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
from ._openai_api import AZURE_PREFIX, OpenAIAPI, endpoint_of
from ._providers import API, APIS, api_of
from ._ratelimit import RateLimiter
from ._responders import EmbeddingReply, LLMReply, ToolCallSpec
from ._streaming import coalesced

__all__ = ["MockLLM"]


def _model_flag(text: str) -> ModelInfo:
    """``--extra-models`` read by `parse_model`, its complaint shown as argparse shows it."""
    try:
        return parse_model(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    ``google-genai`` with ``HttpOptions(base_url=mock.url)``. Anthropic's Message
    Batches (``/v1/messages/batches``) answer each request of a batch as
    ``/v1/messages`` would, through the same expectations; a batch ends when created
    unless `with_batch_processing` gives it time.

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
        self.openai = OpenAIAPI(self)
        self.anthropic = AnthropicAPI(self)
        self.gemini = GeminiAPI(self)
        #: Anthropic's Message Batches (``/v1/messages/batches``).
        self.batches = MessageBatches(self, self.anthropic.batch_message)
        #: The three APIs, each with its routes, auth, envelope, headers and answers.
        self.dialects: dict[API, Dialect] = {
            "openai": self.openai,
            "anthropic": self.anthropic,
            "gemini": self.gemini,
        }
        super().__init__(**options)

    # ---- routes --------------------------------------------------------------------

    def build_routes(self) -> list[Route]:
        routes = [
            *self.anthropic.routes(),
            *self.batches.routes(),
            *self.gemini.routes(),
            *self.openai.routes(),
        ]
        for prefix in ("/v1", "", AZURE_PREFIX):  # one listing, told apart by credentials
            routes.append(
                Route(
                    "GET", f"{prefix}/models", self._list_models, response_schema="any_model_list"
                )
            )
            routes.append(
                Route(
                    "GET",
                    f"{prefix}/models/{{model}}",
                    self._get_model,
                    response_schema="any_model",
                )
            )
        return routes

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

    def with_batch_processing(self, seconds: float) -> Self:
        """Keep each new Message Batch ``in_progress`` for ``seconds`` (0, the default:
        it ends when created), so a test can poll it, or cancel it, before it ends."""
        if seconds < 0:
            raise ValueError("batch processing time must be 0 or more seconds")
        self.batches.processing_seconds = seconds
        return self

    def reset(self, *, keep_stubs: bool = True) -> None:
        """Clear expectations, journal, faults, stored responses and batches, and restore
        the configured keys, context window, rate limits and batch processing time."""
        super().reset(keep_stubs=keep_stubs)
        self.api_keys = None if self._initial[0] is None else list(self._initial[0])
        self.context_window = self._initial[1]
        self.limiter = RateLimiter(self._initial[2], self._initial[3])
        self.models = ModelCatalog(self._initial_models)
        self.allow_unknown_models = self._initial_allow_unknown
        self.openai.stored_responses.clear()
        self.batches.clear()
        self.batches.processing_seconds = 0.0

    def llm_settings(self) -> dict[str, Any]:
        """The settings ``GET /__admin/llm/settings`` shows."""
        return {
            "allow_unknown_models": self.allow_unknown_models,
            "context_window": self.context_window,
            "requests_per_minute": self.limiter.requests_per_minute,
            "tokens_per_minute": self.limiter.tokens_per_minute,
            "batch_processing_seconds": self.batches.processing_seconds,
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
        if stream is not None:  # before the prompt's fields: cheaper to tell apart
            parts.append(Streamed(value=stream))
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

    def dialect(self, request: RecordedRequest | None) -> Dialect:
        """The API ``request`` speaks (OpenAI's when there is none)."""
        return self.dialects[api_of(request)] if request is not None else self.openai

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        *,
        field: str | None = None,
    ) -> Reply:
        """An error in the envelope of the API the request speaks, with the status's
        realistic type (OpenAI's when there is no request)."""
        return self.dialect(request).error_reply(status, message, request, field)

    def precheck(self, request: RecordedRequest, route: Route | None) -> Reply | None:
        """The real API's 401 comes before anything else looks at an API request."""
        if route is not None:
            self.dialect(request).authorize(request)  # the API's own error is the answer
        return None

    def scope_key(self, request: RecordedRequest) -> str | None:
        """The API key: a test scope named after the key its system under test was
        given catches that system's calls (see ``X-Mock-Scope``)."""
        return self.dialect(request).api_key(request) or None

    def injected_error_reply(
        self, status: int, message: str | None, request: RecordedRequest
    ) -> Reply:
        """An injected error with the status's realistic type, code and message."""
        return self.error_reply(status, message or "", request)

    def finish_reply(self, request: RecordedRequest, reply: Reply) -> Reply:
        """Every answer carries its API's response headers (OpenAI's ``x-request-id``
        and friends, Azure's ``apim-request-id``, Anthropic's ``request-id``)."""
        return self.dialect(request).finish(request, reply)

    def contract_error_reply(self, request: RecordedRequest, violation: Violation) -> Reply:
        return self.dialect(request).contract_error(request, violation.param, violation.message)

    def malformed_body_reply(self, request: RecordedRequest, route: Route) -> Reply:
        return self.dialect(request).malformed()

    def unmatched_reply(self, request: RecordedRequest, near_miss: NearMiss, status: int) -> Reply:
        dialect = self.dialect(request)
        message = (
            dialect.not_found_message(request) if status == 404 else near_miss.explain(request)
        )
        return self.error_reply(status, message, request)

    # ---- what the APIs share ---------------------------------------------------------

    def now(self) -> int:
        """The ``created`` timestamp answers carry (the fixed one, when given)."""
        return self.created if self.created is not None else int(time.time())

    def catalog_for(self, request: RecordedRequest, model: Any) -> ModelCatalog | None:
        """The catalogue to check ``model`` against; ``None`` serves any name.

        Azure names deployments, not models: any name the resource has is served. With
        ``allow_unknown_models`` a catalogued model keeps its limits and sizes."""
        if request.path.startswith(f"{AZURE_PREFIX}/"):
            return None
        if self.allow_unknown_models and not (isinstance(model, str) and model in self.models):
            return None
        return self.models

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

    def llm_reply(self, context: ReplyContext, reply: LLMReply) -> Reply:
        """Answer a matched request with a programmed `LLMReply` (called by it), in the
        shape of the API the request speaks."""
        request = context.request
        api = api_of(request)
        if api == "anthropic":
            return self.anthropic.messages(request, reply)
        if api == "gemini" and endpoint_of(request.path) == "embeddings":
            return self.gemini.embed(request)
        if endpoint_of(request.path) == "embeddings":
            return self.openai.embed(request)
        if api == "gemini":
            return self.gemini.generate(request, reply)
        return self.openai.generate(request, reply)

    def embedding_reply(self, context: ReplyContext, reply: EmbeddingReply) -> Reply:
        """Answer a matched request with a programmed `EmbeddingReply` (called by it)."""
        if api_of(context.request) == "gemini":
            return self.gemini.embed(context.request, reply)
        return self.openai.embed(context.request, reply)

    def _list_models(self, request: RecordedRequest) -> Reply:
        return self.dialect(request).list_models(request)

    def _get_model(self, request: RecordedRequest) -> Reply:
        return self.dialect(request).get_model(request, request.path_params.get("model", ""))
