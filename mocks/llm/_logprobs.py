"""Plausible log probabilities for generated tokens.

The chosen token is always the most likely one; the alternatives share what is left
of the probability mass, halving each time, so the numbers are consistent (each
position's probabilities sum to at most one) and deterministic for a generator.
"""

from __future__ import annotations

import math
import random
from typing import Any

_ALTERNATIVES = (" the", " a", ",", ".", " and", " to", " of", " is", " in", " it")


def token_logprob(rng: random.Random) -> float:
    """The log probability of a chosen token: likely, but never certain."""
    return round(-rng.uniform(0.0001, 0.4), 6)


def alternatives(token: str, chosen: float, count: int) -> list[tuple[str, float]]:
    """``count`` most likely tokens at a position, the chosen ``token`` first."""
    if count <= 0:
        return []
    candidates = [token]
    stripped = token.strip()
    for variant in (stripped.capitalize(), stripped.lower(), stripped + "s", *_ALTERNATIVES):
        lead = " " if token.startswith(" ") and not variant.startswith(" ") else ""
        option = lead + variant if variant else variant
        if option and option not in candidates:
            candidates.append(option)
    rest = 1.0 - math.exp(chosen)
    result = [(token, chosen)]
    for k, option in enumerate(candidates[1:count], start=1):
        share = max(rest * 0.5**k, 1e-12)
        result.append((option, round(math.log(share), 6)))
    return result


def chat_entries(tokens: list[str], top: int, rng: random.Random) -> list[dict[str, Any]]:
    """``ChatCompletionTokenLogprob`` objects for ``tokens`` with ``top`` alternatives."""
    entries = []
    for token in tokens:
        chosen = token_logprob(rng)
        entries.append(
            {
                "token": token,
                "logprob": chosen,
                "bytes": list(token.encode()),
                "top_logprobs": [
                    {"token": t, "logprob": lp, "bytes": list(t.encode())}
                    for t, lp in alternatives(token, chosen, top)
                ],
            }
        )
    return entries


def completion_logprobs(
    tokens: list[str], top: int, rng: random.Random, offset: int = 0
) -> dict[str, Any]:
    """The legacy completions ``logprobs`` object for ``tokens`` starting at ``offset``."""
    token_logprobs: list[float] = []
    tops: list[dict[str, float]] = []
    offsets: list[int] = []
    position = offset
    for token in tokens:
        chosen = token_logprob(rng)
        token_logprobs.append(chosen)
        tops.append(dict(alternatives(token, chosen, max(top, 1))))
        offsets.append(position)
        position += len(token)
    return {
        "tokens": list(tokens),
        "token_logprobs": token_logprobs,
        "top_logprobs": tops,
        "text_offset": offsets,
    }
