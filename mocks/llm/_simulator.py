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

#: Words a prompt uses to ask rather than to name a topic ("Count to three", "List the
#: planets"): an answer about "count" or "three" reads as nonsense.
_NOT_TOPICS = frozenset(
    {
        "count",
        "list",
        "name",
        "summarize",
        "summarise",
        "translate",
        "compare",
        "find",
        "create",
        "generate",
        "provide",
        "define",
        "tell",
        "show",
        "give",
        "write",
        "explain",
        "describe",
        "answer",
        "reply",
        "respond",
        "repeat",
        "rewrite",
        "today",
        "tomorrow",
        "yesterday",
        "please",
        "thanks",
        "okay",
        "sure",
        "maybe",
        "something",
        "anything",
        "everything",
        "work",
        "works",
        "worked",
        "happen",
        "happens",
        "mean",
        "means",
        "use",
        "used",
        "using",
        "uses",
        "need",
        "needs",
        "want",
        "wants",
        "know",
        "think",
        "get",
        "gets",
        "help",
        "helps",
        "keep",
        "keeps",
        "start",
        "starts",
        "stop",
        "stops",
        "become",
        "becomes",
        "done",
        "doing",
        "does",
        "going",
        "goes",
        "seem",
        "seems",
        "look",
        "looks",
        "feel",
        "feels",
        "best",
        "better",
        "good",
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "hundred",
        "thousand",
        "first",
        "second",
    }
)
_GREETING = re.compile(
    r"^\W*(hi|hello|hey|howdy|greetings|good (morning|afternoon|evening))\b", re.I
)
_YES_NO = ("is", "are", "can", "could", "does", "do", "did", "should", "will", "would", "was")

