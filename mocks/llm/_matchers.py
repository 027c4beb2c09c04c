"""Matchers that read a request the way a model does.

They normalize the body with :class:`~mocks.llm._prompt.Prompt`, so one matcher works
for chat completions, the Responses API, legacy completions, Anthropic's Messages API
and Gemini's ``generateContent`` alike. Like the core's
matchers they are data (pydantic models with a ``kind``), compose with ``&``, ``|``
and ``~``, travel through the admin API as JSON, and explain a mismatch as
``(field, expected, actual)``.

>>> from multidict import CIMultiDict, MultiDict
>>> from mocks.core import RecordedRequest
>>> body = b'{"model": "m", "messages": [{"role": "user", "content": "Hi Paris"}]}'
>>> request = RecordedRequest("POST", "/v1/chat/completions", MultiDict(), CIMultiDict(), body)
>>> PromptField(field="last_user", value="Paris", op="contains").matches(request)
True
>>> [str(d) for d in PromptField(field="model", value="gpt-4o").differences(request)]
["model: expected 'gpt-4o', got 'm'"]
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import PrivateAttr

from mocks.core import Difference, Matcher, RecordedRequest

from ._anthropic import prompt_from_messages
from ._chat import chat_prompt
from ._gemini import embed_texts, prompt_from_request
from ._memo import memo
from ._prompt import Prompt
from ._providers import (
    API,
    GEMINI_EMBEDDING,
    GEMINI_GENERATION,
    api_of,
    gemini_action,
    is_streamed,
    request_model,
)
from ._responses import responses_prompt
from ._tokens import decode_token_ids

Field = Literal["last_user", "system", "model", "last_role", "tool_result", "conversation"]
Op = Literal["eq", "contains", "regex", "startswith", "endswith", "present", "absent"]

#: How the paths of generation and embedding requests end, in every API.
GENERATION_ENDINGS = (
    "/chat/completions",
    "/completions",
    "/responses",
    "/messages",
    ":generateContent",
    ":streamGenerateContent",
)
EMBEDDING_ENDINGS = ("/embeddings", ":embedContent", ":batchEmbedContents")


def prompt_of(request: RecordedRequest) -> Prompt | None:
    """The request as a :class:`Prompt`, or ``None`` when it is not a generation request
    (worked out once per request: every expectation's matchers ask)."""
    body = request.json
    if not isinstance(body, dict):
        return None
    return memo(body, "prompt_of", _prompt_of, request, body)


def _prompt_of(request: RecordedRequest, body: dict[str, Any]) -> Prompt | None:
    try:
        api = api_of(request)
        if api == "anthropic":
            return prompt_from_messages(body)
        if api == "gemini":
            action = gemini_action(request.path)
            if action is None or action[1] not in GEMINI_GENERATION:
                return None
            return prompt_from_request(body, action[0])
        if "messages" in body:
            return chat_prompt(body)
        if "input" in body and not request.path.endswith("embeddings"):
            return responses_prompt(body)
        if "prompt" in body:
            raw = body["prompt"]
            text = raw if isinstance(raw, str) else _prompt_text(raw)
            return Prompt.from_text(str(body.get("model", "")), text)
    except (TypeError, ValueError, AttributeError):
        return None  # a malformed body matches nothing; validation answers it
    return None


def _prompt_text(raw: Any) -> str:
    if isinstance(raw, list) and raw and all(isinstance(t, int) for t in raw):
        return decode_token_ids(raw)
    if isinstance(raw, list):
        return "\n".join(item if isinstance(item, str) else _prompt_text(item) for item in raw)
    return ""


def _read(prompt: Prompt, field: Field) -> str | None:
    if field == "last_user":
        return prompt.last_user_text
    if field == "system":
        return prompt.system or None
    if field == "model":
        return prompt.model
    if field == "last_role":
        return prompt.last_turn.role if prompt.last_turn else None
    if field == "tool_result":
        results = prompt.tool_results
        return "\n".join(output for _name, output in results) if results else None
    return "\n".join(turn.text for turn in prompt.turns)


class PromptField(Matcher):
    """One field of the normalized prompt compared with ``op``.

    ``field`` is ``last_user`` (the last user message's text), ``system`` (system and
    developer instructions), ``model``, ``last_role`` (the role of the last turn:
    ``tool`` right after tool results), ``tool_result`` (the tool outputs that end the
    conversation) or ``conversation`` (every turn's text).
    """

    kind: Literal["llm_prompt"] = "llm_prompt"
    field: Field
    value: str | None = None
    op: Op = "eq"
    _regex: re.Pattern[str] | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any) -> None:
        if self.op == "regex":
            self._regex = re.compile(str(self.value))

    def _actual(self, request: RecordedRequest) -> str | None:
        prompt = prompt_of(request)
        return _read(prompt, self.field) if prompt is not None else None

    def matches(self, request: RecordedRequest) -> bool:
        prompt = prompt_of(request)  # `_actual`, one call less: every expectation asks
        if prompt is None:
            return self.op == "absent"
        if self.field == "last_user":
            return self._holds(prompt.last_user_text)
        return self._holds(_read(prompt, self.field))

    def differences(self, request: RecordedRequest) -> list[Difference]:
        actual = self._actual(request)
        if self._holds(actual):
            return []
        shown = "nothing" if actual is None else _show(actual)
        expected = self.op if self.op in ("present", "absent") else repr(self.value)
        if self.op not in ("eq", "present", "absent"):
            expected = f"{self.op} {expected}"
        return [Difference(_LABELS[self.field], expected, shown)]

    def _holds(self, actual: str | None) -> bool:
        op = self.op  # read once: a model's field is dearer to read than a local
        if actual is None:
            return op == "absent"
        value = self.value or ""
        if op == "contains":
            return value.lower() in actual.lower()
        if op == "eq":
            return actual == value
        if op == "present":
            return True
        if op == "absent":
            return False
        if op == "regex":
            assert self._regex is not None
            return self._regex.search(actual) is not None
        if op == "startswith":
            return actual.startswith(value)
        return actual.endswith(value)


