"""Gemini's API: a ``generateContent`` request read as a `Prompt`, and its answers.

Field names arrive in either spelling protobuf's JSON mapping accepts: lowerCamel
(``systemInstruction``, what the REST reference writes) or snake_case (the
``google-genai`` SDK sends ``parameters_json_schema`` and ``property_ordering``);
`field` reads both. A request is normalized once:

- ``systemInstruction`` (which the SDK sends with ``"role": "user"``) is a system
  turn, never the last user turn;
- ``contents``: a ``user`` content's text parts are a user turn and its
  ``functionResponse`` parts tool turns after it (so an automatic function calling
  loop moves on); a ``model`` content's ``functionCall`` parts are its tool calls;
- ``tools[].functionDeclarations`` are the functions, their ``parameters`` (Gemini's
  OpenAPI subset, upper-case types) converted to JSON Schema, or
  ``parametersJsonSchema`` as is;
- ``toolConfig.functionCallingConfig.mode`` ``ANY`` is "required" (one allowed name
  forces it), ``NONE`` offers none;
- ``generationConfig``: ``maxOutputTokens``, ``stopSequences``, ``candidateCount``,
  ``seed``, ``responseMimeType: application/json`` with ``responseSchema`` (converted)
  or ``responseJsonSchema``, ``thinkingConfig.includeThoughts``.

The model is in the path (``/v1beta/models/gemini-2.5-flash:generateContent``). An
answer is a ``GenerateContentResponse``: candidates whose ``content`` has ``model``
role and text, thought (``"thought": true``) or ``functionCall`` parts, a
``finishReason`` (``STOP``, ``MAX_TOKENS``...) and ``usageMetadata``. Streamed
(``:streamGenerateContent?alt=sse``), each event is such a response carrying the next
piece and the usage so far, and the stream ends without any ``[DONE]``.

>>> body = {"systemInstruction": {"role": "user", "parts": [{"text": "Be brief"}]},
...         "contents": [{"role": "user", "parts": [{"text": "Hi"}]}]}
>>> prompt = prompt_from_request(body, "gemini-2.5-flash")
>>> prompt.system, prompt.last_user_text
('Be brief', 'Hi')
"""

from __future__ import annotations

import functools
import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ._ids import alnum_token
from ._memo import memo
from ._models import ModelInfo
from ._planning import Output
from ._prompt import FunctionTool, Prompt, Turn, stop_sequences
from ._tokens import count_tokens

#: Thoughts shown when ``includeThoughts`` is set without a budget.
DEFAULT_THINKING_TOKENS = 256
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")
FINISH_REASONS = {
    "stop": "STOP",
    "tool_calls": "STOP",
    "length": "MAX_TOKENS",
    "content_filter": "SAFETY",
}


@functools.lru_cache(maxsize=512)
def snake(name: str) -> str:
    """``systemInstruction`` -> ``system_instruction`` (remembered: the API's field names
    are few, and each request asks for dozens)."""
    return _SNAKE.sub("_", name).lower()


def field(obj: Any, name: str, default: Any = None) -> Any:
    """``obj[name]`` in lowerCamel or snake_case spelling (``default`` when neither)."""
    if type(obj) is not dict and not isinstance(obj, Mapping):  # a parsed body's: dicts
        return default
    if name in obj:
        return obj[name]
    return obj.get(snake(name), default)


def response_id(rng: random.Random) -> str:
    """A ``responseId`` shaped like ``2HP9aN3KJfCWvdIPlcGaqQY``."""
    return alnum_token(rng, 23)


# -- schemas ---------------------------------------------------------------------------

_INTEGER_KEYWORDS = ("minItems", "maxItems", "minLength", "maxLength", "minProperties")


def to_json_schema(schema: Any) -> Any:
    """Gemini's ``Schema`` (an OpenAPI subset: ``"type": "OBJECT"``, ``nullable``,
    ``propertyOrdering``, 64-bit counts as strings) as JSON Schema."""
    if not isinstance(schema, Mapping):
        return schema
    converted: dict[str, Any] = {}
    kind = field(schema, "type")
    if isinstance(kind, str) and kind.upper() != "TYPE_UNSPECIFIED":
        converted["type"] = kind.lower()
        if field(schema, "nullable"):
            converted["type"] = [kind.lower(), "null"]
    for key in ("format", "enum", "required", "minimum", "maximum", "pattern", "default"):
        if field(schema, key) is not None:
            converted[key] = field(schema, key)
    for key in _INTEGER_KEYWORDS:
        value = field(schema, key)
        if value is not None:
            converted[key] = int(value)
    properties = field(schema, "properties")
    if isinstance(properties, Mapping):
        converted["properties"] = {k: to_json_schema(v) for k, v in properties.items()}
    items = field(schema, "items")
    if items is not None:
        converted["items"] = to_json_schema(items)
    any_of = field(schema, "anyOf")
    if isinstance(any_of, list):
        converted["anyOf"] = [to_json_schema(option) for option in any_of]
    return converted


