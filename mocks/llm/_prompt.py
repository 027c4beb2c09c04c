"""One view of a generation request, whichever endpoint it came through.

Chat completions, the Responses API and legacy completions spell the same ideas
differently (``messages`` vs ``input`` and ``instructions``, nested vs flat tool
definitions, ``response_format`` vs ``text.format``). :class:`Prompt` is what the
planner and the expectation matchers read, so each idea is interpreted once.

A prompt is built once per request and shared by every reader, which only read it:
its classes are plain slotted dataclasses, not frozen ones, because a frozen
dataclass's ``__init__`` sets each field through ``object.__setattr__`` (about three
times the cost, on every request; bench/README.md).

>>> p = Prompt.from_chat({"model": "m", "messages": [
...     {"role": "system", "content": "Be brief."},
...     {"role": "user", "content": "Hi there"}]})
>>> (p.system, p.last_user_text)
('Be brief.', 'Hi there')
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._tokens import chat_prompt_tokens, decode_token_ids

#: ``isinstance(x, MAPPINGS)``: a parsed body's objects are dicts, found before the ABC.
MAPPINGS = (dict, Mapping)


@dataclass(slots=True)
class Turn:
    """One message of a conversation, reduced to its role and text."""

    role: str
    text: str
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: tuple[tuple[str, str, str], ...] = ()
    """``(call id, function name, arguments)`` for an assistant turn that called tools."""


@dataclass(slots=True)
class FunctionTool:
    """A function the caller offers the model."""

    name: str
    description: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    strict: bool = False


@dataclass(slots=True)
class Prompt:
    """A generation request, normalized.

    ``tool_choice`` is ``"none"``, ``"auto"`` or ``"required"``; ``forced_tool`` names
    the function a named tool choice forces. ``output_format`` is ``"text"``,
    ``"json_object"`` or ``"json_schema"`` (then ``schema`` is the schema).
    """

    model: str
    turns: tuple[Turn, ...] = ()
    tools: tuple[FunctionTool, ...] = ()
    tool_choice: str = "auto"
    forced_tool: str | None = None
    allowed_tools: tuple[str, ...] | None = None
    parallel_tool_calls: bool = True
    output_format: str = "text"
    schema: Mapping[str, Any] | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    n: int = 1
    seed: int | None = None
    logprobs: bool = False
    top_logprobs: int = 0
    thinking_budget: int = 0
    """Tokens the model may spend reasoning before it answers (0: it does not show any)."""

    @property
    def system(self) -> str:
        """The system and developer instructions, joined by blank lines."""
        return "\n\n".join(t.text for t in self.turns if t.role in ("system", "developer"))

    @property
    def last_user_text(self) -> str:
        """The text of the last user turn, or ``""``."""
        for turn in reversed(self.turns):
            if turn.role == "user":
                return turn.text
        return ""

    @property
    def last_turn(self) -> Turn | None:
        """The last turn of the conversation, whatever its role."""
        return self.turns[-1] if self.turns else None

    @property
    def tool_results(self) -> tuple[tuple[str, str], ...]:
        """``(function name, output)`` of the tool results that end the conversation.

        Empty unless the last turns are tool results, that is unless the model is
        being asked to continue after its tools ran.
        """
        names: dict[str, str] = {}
        for turn in self.turns:
            for call_id, name, _arguments in turn.tool_calls:
                names[call_id] = name
        results: list[tuple[str, str]] = []
        for turn in reversed(self.turns):
            if turn.role != "tool":
                break
            results.append((names.get(turn.tool_call_id or "", turn.name or ""), turn.text))
        return tuple(reversed(results))

    @property
    def tool_names(self) -> tuple[str, ...]:
        """The names of the functions offered."""
        return tuple(tool.name for tool in self.tools)

    def tool(self, name: str) -> FunctionTool | None:
        """The offered function called ``name``, if any."""
        return next((tool for tool in self.tools if tool.name == name), None)

    # -- constructors ------------------------------------------------------------------

    @classmethod
    def from_chat(cls, request: Mapping[str, Any]) -> Prompt:
        """Normalize a ``POST /v1/chat/completions`` body (assumed valid)."""
        turns = tuple(
            [_chat_turn(m) for m in request.get("messages") or () if isinstance(m, MAPPINGS)]
        )
        offered = request.get("tools")
        tools = (
            tuple(
                FunctionTool(
                    str(fn.get("name", "")),
                    str(fn.get("description") or ""),
                    fn.get("parameters") or {},
                    bool(fn.get("strict")),
                )
                for tool in offered
                if isinstance(tool, MAPPINGS) and tool.get("type") == "function"
                for fn in [tool.get("function") or {}]
            )
            if offered
            else ()
        )
        choice, forced, allowed = _tool_choice(request.get("tool_choice"), nested=True)
        fmt, schema = _chat_format(request.get("response_format"))
        max_tokens = request.get("max_completion_tokens")
        if max_tokens is None:
            max_tokens = request.get("max_tokens")
        return cls(
            model=str(request.get("model", "")),
            turns=turns,
            tools=tools,
            tool_choice=choice if tools else "none",
            forced_tool=forced if tools else None,
            allowed_tools=allowed,
            parallel_tool_calls=request.get("parallel_tool_calls") is not False,
            output_format=fmt,
            schema=schema,
            max_tokens=max_tokens,
            stop=stop_sequences(request.get("stop")),
            n=int(request.get("n") or 1),
            seed=request.get("seed"),
            logprobs=bool(request.get("logprobs")),
            top_logprobs=int(request.get("top_logprobs") or 0),
        )

    @classmethod
    def from_responses(cls, request: Mapping[str, Any]) -> Prompt:
        """Normalize a ``POST /v1/responses`` body (assumed valid)."""
        turns: list[Turn] = []
        if request.get("instructions"):
            turns.append(Turn("developer", str(request["instructions"])))
        raw = request.get("input")
        if isinstance(raw, str):
            turns.append(Turn("user", raw))
        elif isinstance(raw, Sequence):
            turns.extend(_responses_turn(item) for item in raw if isinstance(item, Mapping))
        tools = tuple(
            FunctionTool(
                name=str(tool.get("name", "")),
                description=str(tool.get("description") or ""),
                parameters=tool.get("parameters") or {},
                strict=tool.get("strict") is not False,
            )
            for tool in request.get("tools") or ()
            if isinstance(tool, Mapping) and tool.get("type") == "function"
        )
        choice, forced, allowed = _tool_choice(request.get("tool_choice"), nested=False)
        text = request.get("text") if isinstance(request.get("text"), Mapping) else {}
        fmt, schema = _responses_format((text or {}).get("format"))
        top = request.get("top_logprobs")
        return cls(
            model=str(request.get("model", "")),
            turns=tuple(turns),
            tools=tools,
            tool_choice=choice if tools else "none",
            forced_tool=forced if tools else None,
            allowed_tools=allowed,
            parallel_tool_calls=request.get("parallel_tool_calls") is not False,
            output_format=fmt,
            schema=schema,
            max_tokens=request.get("max_output_tokens"),
            top_logprobs=int(top or 0),
        )

    @classmethod
    def from_text(cls, model: str, text: str, **options: Any) -> Prompt:
        """A one-turn prompt, as legacy completions send it."""
        return cls(model=model, turns=(Turn("user", text),), **options)


def content_text(content: Any) -> str:
    """The text of a message ``content``: a string, token ids or a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence) and content and all(isinstance(c, int) for c in content):
        return decode_token_ids(content)
    texts: list[str] = []
    for part in content if isinstance(content, Sequence) else ():
        if isinstance(part, Mapping):
            for key in ("text", "refusal"):
                if isinstance(part.get(key), str):
                    texts.append(part[key])
                    break
        elif isinstance(part, str):
            texts.append(part)
    return "\n".join(texts)


