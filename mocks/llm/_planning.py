"""What the model says: the endpoint-neutral core of every generation.

:func:`plan_output` turns a :class:`~mocks.llm._prompt.Prompt` (and, when an
expectation programmed one, an :class:`Answer`) into an :class:`Output`: the text,
refusal or tool calls of one choice, already cut by stop sequences and the token
limit, with the finish reason and the token count. The chat, completions and
Responses modules only render outputs into their wire shapes. Its values are only read
once made (slotted dataclasses, not frozen ones, for the cost reason `_prompt` gives).

>>> from mocks.llm._prompt import Prompt
>>> import random
>>> out = plan_output(Prompt.from_text("m", "Say hi"), rng=random.Random(0),
...                   answer=Answer(content="Hi!"))
>>> (out.content, out.finish_reason, out.completion_tokens)
('Hi!', 'stop', 2)
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import _ids
from ._prompt import FunctionTool, Prompt, arguments_json
from ._schema_values import generate_instance
from ._simulator import (
    hint_words,
    keywords,
    simulate_answer,
    simulate_json_object,
    simulate_reasoning,
    simulate_tool_summary,
)
from ._tokens import count_tokens, tokenize, tokens_of


@dataclass(slots=True)
class ToolCall:
    """A function call the model makes; ``arguments`` is JSON text."""

    name: str
    arguments: str = "{}"
    id: str | None = None
    """A fixed call id; ``None`` draws one from the generator."""


@dataclass(slots=True)
class Answer:
    """What an expectation tells the model to say.

    ``pieces`` fixes how the content is cut into stream chunks (they join to
    ``content``, and none is empty: whoever makes an answer drops them, once); without
    it the content streams one token per chunk.
    ``finish_reason`` overrides the computed one (``"content_filter"``, say).
    """

    content: str | None = None
    refusal: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    pieces: tuple[str, ...] | None = None
    finish_reason: str | None = None

    @classmethod
    def text(cls, content: str) -> Answer:
        """An answer that is just ``content``."""
        return cls(content=content)

    @classmethod
    def chunks(cls, pieces: list[str] | tuple[str, ...]) -> Answer:
        """An answer streamed as exactly these ``pieces``."""
        return cls(content="".join(pieces), pieces=tuple(filter(None, pieces)))

    @classmethod
    def call(cls, name: str, arguments: object = None) -> Answer:
        """An answer that calls the function ``name`` with ``arguments``."""
        return cls(tool_calls=(ToolCall(name, arguments_json(arguments or {})),))


@dataclass(slots=True)
class Output:
    """One choice as the model produced it, ready to render."""

    content: str | None
    pieces: tuple[str, ...]
    refusal: str | None
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    completion_tokens: int
    stop_sequence: str | None = None
    """The stop sequence that ended the content, if one did."""
    thinking: str | None = None
    """The reasoning the model shows before answering, when asked to think."""

    @property
    def truncated(self) -> bool:
        """Whether the token limit cut the output."""
        return self.finish_reason == "length"


def request_seed(prompt: Prompt, seed: int) -> int:
    """Combine the mock's seed with the request's ``seed`` parameter."""
    return seed if prompt.seed is None else seed * 1_000_003 + int(prompt.seed)


def plan_output(
    prompt: Prompt,
    *,
    rng: random.Random,
    seed: int = 0,
    variant: int = 0,
    answer: Answer | None = None,
    call_id: Callable[[random.Random], str] = _ids.tool_call_id,
) -> Output:
    """Decide what choice number ``variant`` says.

    ``answer`` (from an expectation) wins; otherwise the simulator answers: a forced
    or required tool choice gives a call whose arguments fit the function's schema,
    tool results get a summary, ``json_schema`` and ``json_object`` formats get JSON,
    and anything else gets plausible prose. ``rng`` draws the tool-call ids with
    ``call_id`` (each API has its own id shape). A prompt with a thinking budget gets
    the reasoning shown before the answer, within the budget.
    """
    chosen = answer if answer is not None else simulate(prompt, request_seed(prompt, seed), variant)
    calls = (
        tuple(
            call if call.id is not None else ToolCall(call.name, call.arguments, call_id(rng))
            for call in chosen.tool_calls
        )
        if chosen.tool_calls
        else ()  # most answers: no generator to start and finish
    )
    content = chosen.content
    if content is None and chosen.refusal is None and not calls:
        content = ""
    stopped: str | None = None
    if content and prompt.stop:
        found = [(content.find(s), s) for s in prompt.stop if s in content]
        if found:
            cut, stopped = min(found)
            content = content[:cut]
    pieces = _pieces(content, None if stopped else chosen.pieces)
    thinking: list[str] = []
    if prompt.thinking_budget:
        reasoning = simulate_reasoning(_question(prompt), request_seed(prompt, seed))
        thinking = tokenize(reasoning)[: prompt.thinking_budget]
    budget = prompt.max_tokens
    if budget is not None and thinking:  # thinking counts toward the limit
        thinking = thinking[: max(budget - 1, 0)]
        budget -= len(thinking)
    output = _limit(budget, content, pieces, chosen, calls)
    if stopped is not None and output.finish_reason == "stop":
        output = replace(output, stop_sequence=stopped)
    if thinking:
        output = replace(
            output,
            thinking="".join(thinking),
            completion_tokens=output.completion_tokens + len(thinking),
        )
    return output


def _question(prompt: Prompt) -> str:
    return prompt.last_user_text or (prompt.last_turn.text if prompt.last_turn else "")


def simulate(prompt: Prompt, seed: int, variant: int = 0) -> Answer:
    """The simulator's answer when no expectation programmed one."""
    question = _question(prompt)
    tool = _tool_to_call(prompt, question)
    if tool is not None:
        rng = _ids.derived_rng(seed, "arguments", tool.name, question, str(variant))
        schema = tool.parameters or {"type": "object", "properties": {}}
        arguments = generate_instance(schema, rng, words=hint_words(question))
        return Answer(tool_calls=(ToolCall(tool.name, arguments_json(arguments)),))
    if prompt.output_format == "json_schema":
        rng = _ids.derived_rng(seed, "schema", question, str(variant))
        instance = generate_instance(prompt.schema or {}, rng, words=hint_words(question))
        return Answer(content=json.dumps(instance, separators=(",", ":")))
    if prompt.output_format == "json_object":
        return Answer(content=simulate_json_object(question, seed, variant))
    results = prompt.tool_results
    if results:
        return Answer(content=simulate_tool_summary(results, seed))
    return Answer(content=simulate_answer(question, seed, variant))


