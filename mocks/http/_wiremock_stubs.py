"""The WireMock mappings a MockHTTP serves: each one an engine expectation, remembered as
the JSON the admin API shows.

Mappings loaded from files are the baseline: every reset (``POST /__admin/reset``,
``POST /__admin/mappings/reset``, `MockHTTP.reset`) brings them back. New ids are
UUIDs drawn from a generator seeded by the mock's seed.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Protocol

from ..core import (
    DataFileError,
    Expectation,
    ExpectationSpec,
    MockState,
    derived_rng,
)
from ._wiremock_errors import MappingError, join
from ._wiremock_files import files_folder, read_mappings
from ._wiremock_mapping import Translated, translate_mapping


class StubHost(Protocol):
    """What the mapping registry uses of a mock."""

    state: MockState

    @property
    def expectations(self) -> list[Expectation]: ...

    def add_expectation(self, spec: ExpectationSpec) -> Expectation: ...

    def remove_expectation(self, expectation: Expectation | str) -> bool: ...


def _copy(spec: ExpectationSpec) -> ExpectationSpec:
    return ExpectationSpec.model_validate(spec.model_dump(mode="json"))


class WireMockStubs:
    """Mapping id -> mapping JSON, beside the engine expectations that serve them."""

    def __init__(self, host: StubHost, seed: int) -> None:
        self.host = host
        self._mappings: dict[str, dict[str, Any]] = {}
        self._from_files: dict[str, ExpectationSpec] = {}
        self._ids = derived_rng(seed, "wiremock-ids")
        #: The ``__files`` folder of the first root loaded (bodies of admin-made mappings).
        self.files: Path | None = None

    def new_id(self) -> str:
        """A fresh mapping id (a seeded version-4 UUID)."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    # ---- adding --------------------------------------------------------------------

    def translate(self, mapping: Any) -> Translated:
        """Translate a mapping (for the admin API), bodies from the loaded root."""
        return translate_mapping(mapping, new_id=self.new_id, files=self.files)

    def add(self, translated: Translated) -> Expectation:
        """Serve a translated mapping (replacing one with the same id)."""
        self.host.remove_expectation(translated.spec.id)
        expectation = self.host.add_expectation(translated.spec)
        self._mappings[translated.spec.id] = translated.mapping
        return expectation

    def load(self, path: str | os.PathLike[str]) -> list[Expectation]:
        """Load a WireMock root or mapping file; all or nothing, errors name file and field."""
        files = files_folder(path)
        translated = []
        for source in read_mappings(path):
            try:
                translated.append(
                    translate_mapping(source.mapping, new_id=self.new_id, files=files)
                )
            except MappingError as exc:
                field = join(source.where, exc.field) if exc.field != "mapping" else source.where
                raise DataFileError(source.file, exc.message, field=field or "mapping") from exc
        if self.files is None:
            self.files = files
        added = [self.add(item) for item in translated]
        for item in translated:
            self._from_files[item.spec.id] = _copy(item.spec)
        self.host.state.keep([item.spec for item in translated])
        return added

    # ---- reading -------------------------------------------------------------------

    def listing(self) -> list[dict[str, Any]]:
        """The mappings served, in matching order."""
        return [self._mappings[e.id] for e in self.host.expectations if e.id in self._mappings]

    def get(self, stub_id: str) -> dict[str, Any] | None:
        """The mapping with that id, if served."""
        if self.host.state.engine.get(stub_id) is None:
            return None
        return self._mappings.get(stub_id)

    def mapping_of(self, expectation_id: str | None) -> dict[str, Any] | None:
        """The mapping an expectation serves (None for a native expectation)."""
        return None if expectation_id is None else self._mappings.get(expectation_id)

    def served(self) -> list[tuple[Expectation, dict[str, Any]]]:
        """(expectation, mapping) pairs of every served mapping, in matching order."""
        return [(e, self._mappings[e.id]) for e in self.host.expectations if e.id in self._mappings]

    # ---- removing ------------------------------------------------------------------

    def remove(self, stub_id: str) -> bool:
        """Stop serving a mapping; False when it is not served."""
        removed = self.host.remove_expectation(stub_id)
        if stub_id not in self._from_files:
            self._mappings.pop(stub_id, None)
        return removed

    def remove_all(self) -> None:
        """Stop serving every mapping (those from files come back on reset)."""
        for expectation, _ in self.served():
            self.remove(expectation.id)

    def reset_to_files(self) -> None:
        """Serve exactly the mappings loaded from files again."""
        self.remove_all()
        for spec in self._from_files.values():
            self.host.add_expectation(_copy(spec))

    def forget_unserved(self, *, files_too: bool = False) -> None:
        """Drop the JSON of mappings no longer served (after an engine reset)."""
        if files_too:
            self._from_files.clear()
        keep = {e.id for e in self.host.expectations} | set(self._from_files)
        self._mappings = {k: v for k, v in self._mappings.items() if k in keep}

    # ---- scenarios -----------------------------------------------------------------

    def scenarios(self) -> dict[str, list[str]]:
        """Scenario name -> the states its mappings mention (``Started`` first)."""
        found: dict[str, list[str]] = {}
        for expectation, _ in self.served():
            spec = expectation.spec
            if spec.scenario is None:
                continue
            states = found.setdefault(spec.scenario, ["Started"])
            for state in (spec.required_state, spec.new_state):
                if state is not None and state not in states:
                    states.append(state)
        return found


__all__ = ["StubHost", "WireMockStubs"]
