"""Anthropic's Messages API: a request read as a `Prompt`, the ``message`` and its stream.

A request (``POST /v1/messages``) is normalized once into the same `Prompt` the
OpenAI endpoints use, so the expectation matchers and the planner read it alike:

- ``system`` (a string or text blocks) is a system turn;
- a user message's text blocks are one user turn, and its ``tool_result`` blocks are
  tool turns after it (so ``tool_result_contains`` sees them and the conversation
  ends on tool results); a ``text/plain`` document's text is part of the user's text;
- an assistant message's ``tool_use`` blocks are its tool calls;
- tools are custom tools (``{name, description, input_schema}``); server tools
  (``web_search_20250305``...) are not functions the model calls;
- ``tool_choice`` ``any`` is "required", ``tool`` forces one, ``none`` offers none;
- ``output_config.format`` (``json_schema``) asks for JSON; ``thinking`` (``enabled``
  with a budget, or ``adaptive``) asks for the reasoning first.

The answer is a ``message`` whose content blocks come in the order the API writes
them: ``thinking`` (with a signature), ``text``, then ``tool_use`` blocks. Streamed,
it is the event sequence the SDK's ``messages.stream()`` accumulates:
``message_start`` (empty content, ``stop_reason`` null), then per block
``content_block_start``, its deltas (``thinking_delta`` + ``signature_delta``,
``text_delta``, or ``input_json_delta`` pieces cut at arbitrary points after a
``tool_use`` that starts with ``input: {}``) and ``content_block_stop``, a ``ping``
after the first block starts, ``message_delta`` (stop reason, cumulative usage with
the input tokens) and ``message_stop``.

>>> import random
>>> body = {"model": "claude-sonnet-4-5", "max_tokens": 64,
...         "messages": [{"role": "user", "content": "Hi"}]}
>>> prompt = prompt_from_messages(body)
>>> prompt.last_user_text, prompt.max_tokens
('Hi', 64)
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ._ids import alnum_token
from ._memo import memo
from ._models import ModelInfo
from ._planning import Output, split_arbitrarily
from ._prompt import FunctionTool, Prompt, Turn, prompt_size, stop_sequences

#: What ``anthropic-version`` the mock reports when a request did not say.
ANTHROPIC_VERSION = "2023-06-01"
#: How many tokens adaptive thinking shows, when the request sets no budget.
ADAPTIVE_THINKING_TOKENS = 256

STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "refusal",
}


# -- ids -------------------------------------------------------------------------------


def message_id(rng: random.Random) -> str:
    """An id shaped like ``msg_01XFDUDYJgAACzvnptvVoYEL``."""
    return "msg_01" + alnum_token(rng, 22)


def tool_use_id(rng: random.Random) -> str:
    """An id shaped like ``toolu_01A09q90qw90lq917835lq9``."""
    return "toolu_01" + alnum_token(rng, 22)


def request_id(rng: random.Random) -> str:
    """A ``request-id`` shaped like ``req_011CSHoEeqs5C35K2UUqR7Fy``."""
    return "req_011C" + alnum_token(rng, 20)


def signature(rng: random.Random) -> str:
    """An opaque thinking signature (base64, as the API's look)."""
    return base64.b64encode(rng.randbytes(96)).decode()


# -- the request -----------------------------------------------------------------------


def block_text(content: Any) -> str:
    """The text of a ``content`` value: a string, or the text of its text blocks (and
    of ``text/plain`` documents)."""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for block in content if isinstance(content, Sequence) else ():
        if not isinstance(block, Mapping):
            continue
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif block.get("type") == "document":
            source = block.get("source")
            if isinstance(source, Mapping) and source.get("type") == "text":
                texts.append(str(source.get("data", "")))
    return "\n".join(texts)


def _turns(message: Mapping[str, Any]) -> list[Turn]:
    role = str(message.get("role", "user"))
    content = message.get("content")
    if isinstance(content, str):
        return [Turn(role, content)]
    blocks = [b for b in content if isinstance(b, Mapping)] if isinstance(content, list) else []
    text = block_text(blocks)
    if role == "assistant":
        calls = tuple(
            (str(b.get("id", "")), str(b.get("name", "")), json.dumps(b.get("input") or {}))
            for b in blocks
            if b.get("type") == "tool_use"
        )
        return [Turn("assistant", text, tool_calls=calls)]
    turns = [Turn(role, text)] if text or not blocks else []
    for block in blocks:
        if block.get("type") == "tool_result":
            call_id = str(block.get("tool_use_id", ""))
            turns.append(Turn("tool", block_text(block.get("content")), tool_call_id=call_id))
    return turns


def _tools(raw: Any) -> tuple[FunctionTool, ...]:
    return tuple(
        FunctionTool(
            name=str(tool.get("name", "")),
            description=str(tool.get("description") or ""),
            parameters=tool.get("input_schema") or {},
            strict=bool(tool.get("strict")),
        )
        for tool in raw or ()
        if isinstance(tool, Mapping) and tool.get("type") in (None, "custom")
    )


def _tool_choice(raw: Any) -> tuple[str, str | None, bool]:
    """``(mode, forced function, parallel calls allowed)``."""
    if not isinstance(raw, Mapping):
        return "auto", None, True
    parallel = raw.get("disable_parallel_tool_use") is not True
    kind = raw.get("type")
    if kind == "any":
        return "required", None, parallel
    if kind == "tool":
        return "required", str(raw.get("name", "")), parallel
    if kind == "none":
        return "none", None, parallel
    return "auto", None, parallel


def _output_format(body: Mapping[str, Any]) -> tuple[str, Mapping[str, Any] | None]:
    config = body.get("output_config")
    spec = config.get("format") if isinstance(config, Mapping) else None
    spec = spec or body.get("output_format")  # the beta's spelling
    if isinstance(spec, Mapping) and spec.get("type") == "json_schema":
        schema = spec.get("schema")
        return "json_schema", schema if isinstance(schema, Mapping) else {}
    return "text", None


def thinking_budget(body: Mapping[str, Any]) -> int:
    """The tokens of reasoning a request asks to see (0 when thinking is off)."""
    thinking = body.get("thinking")
    if not isinstance(thinking, Mapping):
        return 0
    if thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        return budget if isinstance(budget, int) and budget > 0 else 0
    return ADAPTIVE_THINKING_TOKENS if thinking.get("type") == "adaptive" else 0


def prompt_from_messages(body: Mapping[str, Any]) -> Prompt:
    """Normalize a ``POST /v1/messages`` (or ``count_tokens``) body (assumed valid; read
    once per request body)."""
    return memo(body, "anthropic_prompt", _prompt, body)


def input_tokens(body: Mapping[str, Any]) -> int:
    """The approximate input tokens of a messages body, tools included (counted once per
    request body: validation and the answer both ask)."""
    return memo(body, "anthropic_tokens", _input_tokens, body)


def _input_tokens(body: Mapping[str, Any]) -> int:
    return prompt_size(prompt_from_messages(body), body.get("tools"))


def _prompt(body: Mapping[str, Any]) -> Prompt:
    turns: list[Turn] = []
    system = block_text(body.get("system"))
    if system:
        turns.append(Turn("system", system))
    for message in body.get("messages") or ():
        if isinstance(message, Mapping):
            turns.extend(_turns(message))
    tools = _tools(body.get("tools"))
    choice, forced, parallel = _tool_choice(body.get("tool_choice"))
    fmt, schema = _output_format(body)
    max_tokens = body.get("max_tokens")
    return Prompt(
        model=str(body.get("model", "")),
        turns=tuple(turns),
        tools=tools,
        tool_choice=choice if tools else "none",
        forced_tool=forced if tools else None,
        parallel_tool_calls=parallel,
        output_format=fmt,
        schema=schema,
        max_tokens=max_tokens if isinstance(max_tokens, int) else None,
        stop=stop_sequences(body.get("stop_sequences")),
        thinking_budget=thinking_budget(body),
    )


# -- the answer ------------------------------------------------------------------------


def usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    """The ``usage`` of a message, cache fields included (the mock caches nothing)."""
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def tool_input(arguments: str) -> dict[str, Any]:
    """A ``tool_use`` block's ``input``: the arguments as an object (``{}`` when the
    text is not a JSON object, as after a cut by ``max_tokens``)."""
    try:
        value = json.loads(arguments)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def content_blocks(output: Output, thinking_signature: str) -> list[dict[str, Any]]:
    """The content blocks of a planned output, in the API's order."""
    blocks: list[dict[str, Any]] = []
    if output.thinking is not None:
        blocks.append(
            {"type": "thinking", "thinking": output.thinking, "signature": thinking_signature}
        )
    text = output.content if output.content else output.refusal
    if text or not output.tool_calls:
        blocks.append({"type": "text", "text": text or ""})
    blocks.extend(
        {
            "type": "tool_use",
            "id": call.id,
            "name": call.name,
            "input": tool_input(call.arguments),
        }
        for call in output.tool_calls
    )
    return blocks


def stop_reason(output: Output) -> str:
    """Why the message ended, in the API's words."""
    if output.stop_sequence is not None:
        return "stop_sequence"
    if output.refusal and not output.content:
        return "refusal"
    return STOP_REASONS.get(output.finish_reason, "end_turn")


def create_message(
    output: Output, *, model: str, message: str, input_tokens: int, thinking_signature: str = ""
) -> dict[str, Any]:
    """The ``message`` object answering a request."""
    return {
        "id": message,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content_blocks(output, thinking_signature),
        "stop_reason": stop_reason(output),
        "stop_sequence": output.stop_sequence,
        "usage": usage(input_tokens, output.completion_tokens),
    }


def stream_events(
    output: Output,
    *,
    model: str,
    message: str,
    input_tokens: int,
    rng: random.Random,
    thinking_signature: str = "",
) -> Iterator[dict[str, Any]]:
    """The stream of a message, in order; each event's ``type`` is its SSE name. The
    random cuts (thinking, tool input) are drawn before this returns; the events are
    built as they are asked for, so the first leaves before the last is built."""
    blocks = content_blocks(output, thinking_signature)
    drawn = [_drawn_deltas(block, output, rng) for block in blocks]
    return _events(output, model, message, input_tokens, blocks, drawn)


def _events(
    output: Output,
    model: str,
    message: str,
    input_tokens: int,
    blocks: list[dict[str, Any]],
    drawn: list[list[dict[str, Any]] | None],
) -> Iterator[dict[str, Any]]:
    start = create_message(output, model=model, message=message, input_tokens=input_tokens) | {
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
    }
    start["usage"] = usage(input_tokens, 1)
    yield {"type": "message_start", "message": start}
    for index, block in enumerate(blocks):
        yield {"type": "content_block_start", "index": index, "content_block": _empty(block)}
        if index == 0:
            yield {"type": "ping"}
        deltas: Iterable[dict[str, Any]] | None = drawn[index]
        if deltas is None:  # text: one delta per piece
            pieces = output.pieces if output.content else (block["text"],)
            deltas = ({"type": "text_delta", "text": piece} for piece in pieces if piece)
        for delta in deltas:
            yield {"type": "content_block_delta", "index": index, "delta": delta}
        yield {"type": "content_block_stop", "index": index}
    yield {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason(output), "stop_sequence": output.stop_sequence},
        "usage": {
            "input_tokens": input_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": output.completion_tokens,
        },
    }
    yield {"type": "message_stop"}


