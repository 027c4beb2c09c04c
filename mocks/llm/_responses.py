"""The Responses API (``POST /v1/responses``): the ``response`` object and its events.

A response's ``output`` is a list of items: an assistant ``message`` (its content an
``output_text`` or ``refusal`` part) and/or ``function_call`` items. The stream is
the event sequence that the SDK's ``client.responses.stream()`` helper accumulates:

``response.created`` (status ``in_progress``, no output yet), ``response.in_progress``,
then for each item ``response.output_item.added`` ... ``response.output_item.done``
with, in between, ``response.content_part.added``, ``response.output_text.delta``
events, ``response.output_text.done`` and ``response.content_part.done`` for a
message, or ``response.function_call_arguments.delta`` events and
``response.function_call_arguments.done`` for a call; finally ``response.completed``
(``response.incomplete`` when ``max_output_tokens`` cut the answer). Every event has
a ``sequence_number``, counting up from 0, and names itself in ``type``, which is
also its SSE ``event:`` name.

>>> import random
>>> events = stream_response({"model": "gpt-4.1", "input": "Hi"},
...                          rng=random.Random(0), created=0)
>>> events[0]["type"], events[-1]["type"]
('response.created', 'response.completed')
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Mapping
from typing import Any

from . import _ids
from ._logprobs import token_logprob
from ._memo import memo
from ._planning import Answer, Output, plan_output, split_arbitrarily
from ._prompt import Prompt
from ._tokens import chat_prompt_tokens, count_tokens, tokenize

LOGPROBS_INCLUDE = "message.output_text.logprobs"

Emit = Callable[..., None]


def response_usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    """A ``ResponseUsage`` object."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }


def input_tokens(request: Mapping[str, Any]) -> int:
    """The approximate size of a Responses request's input, instructions and tools."""

    def count() -> int:
        messages = [{"role": t.role, "content": t.text} for t in responses_prompt(request).turns]
        return chat_prompt_tokens(messages, request.get("tools"))

    return memo(request, "responses_tokens", count)


def responses_prompt(request: Mapping[str, Any]) -> Prompt:
    """The request as a `Prompt` (read once per request body)."""
    return memo(request, "responses_prompt", Prompt.from_responses, request)


class _Builder:
    """Renders one planned output as response items, ids drawn once for both forms."""

    def __init__(
        self,
        request: Mapping[str, Any],
        output: Output,
        *,
        rng: random.Random,
        created: int,
        model: str,
    ) -> None:
        self.request = request
        self.output = output
        self.rng = rng
        self.created = created
        self.model = model
        self.response_id = _ids.hex_id("resp_", rng)
        self.message_id = _ids.hex_id("msg_", rng)
        self.call_item_ids = [_ids.hex_id("fc_", rng) for _ in output.tool_calls]
        include = request.get("include") or ()
        self.logprobs = LOGPROBS_INCLUDE in include
        self.content_logprobs = (
            self.text_logprobs(tokenize(output.content or "")) if self.logprobs else []
        )

    @property
    def has_message(self) -> bool:
        out = self.output
        return bool(out.content) or out.refusal is not None or not out.tool_calls

    @property
    def item_status(self) -> str:
        return "incomplete" if self.output.truncated else "completed"

    def message(self, status: str, content: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": self.message_id,
            "type": "message",
            "status": status,
            "role": "assistant",
            "content": content,
        }

    def part(self, text: str | None = None) -> dict[str, Any]:
        out = self.output
        if out.refusal is not None and not out.content:
            return {"type": "refusal", "refusal": out.refusal if text is None else text}
        full = out.content or ""
        value = full if text is None else text
        probs = self.content_logprobs if text is None else []
        return {"type": "output_text", "text": value, "annotations": [], "logprobs": probs}

    def text_logprobs(self, tokens: list[str]) -> list[dict[str, Any]]:
        if not self.logprobs:
            return []
        return [
            {
                "token": token,
                "logprob": token_logprob(self.rng),
                "bytes": list(token.encode()),
                "top_logprobs": [],
            }
            for token in tokens
        ]

    def call_item(self, index: int, status: str, arguments: str | None = None) -> dict[str, Any]:
        call = self.output.tool_calls[index]
        return {
            "id": self.call_item_ids[index],
            "type": "function_call",
            "status": status,
            "call_id": call.id,
            "name": call.name,
            "arguments": call.arguments if arguments is None else arguments,
        }

    def items(self) -> list[dict[str, Any]]:
        items = [self.message(self.item_status, [self.part()])] if self.has_message else []
        items.extend(
            self.call_item(i, self.item_status) for i in range(len(self.output.tool_calls))
        )
        return items

    def response(self, *, final: bool) -> dict[str, Any]:
        request = self.request
        truncated = self.output.truncated
        status = ("incomplete" if truncated else "completed") if final else "in_progress"
        text = request.get("text") if isinstance(request.get("text"), Mapping) else {}
        fmt = (text or {}).get("format") or {"type": "text"}
        usage = response_usage(input_tokens(request), self.output.completion_tokens)
        document: dict[str, Any] = {
            "id": self.response_id,
            "object": "response",
            "created_at": self.created,
            "status": status,
            "background": bool(request.get("background") or False),
            "completed_at": self.created if final and not truncated else None,
            "error": None,
            "incomplete_details": {"reason": "max_output_tokens"} if final and truncated else None,
            "instructions": request.get("instructions"),
            "max_output_tokens": request.get("max_output_tokens"),
            "max_tool_calls": request.get("max_tool_calls"),
            "model": self.model,
            "output": self.items() if final else [],
            "parallel_tool_calls": request.get("parallel_tool_calls") is not False,
            "previous_response_id": request.get("previous_response_id"),
            "reasoning": {"effort": None, "summary": None},
            "service_tier": "default",
            "store": request.get("store") is not False,
            "temperature": request.get("temperature", 1.0),
            "text": {"format": copy.deepcopy(fmt), "verbosity": "medium"},
            "tool_choice": copy.deepcopy(request.get("tool_choice") or "auto"),
            "tools": [_echo_tool(t) for t in request.get("tools") or () if isinstance(t, Mapping)],
            "top_logprobs": int(request.get("top_logprobs") or 0),
            "top_p": request.get("top_p", 1.0),
            "truncation": request.get("truncation") or "disabled",
            "metadata": dict(request.get("metadata") or {}),
        }
        if final:  # the published schema has no null usage, so in-progress ones omit it
            document["usage"] = usage
        if request.get("user") is not None:
            document["user"] = request["user"]
        return document


