"""Legacy completions: the text_completion object and its stream."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from openai.types import Completion

from mocks.llm._completions import DEFAULT_MAX_TOKENS, create_completion, stream_completion
from mocks.llm._planning import Answer
from mocks.llm._tokens import count_tokens

Check = Callable[[str, Any], None]
MODEL = "gpt-3.5-turbo-instruct"


def complete(**request: Any) -> dict[str, Any]:
    return create_completion({"model": MODEL, **request}, rng=random.Random(0), created=1)


def stream(**request: Any) -> list[dict[str, Any]]:
    body = {"model": MODEL, "stream": True, **request}
    return stream_completion(body, rng=random.Random(0), created=1)


def test_default_answer_stops_at_sixteen_tokens(conforms: Check) -> None:
    document = complete(prompt="Write a long essay about the history of the printing press")
    conforms("completion_response", document)
    completion = Completion.model_validate(document)
    assert completion.object == "text_completion" and completion.id.startswith("cmpl-")
    assert completion.choices[0].finish_reason == "length"
    assert count_tokens(completion.choices[0].text) == DEFAULT_MAX_TOKENS
    assert completion.usage is not None and completion.usage.completion_tokens == 16


def test_every_prompt_form_is_accepted(conforms: Check) -> None:
    for prompt, count in (("Hello", 1), (["a", "b"], 2), ([1, 2, 3], 1), ([[1, 2], [3]], 2)):
        document = complete(prompt=prompt, max_tokens=200, n=2)
        conforms("completion_response", document)
        assert [c["index"] for c in document["choices"]] == list(range(2 * count))
        assert all(c["finish_reason"] == "stop" for c in document["choices"])
    assert complete(prompt=[1, 2, 3])["usage"]["prompt_tokens"] == 3


def test_echo_suffix_and_logprobs(conforms: Check) -> None:
    document = complete(prompt="Say hi", echo=True, suffix="<END>", logprobs=2, max_tokens=50)
    conforms("completion_response", document)
    choice = Completion.model_validate(document).choices[0]
    assert choice.text.startswith("Say hi") and choice.text.endswith("<END>")
    logprobs = choice.logprobs
    assert logprobs is not None and logprobs.tokens and logprobs.text_offset
    assert "".join(logprobs.tokens) == choice.text[: -len("<END>")]
    assert logprobs.text_offset[1] == len(logprobs.tokens[0])
    assert all(len(top) == 2 for top in logprobs.top_logprobs or [])


def test_programmed_answer_and_stop() -> None:
    body = {"model": MODEL, "prompt": "x", "stop": ["\n"]}
    result = create_completion(
        body, rng=random.Random(0), created=1, answer=Answer.text("first line\nsecond")
    )
    assert result["choices"][0]["text"] == "first line"


def test_stream_interleaves_and_ends_each_choice(conforms: Check) -> None:
    chunks = stream(
        prompt="Tell me a story", n=2, max_tokens=5, stream_options={"include_usage": True}
    )
    for chunk in chunks:
        conforms("completion_chunk", chunk)
    *body, last = chunks
    assert last["choices"] == [] and last["usage"]["completion_tokens"] == 10
    assert all(c["usage"] is None for c in body)
    assert [c["choices"][0]["index"] for c in body[:2]] == [0, 1]
    for index in (0, 1):
        mine = [c["choices"][0] for c in body if c["choices"][0]["index"] == index]
        assert mine[-1]["finish_reason"] == "length" and mine[-1]["text"] == ""
        assert all(c["finish_reason"] is None for c in mine[:-1])
    expected = complete(prompt="Tell me a story", n=2, max_tokens=5)["choices"]
    for index in (0, 1):
        text = "".join(c["choices"][0]["text"] for c in body if c["choices"][0]["index"] == index)
        assert text == expected[index]["text"]
    assert len({c["id"] for c in chunks}) == 1


def test_final_stream_chunks_fit_the_sdk_type() -> None:
    # Mid-stream chunks carry finish_reason null, which the SDK's type does not allow
    # (the published schema says so too); the closing chunk of a choice fits it.
    chunks = stream(prompt="Hi", max_tokens=3)
    closing = chunks[-1]
    assert Completion.model_validate(closing).choices[0].finish_reason == "length"
