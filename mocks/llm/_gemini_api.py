"""MockLLM's Gemini API: its routes, auth, errors and answers.

``POST /{v1,v1beta,v1alpha}/models/{model}:generateContent``, ``:streamGenerateContent``
(server-sent events with ``?alt=sse``, else one JSON array), ``:countTokens``,
``:embedContent``, ``:batchEmbedContents``, and ``GET /{version}/models[/{model}]``
(``/v1/models`` is shared with OpenAI's and Anthropic's listings: the Google key tells
it apart). The key comes as ``x-goog-api-key`` or ``?key=``; none is 403
``PERMISSION_DENIED``, a refused one 400 ``INVALID_ARGUMENT`` with reason
``API_KEY_INVALID``. Success is exactly 200.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mocks.core import RecordedRequest, Reply, Route, StreamChunk, sse_event

from . import _gemini as wire
from . import _gemini_errors as errors
from ._embeddings import embed_text
from ._errors import UNKNOWN_MODEL_HINT
from ._gemini_errors import GeminiError
from ._gemini_validation import (
    validate_count_request,
    validate_embed_request,
    validate_generate_request,
)
from ._host import LLMHost
from ._models import ModelInfo
from ._planning import plan_output
from ._prompt import prompt_size
from ._providers import GEMINI_VERSIONS, gemini_action
from ._ratelimit import RateLimitExceeded
from ._responders import EmbeddingReply, LLMReply
from ._streaming import faulty_stream
from ._tokens import count_tokens

DEFAULT_EMBEDDING_SIZE = 3072

#: ``with_error(status, message)``: a message naming one of these answers that error.
NAMED_ERRORS: dict[str, Callable[[], GeminiError]] = {
    "rate_limit_exceeded": lambda: errors.resource_exhausted("the model", 10, 1, "requests"),
    "insufficient_quota": lambda: errors.resource_exhausted("the model", 0, 60, "requests"),
    "invalid_api_key": errors.invalid_api_key,
    "server_error": lambda: GeminiError(500),
    "overloaded": lambda: GeminiError(503),
    "context_length_exceeded": lambda: errors.invalid_argument(
        "contents",
        "too many tokens",
        "The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).",
    ),
}


def _version(request: RecordedRequest) -> str:
    return request.path.split("/", 2)[1] or "v1beta"


class GeminiAPI:
    """Answers the Gemini API for one `MockLLM`."""

    def __init__(self, host: LLMHost) -> None:
        self.host = host

    def routes(self) -> list[Route]:
        """Every version's model methods and (but for ``v1``'s shared ones) models."""
        routes: list[Route] = []
        methods: list[tuple[str, Any, str]] = [
            ("generateContent", self.generate, "generate"),
            ("streamGenerateContent", self.generate, "generate"),
            ("countTokens", self.count_tokens, "count_tokens"),
            ("embedContent", self.embed, "embed"),
            ("batchEmbedContents", self.embed, "batch_embed"),
        ]
        for version in GEMINI_VERSIONS:
            for action, handler, schema in methods:
                streamed = action == "streamGenerateContent"
                routes.append(
                    Route(
                        "POST",
                        f"/{version}/models/{{model:[^/:]+}}:{action}",
                        handler,
                        request_schema=f"gemini_{schema}_request",
                        response_schema="gemini_stream_array"
                        if streamed
                        else f"gemini_{schema}_response",
                        stream_schema="gemini_generate_response" if streamed else None,
                    )
                )
            if version != "v1":  # GET /v1/models[/{model}] is the shared route
                routes.append(
                    Route(
                        "GET",
                        f"/{version}/models",
                        self.list_models,
                        response_schema="gemini_model_list",
                    )
                )
                routes.append(
                    Route(
                        "GET",
                        f"/{version}/models/{{model}}",
                        lambda request: self.get_model(request, request.path_params["model"]),
                        response_schema="gemini_model",
                    )
                )
        return routes

    # ---- auth, headers, errors ---------------------------------------------------

    def api_key(self, request: RecordedRequest) -> str:
        """``x-goog-api-key``, else the ``key`` query parameter."""
        key = request.headers.get("x-goog-api-key") or request.query.get("key", "")
        return key.strip()

    def authorize(self, request: RecordedRequest) -> None:
        """Raise 403 without a key, 400 ``API_KEY_INVALID`` for a refused one."""
        key = self.api_key(request)
        if not key:
            raise errors.missing_api_key()
        allowed = self.host.api_keys
        if allowed is not None and key not in allowed:
            raise errors.invalid_api_key()

    def error_reply(
        self,
        status: int,
        message: str,
        request: RecordedRequest | None = None,
        field: str | None = None,
    ) -> Reply:
        """An error in Google's envelope; a message naming an error (``overloaded``,
        ``rate_limit_exceeded``...) answers that error, with its own status."""
        if message in NAMED_ERRORS:
            return NAMED_ERRORS[message]().reply
        if field is not None:
            return errors.invalid_argument(field, message, message).reply
        return GeminiError(status, message or None).reply

    @staticmethod
    def finish(request: RecordedRequest, reply: Reply) -> Reply:
        """Google's front end headers."""
        front_end = {"server-timing": "gfet4t7; dur=412", "vary": "Origin, X-Origin, Referer"}
        return reply.with_headers(front_end, override=False)

    @staticmethod
    def malformed() -> Reply:
        """The answer to a body that is not JSON."""
        return GeminiError(400, "Invalid JSON payload received.").reply

    @staticmethod
    def not_found_message(request: RecordedRequest) -> str:
        """What a path the API does not have is answered with."""
        return "Not found"

    def contract_error(self, request: RecordedRequest, param: str, message: str) -> Reply:
        """The precise check's error when it finds one, else the contract's."""
        try:
            self._validate(request)
        except GeminiError as precise:
            return precise.reply
        return errors.invalid_argument(param or "body", message).reply

    def _validate(self, request: RecordedRequest) -> ModelInfo | None:
        model, action = gemini_action(request.path) or ("", "")
        catalog = self.host.catalog_for(request, model)
        version = _version(request)
        hint = UNKNOWN_MODEL_HINT.format(model=model)
        body = request.json
        if action == "countTokens":
            validate_count_request(body, model, catalog, version=version, hint=hint)
            return None
        if action in ("embedContent", "batchEmbedContents"):
            return validate_embed_request(
                body,
                model,
                catalog,
                batch=action == "batchEmbedContents",
                version=version,
                hint=hint,
            )
        return validate_generate_request(
            body,
            model,
            catalog,
            version=version,
            context_window=self.host.context_window,
            hint=hint,
        )

    def _take(self, model: str, tokens: int) -> None:
        try:
            self.host.limiter.take(model, tokens)
        except RateLimitExceeded as exc:
            raise errors.resource_exhausted(model, exc.limit, exc.retry_after, exc.kind) from None

    # ---- answers -----------------------------------------------------------------

    def generate(self, request: RecordedRequest, reply: LLMReply | None = None) -> Reply:
        """Answer ``:generateContent`` and ``:streamGenerateContent``."""
        self._validate(request)
        model, action = gemini_action(request.path) or ("", "")
        body = request.json
        prompt = wire.prompt_from_request(body, model)
        prompt_tokens = prompt_size(prompt, wire.field(body, "tools"))
        self._take(model, prompt_tokens + (prompt.max_tokens or 0))
        host = self.host
        answer = reply.answer() if reply is not None else None
        outputs = [
            plan_output(prompt, rng=host.rng, seed=host.seed, variant=i, answer=answer)
            for i in range(max(prompt.n, 1))
        ]
        response = wire.response_id(host.rng)
        if action == "streamGenerateContent":
            events = wire.stream_responses(
                outputs[0], model=model, response=response, prompt_tokens=prompt_tokens
            )
            if request.query.get("alt") != "sse":
                return Reply.json(list(events), 200)
            chunks = faulty_stream(events, reply, chunk=sse_event, error=_error_event)
            return host.stream_reply(request, chunks)
        document = wire.generate_response(
            outputs, model=model, response=response, prompt_tokens=prompt_tokens
        )
        host.limiter.settle(document["usageMetadata"]["totalTokenCount"])
        return Reply.json(document, 200)

    def count_tokens(self, request: RecordedRequest) -> Reply:
        """Answer ``:countTokens`` (not a generation: it uses up no expectation)."""
        self._validate(request)
        model, _ = gemini_action(request.path) or ("", "")
        body = request.json
        inner = wire.field(body, "generateContentRequest")
        prompt = wire.prompt_from_request(inner if inner is not None else body, model)
        tools = wire.field(inner, "tools") if inner is not None else None
        total = prompt_size(prompt, tools)
        return Reply.json(
            {
                "totalTokens": total,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}],
            },
            200,
        )

    def embed(self, request: RecordedRequest, reply: EmbeddingReply | None = None) -> Reply:
        """Answer ``:embedContent`` and ``:batchEmbedContents``: each content's vector has
        its request's ``outputDimensionality``, else the expectation's dimensions, else
        the model's native size."""
        info = self._validate(request)
        model, action = gemini_action(request.path) or ("", "")
        batch = action == "batchEmbedContents"
        fallback = (reply.dimensions if reply is not None else None) or (
            info.dimensions if info is not None and info.dimensions else DEFAULT_EMBEDDING_SIZE
        )
        items = wire.embed_texts(request.json, batch)
        self._take(model, sum(count_tokens(text) for text, _size in items))
        vectors = [
            {"values": embed_text(text, size or fallback, self.host.seed)} for text, size in items
        ]
        document = {"embeddings": vectors} if batch else {"embedding": vectors[0]}
        return Reply.json(document, 200)

    def list_models(self, request: RecordedRequest | None = None) -> Reply:
        """``GET /{version}/models``: the Gemini models of the catalogue."""
        return Reply.json(wire.model_list_json(self.host.models.of("gemini")), 200)

    def get_model(self, request: RecordedRequest, name: str) -> Reply:
        """``GET /{version}/models/{model}``."""
        info = self.host.models.get(name)
        if info is None and self.host.allow_unknown_models:
            info = ModelInfo(name.removeprefix("models/"), provider="gemini")
        if info is None:
            raise errors.model_not_found(
                name, _version(request), "get", UNKNOWN_MODEL_HINT.format(model=name)
            )
        return Reply.json(wire.model_json(info, name), 200)


def _error_event(index: int, message: str) -> StreamChunk:
    chunk = sse_event(errors.stream_error(message))
    chunk.document = None  # an error, not a response: nothing to check it against
    return chunk