_LABELS: dict[str, str] = {
    "last_user": "last user message",
    "system": "system prompt",
    "model": "model",
    "last_role": "last message role",
    "tool_result": "tool result",
    "conversation": "conversation",
}


class ToolOffered(Matcher):
    """The request offers a function tool called ``name``."""

    kind: Literal["llm_tool_offered"] = "llm_tool_offered"
    name: str

    def differences(self, request: RecordedRequest) -> list[Difference]:
        prompt = prompt_of(request)
        offered = prompt.tool_names if prompt is not None else ()
        if self.name in offered:
            return []
        shown = ", ".join(offered) if offered else "no tools"
        return [Difference("tools offered", f"a function {self.name!r}", shown)]


class EmbeddingInput(Matcher):
    """An embedding request whose ``input`` (any item of it) contains ``value``."""

    kind: Literal["llm_embedding_input"] = "llm_embedding_input"
    value: str

    def differences(self, request: RecordedRequest) -> list[Difference]:
        body = request.json
        action = gemini_action(request.path)
        if action is not None and action[1] in GEMINI_EMBEDDING and isinstance(body, dict):
            texts = [text for text, _size in embed_texts(body, action[1] == "batchEmbedContents")]
        else:
            raw = body.get("input") if isinstance(body, dict) else None
            items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
            texts = [i if isinstance(i, str) else _prompt_text(i) for i in items]
        if any(self.value.lower() in text.lower() for text in texts):
            return []
        return [Difference("embedding input", f"contains {self.value!r}", _show(texts))]


class Endpoint(Matcher):
    """A request to a generation (``value="generation"``: chat, Responses, legacy
    completions, Anthropic messages, Gemini ``generateContent``) or embedding
    endpoint, whichever API and prefix (``/v1``, Azure's deployments) it came through.
    (One ``endswith`` instead of a regex: it is tried for every expectation.)"""

    kind: Literal["llm_endpoint"] = "llm_endpoint"
    value: Literal["generation", "embedding"] = "generation"

    def matches(self, request: RecordedRequest) -> bool:
        endings = GENERATION_ENDINGS if self.value == "generation" else EMBEDDING_ENDINGS
        return request.path.endswith(endings)

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if self.matches(request):
            return []
        return [Difference("endpoint", f"a {self.value} endpoint", request.path)]


class Streamed(Matcher):
    """A generation request that asks for a stream (``stream: true``, or Gemini's
    ``:streamGenerateContent``), or, with ``value`` false, one that does not."""

    kind: Literal["llm_streamed"] = "llm_streamed"
    value: bool = True

    def matches(self, request: RecordedRequest) -> bool:
        return is_streamed(request) == self.value

    def differences(self, request: RecordedRequest) -> list[Difference]:
        streamed = is_streamed(request)
        if streamed == self.value:
            return []
        wanted = "a streamed request" if self.value else "a request without streaming"
        return [Difference("stream", wanted, "streamed" if streamed else "not streamed")]


class RequestModel(Matcher):
    """The model a request names (in its body, or in Gemini's path), compared exactly;
    Gemini's ``models/`` prefix does not count."""

    kind: Literal["llm_model"] = "llm_model"
    value: str

    def differences(self, request: RecordedRequest) -> list[Difference]:
        actual = request_model(request)
        if actual is not None and actual.removeprefix("models/") == self.value:
            return []
        return [Difference("model", repr(self.value), repr(actual))]


class APIProvider(Matcher):
    """A request in one API's dialect: ``openai``, ``anthropic`` or ``gemini``."""

    kind: Literal["llm_provider"] = "llm_provider"
    value: API

    def differences(self, request: RecordedRequest) -> list[Difference]:
        actual = api_of(request)
        if actual == self.value:
            return []
        return [Difference("provider", repr(self.value), repr(actual))]


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 120 else shown[:117] + "..."
