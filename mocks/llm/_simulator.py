"""Deterministic, plausible answers for when no expectation says what to answer.

The simulator is not a language model; it writes a few sentences that mention the
prompt's key words, so a system under test sees an answer that is on topic, varies
with the prompt, and is byte-for-byte the same for the same prompt and seed.

>>> simulate_answer("Explain photosynthesis in plants", seed=0) == simulate_answer(
...     "Explain photosynthesis in plants", seed=0)
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from ._ids import derived_rng

_STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "and",
        "any",
        "are",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "can",
        "could",
        "did",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "into",
        "its",
        "itself",
        "just",
        "let",
        "like",
        "make",
        "more",
        "most",
        "much",
        "must",
        "myself",
        "need",
        "only",
        "other",
        "our",
        "ours",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "some",
        "such",
        "tell",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "too",
        "under",
        "until",
        "very",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "give",
        "show",
        "write",
        "explain",
        "describe",
        "answer",
        "question",
        "thanks",
        "thank",
        "hello",
    ]
)

_WORD = re.compile(r"[^\W\d_][\w'-]*")

_OPENINGS = (
    "Here is a short answer about {a}.",
    "Good question about {a}.",
    "Let me explain {a}.",
    "Sure, here is an overview of {a}.",
)
_MIDDLES = (
    "{A} is closely related to {b}, and the two are easiest to understand together.",
    "The key idea behind {a} is how it interacts with {b}.",
    "In practice, {a} depends on the details of {b} and {c}.",
    "Most explanations of {a} start from {b} and then move on to {c}.",
    "A useful way to think about {a} is as a balance between {b} and {c}.",
)
_CLOSINGS = (
    "Let me know if you would like more detail on {a}.",
    "I hope this helps you with {a}.",
    "Happy to go deeper into {b} if that is useful.",
    "In short, {a} is worth looking at step by step.",
)
_GREETINGS = (
    "Hello! How can I help you today?",
    "Hi there! What would you like to talk about?",
    "Hello! I am happy to help. What do you need?",
)


def keywords(text: str, limit: int = 3) -> list[str]:
    """Return up to ``limit`` distinctive words of ``text``, in order of appearance.

    Words of four letters or more that are not stopwords win; proper nouns (capital
    letter, not starting a sentence) keep their capital so that they can be echoed
    back (``"Paris"``).
    """
    seen: dict[str, str] = {}
    for match in _WORD.finditer(text):
        word = match.group().strip("'-")
        if word.lower().endswith("'s"):
            word = word[:-2]
        lower = word.lower()
        if len(lower) < 4 or lower in _STOPWORDS or lower in seen:
            continue
        before = text[: match.start()].rstrip()
        initial = not before or before[-1] in ".!?:\n\"'"
        proper = word[:1].isupper() and not word.isupper() and not initial
        seen[lower] = word if proper else lower
    ranked = list(seen.values())
    return ranked[:limit]


def hint_words(text: str, limit: int = 8) -> list[str]:
    """Key words of ``text`` for filling in values, proper nouns first.

    >>> hint_words("What is the weather in Paris?")
    ['Paris', 'weather']
    """
    words = keywords(text, limit)
    return sorted(words, key=lambda word: not word[:1].isupper())


def simulate_answer(prompt: str, seed: int = 0, variant: int = 0) -> str:
    """Return two to four sentences that answer ``prompt`` plausibly.

    ``variant`` tells apart several answers to the same prompt (the ``n`` choices
    of one request).
    """
    rng = derived_rng(seed, "answer", str(variant), prompt)
    words = keywords(prompt)
    if not words:
        return rng.choice(_GREETINGS)
    while len(words) < 3:
        words.append(words[-1] if len(words) > 1 else "the details")
    fill = {"a": words[0], "A": words[0][:1].upper() + words[0][1:], "b": words[1]}
    fill["c"] = words[2]
    sentences = [rng.choice(_OPENINGS).format(**fill)]
    middles = list(_MIDDLES)
    rng.shuffle(middles)
    sentences.extend(m.format(**fill) for m in middles[: rng.randint(1, 2)])
    if rng.random() < 0.7:
        sentences.append(rng.choice(_CLOSINGS).format(**fill))
    return " ".join(sentences)


def simulate_tool_summary(results: Sequence[tuple[str, str]], seed: int = 0) -> str:
    """Answer after tool results came back: report what each tool returned."""
    rng = derived_rng(seed, "tools", repr(list(results)))
    parts = []
    for name, output in results:
        shown = output if len(output) <= 200 else output[:197] + "..."
        label = name or "the tool"
        parts.append(f"{label} returned {shown}.")
    lead = rng.choice(("Here is what I found:", "Based on the tool results:", "Done."))
    return " ".join([lead, *parts])


def simulate_json_object(prompt: str, seed: int = 0, variant: int = 0) -> str:
    """Return a small JSON object, for ``response_format: {"type": "json_object"}``."""
    answer = simulate_answer(prompt, seed, variant)
    return json.dumps({"answer": answer, "keywords": keywords(prompt)})
