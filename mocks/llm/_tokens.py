"""A local approximation of OpenAI token counts, with no tokenizer download.

The real API counts tokens with byte-pair encodings (``cl100k_base``, ``o200k_base``).
Shipping those tables, or fetching them at test time as ``tiktoken`` does, would make
the mock slow to start and dependent on the network, so the mock approximates them:

1. Text is split the way the BPE pre-tokenizers split it: an optional leading space
   plus a run of letters, a run of at most three digits, an optional leading space
   plus a run of punctuation, English contractions (``'s``, ``'re``...), and runs of
   whitespace.
2. A run of letters longer than :data:`WORD_PIECE` characters counts as one token per
   :data:`WORD_PIECE` characters (long words are several BPE merges).
3. A letter outside ASCII counts as one token on its own (CJK text is close to one
   token per character in the real encodings).

On English prose this lands within about 15% of ``cl100k_base`` (about four
characters per token). The pieces concatenate back to the original text exactly, so
streaming one piece per chunk reproduces the content.

Chat prompts add the per-message overhead that OpenAI documents for its chat models:
three tokens per message, one more when the message has a ``name``, and three to
prime the reply.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

WORD_PIECE = 8
"""Letters per token in a long word."""

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3
IMAGE_TOKENS = 85
"""What an image part costs at low detail; the mock never looks at the image."""
OTHER_PART_TOKENS = 100
"""What an audio or file part costs; the mock never looks at the payload."""

_PIECE = re.compile(
    r"""'(?:[sdmt]|ll|ve|re)(?![^\W\d_])"""
    r"""| ?[^\W\d_]+"""
    r"""| ?\d{1,3}"""
    r"""| ?(?:[^\s\w]|_)+"""
    r"""|\s+(?!\S)"""
    r"""|\s+"""
)


def _split_letters(piece: str) -> list[str]:
    """Split a run of letters (with its optional leading space) into tokens."""
    if not piece.isascii():
        tokens: list[str] = []
        run = ""
        for char in piece:
            if char.isascii():
                run += char
                continue
            if run:
                tokens.extend(_split_letters(run))
                run = ""
            tokens.append(char)
        if run:
            tokens.extend(_split_letters(run))
        return tokens
    lead = 1 if piece.startswith(" ") else 0
    if len(piece) - lead <= WORD_PIECE:
        return [piece]
    cut = lead + WORD_PIECE
    return [piece[:cut], *_split_letters(piece[cut:])]


def tokenize(text: str) -> list[str]:
    """Split ``text`` into approximate tokens whose concatenation is ``text``.

    >>> tokenize("Hello, world!")
    ['Hello', ',', ' world', '!']
    """
    return list(tokens_of(text))


@functools.lru_cache(maxsize=1024)
def tokens_of(text: str) -> tuple[str, ...]:
    """`tokenize`, remembered: a programmed or simulated answer is cut into the same
    tokens every time it is given."""
    tokens: list[str] = []
    append = tokens.append
    for piece in _PIECE.findall(text):  # the pattern has no groups: whole matches
        if len(piece) <= WORD_PIECE and piece.isascii():
            append(piece)  # most pieces: what _split_letters would give back unchanged
        elif piece.lstrip(" ")[:1].isalpha():
            tokens.extend(_split_letters(piece))
        else:
            append(piece)
    return tuple(tokens)


@functools.lru_cache(maxsize=4096)
def count_tokens(text: str) -> int:
    """Return the approximate number of tokens in ``text`` (remembered: prompts repeat
    their system message and earlier turns from request to request)."""
    return len(tokens_of(text))


def truncate(text: str, max_tokens: int) -> tuple[str, bool]:
    """Cut ``text`` to at most ``max_tokens`` tokens; say whether anything was cut."""
    tokens = tokenize(text)
    if len(tokens) <= max_tokens:
        return text, False
    return "".join(tokens[:max_tokens]), True


