"""The package's public face: its exports, and a docstring on everything public."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import mocks.whatsapp as package


def test_exports_are_complete_and_sorted() -> None:
    assert package.__all__ == ["MessageExpectation", "MockWhatsApp", "TemplateExpectation"]
    assert package.__all__ == sorted(package.__all__)
    for name in package.__all__:
        assert getattr(package, name).__module__.startswith("mocks.whatsapp.")


def test_the_registry_finds_the_mock() -> None:
    from mocks.core import load_mock_class

    assert load_mock_class("mocks.whatsapp:MockWhatsApp") is package.MockWhatsApp


def test_every_public_function_class_and_method_has_a_docstring() -> None:
    missing = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"mocks.whatsapp.{info.name}")
        assert module.__doc__, f"{info.name} has no docstring"
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            documented = inspect.getdoc(value)
            if (inspect.isfunction(value) or inspect.isclass(value)) and not documented:
                missing.append(f"{info.name}.{name}")
            if inspect.isclass(value):
                for attribute, member in vars(value).items():
                    if attribute.startswith("_") or (
                        not callable(member) and not isinstance(member, property)
                    ):
                        continue
                    if isinstance(member, classmethod | staticmethod):
                        member = member.__func__
                    if not inspect.getdoc(member):
                        missing.append(f"{info.name}.{name}.{attribute}")
    assert missing == []


def test_domain_modules_import_no_server_code() -> None:
    domain = [
        "_account",
        "_admin_models",
        "_auth",
        "_cloud",
        "_conversation",
        "_criteria",
        "_errors",
        "_ids",
        "_media",
        "_options",
        "_outgoing",
        "_render",
        "_rules",
        "_signature",
        "_templates",
        "_transcript",
        "_users",
        "_validation",
        "_webhooks",
    ]
    for name in domain:
        source = inspect.getsource(importlib.import_module(f"mocks.whatsapp.{name}"))
        for forbidden in ("aiohttp", "mocks.core", "from ._mock", "from ._graph", "from ._admin "):
            assert forbidden not in source, f"{name} imports {forbidden}"
