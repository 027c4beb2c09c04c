"""Cassettes: recorded exchanges with a real service, as YAML or JSON files.

A cassette is ``{"version": 1, "service": "llm", "upstream": URL, "interactions": [...]}``;
each interaction holds the request (secrets redacted) and the response: its status,
headers, and either the body (``body`` text or ``body_base64``) or, for a streamed
response, each chunk as it arrived with ``delay_ms`` since the previous one. A file that
is a bare list of interactions is read as a cassette too.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ._datafile import DataFileError, data_files, invalid, read_data, write_data
from ._reply import grouped_headers, header_value


def encode_body(data: bytes) -> dict[str, str]:
    """``{"body": text}`` for UTF-8 bytes, else ``{"body_base64": ...}``; {} when empty."""
    if not data:
        return {}
    try:
        return {"body": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_base64": base64.b64encode(data).decode()}


def decode_body(body: str | None, body_base64: str | None) -> bytes:
    """The bytes `encode_body` encoded."""
    if body_base64 is not None:
        return base64.b64decode(body_base64)
    return (body or "").encode("utf-8")


class _Body(BaseModel):
    """A body as `encode_body` writes it (subclasses declare the fields last, for reading)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    if TYPE_CHECKING:
        body: str | None
        body_base64: str | None

    @property
    def content(self) -> bytes:
        """The body's bytes."""
        return decode_body(self.body, self.body_base64)

    @model_validator(mode="after")
    def _one_body(self) -> Self:
        if self.body is not None and self.body_base64 is not None:
            raise ValueError("give body or body_base64, not both")
        return self


class RecordedChunk(_Body):
    """One piece of a streamed response, with the time since the previous one."""

    delay_ms: float = Field(0.0, ge=0)
    body: str | None = None
    body_base64: str | None = None


class CassetteRequest(_Body):
    """The request as the upstream received it (secrets redacted)."""

    method: str
    path: str
    query: dict[str, list[str]] = Field(default_factory=dict)
    headers: dict[str, str | list[str]] = Field(default_factory=dict)
    body: str | None = None
    body_base64: str | None = None

    @property
    def json_document(self) -> Any:
        """The body parsed as JSON, or None."""
        try:
            return json.loads(self.content) if self.content else None
        except ValueError:
            return None


class CassetteResponse(_Body):
    """The upstream's answer: a body, or the chunks of a stream."""

    status: int = Field(ge=100, le=599)
    #: A name sent more than once (``Set-Cookie``) holds its values in a list.
    headers: dict[str, str | list[str]] = Field(default_factory=dict)
    #: Milliseconds until the response headers arrived (the whole body, when not streamed).
    duration_ms: float = Field(0.0, ge=0)
    body: str | None = None
    body_base64: str | None = None
    chunks: list[RecordedChunk] | None = None

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header ("" without one)."""
        return header_value(self.headers, "Content-Type")

    @property
    def content(self) -> bytes:
        """The whole body (the chunks joined, for a stream)."""
        if self.chunks is not None:
            return b"".join(chunk.content for chunk in self.chunks)
        return super().content


class Interaction(BaseModel):
    """One recorded exchange."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    request: CassetteRequest
    response: CassetteResponse
    recorded_at: str | None = None


class Cassette(BaseModel):
    """The exchanges recorded with one upstream."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    version: int = 1
    service: str | None = None
    upstream: str | None = None
    interactions: list[Interaction] = Field(default_factory=list)

    def save(self, file: Path) -> None:
        """Write the cassette (YAML, or JSON for a ``.json`` file), atomically."""
        write_data(file, self.model_dump(mode="json", exclude_none=True))


def read_cassette(file: Path) -> Cassette:
    """Read one cassette file; `DataFileError` names the file, line and field."""
    document, text = read_data(file)
    try:
        if isinstance(document, list):
            return Cassette(interactions=[_interaction(item, i) for i, item in enumerate(document)])
        if isinstance(document, dict):
            return Cassette.model_validate(document)
    except _Invalid as exc:
        raise invalid(file, text, exc.error, exc.prefix) from exc
    except ValidationError as exc:
        raise invalid(file, text, exc) from exc
    raise DataFileError(file, "a cassette is a mapping with 'interactions', or a list of them")


class _Invalid(Exception):
    def __init__(self, error: ValidationError, prefix: tuple[int, ...]) -> None:
        self.error, self.prefix = error, prefix


def _interaction(item: Any, index: int) -> Interaction:
    try:
        return Interaction.model_validate(item)
    except ValidationError as exc:
        raise _Invalid(exc, (index,)) from exc


def load_cassettes(path: Path | str) -> list[tuple[Path, Cassette]]:
    """The cassette at `path`, or every cassette below a directory (in name order)."""
    return [(file, read_cassette(file)) for file in data_files(path)]


#: Headers that describe one connection or one encoding of the body, never replayed.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
        "accept-encoding",
    }
)


def end_to_end(headers: Mapping[str, str]) -> dict[str, str | list[str]]:
    """The headers worth keeping in a cassette: none that describe one connection or one
    encoding of the body. A name that came more than once (``Set-Cookie``, which no
    comma may join) keeps each value, in order, in a list."""
    return grouped_headers((k, v) for k, v in headers.items() if k.lower() not in _HOP_BY_HOP)


def joined(headers: Mapping[str, str | list[str]]) -> dict[str, str]:
    """One line a name, repeated values joined with commas (request headers: an HTTP
    client sends each name once)."""
    return {k: v if isinstance(v, str) else ", ".join(v) for k, v in headers.items()}


__all__ = [
    "Cassette",
    "CassetteRequest",
    "CassetteResponse",
    "Interaction",
    "RecordedChunk",
    "decode_body",
    "encode_body",
    "end_to_end",
    "joined",
    "load_cassettes",
    "read_cassette",
]