def _declared_schema(declaration: Mapping[str, Any], plain: str, json_key: str) -> Any:
    """A declaration's schema: ``{json_key}`` as is, else ``{plain}`` converted."""
    as_json = field(declaration, json_key)
    if isinstance(as_json, Mapping):
        return as_json
    schema = field(declaration, plain)
    return to_json_schema(schema) if isinstance(schema, Mapping) else None


# -- the request -----------------------------------------------------------------------


def parts_text(content: Any) -> str:
    """The text of a ``Content`` (or a list of parts), thoughts left out."""
    parts = field(content, "parts") if isinstance(content, Mapping) else content
    if isinstance(content, str):
        return content
    texts = [
        str(part["text"])
        for part in parts or ()
        if isinstance(part, Mapping) and "text" in part and not part.get("thought")
    ]
    return "".join(texts)


def _turns(content: Mapping[str, Any]) -> list[Turn]:
    role = "assistant" if field(content, "role") == "model" else "user"
    parts = [p for p in field(content, "parts") or () if isinstance(p, Mapping)]
    text = parts_text(parts)
    if role == "assistant":
        calls = tuple(
            (
                str(field(call, "id") or field(call, "name", "")),
                str(field(call, "name", "")),
                _json(field(call, "args") or {}),
            )
            for part in parts
            for call in [field(part, "functionCall")]
            if isinstance(call, Mapping)
        )
        return [Turn("assistant", text, tool_calls=calls)]
    turns = [Turn("user", text)] if text or not parts else []
    for part in parts:
        result = field(part, "functionResponse")
        if isinstance(result, Mapping):
            name = str(field(result, "name", ""))
            call_id = str(field(result, "id") or name)
            turns.append(
                Turn("tool", _json(field(result, "response")), name=name, tool_call_id=call_id)
            )
    return turns


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _tools(raw: Any) -> tuple[FunctionTool, ...]:
    return tuple(
        FunctionTool(
            name=str(field(declaration, "name", "")),
            description=str(field(declaration, "description") or ""),
            parameters=_declared_schema(declaration, "parameters", "parametersJsonSchema") or {},
        )
        for tool in raw or ()
        if isinstance(tool, Mapping)
        for declaration in field(tool, "functionDeclarations") or ()
        if isinstance(declaration, Mapping)
    )


def _tool_choice(config: Any) -> tuple[str, str | None, tuple[str, ...] | None]:
    calling = field(config, "functionCallingConfig")
    mode = str(field(calling, "mode") or "AUTO").upper()
    allowed = field(calling, "allowedFunctionNames")
    names = tuple(str(n) for n in allowed) if isinstance(allowed, list) and allowed else None
    if mode == "ANY":
        forced = names[0] if names is not None and len(names) == 1 else None
        return "required", forced, names
    return ("none" if mode == "NONE" else "auto"), None, names


def _output_format(config: Any) -> tuple[str, Mapping[str, Any] | None]:
    if field(config, "responseMimeType") != "application/json":
        return "text", None
    schema = _declared_schema(config, "responseSchema", "responseJsonSchema")
    if schema is None:
        schema = field(config, "_responseJsonSchema")
    return ("json_schema", schema) if isinstance(schema, Mapping) else ("json_object", None)


def thinking_budget(config: Any) -> int:
    """Tokens of thoughts a request asks to see (``includeThoughts``), else 0."""
    thinking = field(config, "thinkingConfig")
    if not field(thinking, "includeThoughts"):
        return 0
    budget = field(thinking, "thinkingBudget")
    return budget if isinstance(budget, int) and budget > 0 else DEFAULT_THINKING_TOKENS


def prompt_from_request(body: Mapping[str, Any], model: str) -> Prompt:
    """Normalize a ``generateContent`` (or ``countTokens``) body (assumed valid; read
    once per request body)."""
    return memo(body, f"gemini_prompt:{model}", _prompt, body, model)


def _prompt(body: Mapping[str, Any], model: str) -> Prompt:
    turns: list[Turn] = []
    system = parts_text(field(body, "systemInstruction"))
    if system:
        turns.append(Turn("system", system))
    contents = field(body, "contents")
    if isinstance(contents, str):
        contents = [{"role": "user", "parts": [{"text": contents}]}]
    for content in contents or ():
        if isinstance(content, Mapping):
            turns.extend(_turns(content))
    tools = _tools(field(body, "tools"))
    choice, forced, allowed = _tool_choice(field(body, "toolConfig"))
    config = field(body, "generationConfig") or {}
    fmt, schema = _output_format(config)
    limit = field(config, "maxOutputTokens")
    seed = field(config, "seed")
    return Prompt(
        model=model,
        turns=tuple(turns),
        tools=tools,
        tool_choice=choice if tools else "none",
        forced_tool=forced if tools else None,
        allowed_tools=allowed,
        output_format=fmt,
        schema=schema,
        max_tokens=int(limit) if isinstance(limit, int | str) and str(limit).isdigit() else None,
        stop=stop_sequences(field(config, "stopSequences")),
        n=int(field(config, "candidateCount") or 1),
        seed=seed if isinstance(seed, int) else None,
        thinking_budget=thinking_budget(config),
    )


