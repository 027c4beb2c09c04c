"""MockLLM: OpenAI's, Anthropic's and Gemini's APIs, which the official SDKs cannot tell
from the real ones, programmed with one expectation vocabulary.

``from mocks.llm import MockLLM`` (or ``from mocks import MockLLM``); the pytest fixture
is ``mock_llm``; ``python -m mocks.llm --port 8080`` runs it standalone.

The private modules hold the domain logic, free of any server:

- ``_tokens``: the local token-count approximation (no tokenizer download);
- ``_simulator``: deterministic, plausible answer text;
- ``_schema_values``: deterministic instances of a JSON schema;
- ``_planning``: what a model says for a request (text, refusal, tool calls);
- ``_chat``, ``_completions``, ``_embeddings``, ``_responses``: the wire objects
  and stream sequences of each OpenAI endpoint;
- ``_anthropic*`` and ``_gemini*``: the other APIs' requests (read as the same
  ``Prompt``), answers, errors, checks and server glue; ``_providers`` tells which API
  a request speaks;
- ``_errors`` and ``_validation``: the error envelope and request checks;
- ``_models``: the model catalogue behind ``GET /v1/models``;
- ``_openai_api``, ``_anthropic_api``, ``_gemini_api``: each API's routes, auth,
  errors and answers; ``_mock``: the server on the shared engine (``MockLLM``) that
  routes a request to its API; ``_expectation``, ``_matchers``, ``_responders``: the
  expectation vocabulary; ``_ratelimit``, ``_streaming``: what the APIs share.
"""

from ._anthropic_errors import AnthropicError
from ._errors import LLMError
from ._expectation import LLMExpectation
from ._gemini_errors import GeminiError
from ._matchers import APIProvider, EmbeddingInput, PromptField, RequestModel, Streamed, ToolOffered
from ._mock import MockLLM
from ._models import ModelCatalog, ModelInfo
from ._responders import EmbeddingReply, LLMReply, ToolCallSpec

__all__ = [
    "APIProvider",
    "AnthropicError",
    "EmbeddingInput",
    "EmbeddingReply",
    "GeminiError",
    "LLMError",
    "LLMExpectation",
    "LLMReply",
    "MockLLM",
    "ModelCatalog",
    "ModelInfo",
    "PromptField",
    "RequestModel",
    "Streamed",
    "ToolCallSpec",
    "ToolOffered",
]
