"""Request validation that fails the way the API fails.

Each ``validate_*`` function checks a parsed request body and raises the
:class:`~mocks.llm._errors.LLMError` the real API would answer with, naming the
offending ``param`` with the API's path syntax (``messages[1].content``). Checks run
in the API's order: shapes and types first, then the model, then limits such as the
context window. On success they return the model's :class:`ModelInfo` (``None`` when
no catalogue was given, which accepts any model).

>>> try:
...     validate_chat_request({"model": "gpt-4o"})
... except LLMError as err:
...     print(err.status, err.param)
400 messages
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import _errors as e
from ._chat import prompt_tokens as chat_prompt_size
from ._errors import LLMError
from ._models import ModelCatalog, ModelInfo
from ._prompt import MAPPINGS
from ._responses import input_tokens
from ._tokens import count_tokens

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": MAPPINGS,  # a parsed body's objects are dicts: no ABC check for them
    "array": (list,),
}
_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
}
_FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
CHAT_ROLES = ["system", "assistant", "user", "function", "tool", "developer"]
MAX_EMBEDDING_INPUTS = 2048


def _is(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[kind])


#: The type a kind's values have when they come from a parsed body: checked first.
_EXACT: dict[str, type] = {kind: types[0] for kind, types in _TYPES.items()}


def _matches(value: Any, kinds: tuple[str, ...]) -> bool:
    exact = type(value)
    # A plain loop, not any() over a generator: this runs for every field of every request.
    for kind in kinds:  # noqa: SIM110
        if _EXACT.get(kind) is exact or _is(value, kind):
            return True
    return False


def _type_error(value: Any, param: str, kinds: tuple[str, ...]) -> LLMError:
    names = [_NAMES[k] for k in kinds if k != "null"]
    expected = names[0] if len(names) == 1 else "one of " + " or ".join(names)
    return e.invalid_type(param, expected, value)


def expect_type(value: Any, param: str, *kinds: str) -> None:
    """Raise ``invalid_type`` unless ``value`` is one of the JSON ``kinds``."""
    if not _matches(value, kinds):
        raise _type_error(value, param, kinds)


def _optional(body: Mapping[str, Any], key: str, *kinds: str, prefix: str = "") -> Any:
    """The value of ``key`` if present and not null, type-checked."""
    value = body.get(key)
    if value is not None and not _matches(value, kinds):
        raise _type_error(value, prefix + key, kinds)
    return value


def _required(body: Mapping[str, Any], key: str, *kinds: str, prefix: str = "") -> Any:
    value = body.get(key)
    if value is None:
        raise e.missing_parameter(prefix + key)
    if not _matches(value, kinds):
        raise _type_error(value, prefix + key, kinds)
    return value


def _bounded(
    body: Mapping[str, Any],
    key: str,
    kind: str,
    low: float | None = None,
    high: float | None = None,
) -> Any:
    value = _optional(body, key, kind)
    if value is None:
        return None
    label = "integer" if kind == "integer" else "decimal"
    if low is not None and value < low:
        raise e.below_minimum(key, low, value, label)
    if high is not None and value > high:
        raise e.above_maximum(key, high, value, label)
    return value


def _object_body(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, MAPPINGS):
        raise e.invalid_json()
    return body


def _model(body: Mapping[str, Any], catalog: ModelCatalog | None, kind: str) -> ModelInfo | None:
    """Resolve the model and check that it serves this endpoint."""
    name = str(body["model"])
    if catalog is None:
        return None
    info = catalog.get(name)
    if info is None:
        raise e.model_not_found(name)
    if info.kind != kind:
        if kind == "embedding" or info.kind == "embedding":
            raise e.invalid_value("model", f"The model `{name}` does not support this endpoint.")
        raise e.wrong_endpoint(name, info.kind)
    return info


# -- chat completions ------------------------------------------------------------------


def validate_chat_request(
    body: Any,
    catalog: ModelCatalog | None = None,
    *,
    context_window: int | None = None,
) -> ModelInfo | None:
    """Check a ``POST /v1/chat/completions`` body.

    ``context_window`` overrides the model's window (to test overflow cheaply).
    """
    body = _object_body(body)
    _required(body, "model", "string")
    messages = _required(body, "messages", "array")
    if not messages:
        raise e.invalid_value(
            "messages",
            "Invalid 'messages': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            code="empty_array",
        )
    for index, message in enumerate(messages):
        _check_message(message, index)
    _check_tool_sequence(messages)
    _check_sampling(body)
    stream = _optional(body, "stream", "boolean")
    if _optional(body, "stream_options", "object") is not None and not stream:
        raise e.invalid_value(
            "stream_options",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        )
    _check_logprobs(body)
    _check_chat_tools(body)
    _check_response_format(body, messages)
    info = _model(body, catalog, "chat")
    limit = body.get("max_completion_tokens")
    key = "max_completion_tokens"
    if limit is None:
        limit, key = body.get("max_tokens"), "max_tokens"
    if info is not None and limit is not None and limit > info.max_output_tokens:
        raise e.invalid_value(
            key,
            f"{key} is too large: {limit}. This model supports at most "
            f"{info.max_output_tokens} completion tokens, whereas you provided {limit}.",
        )
    window = context_window or (info.context_window if info else None)
    if window is not None:
        used = chat_prompt_size(body)
        if used + (limit or 0) > window:
            raise e.context_length_exceeded(window, used, limit or 0)
    return info


def _check_message(message: Any, index: int) -> None:
    """Check ``messages[index]``; its name is written only for an error (every message
    of every request passes here)."""
    if type(message) is not dict and not isinstance(message, MAPPINGS):
        raise _type_error(message, f"messages[{index}]", ("object",))
    role = message.get("role")
    if role is None:
        raise e.missing_parameter(f"messages[{index}].role")
    if role not in CHAT_ROLES:
        raise e.unsupported_value(f"messages[{index}].role", role, CHAT_ROLES)
    content = message.get("content")
    if content is None:
        if role in ("system", "developer", "user", "tool"):
            raise e.missing_parameter(f"messages[{index}].content")
    elif type(content) is not str:
        if not isinstance(content, list):
            raise _type_error(content, f"messages[{index}].content", ("string", "array"))
        for number, part in enumerate(content):
            _check_part(part, f"messages[{index}].content[{number}]")
    name = message.get("name")
    if name is not None and type(name) is not str:
        raise _type_error(name, f"messages[{index}].name", ("string",))
    if role == "tool":
        _required(message, "tool_call_id", "string", prefix=f"messages[{index}].")
    if role == "assistant":
        _check_tool_calls(message, f"messages[{index}]")


def _check_tool_calls(message: Mapping[str, Any], at: str) -> None:
    calls = _optional(message, "tool_calls", "array", prefix=f"{at}.")
    for index, call in enumerate(calls or ()):
        where = f"{at}.tool_calls[{index}]"
        expect_type(call, where, "object")
        _required(call, "id", "string", prefix=f"{where}.")
        function = _required(call, "function", "object", prefix=f"{where}.")
        _required(function, "name", "string", prefix=f"{where}.function.")
        _required(function, "arguments", "string", prefix=f"{where}.function.")


_PART_FIELDS = {
    "text": ("text", "string"),
    "image_url": ("image_url", "object"),
    "input_audio": ("input_audio", "object"),
    "file": ("file", "object"),
    "refusal": ("refusal", "string"),
}


def _check_part(part: Any, at: str) -> None:
    expect_type(part, at, "object")
    kind = _required(part, "type", "string", prefix=f"{at}.")
    if kind not in _PART_FIELDS:
        raise e.unsupported_value(f"{at}.type", kind, list(_PART_FIELDS))
    field, json_type = _PART_FIELDS[kind]
    _required(part, field, json_type, prefix=f"{at}.")


def _check_tool_sequence(messages: Sequence[Any]) -> None:
    """Tool results must answer the assistant's calls, and every call needs a result."""
    pending: dict[str, int] = {}
    opened_at = -1
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in pending:
                raise e.invalid_value(
                    f"messages[{index}].role",
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceding message with 'tool_calls'.",
                    code="invalid_value",
                )
            del pending[call_id]
            continue
        if pending:
            missing = ", ".join(sorted(pending))
            raise e.invalid_value(
                f"messages[{opened_at}].role",
                "An assistant message with 'tool_calls' must be followed by tool messages "
                "responding to each 'tool_call_id'. The following tool_call_ids did not "
                f"have response messages: {missing}",
            )
        if role == "assistant" and message.get("tool_calls"):
            pending = {str(c.get("id")): index for c in message["tool_calls"]}
            opened_at = index
    # Calls still pending at the end are fine: the caller asks the model to go on.