def _chat_turn(message: Mapping[str, Any]) -> Turn:
    raw_calls = message.get("tool_calls")
    calls = (
        tuple(
            (str(c.get("id", "")), str(fn.get("name", "")), str(fn.get("arguments", "")))
            for c in raw_calls
            if isinstance(c, MAPPINGS)
            for fn in [c.get("function") or {}]
        )
        if raw_calls
        else ()
    )
    return Turn(
        str(message.get("role", "")),
        content_text(message.get("content")),
        message.get("name"),
        message.get("tool_call_id"),
        calls,
    )


def _responses_turn(item: Mapping[str, Any]) -> Turn:
    kind = item.get("type", "message")
    if kind == "function_call_output":
        output = item.get("output")
        text = output if isinstance(output, str) else content_text(output)
        return Turn("tool", text, tool_call_id=str(item.get("call_id", "")))
    if kind == "function_call":
        call = (
            str(item.get("call_id", "")),
            str(item.get("name", "")),
            str(item.get("arguments", "")),
        )
        return Turn("assistant", "", tool_calls=(call,))
    return Turn(str(item.get("role", "user")), content_text(item.get("content")))


def _tool_choice(raw: Any, *, nested: bool) -> tuple[str, str | None, tuple[str, ...] | None]:
    """Return ``(mode, forced function, allowed functions)`` for a ``tool_choice``."""
    if raw is None:  # the common case, answered before any ABC check
        return "auto", None, None
    if isinstance(raw, str):
        return raw, None, None
    if not isinstance(raw, Mapping):
        return "auto", None, None
    if raw.get("type") == "function":
        fn = raw.get("function") if nested else raw
        name = fn.get("name") if isinstance(fn, Mapping) else None
        return "required", str(name) if name else None, None
    if raw.get("type") == "allowed_tools":
        spec = raw.get("allowed_tools") if nested else raw
        spec = spec if isinstance(spec, Mapping) else {}
        names = tuple(
            str((t.get("function") or t).get("name", ""))
            for t in spec.get("tools") or ()
            if isinstance(t, Mapping)
        )
        return str(spec.get("mode", "auto")), None, names
    return "auto", None, None


