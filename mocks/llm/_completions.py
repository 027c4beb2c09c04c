"""Legacy completions (``POST /v1/completions``): the ``text_completion`` object and stream.

``prompt`` may be a string, a list of strings, a list of token ids or a list of such
lists; every prompt gets ``n`` choices, numbered prompt-major (prompt ``p``, choice
``j`` has index ``p * n + j``). ``max_tokens`` defaults to 16 as in the real API, so
an unbounded simulated answer ends with ``finish_reason: "length"``. ``echo`` puts
the prompt in front of the text, ``suffix`` after it, and ``logprobs`` (0 to 5)
adds the legacy ``tokens``/``token_logprobs``/``top_logprobs``/``text_offset`` object.

Streamed chunks have the same shape as the object. Mid-stream chunks carry
``finish_reason: null`` as the real API sends them, although the published schema
(and so the SDK's type) does not allow ``null`` there.

>>> import random
>>> body = {"model": "gpt-3.5-turbo-instruct", "prompt": ["a", "b"], "n": 2}
>>> [c["index"] for c in create_completion(body, rng=random.Random(0), created=0)["choices"]]
[0, 1, 2, 3]
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from . import _ids
from ._logprobs import completion_logprobs
from ._planning import Answer, Output, plan_output
from ._prompt import Prompt, stop_sequences
from ._tokens import count_tokens, decode_token_ids, tokenize

DEFAULT_MAX_TOKENS = 16


def prompt_texts(raw: Any) -> list[tuple[str, int]]:
    """``(text, token count)`` for each prompt in a ``prompt`` parameter."""
    if raw is None:
        return [("<|endoftext|>", 1)]
    if isinstance(raw, str):
        return [(raw, count_tokens(raw))]
    items = list(raw) if isinstance(raw, Sequence) else []
    if items and all(isinstance(t, int) for t in items):
        return [(decode_token_ids(items), len(items))]
    prompts: list[tuple[str, int]] = []
    for item in items:
        if isinstance(item, str):
            prompts.append((item, count_tokens(item)))
        elif isinstance(item, Sequence):
            prompts.append((decode_token_ids(item), len(item)))
    return prompts or [("", 0)]


def _plan(
    request: Mapping[str, Any], rng: random.Random, seed: int, answer: Answer | None
) -> tuple[list[tuple[str, Output]], int]:
    prompts = prompt_texts(request.get("prompt"))
    n = int(request.get("n") or 1)
    limit = request.get("max_tokens")
    options = {
        "max_tokens": DEFAULT_MAX_TOKENS if limit is None else int(limit),
        "stop": stop_sequences(request.get("stop")),
        "seed": request.get("seed"),
    }
    model = str(request.get("model", ""))
    planned = []
    for text, _count in prompts:
        prompt = Prompt.from_text(model, text, **options)
        for variant in range(n):
            output = plan_output(prompt, rng=rng, seed=seed, variant=variant, answer=answer)
            planned.append((text, output))
    return planned, sum(count for _text, count in prompts)


def completion_usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    """The legacy endpoint's plain usage object."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def create_completion(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    created: int,
    seed: int = 0,
    answer: Answer | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """Build the ``text_completion`` object answering ``request``."""
    planned, prompt_tokens = _plan(request, rng, seed, answer)
    echo = bool(request.get("echo"))
    suffix = str(request.get("suffix") or "")
    wanted = request.get("logprobs")
    choices = []
    for index, (text, output) in enumerate(planned):
        body = output.content or ""
        full = (text if echo else "") + body + suffix
        probs = None
        if wanted is not None:
            tokens = (tokenize(text) if echo else []) + tokenize(body)
            probs = completion_logprobs(tokens, int(wanted), rng)
        choices.append(
            {"text": full, "index": index, "logprobs": probs, "finish_reason": output.finish_reason}
        )
    name = model or str(request.get("model", ""))
    completion_tokens = sum(o.completion_tokens for _t, o in planned)
    return {
        "id": _ids.completion_id(rng),
        "object": "text_completion",
        "created": created,
        "model": name,
        "system_fingerprint": _ids.system_fingerprint(name),
        "choices": choices,
        "usage": completion_usage(prompt_tokens, completion_tokens),
    }


def stream_completion(
    request: Mapping[str, Any],
    *,
    rng: random.Random,
    created: int,
    seed: int = 0,
    answer: Answer | None = None,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Build the streamed ``text_completion`` chunks, choices interleaved, in order."""
    planned, prompt_tokens = _plan(request, rng, seed, answer)
    name = model or str(request.get("model", ""))
    include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
    base = {
        "id": _ids.completion_id(rng),
        "object": "text_completion",
        "created": created,
        "model": name,
        "system_fingerprint": _ids.system_fingerprint(name),
    }
    echo = bool(request.get("echo"))
    wanted = request.get("logprobs")
    per_choice: list[list[dict[str, Any]]] = []
    for index, (text, output) in enumerate(planned):
        pieces = ([text] if echo and text else []) + list(output.pieces)
        if request.get("suffix"):
            pieces.append(str(request["suffix"]))
        steps = []
        offset = 0
        for piece in pieces:
            probs = None
            if wanted is not None:
                probs = completion_logprobs(tokenize(piece), int(wanted), rng, offset)
            offset += len(piece)
            steps.append({"text": piece, "index": index, "logprobs": probs, "finish_reason": None})
        steps.append(
            {"text": "", "index": index, "logprobs": None, "finish_reason": output.finish_reason}
        )
        per_choice.append(steps)
    longest = max((len(s) for s in per_choice), default=0)
    chunks = []
    for i in range(longest):
        for steps in per_choice:
            if i < len(steps):
                chunk = {**base, "choices": [steps[i]]}
                if include_usage:
                    chunk["usage"] = None
                chunks.append(chunk)
    if include_usage:
        completion_tokens = sum(o.completion_tokens for _t, o in planned)
        chunks.append(
            {**base, "choices": [], "usage": completion_usage(prompt_tokens, completion_tokens)}
        )
    return chunks
