"""The Python API reference: a mkdocstrings directive for every public name.

``<!-- api: mocks -->`` on a page becomes one ``::: mocks.Name`` per name in
``mocks.__all__``, grouped by the module that defines it; ``<!-- api: mocks.core -->``
does the same for ``mocks.core.__all__``, leaving out the names ``mocks`` already
documents (they link there instead). A name added to ``__all__`` appears by itself.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from mocks.core import BaseMock

MARKER = re.compile(r"<!-- api: (?P<package>[a-z_.]+) -->")

#: Section titles per defining module, in the order the sections appear; other modules
#: come last, titled with their public package.
TITLES = {
    "mocks.http._mock": "The mocks",
    "mocks.llm._mock": "The mocks",
    "mocks.zitadel._mock": "Zitadel's objects",  # its mock class is in "The mocks"
    "mocks.core._mock": "The mocks",
    "mocks.zitadel._model": "Zitadel's objects",
    "mocks.zitadel._tokens": "Zitadel's objects",
    "mocks.whatsapp._expectations": "WhatsApp's expectations",
    "mocks.core._expectation": "Expectations",
    "mocks.core._matchers": "Matchers",
    "mocks.core._responders": "Responders",
    "mocks.core._reply": "Replies",
    "mocks.core._request": "Requests and the journal",
    "mocks.core._journal": "Requests and the journal",
    "mocks.core._form": "Requests and the journal",
    "mocks.core._path": "Requests and the journal",
    "mocks.core._delays": "Delays and faults",
    "mocks.core._faults": "Delays and faults",
    "mocks.core._callback": "Callbacks (webhooks)",
    "mocks.core._verify": "Verification",
    "mocks.core._engine": "Verification",
    "mocks.core._contracts": "Contracts",
    "mocks.core._routes": "Routes",
    "mocks.core._admin": "The admin API",
    "mocks.core._hooks": "Hooks a mock overrides",
    "mocks.core._options": "Hooks a mock overrides",
    "mocks.core._state": "State",
    "mocks.core._cassette": "Record and replay",
    "mocks.core._catalog": "The registry of mocks",
    "mocks.core._stack": "The stack",
    "mocks.core._datafile": "Data files",
    "mocks.core._ids": "Seeded ids",
}
_ORDER = list(dict.fromkeys(TITLES.values()))


def public_names(package: str) -> list[str]:
    """``package.__all__``."""
    return list(importlib.import_module(package).__all__)


def _module_of(package: str, name: str) -> str:
    value: Any = getattr(importlib.import_module(package), name)
    return str(getattr(value, "__module__", package))


def _title(package: str, name: str) -> str:
    value: Any = getattr(importlib.import_module(package), name)
    if isinstance(value, type) and issubclass(value, BaseMock):
        return _ORDER[0]
    module = _module_of(package, name)
    public = ".".join(part for part in module.split(".") if not part.startswith("_"))
    return TITLES.get(module, f"From `{public}`")


def directives(package: str, skip: frozenset[str] = frozenset()) -> str:
    """The Markdown for every public name of `package` (except `skip`), grouped."""
    groups: dict[str, list[str]] = {}
    modules = list(TITLES)
    names = [name for name in public_names(package) if name not in skip]
    rank = {n: modules.index(m) if (m := _module_of(package, n)) in modules else 0 for n in names}
    for name in sorted(names, key=lambda n: rank[n]):  # stable: __all__ order within a module
        groups.setdefault(_title(package, name), []).append(name)
    parts = []
    ordered = sorted(groups, key=lambda t: _ORDER.index(t) if t in _ORDER else len(_ORDER))
    for title in ordered:
        names = groups[title]
        parts.append(f"## {title}\n")
        parts += [f"::: {package}.{name}\n" for name in names]
    return "\n".join(parts)


def expand(markdown: str) -> str:
    """Replace every API marker of a page with its directives."""

    def replace(match: re.Match[str]) -> str:
        package = match.group("package")
        skip = frozenset(public_names("mocks")) if package != "mocks" else frozenset()
        shared = sorted(set(public_names(package)) & skip)
        text = directives(package, skip)
        if shared:
            links = ", ".join(f"[`{n}`][mocks.{n}]" for n in shared)
            text = f"Also here, documented with `mocks`: {links}.\n\n" + text
        return text

    return MARKER.sub(replace, markdown)
