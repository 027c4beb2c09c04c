"""Lazy package attributes (PEP 562): a name is imported when it is first used.

A package lists its public names once, as imports under ``if TYPE_CHECKING:`` (so type
checkers and readers see them) and in ``__all__``; `lazy_exports` reads that block and
imports a name's module only when the name is first asked for. ``import mocks`` then
costs almost nothing, and ``from mocks import MockHTTP`` does not import the LLM,
Zitadel, WhatsApp or Teams packages.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

_GUARDS = ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _exports(init_file: str, package: str) -> dict[str, str]:
    """Name -> module of the imports under ``if TYPE_CHECKING:`` in a package's __init__."""
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    module = "." * statement.level + (statement.module or "")
                    for alias in statement.names:
                        found[alias.asname or alias.name] = importlib.util.resolve_name(
                            module, package
                        )
    return found


def lazy_exports(
    namespace: dict[str, Any],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names are imported lazily."""
    package = namespace["__name__"]
    exports = _exports(namespace["__file__"], package)

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__


__all__ = ["lazy_exports"]
