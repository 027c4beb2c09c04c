"""The local token-count approximation."""

from __future__ import annotations

import random
import string

from mocks.llm._tokens import (
    REPLY_PRIMING_TOKENS,
    TOKENS_PER_MESSAGE,
    chat_prompt_tokens,
    count_tokens,
    decode_token_ids,
    message_tokens,
    tokenize,
    truncate,
)


def test_pieces_concatenate_back_to_the_text() -> None:
    rng = random.Random(3)
    alphabet = string.printable + "éüß日本語🙂"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        assert "".join(tokenize(text)) == text


def test_words_take_their_leading_space() -> None:
    assert tokenize("Hello, world!") == ["Hello", ",", " world", "!"]


def test_long_words_and_numbers_cost_several_tokens() -> None:
    assert count_tokens("internationalization") == 3
    assert tokenize("1234567") == ["123", "456", "7"]


def test_cjk_is_about_one_token_per_character() -> None:
    assert count_tokens("日本語のテキスト") == 8


def test_english_prose_averages_about_four_characters_per_token() -> None:
    prose = (
        "The quick brown fox jumps over the lazy dog. Streaming responses let a client "
        "render text while the model is still writing, which makes chat interfaces feel "
        "responsive even when the full answer takes several seconds to produce."
    )
    ratio = len(prose) / count_tokens(prose)
    assert 3.5 < ratio < 5.5


def test_truncate_keeps_whole_tokens() -> None:
    assert truncate("one two three four", 2) == ("one two", True)
    assert truncate("one two", 5) == ("one two", False)


def test_chat_prompt_counts_the_documented_overheads() -> None:
    message = {"role": "user", "content": "Hello there"}
    assert message_tokens(message) == TOKENS_PER_MESSAGE + 1 + 2
    named = {**message, "name": "bob"}
    assert message_tokens(named) == message_tokens(message) + 2
    total = chat_prompt_tokens([message, message])
    assert total == REPLY_PRIMING_TOKENS + 2 * message_tokens(message)


def test_tools_and_parts_count_toward_the_prompt() -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {}}}
    base = chat_prompt_tokens([{"role": "user", "content": "hi"}])
    assert chat_prompt_tokens([{"role": "user", "content": "hi"}], [tool]) > base
    parts = [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "x"}}]
    assert chat_prompt_tokens([{"role": "user", "content": parts}]) == base + 85


def test_token_ids_decode_to_stable_words() -> None:
    assert decode_token_ids([1, 2, 3]) == decode_token_ids([1, 2, 3])
    assert decode_token_ids([1, 2]) != decode_token_ids([2, 1])


def test_the_memo_never_answers_with_another_bodys_value() -> None:
    """The memo has one slot for the process: another body may take it while a value is
    being computed (another mock's thread, or here the computation itself). The value
    then belongs to its own body only, and is computed again when asked later."""
    from mocks.llm._memo import memo

    first, second = {"n": 1}, {"n": 2}
    computed: list[int] = []

    def size(body: dict[str, int]) -> int:
        computed.append(body["n"])
        if body is first and len(computed) == 1:  # the slot changes hands meanwhile
            assert memo(second, "size", size, second) == 2
        return body["n"]

    assert memo(first, "size", size, first) == 1
    assert memo(second, "size", size, second) == 2  # not the first body's value
    assert memo(first, "size", size, first) == 1
    assert computed == [1, 2, 1]  # the first body's value was not kept under the second
