"""Checks of Messages API requests that fail the way the API fails.

Each check raises `AnthropicError` 400 (``invalid_request_error``) whose message names
the field with the API's dotted path (``messages.0.content.1.type: ...``), in the
API's own phrasing for the common cases (``max_tokens: Field required``); the model
is checked after the shape (404 ``not_found_error``), the context window last.

>>> try:
...     validate_messages_request({"model": "claude-sonnet-4-5", "messages": []})
... except AnthropicError as err:
...     print(err.status, err.message)
400 max_tokens: Field required
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._anthropic import input_tokens
from ._anthropic_errors import AnthropicError, field_required, invalid_request
from ._models import ModelCatalog, ModelInfo

_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
_KINDS = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (Mapping,),
    "array": (list,),
}
_NAMES = {
    "string": "a valid string",
    "integer": "a valid integer",
    "number": "a valid number",
    "boolean": "a valid boolean",
    "object": "a valid dictionary",
    "array": "a valid list",
}
USER_BLOCKS = (
    "text",
    "image",
    "document",
    "search_result",
    "tool_result",
    "tool_use",
    "thinking",
    "redacted_thinking",
    "container_upload",
)
ASSISTANT_BLOCKS = (
    "text",
    "tool_use",
    "thinking",
    "redacted_thinking",
    "server_tool_use",
    "web_search_tool_result",
    "web_fetch_tool_result",
    "code_execution_tool_result",
)
TOOL_CHOICES = ("auto", "any", "tool", "none")
_ROLES = ["user", "assistant"]


#: The type a kind's values have when they come from a parsed body: checked first.
_EXACT: dict[str, type] = {kind: types[0] for kind, types in _KINDS.items()}
_EXACT["object"] = dict


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _KINDS[kind])


def _fits(value: Any, kinds: tuple[str, ...]) -> bool:
    exact = type(value)
    # A plain loop, not any() over a generator: this runs for every field of every request.
    for kind in kinds:  # noqa: SIM110
        if _EXACT[kind] is exact or _is(value, kind):
            return True
    return False


def _field(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key


def _typed(value: Any, field: str, *kinds: str) -> Any:
    if not _fits(value, kinds):
        raise invalid_request(f"{field}: Input should be {_NAMES[kinds[0]]}")
    return value


def _required(body: Mapping[str, Any], key: str, at: str, *kinds: str) -> Any:
    """``body[key]``, present and of one of ``kinds`` (the field's name is written only
    for an error)."""
    if key not in body:
        raise field_required(_field(at, key))
    value = body[key]
    if not _fits(value, kinds):
        raise invalid_request(f"{_field(at, key)}: Input should be {_NAMES[kinds[0]]}")
    return value


def _optional(body: Mapping[str, Any], key: str, at: str, *kinds: str) -> Any:
    value = body.get(key)
    if value is not None and not _fits(value, kinds):
        raise invalid_request(f"{_field(at, key)}: Input should be {_NAMES[kinds[0]]}")
    return value


def _bounded(body: Mapping[str, Any], key: str, kind: str, low: float, high: float | None) -> None:
    value = _optional(body, key, "", kind)
    if value is None:
        return
    if value < low:
        raise invalid_request(f"{key}: Input should be greater than or equal to {low}")
    if high is not None and value > high:
        raise invalid_request(f"{key}: Input should be less than or equal to {high}")


def _one_of(value: Any, field: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        options = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" or '{allowed[-1]}'"
        raise invalid_request(f"{field}: Input should be {options}")


def validate_messages_request(
    body: Any,
    catalog: ModelCatalog | None = None,
    *,
    context_window: int | None = None,
    count_only: bool = False,
    unknown_model_hint: str = "",
) -> ModelInfo | None:
    """Check a ``POST /v1/messages`` body (``count_only``: a ``count_tokens`` body,
    which has no ``max_tokens``); return the model, ``None`` without a catalogue."""
    if not isinstance(body, Mapping):
        raise invalid_request("body: Input should be a valid dictionary")
    _required(body, "model", "", "string")
    if not count_only:
        max_tokens = _required(body, "max_tokens", "", "integer")
        if max_tokens < 1:
            raise invalid_request("max_tokens: Input should be greater than or equal to 1")
    messages = _required(body, "messages", "", "array")
    if not messages and not count_only:
        raise invalid_request("messages: at least one message is required")
    _check_system(body.get("system"))
    for index, message in enumerate(messages):
        _check_message(message, index)
    _check_tool_pairs(messages)
    _bounded(body, "temperature", "number", 0, 1)
    _bounded(body, "top_p", "number", 0, 1)
    _bounded(body, "top_k", "integer", 0, None)
    _check_stop_sequences(body.get("stop_sequences"))
    metadata = _optional(body, "metadata", "", "object")
    if metadata is not None:
        _optional(metadata, "user_id", "metadata", "string")
    _optional(body, "stream", "", "boolean")
    names = _check_tools(body.get("tools"))
    _check_tool_choice(body.get("tool_choice"), names)
    _check_thinking(body, count_only)
    _check_output_config(body.get("output_config"))
    return _check_model(body, catalog, context_window, count_only, unknown_model_hint)


def _check_system(system: Any) -> None:
    if system is None or isinstance(system, str):
        return
    _typed(system, "system", "string", "array")
    for index, block in enumerate(system):
        at = f"system.{index}"
        _typed(block, at, "object")
        kind = _required(block, "type", at, "string")
        _one_of(kind, f"{at}.type", ["text"])
        _required(block, "text", at, "string")


def _check_message(message: Any, index: int) -> None:
    if type(message) is dict:  # the usual case, read without writing its name
        role, content = message.get("role"), message.get("content")
        if role in _ROLES and type(content) is str:
            return
    at = f"messages.{index}"
    _typed(message, at, "object")
    role = _required(message, "role", at, "string")
    _one_of(role, f"{at}.role", _ROLES)
    content = _required(message, "content", at, "string", "array")
    if isinstance(content, str):
        return
    allowed = USER_BLOCKS if role == "user" else ASSISTANT_BLOCKS
    for position, block in enumerate(content):
        _check_block(block, f"{at}.content.{position}", allowed)


def _check_block(block: Any, at: str, allowed: Sequence[str]) -> None:
    _typed(block, at, "object")
    kind = _required(block, "type", at, "string")
    if kind not in allowed:
        tags = ", ".join(f"'{a}'" for a in allowed)
        raise invalid_request(
            f"{at}: Input tag '{kind}' found using 'type' does not match any of the "
            f"expected tags: {tags}"
        )
    if kind == "text":
        _required(block, "text", at, "string")
    elif kind in ("image", "document"):
        source = _required(block, "source", at, "object")
        source_kind = _required(source, "type", f"{at}.source", "string")
        kinds = ["base64", "url", "file"] + (["text", "content"] if kind == "document" else [])
        _one_of(source_kind, f"{at}.source.type", kinds)
        if source_kind in ("base64", "text"):
            _required(source, "media_type", f"{at}.source", "string")
            _required(source, "data", f"{at}.source", "string")
        elif source_kind == "url":
            _required(source, "url", f"{at}.source", "string")
    elif kind == "tool_use":
        _required(block, "id", at, "string")
        _required(block, "name", at, "string")
        _required(block, "input", at, "object")
    elif kind == "tool_result":
        _required(block, "tool_use_id", at, "string")
        _optional(block, "content", at, "string", "array")
        _optional(block, "is_error", at, "boolean")
    elif kind == "thinking":
        _required(block, "thinking", at, "string")
        _required(block, "signature", at, "string")


def _check_tool_pairs(messages: Sequence[Any]) -> None:
    """Each ``tool_result`` answers a ``tool_use`` of the message before, and each
    ``tool_use`` followed by another message gets its result there."""
    for index, message in enumerate(messages):
        content = message.get("content")
        blocks = [b for b in content if isinstance(b, Mapping)] if isinstance(content, list) else []
        results = [b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"]
        previous = messages[index - 1].get("content") if index else None
        called = {
            b.get("id")
            for b in (previous if isinstance(previous, list) else ())
            if isinstance(b, Mapping) and b.get("type") == "tool_use"
        }
        stray = [r for r in results if r not in called]
        if stray:
            raise invalid_request(
                f"messages.{index}.content: unexpected `tool_use_id` found in `tool_result` "
                f"blocks: {', '.join(map(str, stray))}. Each `tool_result` block must have a "
                "corresponding `tool_use` block in the previous message."
            )
        unanswered = sorted(str(c) for c in called if c not in results)
        if unanswered and message.get("role") == "user":
            raise invalid_request(
                f"messages.{index - 1}.content: `tool_use` ids were found without "
                f"`tool_result` blocks immediately after: {', '.join(unanswered)}. Each "
                "`tool_use` block must have a corresponding `tool_result` block in the "
                "next message."
            )


def _check_stop_sequences(stops: Any) -> None:
    if stops is None:
        return
    _typed(stops, "stop_sequences", "array")
    for index, stop in enumerate(stops):
        _typed(stop, f"stop_sequences.{index}", "string")


def _check_tools(tools: Any) -> list[str]:
    if tools is None:
        return []
    _typed(tools, "tools", "array")
    names: list[str] = []
    for index, tool in enumerate(tools):
        at = f"tools.{index}"
        _typed(tool, at, "object")
        name = _required(tool, "name", at, "string")
        if tool.get("type") not in (None, "custom"):
            names.append(name)  # a server tool: its own shape
            continue
        if not _TOOL_NAME.match(name):
            raise invalid_request(f"{at}.name: String should match pattern '{_TOOL_NAME.pattern}'")
        _optional(tool, "description", at, "string")
        schema = _required(tool, "input_schema", at, "object")
        if schema.get("type") != "object":
            raise invalid_request(f"{at}.input_schema.type: Input should be 'object'")
        names.append(name)
    return names


def _check_tool_choice(choice: Any, names: list[str]) -> None:
    if choice is None:
        return
    _typed(choice, "tool_choice", "object")
    kind = _required(choice, "type", "tool_choice", "string")
    _one_of(kind, "tool_choice.type", TOOL_CHOICES)
    _optional(choice, "disable_parallel_tool_use", "tool_choice", "boolean")
    if kind == "tool":
        name = _required(choice, "name", "tool_choice", "string")
        if name not in names:
            raise invalid_request(f"tool_choice.name: Tool '{name}' not found in provided tools")
    elif kind in ("any",) and not names:
        raise invalid_request("tool_choice: `tool_choice` requires `tools` to be specified")


def _check_thinking(body: Mapping[str, Any], count_only: bool) -> None:
    thinking = _optional(body, "thinking", "", "object")
    if thinking is None:
        return
    kind = _required(thinking, "type", "thinking", "string")
    _one_of(kind, "thinking.type", ["enabled", "disabled", "adaptive"])
    if kind != "enabled":
        return
    budget = _required(thinking, "budget_tokens", "thinking", "integer")
    if budget < 1024:
        raise invalid_request(
            "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        )
    max_tokens = body.get("max_tokens")
    if not count_only and isinstance(max_tokens, int) and budget >= max_tokens:
        raise invalid_request(
            "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
            "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
        )


def _check_output_config(config: Any) -> None:
    if config is None:
        return
    _typed(config, "output_config", "object")
    spec = _optional(config, "format", "output_config", "object")
    if spec is None:
        return
    kind = _required(spec, "type", "output_config.format", "string")
    _one_of(kind, "output_config.format.type", ["json_schema"])
    _required(spec, "schema", "output_config.format", "object")


def _check_model(
    body: Mapping[str, Any],
    catalog: ModelCatalog | None,
    context_window: int | None,
    count_only: bool,
    hint: str,
) -> ModelInfo | None:
    name = str(body["model"])
    info = catalog.get(name) if catalog is not None else None
    if catalog is not None and (info is None or info.kind != "chat"):
        raise AnthropicError(404, f"model: {name}" + (f". {hint}" if hint else ""))
    max_tokens = body.get("max_tokens") if not count_only else None
    if info is not None and isinstance(max_tokens, int) and max_tokens > info.max_output_tokens:
        raise invalid_request(
            f"max_tokens: {max_tokens} > {info.max_output_tokens}, which is the maximum "
            f"allowed number of output tokens for {name}"
        )
    window = context_window or (info.context_window if info else None)
    if window is not None:
        used = input_tokens(body)
        if used > window:
            raise invalid_request(f"prompt is too long: {used} tokens > {window} maximum")
    return info