def content_tokens(content: Any) -> int:
    """Count a message ``content``: a string, ``None`` or a list of content parts."""
    if content is None:
        return 0
    if isinstance(content, str):
        return count_tokens(content)
    total = 0
    if isinstance(content, Sequence):
        for part in content:
            if not isinstance(part, Mapping):
                continue
            kind = part.get("type")
            if kind in ("text", "input_text", "output_text") or "text" in part:
                total += count_tokens(str(part.get("text", "")))
            elif kind == "refusal":
                total += count_tokens(str(part.get("refusal", "")))
            elif kind in ("image_url", "input_image"):
                total += IMAGE_TOKENS
            else:
                total += OTHER_PART_TOKENS
    return total


def message_tokens(message: Mapping[str, Any]) -> int:
    """Count one chat message with its documented per-message overhead."""
    total = TOKENS_PER_MESSAGE + count_tokens(str(message.get("role", "")))
    total += content_tokens(message.get("content"))
    if message.get("name"):
        total += TOKENS_PER_NAME + count_tokens(str(message["name"]))
    for call in message.get("tool_calls") or ():
        if isinstance(call, Mapping):
            function = call.get("function") or {}
            if isinstance(function, Mapping):
                total += count_tokens(str(function.get("name", "")))
                total += count_tokens(str(function.get("arguments", "")))
    return total


def chat_prompt_tokens(
    messages: Iterable[Mapping[str, Any]], tools: Iterable[Any] | None = None
) -> int:
    """Count a chat prompt: every message, the reply priming, and the tools offered.

    Tool definitions are counted as their compact JSON text, which is what the model
    is shown in some form; the real overhead differs by a few tokens per tool.
    """
    total = REPLY_PRIMING_TOKENS
    total += sum(message_tokens(message) for message in messages)
    for tool in tools or ():
        total += count_tokens(json.dumps(tool, separators=(",", ":")))
    return total


_VOCABULARY = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "at",
    "by",
    "this",
    "had",
    "not",
    "are",
    "but",
    "from",
    "or",
    "have",
    "an",
    "they",
    "which",
    "one",
    "you",
    "were",
    "her",
    "all",
    "she",
    "there",
    "would",
    "their",
    "we",
    "him",
    "been",
    "has",
    "when",
    "who",
    "will",
    "more",
    "no",
    "if",
    "out",
    "so",
    "said",
    "what",
    "up",
    "its",
    "about",
    "into",
    "than",
    "them",
    "can",
    "only",
    "other",
    "new",
    "some",
    "could",
    "time",
    "these",
    "two",
    "may",
    "then",
    "do",
    "first",
    "any",
    "my",
    "now",
    "such",
    "like",
    "our",
    "over",
    "man",
    "me",
    "even",
    "most",
    "made",
    "after",
    "also",
    "did",
    "many",
    "before",
    "must",
    "through",
    "back",
    "years",
    "where",
    "much",
    "your",
    "way",
    "well",
    "down",
    "should",
    "because",
    "each",
    "just",
    "those",
    "people",
    "how",
    "too",
    "little",
    "state",
    "good",
    "very",
    "make",
    "world",
    "still",
    "own",
    "see",
    "men",
    "work",
    "long",
    "get",
    "here",
    "between",
    "both",
    "life",
    "being",
    "under",
    "never",
    "day",
    "same",
    "another",
    "know",
    "while",
    "last",
    "might",
    "us",
    "great",
    "old",
    "year",
    "off",
    "come",
    "since",
    "against",
    "go",
    "came",
    "right",
    "used",
    "take",
    "three",
]


def decode_token_ids(ids: Iterable[int]) -> str:
    """Render token ids as stand-in words, for prompts sent as token arrays.

    The mock cannot invert a real encoding, so each id maps to a fixed common word:
    the same ids always give the same text, which is all the simulator needs.
    """
    return " ".join(_VOCABULARY[token % len(_VOCABULARY)] for token in ids)