def _empty(block: Mapping[str, Any]) -> dict[str, Any]:
    """A block as ``content_block_start`` announces it: before any delta."""
    kind = block["type"]
    if kind == "text":
        return {"type": "text", "text": ""}
    if kind == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    return {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}


def _drawn_deltas(
    block: Mapping[str, Any], output: Output, rng: random.Random
) -> list[dict[str, Any]] | None:
    """The deltas of a block cut at random points (thinking, tool input), drawn now;
    ``None`` for a text block, whose deltas are its pieces."""
    kind = block["type"]
    if kind == "thinking":
        pieces = split_arbitrarily(block["thinking"], rng, 40)
        return [{"type": "thinking_delta", "thinking": piece} for piece in pieces] + [
            {"type": "signature_delta", "signature": block["signature"]}
        ]
    if kind == "text":
        return None
    call = next(c for c in output.tool_calls if c.id == block["id"])
    fragments = split_arbitrarily(call.arguments, rng)
    return [{"type": "input_json_delta", "partial_json": part} for part in ["", *fragments]]


# -- models ----------------------------------------------------------------------------


def display_name(model_id: str) -> str:
    """``claude-sonnet-4-5`` -> ``Claude Sonnet 4.5``."""
    words: list[str] = []
    for part in model_id.split("-"):
        if part.isdigit() and words and words[-1][-1].isdigit():
            words[-1] += "." + part
        else:
            words.append(part.capitalize() if not part.isdigit() else part)
    return " ".join(words)


def model_json(info: ModelInfo, model_id: str | None = None) -> dict[str, Any]:
    """A ``model`` object of ``GET /v1/models`` as Anthropic writes it."""
    name = model_id or info.id
    created = datetime.fromtimestamp(info.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "type": "model",
        "id": name,
        "display_name": display_name(info.id),
        "created_at": created,
        "lifecycle": "active",
        "max_input_tokens": info.context_window,
        "max_tokens": info.max_output_tokens,
    }


def model_list_json(models: Sequence[ModelInfo]) -> dict[str, Any]:
    """The body of ``GET /v1/models`` (every model on one page)."""
    data = [model_json(info) for info in models]
    return {
        "data": data,
        "has_more": False,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }
