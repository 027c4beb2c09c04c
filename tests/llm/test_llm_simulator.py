"""The default answer simulator."""

from __future__ import annotations

import json

from mocks.llm._simulator import (
    hint_words,
    keywords,
    simulate_answer,
    simulate_json_object,
    simulate_tool_summary,
)


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
    assert "photosynthesis" in answer.lower()


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