#: The bounded sampling fields: (field, JSON type, lowest, highest or None).
_SAMPLING_BOUNDS: tuple[tuple[str, str, float, float | None], ...] = (
    ("n", "integer", 1, 128),
    ("temperature", "number", 0, 2),
    ("top_p", "number", 0, 1),
    ("presence_penalty", "number", -2, 2),
    ("frequency_penalty", "number", -2, 2),
    ("max_tokens", "integer", 1, None),
    ("max_completion_tokens", "integer", 1, None),
)
#: The other sampling fields only typed here: (field, JSON type).
_SAMPLING_TYPES = (("seed", "integer"), ("user", "string"), ("logit_bias", "object"))
#: Every field `_check_sampling` reads (a body naming none has nothing to check).
_SAMPLING_FIELDS = frozenset(
    [*(f[0] for f in _SAMPLING_BOUNDS), *(f[0] for f in _SAMPLING_TYPES), "metadata", "stop"]
)


def _check_sampling(body: Mapping[str, Any]) -> None:
    if _SAMPLING_FIELDS.isdisjoint(body):
        return
    for key, kind, low, high in _SAMPLING_BOUNDS:
        _bounded(body, key, kind, low, high)
    for key, kind in _SAMPLING_TYPES:
        _optional(body, key, kind)
    metadata = _optional(body, "metadata", "object")
    for key, value in (metadata or {}).items():
        expect_type(value, f"metadata.{key}", "string")
    stop = _optional(body, "stop", "string", "array")
    if isinstance(stop, list):
        if len(stop) > 4:
            raise e.invalid_value(
                "stop",
                f"Invalid 'stop': array too long. Expected an array with maximum length 4, "
                f"but got an array with length {len(stop)} instead.",
                code="array_above_max_length",
            )
        for index, item in enumerate(stop):
            expect_type(item, f"stop[{index}]", "string")


