"""Reading and writing the JSON or YAML files users edit (stub files, cassettes).

Errors name the file and the line, or the field of a document that parsed but did not
validate (with the field's line where it can be found), so a CLI can print one line:
``stubs/orders.yaml:12: expectations[1].times: Input should be greater than or equal to 0``.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:  # PyYAML loads when a YAML file is first read or written
    import yaml

#: Extensions read as data files when a directory is given.
EXTENSIONS = (".json", ".yaml", ".yml")


class DataFileError(ValueError):
    """A data file that cannot be read or does not validate."""

    def __init__(
        self, file: Path | str, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.message = message
        where = self.file if line is None else f"{self.file}:{line}"
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


def data_files(path: str | os.PathLike[str]) -> list[Path]:
    """`path` itself, or the JSON and YAML files below a directory (sorted, recursive)."""
    root = Path(path)
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in EXTENSIONS)
    if not root.exists():
        raise DataFileError(root, "no such file or directory")
    return [root]


def read_data(file: Path) -> tuple[Any, str]:
    """The parsed document and its text; JSON for ``.json``, YAML otherwise."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(file, f"cannot read: {exc}") from exc
    if file.suffix == ".json":
        try:
            return json.loads(text), text
        except json.JSONDecodeError as exc:
            raise DataFileError(file, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    import yaml

    try:
        return yaml.safe_load(text), text
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise DataFileError(file, f"invalid YAML: {exc.problem or exc}", line=line) from exc
    except yaml.YAMLError as exc:
        raise DataFileError(file, f"invalid YAML: {exc}") from exc


def line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """The line where the value at `loc` starts (JSON is YAML enough for this), or None."""
    import yaml

    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    found = node
    for part in loc:
        child = None
        if isinstance(found, yaml.MappingNode):
            child = next((v for k, v in found.value if k.value == str(part)), None)
            if child is None:  # a missing field: point at its parent
                break
        elif isinstance(found, yaml.SequenceNode) and isinstance(part, int):
            child = found.value[part] if 0 <= part < len(found.value) else None
        if child is None:
            break
        found = child
    return None if found is None else int(found.start_mark.line) + 1


def dotted(loc: Sequence[int | str]) -> str:
    """A pydantic ``loc`` as a dotted field: ``("matcher", "all", 0, "value")`` ->
    ``matcher.all[0].value``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def invalid(
    file: Path, text: str, exc: ValidationError, prefix: Sequence[int | str] = ()
) -> DataFileError:
    """A `DataFileError` for the first field pydantic rejected, with its line."""
    error = exc.errors(include_url=False)[0]
    loc = [*prefix, *error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ")
    return DataFileError(file, message, line=line_of(text, loc), field=dotted(loc))


def write_data(file: Path, document: Any) -> None:
    """Write `document` as JSON (``.json``) or YAML, atomically (readers never see half)."""
    if file.suffix == ".json":
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    else:
        import yaml

        text = yaml.dump(document, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100)
    write_text(file, text)


def write_text(file: Path, text: str) -> None:
    """Replace `file` with `text` atomically (a temporary file renamed over it)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@functools.cache
def _dumper() -> type[yaml.SafeDumper]:
    """A dumper writing multi-line strings (SSE events, bodies) as literal blocks."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    return Dumper


def iter_items(document: Any, key: str) -> Iterator[tuple[tuple[int | str, ...], Any]]:
    """The items of a file holding one item, a list, or ``{key: [...]}``, with their locs."""
    if isinstance(document, dict) and key in document:
        items = document[key]
        if not isinstance(items, list):
            raise TypeError(f"{key}: must be a list")
        for index, item in enumerate(items):
            yield (key, index), item
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield (index,), item
    else:
        yield (), document


__all__ = [
    "EXTENSIONS",
    "DataFileError",
    "data_files",
    "dotted",
    "invalid",
    "iter_items",
    "line_of",
    "read_data",
    "write_data",
    "write_text",
]
