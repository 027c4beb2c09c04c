"""MockLLM's OpenAI API: chat completions, legacy completions, embeddings, the Responses
API (with its stored responses) and OpenAI's model listing, on OpenAI's paths (with and
without ``/v1``) and Azure's (``/openai/deployments/{deployment}/...``, Azure's gateway
errors and headers): routes, auth, rate limits, errors and answers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mocks.core import RecordedRequest, Reply, Route, StreamChunk, sse_event

from . import _azure as azure
from . import _errors as errors
from . import _ids
from ._built_reply import BuiltReply
from ._chat import create_chat_completion, iter_chat_chunks
from ._chat import prompt_tokens as chat_prompt_size
from ._completions import create_completion, prompt_texts, stream_completion
from ._embeddings import create_embeddings
from ._errors import LLMError
from ._host import LLMHost
from ._models import ModelInfo
from ._prompt import MAPPINGS
from ._ratelimit import RateLimitExceeded, openai_headers
from ._responders import EmbeddingReply, LLMReply
from ._response_store import ResponseStore, input_items_page, input_list
from ._responses import create_response, input_tokens, stream_response
from ._schema_values import SchemaValueError
from ._streaming import faulty_stream
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
#: Azure's names of the operations, in its 429 messages.
_AZURE_OPERATIONS = {
    "chat": "ChatCompletions_Create",
    "completions": "Completions_Create",
    "embeddings": "Embeddings_Create",
    "responses": "Responses_Create",
}

#: ``with_error(status, message)``: a message naming one of these answers that error.
NAMED_ERRORS: dict[str, Callable[[], LLMError]] = {
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


@functools.lru_cache(maxsize=256)
def endpoint_of(path: str) -> str | None:
    """Which API a path serves: ``chat``, ``completions``, ``embeddings``, ``responses``
    (remembered: a request asks several times, and paths repeat)."""
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


#: Where each endpoint's request says how many completion tokens it may use.
_COMPLETION_LIMITS = {
    "chat": ("max_completion_tokens", "max_tokens"),
    "completions": ("max_tokens",),
    "responses": ("max_output_tokens",),
}


def _completion_limit(endpoint: str | None, body: Mapping[str, Any]) -> int:
    """The completion tokens a request may use, as the rate limiter estimates it."""
    for key in _COMPLETION_LIMITS.get(endpoint or "", ()):
        value = body.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 16 if endpoint == "completions" else 0


class OpenAIAPI:
    """Answers OpenAI's API (and Azure's paths of it) for one `MockLLM`."""

    def __init__(self, host: LLMHost) -> None:
        self.host = host
        #: Responses kept for ``previous_response_id`` and ``GET /v1/responses/{id}``.
        self.stored_responses = ResponseStore()

    def routes(self) -> list[Route]:
        """The generation, embedding and Responses routes of every prefix."""
        routes: list[Route] = []
        for prefix in ("/v1", ""):
            routes += self._routes(prefix, prefix)
        routes += self._routes(f"{AZURE_PREFIX}/deployments/{{deployment}}", AZURE_PREFIX)
        return routes

    def _routes(self, generation_prefix: str, other_prefix: str) -> list[Route]:
        def post(path: str, name: str, response: str, chunk: str | None) -> Route:
            handler = self.embed if name == "embedding" else self.generate
            return Route(
                "POST",
                path,
                handler,
                request_schema=f"{name}_request",
                response_schema=response,
                stream_schema=chunk,
            )

        p, q = generation_prefix, other_prefix
        stored = f"{q}/responses/{{response_id}}"
        return [
            post(f"{p}/chat/completions", "chat", "chat_response", "chat_chunk"),
            post(f"{p}/completions", "completion", "completion_response", "completion_chunk"),
            post(f"{p}/embeddings", "embedding", "embedding_response", None),
            post(f"{q}/responses", "responses", "response", "response_event"),
            Route("GET", stored, self.get_response, response_schema="response"),
            Route("DELETE", stored, self.delete_response, response_schema="response_deleted"),
            Route(
                "GET",
                f"{stored}/input_items",
                self.input_items,
                response_schema="response_input_items",
            ),
        ]

    # ---- auth, headers, errors ---------------------------------------------------

    def error_reply(
        self, status: int, message: str, request: RecordedRequest | None, field: str | None
    ) -> Reply:
        """OpenAI's envelope with the status's realistic type and code (Azure's gateway
        envelope on Azure's paths, but for a 400); a message naming an error
        (``rate_limit_exceeded``...) answers that error."""
        if message in NAMED_ERRORS:
            error = NAMED_ERRORS[message]()
        else:
            error = errors.error_for_status(status)
            if status == 429:
                error = NAMED_ERRORS["rate_limit_exceeded"]()
            if message:
                error.message = message
        error.status = status
        if field is not None:
            error.param = field
        if request is not None and azure.is_azure(request.path) and status != 400:
            error = azure.AzureError(status, error.message, code=str(status), headers=error.headers)
        return error.reply

    def headers(self) -> dict[str, str]:
        """OpenAI's headers of every answer."""
        rng = self.host.rng
        return {
            "x-request-id": _ids.request_id(rng),
            "openai-version": "2020-10-01",
            "openai-organization": "user-mock",
            "openai-processing-ms": str(20 + int(rng.random() * 381)),  # 20-400 ms
        }

    def finish(self, request: RecordedRequest, reply: Reply) -> Reply:
        """OpenAI's headers, or Azure's on its paths (an answer `generate` built has them)."""
        if type(reply) is BuiltReply:
            return reply
        return reply.with_headers(self._finishing(request), override=False)

    def _finishing(self, request: RecordedRequest) -> dict[str, str]:
        if azure.is_azure(request.path):
            return azure.headers(request.path_params.get("deployment", ""), self.host.rng)
        return self.headers()

    def contract_error(self, request: RecordedRequest, param: str, message: str) -> Reply:
        """The precise check's error when it finds one, else the contract's."""
        try:
            self._validate(endpoint_of(request.path), request.json, request)
        except LLMError as precise:
            return precise.reply
        return LLMError(
            400,
            f"Invalid '{param or 'body'}': {message}",
            param=param or None,
            code="invalid_value",
        ).reply

    @staticmethod
    def malformed() -> Reply:
        """The answer to a body that is not JSON."""
        return errors.invalid_json().reply

    @staticmethod
    def not_found_message(request: RecordedRequest) -> str:
        """What a path the API does not have is answered with."""
        if azure.is_azure(request.path):
            return "Resource not found"
        return f"Invalid URL ({request.method} {request.path})"

    # ---- answers -----------------------------------------------------------------

    def api_key(self, request: RecordedRequest) -> str:
        """The bearer token (on Azure's paths also the ``api-key`` header)."""
        header = request.headers.get("Authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not key and azure.is_azure(request.path):
            key = request.headers.get("api-key", "").strip()
        return key

    def authorize(self, request: RecordedRequest) -> None:
        """Raise OpenAI's 401 (Azure's gateway 401/404 on its paths)."""
        key = self.api_key(request)
        if azure.is_azure(request.path):
            if not key:
                raise azure.missing_key()
            if self.host.api_keys is not None and key not in self.host.api_keys:
                raise azure.invalid_key()
            if "api-version" not in request.query:
                raise azure.missing_api_version()
            return
        if not key:
            raise errors.missing_api_key()
        if self.host.api_keys is not None and key not in self.host.api_keys:
            raise errors.invalid_api_key(key)

    def _acquire(self, request: RecordedRequest, model: str, tokens: int) -> dict[str, str]:
        """Spend the rate-limit budget: OpenAI's 429, or Azure's on its paths."""
        if not azure.is_azure(request.path):
            return self.host.limiter.acquire(model, tokens)
        try:
            return openai_headers(self.host.limiter.take(model, tokens))
        except RateLimitExceeded as exc:
            operation = _AZURE_OPERATIONS.get(endpoint_of(request.path) or "", "Create")
            raise azure.rate_limited(
                exc.retry_after, openai_headers(exc.window), operation
            ) from None

    def _validate(
        self, endpoint: str | None, body: Any, request: RecordedRequest
    ) -> ModelInfo | None:
        catalog = self.host.catalog_for(
            request, body.get("model") if isinstance(body, MAPPINGS) else None
        )
        window = self.host.context_window
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

    def generate(self, request: RecordedRequest, reply: LLMReply | None = None) -> Reply:
        """Answer a chat, legacy completion or Responses request (``reply``: what an
        expectation programmed; the simulator answers without one)."""
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
            "rng": self.host.rng,
            "created": self.host.now(),
            "seed": self.host.seed,
            "answer": answer,
        }
        try:
            if body.get("stream"):
                return self._stream(endpoint, body, options, reply, headers, earlier, request)
            document = self._document(endpoint, body, options)
        except SchemaValueError as exc:
            raise errors.invalid_value("response_format", f"Invalid schema: {exc}") from exc
        if endpoint == "responses" and body.get("store") is not False:
            self.stored_responses.keep(document, request.json, earlier, self.host.rng)
        usage = document.get("usage") or {}
        self.host.limiter.settle(int(usage.get("total_tokens") or 0))
        headers.update(self._finishing(request))
        return BuiltReply.json(document, 200, headers)

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
                self.stored_responses.keep(final, request.json, earlier, self.host.rng)
            chunks = faulty_stream(events, reply, chunk=_named_event, error=_responses_error)
            return self.host.stream_reply(request, chunks, headers)
        if endpoint == "chat":
            documents = iter_chat_chunks(body, **options)
        else:
            documents = stream_completion(body, **options)
        chunks = faulty_stream(
            documents, reply, chunk=sse_event, error=_chunk_error, tail=sse_event("[DONE]")
        )
        return self.host.stream_reply(request, chunks, headers)

    def embed(self, request: RecordedRequest, reply: EmbeddingReply | None = None) -> Reply:
        """Answer an embedding request (``reply``: the programmed vector size)."""
        body = self._body(request)
        info = validate_embedding_request(body, self.host.catalog_for(request, body.get("model")))
        native = info.dimensions if info is not None and info.dimensions else None
        if reply is not None and reply.dimensions is not None:
            body = {**body, "dimensions": reply.dimensions}
        document = create_embeddings(
            body, dimensions=native or DEFAULT_EMBEDDING_SIZE, seed=self.host.seed
        )
        tokens = int(document["usage"]["total_tokens"])
        headers = self._acquire(request, str(body["model"]), tokens)
        headers.update(self._finishing(request))
        return BuiltReply.json(document, 200, headers)

    def _stored(self, request: RecordedRequest) -> Any:
        found = self.stored_responses.get(request.path_params.get("response_id", ""))
        if found is None:
            name = request.path_params.get("response_id", "")
            raise LLMError(404, f"Response with id '{name}' not found.")
        return found

    def get_response(self, request: RecordedRequest) -> Reply:
        return Reply.json(self._stored(request).document, 200)

    def delete_response(self, request: RecordedRequest) -> Reply:
        stored = self._stored(request)
        self.stored_responses.delete(stored.document["id"])
        document = {"id": stored.document["id"], "object": "response", "deleted": True}
        return Reply.json(document, 200)

    def input_items(self, request: RecordedRequest) -> Reply:
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

    def list_models(self, request: RecordedRequest | None = None) -> Reply:
        """``GET /v1/models``: OpenAI's models of the catalogue."""
        return Reply.json(self.host.models.list_json(), 200)

    def get_model(self, request: RecordedRequest, name: str) -> Reply:
        """``GET /v1/models/{model}``."""
        info = self.host.models.get(name)
        if info is None and self.host.allow_unknown_models:
            info = ModelInfo(name, owned_by="user")
        if info is None:
            raise errors.model_not_found(name, param="model")
        return Reply.json({**info.to_json(), "id": name}, 200)
