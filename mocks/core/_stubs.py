"""Stub files: expectations written as JSON or YAML, loaded when a mock starts.

A file holds one expectation, a list of them, or ``{"expectations": [...]}``; each is the
admin API's expectation JSON (`ExpectationSpec`). A directory loads every ``.json``,
``.yaml`` and ``.yml`` file below it, in name order. Example (``stubs/ping.yaml``)::

    expectations:
      - matcher: {kind: path, value: /ping}
        response: {json: {ok: true}}
      - matcher:
          kind: and
          all: [{kind: method, value: POST}, {kind: path, value: /orders}]
        response: {status: 201, json: {id: 7}}
        times: 1

Errors (`DataFileError`) name the file, the line and the field.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from ._contracts import ContractError
from ._datafile import (
    DataFileError,
    data_files,
    dotted,
    invalid,
    iter_items,
    line_of,
    read_data,
)
from ._expectation import Expectation, ExpectationSpec
from ._state import MockState


class StubHost(Protocol):
    """What loading stubs uses of a mock."""

    state: MockState

    def add_expectation(self, spec: ExpectationSpec) -> Expectation: ...

    def remove_expectation(self, expectation: Expectation | str) -> bool: ...


#: A stub as loaded: the spec, and where it came from (file, text, loc) for error messages.
_Loaded = tuple[ExpectationSpec, Path, str, tuple[int | str, ...]]


def _load(path: str | os.PathLike[str]) -> list[_Loaded]:
    loaded: list[_Loaded] = []
    for file in data_files(path):
        document, text = read_data(file)
        if document is None:
            continue  # an empty file holds no stubs
        try:
            items = list(iter_items(document, "expectations"))
        except TypeError as exc:
            raise DataFileError(file, str(exc), line=line_of(text, ["expectations"])) from exc
        for loc, item in items:
            if not isinstance(item, dict):
                where = line_of(text, loc)
                raise DataFileError(file, "an expectation must be a mapping", line=where)
            try:
                spec = ExpectationSpec.model_validate({"optional": True, **item})
                loaded.append((spec, file, text, loc))
            except ValidationError as exc:
                raise invalid(file, text, exc, loc) from exc
    return loaded


def load_stubs(path: str | os.PathLike[str]) -> list[ExpectationSpec]:
    """The expectations in a stub file, or in every stub file below a directory."""
    return [spec for spec, *_ in _load(path)]


def add_stubs(
    mock: StubHost, path: str | os.PathLike[str], *, keep: bool = True
) -> list[Expectation]:
    """Load stub files into `mock`; with `keep`, every reset restores them.

    Stubs are a default behaviour, not expectations a test waits for: they are optional
    (`verify()` does not want them called) unless a stub says ``optional: false``.

    All or nothing: when one stub is refused (a response breaking the contract),
    none stays registered and `DataFileError` names the file, line and field.
    """
    loaded = _load(path)
    added: list[Expectation] = []
    try:
        for spec, file, text, loc in loaded:
            try:
                added.append(mock.add_expectation(spec))
            except ContractError as exc:
                field = dotted([*loc, "response"])
                line = line_of(text, [*loc, "response"])
                raise DataFileError(file, str(exc), line=line, field=field) from exc
    except DataFileError:
        for expectation in added:
            mock.remove_expectation(expectation)
        raise
    if keep:
        mock.state.keep([spec for spec, *_ in loaded])
    return added


__all__ = ["StubHost", "add_stubs", "load_stubs"]