# -- the answer ------------------------------------------------------------------------


def usage_metadata(prompt_tokens: int, outputs: Sequence[Output]) -> dict[str, Any]:
    """``usageMetadata``: the prompt, the candidates and the thoughts, totalled."""
    thoughts = sum(_thought_tokens(o) for o in outputs)
    candidates = sum(o.completion_tokens for o in outputs) - thoughts
    usage: dict[str, Any] = {
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt_tokens + candidates + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage


def _thought_tokens(output: Output) -> int:
    return count_tokens(output.thinking) if output.thinking else 0


def parts(output: Output) -> list[dict[str, Any]]:
    """The parts of one candidate: thoughts, text, then function calls."""
    found: list[dict[str, Any]] = []
    if output.thinking:
        found.append({"text": output.thinking, "thought": True})
    text = output.content if output.content else output.refusal
    if text or not output.tool_calls:
        found.append({"text": text or ""})
    for call in output.tool_calls:
        try:
            args = json.loads(call.arguments)
        except ValueError:
            args = {}
        found.append(
            {"functionCall": {"name": call.name, "args": args if isinstance(args, dict) else {}}}
        )
    return found


def finish_reason(output: Output) -> str:
    """``STOP``, ``MAX_TOKENS`` or ``SAFETY``."""
    return FINISH_REASONS.get(output.finish_reason, "STOP")


def generate_response(
    outputs: Sequence[Output], *, model: str, response: str, prompt_tokens: int
) -> dict[str, Any]:
    """The ``GenerateContentResponse`` answering a request."""
    return {
        "candidates": [
            {
                "content": {"parts": parts(output), "role": "model"},
                "finishReason": finish_reason(output),
                "index": index,
            }
            for index, output in enumerate(outputs)
        ],
        "usageMetadata": usage_metadata(prompt_tokens, outputs),
        "modelVersion": model,
        "responseId": response,
    }


def stream_responses(
    output: Output, *, model: str, response: str, prompt_tokens: int
) -> Iterator[dict[str, Any]]:
    """The streamed responses of one candidate: thoughts, text pieces, function calls,
    the last one with the finish reason; each carries the usage so far. Built as they
    are asked for (nothing here is drawn at random)."""
    pieces: list[dict[str, Any]] = []
    if output.thinking:
        pieces.append({"text": output.thinking, "thought": True})
    pieces.extend({"text": piece} for piece in output.pieces if piece)
    if output.refusal and not output.content:
        pieces.append({"text": output.refusal})
    pieces.extend(part for part in parts(output) if "functionCall" in part)
    if not pieces:
        pieces.append({"text": ""})
    spent = 0
    for position, part in enumerate(pieces):
        last = position == len(pieces) - 1
        spent = output.completion_tokens if last else spent + count_tokens(part.get("text", ""))
        candidate: dict[str, Any] = {"content": {"parts": [part], "role": "model"}, "index": 0}
        if last:
            candidate["finishReason"] = finish_reason(output)
        usage = {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": spent,
            "totalTokenCount": prompt_tokens + spent,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
        }
        if last:
            usage = usage_metadata(prompt_tokens, [output])
        yield {
            "candidates": [candidate],
            "usageMetadata": usage,
            "modelVersion": model,
            "responseId": response,
        }


# -- embeddings, tokens, models --------------------------------------------------------


def embed_texts(body: Mapping[str, Any], batch: bool) -> list[tuple[str, int | None]]:
    """``(text, outputDimensionality)`` of each content to embed."""
    requests = field(body, "requests") if batch else [body]
    found: list[tuple[str, int | None]] = []
    for request in requests or ():
        size = field(request, "outputDimensionality")
        found.append((parts_text(field(request, "content")), int(size) if size else None))
    return found


def model_json(info: ModelInfo, name: str | None = None) -> dict[str, Any]:
    """A ``Model`` as ``GET /v1beta/models`` writes it."""
    model_id = (name or info.id).removeprefix("models/")
    words = [w.capitalize() if not w[0].isdigit() else w for w in info.id.split("-")]
    methods = (
        ["embedContent", "countTextTokens", "countTokens"]
        if info.kind == "embedding"
        else ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"]
    )
    document: dict[str, Any] = {
        "name": f"models/{model_id}",
        "version": "001",
        "displayName": " ".join(words),
        "description": f"{' '.join(words)} (served by MockLLM)",
        "inputTokenLimit": info.context_window,
        "outputTokenLimit": info.max_output_tokens if info.kind != "embedding" else 1,
        "supportedGenerationMethods": methods,
    }
    if info.kind != "embedding":
        document.update({"temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2})
    return document


def model_list_json(models: Sequence[ModelInfo]) -> dict[str, Any]:
    """The body of ``GET /v1beta/models`` (every model on one page)."""
    return {"models": [model_json(info) for info in models]}
