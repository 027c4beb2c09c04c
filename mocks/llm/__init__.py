"""MockLLM: an OpenAI-compatible LLM API that the official SDKs cannot tell from the real one.

``from mocks.llm import MockLLM`` (or ``from mocks import MockLLM``); the pytest fixture
is ``mock_llm``; ``python -m mocks.llm --port 8080`` runs it standalone.

The private modules hold the domain logic, free of any server:

- ``_tokens``: the local token-count approximation (no tokenizer download);
- ``_simulator``: deterministic, plausible answer text;
- ``_schema_values``: deterministic instances of a JSON schema;
- ``_planning``: what a model says for a request (text, refusal, tool calls);
- ``_chat``, ``_completions``, ``_embeddings``, ``_responses``: the wire objects
  and stream sequences of each endpoint;
- ``_errors`` and ``_validation``: the error envelope and request checks;
- ``_models``: the model catalogue behind ``GET /v1/models``;
- ``_matchers``, ``_responders``, ``_ratelimit`` and ``_mock``: the server on the
  shared engine (``MockLLM``), its expectation vocabulary and its rate limits.
"""

from ._errors import LLMError
from ._matchers import EmbeddingInput, PromptField, ToolOffered
from ._mock import LLMExpectation, MockLLM
from ._models import ModelCatalog, ModelInfo
from ._responders import EmbeddingReply, LLMReply, ToolCallSpec

__all__ = [
    "EmbeddingInput",
    "EmbeddingReply",
    "LLMError",
    "LLMExpectation",
    "LLMReply",
    "MockLLM",
    "ModelCatalog",
    "ModelInfo",
    "PromptField",
    "ToolCallSpec",
    "ToolOffered",
]
