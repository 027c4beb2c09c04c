"""``expect_tool_call`` refuses what cannot be a tool call, naming the argument and what
it may be (no ``TypeError: cannot convert dictionary update sequence element``)."""

from __future__ import annotations

from typing import Any

import pytest

from mocks.llm import MockLLM, ToolCallSpec


@pytest.mark.parametrize(
    ("name", "arguments", "error", "message"),
    [
        ("f", [1], TypeError, "arguments must be a mapping of argument names to values"),
        ("f", 3, TypeError, "got int 3"),
        ("f", {1: "x"}, TypeError, "arguments must have string keys"),
        ("f", {"when": object()}, ValueError, "arguments are not JSON"),
        ("get weather", {}, ValueError, "name must be a function name"),
        ("", {}, ValueError, "name must be a function name"),
        (None, {}, ValueError, "got None"),
    ],
)
def test_bad_tool_call_arguments_are_refused_by_name(
    mock_llm: MockLLM, name: Any, arguments: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        mock_llm.expect_tool_call(name, arguments)
    assert str(caught.value).startswith("expect_tool_call: ")
    assert mock_llm.expectations == []  # nothing half-registered


def test_bad_calls_of_expect_tool_calls_name_their_position(mock_llm: MockLLM) -> None:
    with pytest.raises(TypeError, match=r"calls\[1\] must be a ToolCallSpec or a \(name, "):
        mock_llm.expect_tool_calls([("f", {}), ("g",)])
    with pytest.raises(TypeError, match=r"calls\[0\]: arguments must be a mapping"):
        mock_llm.expect_tool_calls([("f", [1, 2])])
    with pytest.raises(ValueError, match="calls is empty"):
        mock_llm.expect_tool_calls([])


def test_good_arguments_still_register(mock_llm: MockLLM) -> None:
    for arguments in ({"city": "Paris"}, '{"city": "Paris"}', None):
        mock_llm.expect_tool_call("get_weather", arguments).optional()
    mock_llm.expect_tool_calls(
        [ToolCallSpec(name="a"), ("b", {"x": 1})], prompt_contains="both"
    ).optional()
    assert len(mock_llm.expectations) == 4
