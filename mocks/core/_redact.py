"""Redaction: keep secrets out of recordings.

Headers carrying credentials (``Authorization``, cookies, API keys, tokens, webhook
signatures such as ``X-Hub-Signature-256``), query parameters and body fields with
secret names (``access_token``, ``client_secret``, ``password``, ... plus the fields a
user configures) are replaced by ``<redacted>`` before anything is written to disk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

REDACTED = "<redacted>"

_SECRET_HEADER = re.compile(
    r"authorization|cookie|(^|[-_])(api[-_]?key|apikey|token|secret|password|signature|"
    r"session|auth)([-_]|$)",
    re.IGNORECASE,
)

#: Body fields and query parameters redacted by default (case-insensitive).
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "client_secret",
        "client_assertion",
        "assertion",
        "code_verifier",
        "password",
        "secret",
        "api_key",
        "apikey",
        "api-key",
        "key",
        "private_key",
        "signature",
        "sig",
    }
)


def is_secret_header(name: str) -> bool:
    """Whether a header carries a credential or a signature."""
    return _SECRET_HEADER.search(name) is not None


@dataclass(frozen=True, slots=True)
class Redactor:
    """Replaces secrets in headers, queries and JSON or form bodies with ``<redacted>``."""

    #: More body fields (and query parameters) to redact, besides `SECRET_FIELDS`.
    fields: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def with_fields(cls, names: Iterable[str] = ()) -> Redactor:
        """A redactor that also redacts the given field names."""
        return cls(frozenset(name.lower() for name in names))

    def _secret_field(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in SECRET_FIELDS or lowered in self.fields

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The headers with credentials and signatures redacted."""
        return {k: REDACTED if is_secret_header(k) else v for k, v in headers.items()}

    def query(self, query: Mapping[str, list[str]]) -> dict[str, list[str]]:
        """Query parameters with secret names redacted."""
        return {
            k: [REDACTED] * len(v) if self._secret_field(k) else list(v) for k, v in query.items()
        }

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

    def body(self, body: bytes, content_type: str) -> tuple[bytes, bool]:
        """A JSON or form body with secret fields redacted; other bodies unchanged."""
        if "json" in content_type:
            try:
                document = json.loads(body)
            except ValueError:
                return body, False
            redacted, changed = self.document(document)
            if changed:
                return json.dumps(redacted, separators=(",", ":")).encode(), True
        elif "x-www-form-urlencoded" in content_type:
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            if any(self._secret_field(k) for k, _ in pairs):
                safe = [(k, REDACTED if self._secret_field(k) else v) for k, v in pairs]
                return urlencode(safe).encode(), True
        return body, False


def without_redacted(value: Any) -> Any:
    """A JSON document with every redacted field removed (what a replay can still match)."""
    if isinstance(value, dict):
        return {k: without_redacted(v) for k, v in value.items() if v != REDACTED}
    if isinstance(value, list):
        return [without_redacted(item) for item in value]
    return value


__all__ = ["REDACTED", "SECRET_FIELDS", "Redactor", "is_secret_header", "without_redacted"]