def _echo_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A tool as the API echoes it, with the defaults it fills in."""
    echoed = copy.deepcopy(dict(tool))
    if echoed.get("type") == "function":
        echoed.setdefault("description", None)
        echoed.setdefault("strict", True)
    return echoed


def _plan(
    request: Mapping[str, Any], rng: random.Random, seed: int, answer: Answer | None
) -> Output:
    return plan_output(responses_prompt(request), rng=rng, seed=seed, answer=answer)


def create_response(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    created: int,
    seed: int = 0,
    answer: Answer | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """Build the ``response`` object answering ``request``."""
    output = _plan(request, rng, seed, answer)
    name = model or str(request.get("model", ""))
    return _Builder(request, output, rng=rng, created=created, model=name).response(final=True)


def stream_response(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    created: int,
    seed: int = 0,
    answer: Answer | None = None,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Build the events of a streamed response, in order, numbered from 0."""
    output = _plan(request, rng, seed, answer)
    name = model or str(request.get("model", ""))
    build = _Builder(request, output, rng=rng, created=created, model=name)
    events: list[dict[str, Any]] = []

    def emit(kind: str, **fields: Any) -> None:
        events.append({"type": kind, "sequence_number": len(events), **fields})

    emit("response.created", response=build.response(final=False))
    emit("response.in_progress", response=build.response(final=False))
    index = 0
    if build.has_message:
        _stream_message(build, index, emit)
        index += 1
    for call in range(len(output.tool_calls)):
        _stream_call(build, call, index, emit)
        index += 1
    final = build.response(final=True)
    kind = "response.incomplete" if output.truncated else "response.completed"
    emit(kind, response=final)
    return events


def _stream_message(build: _Builder, index: int, emit: Emit) -> None:
    item_id = build.message_id
    where = {"item_id": item_id, "output_index": index, "content_index": 0}
    emit("response.output_item.added", output_index=index, item=build.message("in_progress", []))
    emit("response.content_part.added", **where, part=build.part(""))
    out = build.output
    if out.refusal is not None and not out.content:
        for piece in tokenize(out.refusal):
            emit("response.refusal.delta", **where, delta=piece)
        emit("response.refusal.done", **where, refusal=out.refusal)
    else:
        cursor = 0
        for piece in out.pieces:
            probs: list[dict[str, Any]] = []
            if build.logprobs:
                count = count_tokens(piece)
                probs = build.content_logprobs[cursor : cursor + count]
                cursor += count
            emit("response.output_text.delta", **where, delta=piece, logprobs=probs)
        text = out.content or ""
        emit("response.output_text.done", **where, text=text, logprobs=build.content_logprobs)
    part = build.part()
    emit("response.content_part.done", **where, part=part)
    emit(
        "response.output_item.done",
        output_index=index,
        item=build.message(build.item_status, [part]),
    )


def _stream_call(build: _Builder, call: int, index: int, emit: Emit) -> None:
    item_id = build.call_item_ids[call]
    emit(
        "response.output_item.added",
        output_index=index,
        item=build.call_item(call, "in_progress", ""),
    )
    arguments = build.output.tool_calls[call].arguments
    for fragment in split_arbitrarily(arguments, build.rng):
        emit(
            "response.function_call_arguments.delta",
            item_id=item_id,
            output_index=index,
            delta=fragment,
        )
    emit(
        "response.function_call_arguments.done",
        item_id=item_id,
        output_index=index,
        name=build.output.tool_calls[call].name,
        arguments=arguments,
    )
    emit(
        "response.output_item.done",
        output_index=index,
        item=build.call_item(call, build.item_status),
    )
