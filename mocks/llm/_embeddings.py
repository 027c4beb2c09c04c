"""Embeddings (``POST /v1/embeddings``): deterministic vectors that keep similarity.

A retrieval test is only meaningful if related texts land near each other, so the
vectors are built by feature hashing rather than drawn at random:

- each lower-cased word of the text is a feature, and so is its crude stem (one
  common suffix off, at most five letters: "cats" and "cat", "embeddings" and
  "embedding" overlap); token ids, when the input is a token array, are features;
- each feature adds its weight (``1 + log(count)``, a third of that for very common
  words) at :data:`SPREAD` positions of the vector, each with a sign, all chosen by
  a keyed hash of the feature;
- a little deterministic noise, seeded by the whole text, keeps unrelated texts from
  being exactly orthogonal, and the vector is scaled to unit length.

The cosine similarity of two vectors therefore follows the weighted share of words
the texts have in common: identical texts give 1, unrelated texts about 0. Values are
rounded to float32, so the ``float`` and ``base64`` encodings carry the same numbers;
``base64`` is little-endian float32, which is what the SDKs decode.

>>> a = embed_text("the cat sat on the mat", 64)
>>> b = embed_text("the cat sat on the rug", 64)
>>> c = embed_text("quarterly revenue grew strongly", 64)
>>> cosine(a, b) > 0.5 > abs(cosine(a, c))
True
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._ids import derived_rng
from ._tokens import count_tokens

SPREAD = 8
"""Vector positions each feature touches."""
NOISE = 0.1
"""Length of the noise relative to the length of the feature signal."""
STEM = 5
"""Letters kept by the crude stemmer."""

_WORD = re.compile(r"\w+")
_COMMON = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "you",
        "your",
        "we",
        "they",
        "he",
        "she",
    }
)


_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """A crude stem: drop one common suffix, keep at most :data:`STEM` letters.

    >>> stem("cats"), stem("embeddings"), stem("running")
    ('cat', 'embed', 'runn')
    """
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    return word[:STEM]


def _features(text: str) -> Counter[str]:
    features: Counter[str] = Counter()
    for word in _WORD.findall(text.lower()):
        features["w:" + word] += 1
        if len(word) >= 3:
            features["s:" + stem(word)] += 1
    if not features and text.strip():
        features.update("c:" + char for char in text if not char.isspace())
    return features


def _weight(feature: str, count: int) -> float:
    weight = 1.0 + math.log(count)
    if feature[2:] in _COMMON:
        weight /= 3
    elif feature.startswith("s:"):
        weight /= 2
    return weight


def _embed(features: Mapping[str, int], dimensions: int, seed: int, key: str) -> list[float]:
    vector = [0.0] * dimensions
    for feature, count in features.items():
        weight = _weight(feature, count)
        digest = hashlib.blake2b(f"{seed}|{feature}".encode(), digest_size=4 * SPREAD).digest()
        for i in range(SPREAD):
            slot = int.from_bytes(digest[4 * i : 4 * i + 4], "little")
            sign = 1.0 if slot & 1 else -1.0
            vector[(slot >> 1) % dimensions] += sign * weight
    signal = math.sqrt(sum(v * v for v in vector))
    rng = derived_rng(seed, "embedding-noise", key)
    scale = (signal or 1.0) * NOISE * math.sqrt(3.0 / dimensions)
    vector = [v + scale * (2.0 * rng.random() - 1.0) for v in vector]
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return list(array("f", (v / norm for v in vector)))


def embed_text(text: str, dimensions: int, seed: int = 0) -> list[float]:
    """The unit-length embedding of ``text`` with ``dimensions`` components."""
    return _embed(_features(text), dimensions, seed, text)


def embed_tokens(tokens: Sequence[int], dimensions: int, seed: int = 0) -> list[float]:
    """The embedding of a token array: each distinct id is one feature."""
    return _embed(Counter(f"t:{t}" for t in tokens), dimensions, seed, repr(list(tokens)))


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms else 0.0


def encode_base64(vector: Iterable[float]) -> str:
    """Little-endian float32 bytes, base64-encoded, as ``encoding_format=base64`` wants."""
    packed = array("f", vector)
    if sys.byteorder != "little":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode()


def decode_base64(text: str) -> list[float]:
    """The inverse of :func:`encode_base64`."""
    packed = array("f")
    packed.frombytes(base64.b64decode(text))
    if sys.byteorder != "little":
        packed.byteswap()
    return list(packed)


def inputs(raw: Any) -> list[str | list[int]]:
    """The items of an ``input`` parameter: strings and token arrays."""
    if isinstance(raw, str):
        return [raw]
    items = list(raw) if isinstance(raw, Sequence) else []
    if items and all(isinstance(t, int) for t in items):
        return [list(items)]
    return [item if isinstance(item, str) else list(item) for item in items]


def create_embeddings(
    request: Mapping[str, Any],
    *,
    dimensions: int,
    seed: int = 0,
    model: str | None = None,
) -> dict[str, Any]:
    """Build the embedding list answering ``request``.

    ``dimensions`` is the model's native size; the request's ``dimensions``, when
    given, replaces it.
    """
    size = int(request.get("dimensions") or dimensions)
    as_base64 = request.get("encoding_format") == "base64"
    data = []
    used = 0
    for index, item in enumerate(inputs(request.get("input"))):
        if isinstance(item, str):
            vector = embed_text(item, size, seed)
            used += count_tokens(item)
        else:
            vector = embed_tokens(item, size, seed)
            used += len(item)
        encoded: Any = encode_base64(vector) if as_base64 else vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    return {
        "object": "list",
        "data": data,
        "model": model or str(request.get("model", "")),
        "usage": {"prompt_tokens": used, "total_tokens": used},
    }
