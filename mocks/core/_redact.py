"""Redaction: keep secrets out of recordings and logs.

A name is secret by its normalised form (case, camelCase, kebab-case and snake_case fold
to one: ``accessToken``, ``access-token`` and ``ACCESS_TOKEN`` are all ``accesstoken``):
names holding ``token`` (not ``tokens``, which counts them), ``secret``, ``password``,
``signature``, ``credential``, ``apikey``, ``privatekey`` or ``assertion``, and a few
exact ones (``key``, ``sig``, ``codeverifier``, plus the fields a user configures).
Headers carrying credentials, query parameters and fragments of URLs (a ``Location``
header included), JSON bodies (whatever their content type says), form bodies and
Server-Sent Events are redacted to ``<redacted>`` before anything is written to disk or
to the log. OAuth's ``code`` is a
secret in URLs and forms (where OAuth puts it), not in JSON, where ``code`` is an error's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "<redacted>"

#: Parts of a normalised name that make it secret. ``token`` is not secret where it
#: counts tokens (``max_tokens``) or describes them (``token_type``, ``token_endpoint``).
SECRET_PARTS = (
    "token(?!s|type|endpoint|url|uri)",
    "secret",
    "password",
    "passwd",
    "signature",
    "credential",
    "apikey",
    "privatekey",
    "assertion",
    "authorization",
    "cookie",
    "session",
)
#: Normalised names that are secret on their own.
SECRET_NAMES = frozenset({"key", "sig", "codeverifier", "auth", "otp", "pin"})
#: Secret where OAuth puts them: URLs (query and fragment) and form bodies.
URL_SECRET_NAMES = frozenset({"code"})
#: Kept for compatibility: the snake_case names redacted before names were normalised.
SECRET_FIELDS = frozenset(
    {"access_token", "refresh_token", "id_token", "client_secret", "password", "api_key"}
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PARTS = re.compile("|".join(SECRET_PARTS))
_URL_HEADERS = frozenset({"location", "content-location", "refresh"})


def normalise(name: str) -> str:
    """``accessToken``, ``access-token``, ``ACCESS_TOKEN`` -> ``accesstoken``."""
    return re.sub(r"[^a-z0-9]", "", _CAMEL.sub("_", name).lower())


def _secret(name: str, extra: frozenset[str] = frozenset(), *, in_url: bool = False) -> bool:
    folded = normalise(name)
    if folded in SECRET_NAMES or folded in extra or (in_url and folded in URL_SECRET_NAMES):
        return True
    return _PARTS.search(folded) is not None


def is_secret_header(name: str) -> bool:
    """Whether a header carries a credential or a signature."""
    return _secret(name)


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces secrets in headers, URLs, queries and bodies with ``<redacted>``."""

    #: More names to redact (normalised like the built-in ones).
    fields: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def with_fields(cls, names: Iterable[str] = ()) -> Redactor:
        """A redactor that also redacts the given field names."""
        return cls(frozenset(normalise(name) for name in names))

    def _secret_field(self, name: str, *, in_url: bool = False) -> bool:
        return _secret(name, self.fields, in_url=in_url)

    def headers(self, headers: Mapping[str, str | list[str]]) -> dict[str, str | list[str]]:
        """The headers with credentials and signatures redacted, URLs in them too (each
        value of a name that came more than once)."""
        kept: dict[str, str | list[str]] = {}
        for name, value in headers.items():
            if isinstance(value, str):
                kept[name] = self._header(name, value)
            else:
                kept[name] = [self._header(name, item) for item in value]
        return kept

    def _header(self, name: str, value: str) -> str:
        if self._secret_field(name):
            return REDACTED
        if name.lower() in _URL_HEADERS:
            return self.url(value)
        return value

    def query(self, query: Mapping[str, list[str]]) -> dict[str, list[str]]:
        """Query parameters with secret names redacted."""
        return {
            k: [REDACTED] * len(v) if self._secret_field(k, in_url=True) else list(v)
            for k, v in query.items()
        }

    def _pairs(self, text: str) -> tuple[str, bool]:
        pairs = parse_qsl(text, keep_blank_values=True)
        if not any(self._secret_field(k, in_url=True) for k, _ in pairs):
            return text, False
        safe = [(k, REDACTED if self._secret_field(k, in_url=True) else v) for k, v in pairs]
        return urlencode(safe, safe="<>"), True

    def url(self, url: str) -> str:
        """A URL (or path with a query) with secret query and fragment parameters redacted."""
        parts = urlsplit(url)
        query, _ = self._pairs(parts.query)
        fragment = self._pairs(parts.fragment)[0] if "=" in parts.fragment else parts.fragment
        return urlunsplit(parts._replace(query=query, fragment=fragment))

    def document(self, value: Any) -> tuple[Any, bool]:
        """A JSON document with secret fields redacted (at any depth), and whether any was."""
        if isinstance(value, dict):
            changed, result = False, {}
            for key, item in value.items():
                if self._secret_field(str(key)) and item not in (None, "", REDACTED):
                    result[key], changed = REDACTED, True
                else:
                    result[key], inner = self.document(item)
                    changed = changed or inner
            return result, changed
        if isinstance(value, list):
            items = [self.document(item) for item in value]
            return [i for i, _ in items], any(c for _, c in items)
        return value, False

    def _json(self, body: bytes) -> tuple[bytes, bool]:
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return body, False
        redacted, changed = self.document(document)
        return (
            (json.dumps(redacted, separators=(",", ":")).encode(), True)
            if changed
            else (
                body,
                False,
            )
        )

    def body(self, body: bytes, content_type: str) -> tuple[bytes, bool]:
        """A body with secret fields redacted: JSON (whatever the content type says, when it
        parses), forms, and Server-Sent Events; other bodies unchanged."""
        if "x-www-form-urlencoded" in content_type:
            text, changed = self._pairs(body.decode("utf-8", "replace"))
            return (text.encode(), True) if changed else (body, False)
        if "event-stream" in content_type:
            return self.events(body)
        if body.lstrip()[:1] in (b"{", b"["):
            return self._json(body)
        return body, False

    def chunks(self, chunks: list[bytes], content_type: str) -> tuple[list[bytes], bool]:
        """A streamed body's chunks with secrets redacted: event by event for Server-Sent
        Events; a JSON document split over chunks becomes one redacted chunk."""
        if "event-stream" in content_type:
            found = [self.events(chunk) for chunk in chunks]
            return [chunk for chunk, _ in found], any(changed for _, changed in found)
        whole, changed = self.body(b"".join(chunks), content_type)
        return ([whole], True) if changed else (chunks, False)

    def events(self, chunk: bytes) -> tuple[bytes, bool]:
        """Server-Sent Events with secrets redacted in each event's JSON ``data``."""
        changed, lines = False, []
        for line in chunk.split(b"\n"):
            if line.startswith(b"data:"):
                data = line[5:].lstrip(b" ").rstrip(b"\r")
                redacted, found = self._json(data)
                if found:
                    line, changed = b"data: " + redacted, True
            lines.append(line)
        return (b"\n".join(lines), True) if changed else (chunk, False)


def without_redacted(value: Any) -> Any:
    """A JSON document with every redacted field removed (what a replay can still match)."""
    if isinstance(value, dict):
        return {k: without_redacted(v) for k, v in value.items() if v != REDACTED}
    if isinstance(value, list):
        return [without_redacted(item) for item in value]
    return value


__all__ = [
    "REDACTED",
    "SECRET_FIELDS",
    "Redactor",
    "is_secret_header",
    "normalise",
    "without_redacted",
]