def _check_logprobs(body: Mapping[str, Any]) -> None:
    if "logprobs" not in body and "top_logprobs" not in body:
        return
    logprobs = _optional(body, "logprobs", "boolean")
    top = _bounded(body, "top_logprobs", "integer", 0, 20)
    if top is not None and not logprobs:
        raise e.invalid_value(
            "top_logprobs",
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when "
            "'top_logprobs' is used.",
        )


def _check_chat_tools(body: Mapping[str, Any]) -> list[Any] | None:
    tools = _optional(body, "tools", "array")
    names: list[str] = []
    for index, tool in enumerate(tools or ()):
        at = f"tools[{index}]"
        expect_type(tool, at, "object")
        kind = _required(tool, "type", "string", prefix=f"{at}.")
        if kind == "custom":
            names.append(str((tool.get("custom") or {}).get("name", "")))
            continue
        if kind != "function":
            raise e.unsupported_value(f"{at}.type", kind, ["function", "custom"])
        function = _required(tool, "function", "object", prefix=f"{at}.")
        name = _required(function, "name", "string", prefix=f"{at}.function.")
        _check_function_name(name, f"{at}.function.name")
        _optional(function, "description", "string", prefix=f"{at}.function.")
        _optional(function, "parameters", "object", prefix=f"{at}.function.")
        _optional(function, "strict", "boolean", prefix=f"{at}.function.")
        names.append(name)
    choice = body.get("tool_choice")
    if choice is not None:
        if not tools:
            raise e.invalid_value(
                "tool_choice",
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when "
                "'tools' are specified.",
            )
        _check_tool_choice(choice, names, nested=True)
    if body.get("parallel_tool_calls") is not None:
        _optional(body, "parallel_tool_calls", "boolean")
        if not tools:
            raise e.invalid_value(
                "parallel_tool_calls",
                "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only "
                "allowed when 'tools' are specified.",
            )
    return list(tools) if tools else None


