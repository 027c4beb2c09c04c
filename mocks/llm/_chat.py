"""Chat completions: the ``chat.completion`` object and its ``chat.completion.chunk`` stream.

Both renderings come from the same planned outputs, so a streamed answer accumulates
to exactly the non-streamed one. The stream follows the real API's framing rules,
which the SDK's ``client.chat.completions.stream()`` helper relies on:

- the first chunk of each choice carries ``role``, and no later chunk does (the
  helper concatenates repeated strings);
- choices first appear in index order; with ``n > 1`` their chunks interleave;
- each tool call has its own ``index``; its ``id``, ``type`` and ``name`` come only
  in its first fragment, and its arguments arrive in fragments cut at arbitrary
  points; calls stream one after another;
- each choice ends with an empty delta carrying ``finish_reason``;
- ``stream_options.include_usage`` puts ``usage: null`` on every chunk and adds a
  last chunk with ``choices: []`` and the usage;
- ``id``, ``created``, ``model`` and ``system_fingerprint`` are the same on every
  chunk.

>>> import random
>>> body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
>>> completion = create_chat_completion(body, rng=random.Random(0), created=0)
>>> completion["object"], completion["choices"][0]["finish_reason"]
('chat.completion', 'stop')
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from . import _ids
from ._logprobs import chat_entries
from ._memo import memo
from ._planning import Answer, Output, plan_output, split_arbitrarily
from ._prompt import MAPPINGS, Prompt
from ._tokens import chat_prompt_tokens, tokenize

SERVICE_TIER = "default"


def chat_usage(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    """A ``CompletionUsage`` object with the detail breakdowns the API includes."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def prompt_tokens(request: Mapping[str, Any]) -> int:
    """The approximate prompt size of a chat request, tools included (counted once per
    request body)."""
    return memo(request, "chat_tokens", _count_prompt_tokens, request)


def _count_prompt_tokens(request: Mapping[str, Any]) -> int:
    messages = [m for m in request.get("messages") or () if isinstance(m, MAPPINGS)]
    return chat_prompt_tokens(messages, request.get("tools"))


def chat_prompt(request: Mapping[str, Any]) -> Prompt:
    """The request as a `Prompt` (read once per request body)."""
    return memo(request, "chat_prompt", Prompt.from_chat, request)


def plan_choices(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    seed: int = 0,
    answer: Answer | None = None,
) -> list[Output]:
    """Plan the ``n`` choices of a chat request."""
    prompt = chat_prompt(request)
    return [
        plan_output(prompt, rng=rng, seed=seed, variant=i, answer=answer)
        for i in range(max(prompt.n, 1))
    ]


