"""The public API is what `mocks.__all__` lists: complete and sorted."""

from __future__ import annotations

import mocks
import mocks.core


def test_all_is_sorted_and_complete() -> None:
    for module in (mocks, mocks.core):
        public = {
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and not isinstance(value, type(mocks))
        }
        assert module.__all__ == sorted(module.__all__)
        assert set(module.__all__) == public


def test_every_export_has_a_docstring() -> None:
    for name in mocks.__all__:
        assert getattr(mocks, name).__doc__, name
