"""Reading WireMock's files: a root (``mappings/*.json`` and ``__files/``) or one mapping file.

A directory is a WireMock root when it has a ``mappings`` or ``__files`` folder; a JSON
file is a WireMock mapping file when it holds a mapping (``request``/``response``) or
``{"mappings": [...]}``. Everything else is left to the engine's own stub files.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import DataFileError


@dataclass(frozen=True, slots=True)
class MappingSource:
    """One mapping as read: its JSON, its file, and where it sits in the file."""

    mapping: Any
    file: Path
    where: str


def _is_mapping_document(document: Any) -> bool:
    if isinstance(document, dict):
        return "request" in document or "response" in document or "mappings" in document
    return False


def is_wiremock_source(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a WireMock root or a WireMock mapping file."""
    source = Path(path)
    if source.is_dir():
        return (source / "mappings").is_dir() or (source / "__files").is_dir()
    if source.is_file() and source.suffix == ".json":
        try:
            return _is_mapping_document(json.loads(source.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return False
    return False


def files_folder(path: str | os.PathLike[str]) -> Path | None:
    """The ``__files`` folder bodies are read from, if the source has one."""
    source = Path(path)
    root = source if source.is_dir() else source.parent.parent
    folder = root / "__files"
    return folder if folder.is_dir() else None


def read_mappings(path: str | os.PathLike[str]) -> list[MappingSource]:
    """Every mapping of a root (its ``mappings`` folder, recursively, in name order) or file."""
    source = Path(path)
    if source.is_dir():
        folder = source / "mappings"
        files = sorted(p for p in folder.rglob("*.json") if p.is_file()) if folder.is_dir() else []
    else:
        files = [source]
    found: list[MappingSource] = []
    for file in files:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DataFileError(file, f"cannot read: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise DataFileError(file, f"invalid JSON: {exc}") from exc
        if isinstance(document, dict) and "mappings" in document:
            items = document["mappings"]
            if not isinstance(items, list):
                raise DataFileError(file, "must be a list", field="mappings")
            found.extend(
                MappingSource(item, file, f"mappings[{i}]") for i, item in enumerate(items)
            )
        else:
            found.append(MappingSource(document, file, ""))
    return found


__all__ = ["MappingSource", "files_folder", "is_wiremock_source", "read_mappings"]
