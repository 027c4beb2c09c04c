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

import random
from collections.abc import Mapping, Sequence
from typing import Any

from . import _ids
from ._logprobs import chat_entries
from ._planning import Answer, Output, plan_output, split_arbitrarily
from ._prompt import Prompt
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
    """The approximate prompt size of a chat request, tools included."""
    messages = [m for m in request.get("messages") or () if isinstance(m, Mapping)]
    return chat_prompt_tokens(messages, request.get("tools"))


def plan_choices(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    seed: int = 0,
    answer: Answer | None = None,
) -> list[Output]:
    """Plan the ``n`` choices of a chat request."""
    prompt = Prompt.from_chat(request)
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
    per_choice = [
        _choice_steps(index, output, rng, logprobs=logprobs, top=top)
        for index, output in enumerate(outputs)
    ]
    chunks = [_chunk(base, [step], include_usage) for step in _interleave(per_choice)]
    if include_usage:
        usage = chat_usage(prompt_tokens(request), sum(o.completion_tokens for o in outputs))
        chunks.append({**base, "choices": [], "usage": usage})
    if obfuscate:
        for chunk in chunks:
            chunk["obfuscation"] = _ids.random_token(rng, rng.randint(1, 12))
    return chunks


def _chunk(base: Mapping[str, Any], choices: list[dict[str, Any]], usage: bool) -> dict[str, Any]:
    chunk = {**base, "choices": choices}
    if usage:
        chunk["usage"] = None
    return chunk


def _interleave(per_choice: Sequence[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Round-robin the choices' steps, so choice 0 comes first and all interleave."""
    longest = max((len(steps) for steps in per_choice), default=0)
    return [steps[i] for i in range(longest) for steps in per_choice if i < len(steps)]


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


def _choice_steps(
    index: int, output: Output, rng: random.Random, *, logprobs: bool, top: int
) -> list[dict[str, Any]]:
    """The chunk-choices of one choice, first (with ``role``) to last (with the reason)."""

    def step(delta: dict[str, Any], probs: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"index": index, "delta": delta, "logprobs": probs, "finish_reason": None}

    first: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    if output.content is not None:
        first["content"] = ""
    steps = [step(first, {"content": [], "refusal": None} if logprobs else None)]
    for piece in output.pieces:
        probs = {"content": chat_entries(tokenize(piece), top, rng), "refusal": None}
        steps.append(step({"content": piece}, probs if logprobs else None))
    for piece in tokenize(output.refusal or ""):
        probs = {"content": None, "refusal": chat_entries([piece], top, rng)}
        steps.append(step({"refusal": piece}, probs if logprobs else None))
    for position, call in enumerate(output.tool_calls):
        opening = {
            "index": position,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        steps.append(step({"tool_calls": [opening]}))
        for fragment in split_arbitrarily(call.arguments, rng):
            steps.append(
                step({"tool_calls": [{"index": position, "function": {"arguments": fragment}}]})
            )
    last = step({})
    last["finish_reason"] = output.finish_reason
    steps.append(last)
    return steps