def _tool_to_call(prompt: Prompt, question: str) -> FunctionTool | None:
    """The function a forced or required tool choice makes the model call."""
    if prompt.forced_tool is not None:
        return prompt.tool(prompt.forced_tool)
    if prompt.tool_choice != "required" or not prompt.tools:
        return None
    candidates = [
        tool
        for tool in prompt.tools
        if prompt.allowed_tools is None or tool.name in prompt.allowed_tools
    ] or list(prompt.tools)
    words = {w.lower() for w in keywords(question, 20)}

    def relevance(tool: FunctionTool) -> int:
        text = f"{tool.name.replace('_', ' ')} {tool.description}"
        return len(words & {w.lower() for w in keywords(text, 50)})

    return max(candidates, key=relevance)


def _pieces(content: str | None, fixed: tuple[str, ...] | None) -> tuple[str, ...]:
    """The programmed pieces (which join to `content`: None after a stop sequence cut
    it), else one token per piece."""
    if not content:
        return ()
    if fixed is not None:
        return fixed  # an answer's pieces hold no empty one (`Answer`)
    return tokens_of(content)


def _limit(
    max_tokens: int | None,
    content: str | None,
    pieces: tuple[str, ...],
    chosen: Answer,
    calls: tuple[ToolCall, ...],
) -> Output:
    """Apply the completion-token limit and settle the finish reason."""
    refusal = chosen.refusal
    budget = max_tokens
    used = 0
    truncated = False
    if content and budget is None:
        used = count_tokens(content)
    elif content and budget is not None:
        pieces, used, truncated = _cut_pieces(pieces, budget)
        content = "".join(pieces)
    if refusal:
        tokens = tokenize(refusal)
        if budget is not None and used + len(tokens) > budget:
            tokens, truncated = tokens[: max(budget - used, 0)], True
        refusal = "".join(tokens)
        used += len(tokens)
    kept: list[ToolCall] = []
    for call in calls:
        if truncated:
            break
        cost = count_tokens(call.name)
        tokens = tokenize(call.arguments)
        if budget is not None and used + cost + len(tokens) > budget:
            room = max(budget - used - cost, 0)
            kept.append(ToolCall(call.name, "".join(tokens[:room]), call.id))
            used, truncated = used + cost + room, True
            break
        kept.append(call)
        used += cost + len(tokens)
    if truncated:
        reason = "length"
    elif chosen.finish_reason:
        reason = chosen.finish_reason
    else:
        reason = "tool_calls" if kept else "stop"
    return Output(content, pieces, refusal, tuple(kept), reason, used)


def _cut_pieces(pieces: tuple[str, ...], budget: int) -> tuple[tuple[str, ...], int, bool]:
    """Keep whole pieces (and part of the last one) within ``budget`` tokens."""
    kept: list[str] = []
    used = 0
    for piece in pieces:
        tokens = tokenize(piece)
        if used + len(tokens) > budget:
            room = budget - used
            if room > 0:
                kept.append("".join(tokens[:room]))
                used += room
            return tuple(kept), used, True
        kept.append(piece)
        used += len(tokens)
    return tuple(kept), count_tokens("".join(kept)), False


def split_arbitrarily(text: str, rng: random.Random, longest: int = 12) -> list[str]:
    """Cut ``text`` into fragments of 1 to ``longest`` characters at random points."""
    fragments = []
    start = 0
    while start < len(text):
        end = min(len(text), start + rng.randint(1, longest))
        fragments.append(text[start:end])
        start = end
    return fragments
