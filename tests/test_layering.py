"""The package's shape: no import cycles, the engine's layers point down, packages use
the engine's public names only. Read from the source with `ast` (lazy imports inside
functions and type-only imports count as much as top-level ones)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "mocks"

#: The engine's layers, lowest first (see docs/architecture.md). A module may import its
#: own layer or lower ones, never a higher one.
LAYERS: dict[str, tuple[str, ...]] = {
    "values": (
        "_json",
        "_request",
        "_form",
        "_codings",
        "_reply",
        "_callback",
        "_contracts",
        "_template",
        "_delays",
        "_faults",
        "_jsonpath",
        "_datafile",
        "_redact",
        "_cassette",
        "_ids",
        "_options",
        "_verify",
        "_wire",
    ),
    "vocabulary": ("_kinds", "_matchers", "_responders", "_routes"),
    "state": ("_expectation", "_shortlist", "_index", "_engine", "_journal", "_outbound", "_state"),
    "path": ("_path", "_writer", "_http1", "_server"),
    "surfaces": (
        "_admin",
        "_admin_routes",
        "_openapi",
        "_recording",
        "_stubs",
        "_traffic",
        "_export",
        "_sequence",
        "_dashboard",
    ),
    "facade": ("_hooks", "_mock"),
    "processes": ("_catalog", "_stack", "cli", "__init__"),
}
MOCK_PACKAGES = ("http", "llm", "zitadel", "whatsapp", "teams")


def module_name(file: Path) -> str:
    parts = ["mocks", *file.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def modules() -> dict[str, Path]:
    return {module_name(file): file for file in sorted(ROOT.rglob("*.py"))}


def imports(name: str, file: Path) -> set[str]:
    """Every module `name` imports, anywhere in the file, as absolute names.

    ``from pkg import sub`` is an import of ``pkg.sub`` when that is a module, and of
    ``pkg`` (its ``__init__``) otherwise.
    """
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {target for target in found if target == "mocks" or target.startswith("mocks.")}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {t for t in imports(name, file) if t in known} - {name}
        for name, file in known.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_core_module_has_a_layer() -> None:
    placed = {m for members in LAYERS.values() for m in members}
    core = {file.stem for file in (ROOT / "core").glob("*.py")}
    assert core == placed


def test_core_imports_point_down() -> None:
    rank = {m: i for i, members in enumerate(LAYERS.values()) for m in members}
    wrong = []
    for name, targets in graph().items():
        if not name.startswith("mocks.core"):
            continue
        own = rank["__init__" if name == "mocks.core" else name.rpartition(".")[2]]
        for target in targets:
            if target.startswith("mocks.core.") and rank[target.rpartition(".")[2]] > own:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_the_core_does_not_import_a_mock_package() -> None:
    wrong = [
        f"{name} -> {target}"
        for name, file in modules().items()
        if name.startswith("mocks.core")
        for target in imports(name, file)
        if target.split(".")[1:2] and target.split(".")[1] in MOCK_PACKAGES
    ]
    assert wrong == []


def test_outside_the_core_only_public_names_are_imported() -> None:
    wrong = [
        f"{name} -> {target}"
        for name, file in modules().items()
        if not name.startswith("mocks.core")
        for target in imports(name, file)
        if target.startswith("mocks.core._")
    ]
    assert wrong == []
