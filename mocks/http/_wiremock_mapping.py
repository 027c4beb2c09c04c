"""A whole WireMock stub mapping as one engine `ExpectationSpec`.

The request pattern becomes the matcher, the response definition the responder plus
the expectation's delay, dribble and fault; ``priority``, ``scenarioName``,
``requiredScenarioState`` and ``newScenarioState`` are the engine's own fields; the
mapping's ``id`` is the expectation's id. Stubs are not expectations a test waits for,
so they are optional (`verify()` does not want them called).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..core import ExpectationSpec
from ._wiremock_errors import MappingError
from ._wiremock_request import request_matcher
from ._wiremock_response import response_parts

_FIELDS = (
    "id",
    "uuid",
    "name",
    "request",
    "response",
    "priority",
    "persistent",
    "scenarioName",
    "requiredScenarioState",
    "newScenarioState",
    "metadata",
    "insertionIndex",
)


@dataclass
class Translated:
    """A mapping as the admin API shows it (with its id) and as the engine serves it."""

    mapping: dict[str, Any]
    spec: ExpectationSpec


def _string(mapping: dict[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    if value is not None and not isinstance(value, str):
        raise MappingError(key, "must be a string")
    return value


def _id(mapping: dict[str, Any], new_id: Callable[[], str]) -> str:
    given = [mapping[key] for key in ("id", "uuid") if mapping.get(key) is not None]
    if len(set(map(str, given))) > 1:
        raise MappingError("uuid", "differs from id")
    if not given:
        return new_id()
    try:
        return str(uuid.UUID(str(given[0])))
    except ValueError:
        raise MappingError("id", f"{given[0]!r} is not a UUID") from None


def translate_mapping(mapping: Any, *, new_id: Callable[[], str], files: Path | None) -> Translated:
    """Translate one stub mapping; `MappingError` names the first field it cannot serve."""
    if not isinstance(mapping, dict):
        raise MappingError("mapping", "must be an object with request and response")
    for key in mapping:
        if key not in _FIELDS:
            raise MappingError(key, "this mapping field is not supported")
    stub_id = _id(mapping, new_id)
    name = _string(mapping, "name")
    priority = mapping.get("priority", 5)
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 1:
        raise MappingError("priority", "must be a whole number, 1 or more")
    scenario = _string(mapping, "scenarioName")
    required = _string(mapping, "requiredScenarioState")
    new_state = _string(mapping, "newScenarioState")
    if scenario is None and (required is not None or new_state is not None):
        which = "requiredScenarioState" if required is not None else "newScenarioState"
        raise MappingError(which, "needs scenarioName")
    if not isinstance(mapping.get("metadata", {}), dict):
        raise MappingError("metadata", "must be an object")
    matcher = request_matcher(mapping.get("request", {}))
    parts = response_parts(
        mapping.get("response", {}), stub_id=stub_id, stub_name=name, files=files
    )
    try:
        spec = ExpectationSpec(
            id=stub_id,
            name=name,
            matcher=matcher,
            response=parts.responder,
            optional=True,
            priority=priority,
            latency=parts.latency,
            dribble=parts.dribble,
            fault=parts.fault,
            scenario=scenario,
            required_state=required,
            new_state=new_state,
        )
    except ValidationError as exc:  # a bug of the translation, named all the same
        raise MappingError("mapping", str(exc)) from exc
    shown = {**mapping, "id": stub_id, "uuid": stub_id}
    shown.pop("insertionIndex", None)
    return Translated(shown, spec)


__all__ = ["Translated", "translate_mapping"]