def _chat_format(raw: Any) -> tuple[str, Mapping[str, Any] | None]:
    if raw is None or not isinstance(raw, Mapping):
        return "text", None
    kind = str(raw.get("type", "text"))
    if kind == "json_schema":
        spec = raw.get("json_schema") or {}
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return kind, schema if isinstance(schema, Mapping) else {}
    return kind, None


def _responses_format(raw: Any) -> tuple[str, Mapping[str, Any] | None]:
    if not isinstance(raw, Mapping):
        return "text", None
    kind = str(raw.get("type", "text"))
    if kind == "json_schema":
        schema = raw.get("schema")
        return kind, schema if isinstance(schema, Mapping) else {}
    return kind, None


def stop_sequences(raw: Any) -> tuple[str, ...]:
    """The ``stop`` parameter (a string, a list or ``None``) as a tuple."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, Sequence):
        return tuple(s for s in raw if isinstance(s, str) and s)
    return ()


def arguments_json(arguments: Any) -> str:
    """Tool-call arguments as the JSON text the API carries (compact, as models write)."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, separators=(",", ":"))


def prompt_size(prompt: Prompt, tools: Sequence[Any] | None = None) -> int:
    """The approximate input tokens of a normalized prompt and the tool definitions
    it was sent with (as each API writes them), counted as chat messages are."""
    messages = [
        {
            "role": turn.role,
            "content": turn.text,
            "tool_calls": [
                {"function": {"name": name, "arguments": arguments}}
                for _id, name, arguments in turn.tool_calls
            ],
        }
        for turn in prompt.turns
    ]
    return chat_prompt_tokens(messages, tools)