def _check_function_name(name: str, param: str) -> None:
    if not _FUNCTION_NAME.match(name):
        raise e.invalid_value(
            param,
            f"Invalid '{param}': string does not match pattern. Expected a string that "
            f"matches the pattern '{_FUNCTION_NAME.pattern}'.",
            code="invalid_value",
        )


def _check_tool_choice(choice: Any, names: list[str], *, nested: bool) -> None:
    expect_type(choice, "tool_choice", "string", "object")
    if isinstance(choice, str):
        if choice not in ("none", "auto", "required"):
            raise e.unsupported_value("tool_choice", choice, ["none", "auto", "required"])
        return
    kind = _required(choice, "type", "string", prefix="tool_choice.")
    if kind != "function":
        return
    holder = _required(choice, "function", "object", prefix="tool_choice.") if nested else choice
    prefix = "tool_choice.function." if nested else "tool_choice."
    name = _required(holder, "name", "string", prefix=prefix)
    if name not in names:
        raise e.invalid_value(
            "tool_choice",
            f"Invalid value for 'tool_choice': function '{name}' is not among the "
            "functions in 'tools'.",
        )


def _check_response_format(body: Mapping[str, Any], messages: Sequence[Any]) -> None:
    fmt = _optional(body, "response_format", "object")
    if fmt is None:
        return
    kind = _required(fmt, "type", "string", prefix="response_format.")
    if kind not in ("text", "json_object", "json_schema"):
        raise e.unsupported_value(
            "response_format.type", kind, ["text", "json_object", "json_schema"]
        )
    if kind == "json_schema":
        spec = _required(fmt, "json_schema", "object", prefix="response_format.")
        name = _required(spec, "name", "string", prefix="response_format.json_schema.")
        _check_function_name(name, "response_format.json_schema.name")
        _optional(spec, "schema", "object", prefix="response_format.json_schema.")
        _optional(spec, "strict", "boolean", prefix="response_format.json_schema.")
    if kind == "json_object":
        text = " ".join(str(m.get("content")) for m in messages if isinstance(m, Mapping)).lower()
        if "json" not in text:
            raise e.invalid_value(
                "messages",
                "'messages' must contain the word 'json' in some form, to use "
                "'response_format' of type 'json_object'.",
            )


# -- legacy completions ----------------------------------------------------------------


def validate_completion_request(
    body: Any,
    catalog: ModelCatalog | None = None,
    *,
    context_window: int | None = None,
) -> ModelInfo | None:
    """Check a ``POST /v1/completions`` body."""
    body = _object_body(body)
    _required(body, "model", "string")
    if "prompt" not in body:
        raise e.missing_parameter("prompt")
    prompt = _optional(body, "prompt", "string", "array")
    prompt_tokens = _prompt_tokens(prompt)
    _check_sampling({k: v for k, v in body.items() if k != "max_tokens"})
    max_tokens = _bounded(body, "max_tokens", "integer", 0)
    logprobs = _bounded(body, "logprobs", "integer", 0, 5)
    del logprobs
    _optional(body, "echo", "boolean")
    _optional(body, "suffix", "string")
    best_of = _bounded(body, "best_of", "integer", 0, 20)
    if best_of is not None and best_of < int(body.get("n") or 1):
        raise e.invalid_value("best_of", "best_of must be greater than or equal to n.")
    stream = _optional(body, "stream", "boolean")
    if _optional(body, "stream_options", "object") is not None and not stream:
        raise e.invalid_value(
            "stream_options",
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
        )
    info = _model(body, catalog, "completion")
    window = context_window or (info.context_window if info else None)
    completion = 16 if max_tokens is None else max_tokens
    if window is not None and prompt_tokens + completion > window:
        raise e.context_length_exceeded(window, prompt_tokens, completion, param="prompt")
    return info


def _prompt_tokens(prompt: Any) -> int:
    if prompt is None:
        return 1  # the API then completes from <|endoftext|>
    if isinstance(prompt, str):
        return count_tokens(prompt)
    if not prompt:
        raise e.invalid_value(
            "prompt",
            "Invalid 'prompt': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            code="empty_array",
        )
    if all(_is(t, "integer") for t in prompt):
        return len(prompt)
    total = 0
    kind = "string" if isinstance(prompt[0], str) else "array"
    for index, item in enumerate(prompt):
        expect_type(item, f"prompt[{index}]", kind)  # strings or token arrays, never a mix
        if isinstance(item, str):
            total += count_tokens(item)
            continue
        for position, token in enumerate(item):
            expect_type(token, f"prompt[{index}][{position}]", "integer")
        total += len(item)
    return total


# -- embeddings ------------------------------------------------------------------------

EMBEDDING_PARAMETERS = frozenset({"input", "model", "encoding_format", "dimensions", "user"})


def validate_embedding_request(body: Any, catalog: ModelCatalog | None = None) -> ModelInfo | None:
    """Check a ``POST /v1/embeddings`` body (which takes no unknown parameters)."""
    body = _object_body(body)
    for key in body:
        if key not in EMBEDDING_PARAMETERS:
            raise e.unknown_parameter(key)
    _required(body, "model", "string")
    raw = _required(body, "input", "string", "array")
    items = _embedding_items(raw)
    fmt = _optional(body, "encoding_format", "string")
    if fmt is not None and fmt not in ("float", "base64"):
        raise e.unsupported_value("encoding_format", fmt, ["float", "base64"])
    dimensions = _bounded(body, "dimensions", "integer", 1)
    _optional(body, "user", "string")
    info = _model(body, catalog, "embedding")
    if info is not None and dimensions is not None:
        if not info.supports_dimensions:
            raise e.invalid_value(
                "dimensions", "This model does not support specifying dimensions."
            )
        if dimensions > info.dimensions:
            raise e.above_maximum("dimensions", info.dimensions, dimensions)
    if info is not None:
        for index, tokens in enumerate(items):
            if tokens > info.context_window:
                raise LLMError(
                    400,
                    f"This model's maximum context length is {info.context_window} tokens, "
                    f"however you requested {tokens} tokens in input[{index}]. Please "
                    "reduce your input.",
                    param="input",
                    code="context_length_exceeded",
                )
    return info


def _embedding_items(raw: Any) -> list[int]:
    """Check ``input`` and return each item's token count."""
    if isinstance(raw, str):
        if not raw:
            raise _empty_input("input")
        return [count_tokens(raw)]
    if not raw:
        raise _empty_input("input")
    if len(raw) > MAX_EMBEDDING_INPUTS:
        raise e.invalid_value(
            "input",
            f"Invalid 'input': array too long. Expected an array with maximum length "
            f"{MAX_EMBEDDING_INPUTS}, but got an array with length {len(raw)} instead.",
            code="array_above_max_length",
        )
    if all(_is(t, "integer") for t in raw):
        return [len(raw)]
    kind = "string" if isinstance(raw[0], str) else "array"
    counts = []
    for index, item in enumerate(raw):
        at = f"input[{index}]"
        expect_type(item, at, kind)  # strings or token arrays, never a mix
        if not item:
            raise _empty_input(at)
        if isinstance(item, str):
            counts.append(count_tokens(item))
            continue
        for position, token in enumerate(item):
            expect_type(token, f"{at}[{position}]", "integer")
        counts.append(len(item))
    return counts


def _empty_input(param: str) -> LLMError:
    return e.invalid_value(
        param,
        f"Invalid '{param}': empty input. Expected a non-empty string or a non-empty "
        "array of strings or token ids.",
        code="empty_string",
    )


# -- the Responses API -----------------------------------------------------------------

RESPONSE_INPUT_ROLES = ["user", "assistant", "system", "developer"]


def validate_responses_request(
    body: Any,
    catalog: ModelCatalog | None = None,
    *,
    context_window: int | None = None,
) -> ModelInfo | None:
    """Check a ``POST /v1/responses`` body."""
    body = _object_body(body)
    if body.get("prompt") is None:
        _required(body, "model", "string")
    else:
        _optional(body, "model", "string")
    raw = _optional(body, "input", "string", "array")
    for index, item in enumerate(raw if isinstance(raw, list) else ()):
        _check_input_item(item, f"input[{index}]")
    _optional(body, "instructions", "string")
    _bounded(body, "max_output_tokens", "integer", 16)
    _bounded(body, "temperature", "number", 0, 2)
    _bounded(body, "top_p", "number", 0, 1)
    _bounded(body, "top_logprobs", "integer", 0, 20)
    for key in ("stream", "store", "background", "parallel_tool_calls"):
        _optional(body, key, "boolean")
    for key in ("previous_response_id", "user", "truncation"):
        _optional(body, key, "string")
    _optional(body, "metadata", "object")
    _optional(body, "include", "array")
    names = _check_response_tools(body)
    if body.get("tool_choice") is not None:
        _check_tool_choice(body["tool_choice"], names, nested=False)
    text = _optional(body, "text", "object")
    fmt = _optional(text or {}, "format", "object", prefix="text.")
    if fmt is not None:
        kind = _required(fmt, "type", "string", prefix="text.format.")
        if kind not in ("text", "json_object", "json_schema"):
            raise e.unsupported_value(
                "text.format.type", kind, ["text", "json_object", "json_schema"]
            )
        if kind == "json_schema":
            _required(fmt, "name", "string", prefix="text.format.")
            _required(fmt, "schema", "object", prefix="text.format.")
    info = _model(body, catalog, "chat") if "model" in body else None
    window = context_window or (info.context_window if info else None)
    if window is not None:
        used = input_tokens(body)
        if used > window:
            raise e.context_length_exceeded(window, used, param="input")
    return info


def _check_input_item(item: Any, at: str) -> None:
    expect_type(item, at, "object")
    kind = _optional(item, "type", "string", prefix=f"{at}.") or "message"
    if kind == "message":
        role = _required(item, "role", "string", prefix=f"{at}.")
        if role not in RESPONSE_INPUT_ROLES:
            raise e.unsupported_value(f"{at}.role", role, RESPONSE_INPUT_ROLES)
        _required(item, "content", "string", "array", prefix=f"{at}.")
    elif kind == "function_call_output":
        _required(item, "call_id", "string", prefix=f"{at}.")
        _required(item, "output", "string", "array", prefix=f"{at}.")
    elif kind == "function_call":
        for key in ("call_id", "name", "arguments"):
            _required(item, key, "string", prefix=f"{at}.")


def _check_response_tools(body: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for index, tool in enumerate(_optional(body, "tools", "array") or ()):
        at = f"tools[{index}]"
        expect_type(tool, at, "object")
        kind = _required(tool, "type", "string", prefix=f"{at}.")
        if kind == "function":
            name = _required(tool, "name", "string", prefix=f"{at}.")
            _check_function_name(name, f"{at}.name")
            _optional(tool, "parameters", "object", prefix=f"{at}.")
            names.append(name)
    return names
