"""MkDocs hooks: the pages written from the code when the documentation is built.

- the admin API pages (``reference/admin/<service>.md``, one per available mock), from
  each mock's OpenAPI document, with examples run against a live mock (`_gen.admin`);
- ``<!-- help: ... -->`` markers become the commands' ``--help`` (`_gen.cli`);
- ``<!-- api: ... -->`` markers become mkdocstrings directives (`_gen.api`);
- a fenced block without a language is refused, so every snippet says whether it runs.

Any problem is logged as a warning, which ``mkdocs build --strict`` turns into a failure.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository's own `mocks` (not an installed copy), and the generators beside this file.
for _path in (str(Path(__file__).resolve().parent), str(ROOT)):
    if _path in sys.path:
        sys.path.remove(_path)
    sys.path.insert(0, _path)

from _gen import admin, api, blocks, cli  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402

log = logging.getLogger("mkdocs.hooks.docs")
ADMIN_DIR = "reference/admin"
ADMIN_INDEX = f"{ADMIN_DIR}/index.md"


def _expand_nav(items: list[Any], pages: list[tuple[str, str]]) -> list[Any]:
    expanded: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            (title, value), *_ = item.items()
            if value == ADMIN_INDEX:
                value = [{"Overview": ADMIN_INDEX}, *({t: p} for t, p in pages)]
            elif isinstance(value, list):
                value = _expand_nav(value, pages)
            expanded.append({title: value})
        else:
            expanded.append(item)
    return expanded


def on_config(config: Any) -> Any:
    """One admin page per available mock in the nav, where the admin overview is."""
    from mocks.core import available_mocks

    pages = [(cls.__name__, f"{ADMIN_DIR}/{name}.md") for name, cls in available_mocks().items()]
    config["nav"] = _expand_nav(config["nav"], pages)
    return config


def on_files(files: Files, config: Any) -> Files:
    """Write the admin pages (running every example); warn about each problem."""
    pages = list(admin.build_pages())
    for page in pages:
        for problem in page.problems:
            log.warning("admin API examples: %s", problem)
        path = f"{ADMIN_DIR}/{page.service}.md"
        files.append(File.generated(config, path, content=page.markdown))
    files.append(File.generated(config, ADMIN_INDEX, content=admin.render_index(pages)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Fill in the help and API markers; refuse fences that do not name a language."""
    for block in blocks.blocks(markdown, page.file.src_uri):
        if not block.language:
            log.warning("%s: a fenced block names no language (python, bash, ...)", block.where)
    return api.expand(cli.expand(markdown))
