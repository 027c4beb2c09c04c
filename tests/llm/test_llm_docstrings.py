"""The examples in the MockLLM modules' docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mocks.llm

MODULES = sorted(name for _, name, _ in pkgutil.iter_modules(mocks.llm.__path__, "mocks.llm."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
