"""The public names of mocks.llm: complete, sorted and documented."""

from __future__ import annotations

import mocks.llm


def test_all_is_sorted_complete_and_documented() -> None:
    public = {
        name
        for name, value in vars(mocks.llm).items()
        if not name.startswith("_") and not isinstance(value, type(mocks))
    }
    assert mocks.llm.__all__ == sorted(mocks.llm.__all__)
    assert set(mocks.llm.__all__) == public
    for name in mocks.llm.__all__:
        assert getattr(mocks.llm, name).__doc__, name