def create_chat_completion(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    created: int,
    seed: int = 0,
    answer: Answer | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """Build the ``chat.completion`` object answering ``request``.

    ``rng`` draws ids (and log probabilities); ``seed`` drives the simulated text;
    ``answer`` replaces the simulator; ``model`` overrides the model echoed back.
    """
    outputs = plan_choices(request, rng=rng, seed=seed, answer=answer)
    name = model or str(request.get("model", ""))
    top = int(request.get("top_logprobs") or 0)
    choices = [
        {
            "index": index,
            "message": _message(output, rng),
            "logprobs": _choice_logprobs(output, top, rng) if request.get("logprobs") else None,
            "finish_reason": output.finish_reason,
        }
        for index, output in enumerate(outputs)
    ]
    return {
        "id": _ids.chat_completion_id(rng),
        "object": "chat.completion",
        "created": created,
        "model": name,
        "choices": choices,
        "usage": chat_usage(prompt_tokens(request), sum(o.completion_tokens for o in outputs)),
        "service_tier": SERVICE_TIER,
        "system_fingerprint": _ids.system_fingerprint(name),
    }


def stream_chat_completion(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    created: int,
    seed: int = 0,
    answer: Answer | None = None,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Build the ``chat.completion.chunk`` objects of a streamed answer, in order.

    The SSE framing (``data: ...`` lines and the closing ``data: [DONE]``) belongs
    to the transport, not to this list.
    """
    return list(
        iter_chat_chunks(request, rng=rng, created=created, seed=seed, answer=answer, model=model)
    )


def iter_chat_chunks(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    created: int,
    seed: int = 0,
    answer: Answer | None = None,
    model: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The chunks of `stream_chat_completion`, built as they are asked for.

    Every random draw (ids, tool-argument cuts, log probabilities, obfuscation) is made
    before this returns, so a stream is the same whatever else the mock answers while
    it is written; only building the objects is left for when each is written, so the
    first token leaves without waiting for the last one to be built.
    """
    outputs = plan_choices(request, rng=rng, seed=seed, answer=answer)
    name = model or str(request.get("model", ""))
    options = request.get("stream_options") or {}
    include_usage = bool(options.get("include_usage"))
    obfuscate = options.get("include_obfuscation") is not False
    base = {
        "id": _ids.chat_completion_id(rng),
        "object": "chat.completion.chunk",
        "created": created,
        "model": name,
        "service_tier": SERVICE_TIER,
        "system_fingerprint": _ids.system_fingerprint(name),
    }
    logprobs = bool(request.get("logprobs"))
    top = int(request.get("top_logprobs") or 0)
    plans = [
        _ChoicePlan(index, output, rng, logprobs=logprobs, top=top)
        for index, output in enumerate(outputs)
    ]
    total = sum(len(plan) for plan in plans) + (1 if include_usage else 0)
    padding = _ids.Paddings(rng, total) if obfuscate else None
    usage = (
        chat_usage(prompt_tokens(request), sum(o.completion_tokens for o in outputs))
        if include_usage
        else None
    )
    return _chunks(base, plans, include_usage, usage, padding)


def _chunks(
    base: dict[str, Any],
    plans: Sequence[_ChoicePlan],
    include_usage: bool,
    usage: dict[str, Any] | None,
    padding: _ids.Paddings | None,
) -> Iterator[dict[str, Any]]:
    steps = iter(plans[0].steps()) if len(plans) == 1 else _interleave(plans)
    position = 0
    for step in steps:
        chunk = {**base, "choices": [step]}
        if include_usage:
            chunk["usage"] = None
        if padding is not None:
            chunk["obfuscation"] = padding[position]
        position += 1
        yield chunk
    if usage is not None:
        chunk = {**base, "choices": [], "usage": usage}
        if padding is not None:
            chunk["obfuscation"] = padding[position]
        yield chunk


def _interleave(plans: Sequence[_ChoicePlan]) -> Iterator[dict[str, Any]]:
    """Round-robin the choices' steps, so choice 0 comes first and all interleave."""
    for round_ in itertools.zip_longest(*(plan.steps() for plan in plans)):
        yield from (step for step in round_ if step is not None)


def _message(output: Output, rng: random.Random) -> dict[str, Any]:
    del rng
    message: dict[str, Any] = {
        "role": "assistant",
        "content": output.content,
        "refusal": output.refusal,
        "annotations": [],
    }
    if output.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in output.tool_calls
        ]
    return message


def _choice_logprobs(output: Output, top: int, rng: random.Random) -> dict[str, Any]:
    content = chat_entries(tokenize(output.content), top, rng) if output.content else None
    refusal = chat_entries(tokenize(output.refusal), top, rng) if output.refusal else None
    if content is None and refusal is None and output.content == "":
        content = []
    return {"content": content, "refusal": refusal}


class _ChoicePlan:
    """The chunk-choices of one choice, first (with ``role``) to last (with the reason):
    its random draws made at once, its steps built when asked for."""

    def __init__(
        self, index: int, output: Output, rng: random.Random, *, logprobs: bool, top: int
    ) -> None:
        self.index = index
        self.output = output
        self.refusal = tokenize(output.refusal or "")
        self.fragments = [split_arbitrarily(call.arguments, rng) for call in output.tool_calls]
        self.content_probs: list[list[dict[str, Any]]] | None = None
        self.refusal_probs: list[list[dict[str, Any]]] | None = None
        if logprobs:  # drawn only when asked for
            self.content_probs = [chat_entries(tokenize(p), top, rng) for p in output.pieces]
            self.refusal_probs = [chat_entries([p], top, rng) for p in self.refusal]

    def __len__(self) -> int:
        calls = sum(1 + len(fragments) for fragments in self.fragments)
        return 2 + len(self.output.pieces) + len(self.refusal) + calls

    def _step(self, delta: dict[str, Any], probs: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"index": self.index, "delta": delta, "logprobs": probs, "finish_reason": None}

    def steps(self) -> Iterator[dict[str, Any]]:
        """The steps, in order."""
        output, asked = self.output, self.content_probs is not None
        first: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if output.content is not None:
            first["content"] = ""
        yield self._step(first, {"content": [], "refusal": None} if asked else None)
        for position, piece in enumerate(output.pieces):
            probs = None
            if self.content_probs is not None:
                probs = {"content": self.content_probs[position], "refusal": None}
            yield self._step({"content": piece}, probs)
        for position, piece in enumerate(self.refusal):
            probs = None
            if self.refusal_probs is not None:
                probs = {"content": None, "refusal": self.refusal_probs[position]}
            yield self._step({"refusal": piece}, probs)
        for position, (call, fragments) in enumerate(
            zip(output.tool_calls, self.fragments, strict=True)
        ):
            opening = {
                "index": position,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            yield self._step({"tool_calls": [opening]})
            for fragment in fragments:
                more = {"index": position, "function": {"arguments": fragment}}
                yield self._step({"tool_calls": [more]})
        last = self._step({})
        last["finish_reason"] = output.finish_reason
        yield last
