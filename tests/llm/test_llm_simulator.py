"""The default answer simulator."""

from __future__ import annotations

import json
import re

import pytest

from mocks.llm._simulator import (
    hint_words,
    keywords,
    simulate_answer,
    simulate_json_object,
    simulate_tool_summary,
    topic_phrases,
)

PROMPTS = [
    "Count to three",
    "What is the weather in Paris today?",
    "Explain how photosynthesis works in desert plants",
    "Why do cats purr?",
    "How do I reset a router?",
    "Is Rust faster than Go?",
    "Summarize the quarterly revenue report for Acme Corp",
    "Tell me about photosynthesis and chlorophyll",
    "Write a haiku about autumn leaves",
    "List three prime numbers",
]


def test_same_prompt_and_seed_give_the_same_answer() -> None:
    prompt = "Explain how photosynthesis works in desert plants"
    assert simulate_answer(prompt, seed=1) == simulate_answer(prompt, seed=1)


def test_answers_vary_with_prompt_seed_and_variant() -> None:
    prompt = "Explain how photosynthesis works in desert plants"
    answers = {simulate_answer(prompt, seed=s, variant=v) for s in range(4) for v in range(3)}
    assert len(answers) > 4
    assert simulate_answer(prompt) != simulate_answer("Describe the history of Rome")


def test_answers_mention_the_prompt_keywords() -> None:
    answer = simulate_answer("Tell me about photosynthesis and chlorophyll")
    assert "photosynthesis" in answer.lower() and "chlorophyll" in answer.lower()


def test_keywords_skip_stopwords_and_keep_proper_nouns() -> None:
    assert keywords("What is the weather like in Paris today?") == ["weather", "Paris", "today"]
    assert hint_words("What's the weather in Paris?") == ["Paris", "weather"]


def test_a_prompt_without_keywords_gets_a_greeting() -> None:
    assert simulate_answer("hi").endswith("?")


def test_json_object_answers_are_json_objects() -> None:
    document = json.loads(simulate_json_object("List the planets as json"))
    assert isinstance(document, dict) and document["answer"]


def test_tool_summary_reports_each_result() -> None:
    text = simulate_tool_summary([("get_weather", '{"temp": 21}'), ("get_time", "12:00")])
    assert '{"temp": 21}' in text and "get_time returned 12:00" in text


@pytest.mark.parametrize("prompt", PROMPTS)
def test_answers_read_like_text(prompt: str) -> None:
    for seed in range(3):
        answer = simulate_answer(prompt, seed=seed)
        sentences = re.findall(r"[^.!?]+[.!?]", answer)
        assert "".join(sentences).strip() == answer.strip()
        assert len(sentences) == len(set(sentences)), answer  # no sentence twice
        for sentence in sentences:
            assert sentence.strip()[0].isupper(), sentence
            for topic in topic_phrases(prompt):
                assert sentence.lower().count(topic.lower()) <= 1, sentence


def test_every_topic_is_answered_once_in_its_own_words() -> None:
    prompt = "Tell me about photosynthesis, chlorophyll and desert plants"
    answer = simulate_answer(prompt, seed=4)
    for topic in ("photosynthesis", "chlorophyll", "desert plants"):
        assert topic in answer.lower()


def test_instructions_and_numbers_are_not_topics() -> None:
    answer = simulate_answer("Count to three")
    assert "count" not in answer.lower() and "three" not in answer.lower()
    assert "start from three and then move on to three" not in simulate_answer("count three")
    assert topic_phrases("What is the weather in Paris today?") == ["weather in Paris"]
    assert topic_phrases("Summarize the quarterly revenue report for Acme Corp") == [
        "quarterly revenue report for Acme Corp"
    ]
