"""The error a WireMock mapping that cannot be served raises, naming the offending field."""

from __future__ import annotations


class MappingError(ValueError):
    """A mapping (or request pattern) MockHTTP cannot serve as WireMock would.

    `field` is the JSON pointer-like dotted path of the offending value inside the
    mapping (``request.headers.Accept.equalToXml``); loaders add the file.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def within(self, prefix: str) -> MappingError:
        """The same error with `prefix` put before its field."""
        return MappingError(f"{prefix}.{self.field}" if prefix else self.field, self.message)


def join(*parts: str) -> str:
    """Dotted field path from parts, skipping empty ones."""
    return ".".join(part for part in parts if part)


__all__ = ["MappingError", "join"]
