"""The fenced code blocks of a Markdown page, with their language, title and line.

The tests run them (``tests/test_docs.py``): a ``python`` block runs as it is; a block
with a file title (```` ```python title="test_orders.py" ````, or ``ini``,
``toml``, ``yaml``, ``json``) is a file, and the titled files of one page form one
project that pytest runs; ``bash`` blocks have their ``curl`` commands checked against a
running mock. A Python snippet that is not meant to run is fenced as ``py`` (rare).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
_TITLE = re.compile(r'title="(?P<title>[^"]*)"')


@dataclass(frozen=True)
class Block:
    """One fenced block."""

    page: str
    line: int
    language: str
    title: str
    source: str

    @property
    def where(self) -> str:
        """``page.md:line``, for test ids and messages."""
        return f"{self.page}:{self.line}"


def blocks(text: str, page: str = "") -> list[Block]:
    """Every fenced block of `text`, in order (indented ones, in tabs or lists, too)."""
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _OPEN.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence, info = opening.group("indent", "fence", "info")
        language = info.split()[0].lstrip("{.") if info.split() else ""
        title_match = _TITLE.search(info)
        body: list[str] = []
        end = index + 1
        closing = re.compile(rf"^{re.escape(indent)}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        while end < len(lines) and not closing.match(lines[end]):
            body.append(lines[end])
            end += 1
        source = textwrap.dedent("\n".join(body)) + "\n"
        title = title_match.group("title") if title_match else ""
        found.append(Block(page, index + 1, language, title, source))
        index = end + 1
    return found


def page_blocks(docs: Path) -> list[Block]:
    """The blocks of every Markdown page under `docs` (page names relative to it)."""
    found: list[Block] = []
    for file in sorted(docs.rglob("*.md")):
        found += blocks(file.read_text(), file.relative_to(docs).as_posix())
    return found