#: Openings by the kind of question; each names the topic ``{a}`` once.
_OPENINGS: dict[str, tuple[str, ...]] = {
    "why": (
        "There are a few reasons behind {a}.",
        "The short answer is that {a} comes down to a handful of factors.",
        "Good question: {a} has a clear explanation once the pieces are laid out.",
    ),
    "how": (
        "Here is how {a} works, step by step.",
        "At a high level, {a} works in a few stages.",
        "The usual approach to {a} has three parts: preparation, the main step and a check.",
    ),
    "yes_no": (
        "In most cases, yes, although {a} comes with a few caveats.",
        "It depends on the situation, but generally {a} works the way you expect.",
        "Usually yes; the exceptions to {a} are worth knowing, though.",
    ),
    "other": (
        "Here is a short overview of {a}.",
        "Sure, let me explain {a}.",
        "{A} is a broad subject, so here are the essentials.",
        "Happy to help with {a}.",
    ),
}
#: Sentences that bring in a second key word ``{b}`` (``{a}`` is the topic).
_LINKS = (
    "{A} and {b} are closely connected, so it helps to look at them together.",
    "A good place to start is how {b} shapes {a}.",
    "In practice, {b} is often the deciding factor.",
    "It is also worth considering {b}, which changes the details.",
    "Much depends on {b}, so the specifics can vary from case to case.",
)
#: Sentences about the topic alone.
_SOLO = (
    "It helps to start with the basics and build up from there.",
    "The details depend on the context you are working in.",
    "A concrete example usually makes {a} easier to follow.",
    "Most of what matters here follows from a few simple principles.",
    "The common mistakes with {a} are easy to avoid once you know them.",
)
_CLOSINGS = (
    "Let me know if you would like more detail on {a}.",
    "I hope this helps.",
    "Happy to go deeper into any part of this.",
    "If you share more context, I can tailor the answer.",
)
_GREETINGS = (
    "Hello! How can I help you today?",
    "Hi there! What would you like to talk about?",
    "Hello! I am happy to help. What do you need?",
)
_NO_TOPIC = (
    "Sure, I can help with that. Could you tell me a little more about what you need?",
    "Happy to help. What would you like the answer to focus on?",
    "Of course. Could you share a bit more detail so I can give a useful answer?",
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
    """Return two to five sentences that answer ``prompt`` plausibly.

    The opening suits the kind of question (why, how, yes or no, anything else) and
    names the prompt's main key word; each further key word (up to two) gets a sentence
    of its own, so no sentence names the same word twice and none is used twice.
    ``variant`` tells apart several answers to the same prompt (the ``n`` choices of
    one request).
    """
    rng = derived_rng(seed, "answer", str(variant), prompt)
    topics = topic_phrases(prompt)
    if not topics:
        replies = _GREETINGS if _GREETING.match(prompt) or not prompt.strip() else _NO_TOPIC
        return rng.choice(replies)
    topic, others = topics[0], topics[1:]
    fill = {"a": topic, "A": topic[:1].upper() + topic[1:]}
    sentences = [rng.choice(_OPENINGS[_question_kind(prompt)]).format(**fill)]
    for link, other in zip(rng.sample(_LINKS, len(others)), others, strict=True):
        sentences.append(link.format(**fill, b=other))
    solo = rng.sample(_SOLO, 2 if not others else 1)
    sentences.extend(line.format(**fill) for line in solo[: rng.randint(1, len(solo))])
    if rng.random() < 0.7:
        sentences.append(rng.choice(_CLOSINGS).format(**fill))
    return " ".join(sentences)


def topic_phrases(prompt: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` topics of ``prompt``, in order of appearance, each once: runs of
    adjacent key words, two runs joined when only "of", "in", "for" or "on" stands
    between them ("weather in Paris", "revenue report for Acme Corp").

    >>> topic_phrases("What is the capital of France? And of Spain?")
    ['capital of France', 'Spain']
    """
    tokens = _classified(prompt)
    phrases: list[str] = []
    run: list[str] = []
    for index, (word, kind) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else "break"
        joins = kind == "join" and bool(run) and following == "key" and len(run) < 5
        if (kind == "key" and len(run) < 6) or joins:
            run.append(word)
        else:
            _close(run, phrases)
            run = [word] if kind == "key" else []
    _close(run, phrases)
    return phrases[:limit]


def _classified(prompt: str) -> list[tuple[str, str]]:
    """The prompt's words as ``(word, "key" | "join" | "break")``; punctuation breaks."""
    tokens: list[tuple[str, str]] = []
    last_end = 0
    for match in _WORD.finditer(prompt):
        if prompt[last_end : match.start()].strip():
            tokens.append(("", "break"))
        last_end = match.end()
        word = match.group().strip("'-")
        word = word[:-2] if word.lower().endswith("'s") else word
        lower = word.lower()
        if lower in _JOINERS:
            tokens.append((lower, "join"))
        elif len(lower) < 3 or lower in _STOPWORDS or lower in _NOT_TOPICS:
            tokens.append(("", "break"))
        else:
            proper = word[:1].isupper() and _mid_sentence(prompt, match.start())
            tokens.append((word if proper or word.isupper() else lower, "key"))
    return tokens


_JOINERS = frozenset({"of", "in", "for", "on"})


def _close(run: list[str], phrases: list[str]) -> None:
    phrase = " ".join(run)
    if phrase and phrase.lower() not in (known.lower() for known in phrases):
        phrases.append(phrase)


def _mid_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return bool(before) and before[-1] not in ".!?:\n\"'"


def _question_kind(prompt: str) -> str:
    """``why``, ``how``, ``yes_no`` or ``other``, from the prompt's first word."""
    first = next(iter(prompt.lower().split()), "").strip("\"'¿?,.:;!")
    if first in ("why", "how"):
        return first
    return "yes_no" if first in _YES_NO and prompt.rstrip().endswith("?") else "other"


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


_REASONING = (
    "The question is about {a}, so I should start from what matters most there.",
    "Let me think about {a} step by step before answering.",
    "First I need to be clear on what is being asked about {a}.",
)
_REASONING_STEPS = (
    "The key facts are straightforward, and I can state them plainly.",
    "A short answer will serve better than a long one here.",
    "I should mention the main point first and add a detail or two.",
    "It is worth checking the details before giving the answer.",
)


def simulate_reasoning(prompt: str, seed: int = 0) -> str:
    """The thinking a model shows before its answer (extended thinking, thoughts)."""
    rng = derived_rng(seed, "reasoning", prompt)
    topics = topic_phrases(prompt)
    topic = topics[0] if topics else "the request"
    steps = rng.sample(_REASONING_STEPS, 2)
    return " ".join([rng.choice(_REASONING).format(a=topic), *steps])


def simulate_json_object(prompt: str, seed: int = 0, variant: int = 0) -> str:
    """Return a small JSON object, for ``response_format: {"type": "json_object"}``."""
    answer = simulate_answer(prompt, seed, variant)
    return json.dumps({"answer": answer, "keywords": keywords(prompt)})
