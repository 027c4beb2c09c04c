"""The recorded request: what the journal keeps of each request a mock received."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from multidict import MultiDict, MultiDictProxy, MultiMapping

from . import _json
from ._form import UploadedFile, parse_form

_UNSET: Any = object()


@dataclass(slots=True)
class ResponseRecord:
    """What the mock answered a journaled request: status, headers and the body written
    (a stream's chunks joined, as far as they were written)."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    #: The chunks of a streamed answer, one per write (None for a plain body).
    chunks: list[bytes] | None = None
    #: Header lines besides `headers` (a name sent more than once, such as Set-Cookie).
    more_headers: Sequence[tuple[str, str]] = ()


@dataclass(eq=False, slots=True)
class RecordedRequest:
    """One request as a mock received it, and what the mock did with it.

    The journal holds these. Matchers read them, `verify()` reports them, and
    callables and templates receive them. Fields after `body` are filled in as the
    request travels the request path; `status` is set before the response is written.
    """

    method: str
    path: str
    query: MultiMapping[str]
    headers: MultiMapping[str]
    body: bytes = b""
    arrived_at: float = field(default_factory=time.time)
    #: Id of the expectation that matched, or None.
    matched: str | None = None
    #: Name of the domain route that served the request when no expectation matched.
    route: str | None = None
    status: int | None = None
    #: The connection fault or injected error applied, e.g. "CONNECTION_RESET_BY_PEER".
    fault: str | None = None
    #: Seconds from arrival until the response began.
    duration: float | None = None
    #: Captures of the route's path template (`/users/{id}` -> {"id": ...}).
    path_params: dict[str, str] = field(default_factory=dict)
    #: Contract violations found in this request, as readable sentences.
    violations: list[str] = field(default_factory=list)
    #: Why no expectation matched (filled only for unmatched requests).
    near_miss: str | None = None
    #: True when no expectation matched and no default behaviour served the request.
    unmatched: bool = False
    #: The query string as it arrived (``query`` is parsed; this is byte for byte).
    raw_query: str = ""
    #: The scope it was answered in (``X-Mock-Scope``; "" is the default scope).
    scope: str = ""
    #: The answer, once it is written.
    response: ResponseRecord | None = None
    #: Set when the journal keeps the body truncated: the whole body's size and SHA-256.
    body_size: int | None = None
    body_sha256: str | None = None
    #: The body bytes the journal counts for this entry (-1: not in a journal).
    _held: int = -1
    _json_cache: Any = _UNSET
    _form_cache: tuple[MultiDictProxy[str], list[UploadedFile]] | None = None

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        if self._json_cache is _UNSET:
            try:
                self._json_cache = _json.loads(self.body) if self.body else None
            except (ValueError, RecursionError):  # nested deeper than the parser goes
                self._json_cache = None
        return self._json_cache

    def _forget_parsed(self) -> None:
        """Drop the parsed body; `json` and `form` read it again when next asked. A
        journal entry is rarely read after its answer, and a parsed body is objects the
        cyclic collector would otherwise walk for as long as the entry is kept."""
        self._json_cache = _UNSET
        self._form_cache = None

    @property
    def is_json(self) -> bool:
        """Whether the body parsed as JSON (an empty body is not JSON)."""
        return bool(self.body) and self.json is not None

    @property
    def form(self) -> MultiDictProxy[str]:
        """The form fields of a urlencoded or ``multipart/form-data`` body (else empty)."""
        return self._parsed_form()[0]

    @property
    def files(self) -> list[UploadedFile]:
        """The file parts of a ``multipart/form-data`` body, in order."""
        return self._parsed_form()[1]

    def _parsed_form(self) -> tuple[MultiDictProxy[str], list[UploadedFile]]:
        if self._form_cache is None:
            fields, files = parse_form(self.headers.get("Content-Type", ""), self.body)
            self._form_cache = (MultiDictProxy(MultiDict(fields)), files)
        return self._form_cache

    @property
    def url(self) -> str:
        """Path and query string as they arrived."""
        if not self.query:
            return self.path
        from urllib.parse import urlencode

        return f"{self.path}?{urlencode(list(self.query.items()))}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of the entry (used by the admin API and reports)."""
        response = self.response
        return {
            "method": self.method,
            "path": self.path,
            "query": {k: self.query.getall(k) for k in self.query},
            "headers": {k: v for k, v in self.headers.items()},
            "body": self.text,
            "body_size": len(self.body) if self.body_size is None else self.body_size,
            "body_truncated": self.body_size is not None,
            "body_sha256": self.body_sha256,
            "json": self.json,
            "arrived_at": self.arrived_at,
            "matched": self.matched,
            "route": self.route,
            "status": self.status,
            "fault": self.fault,
            "duration": self.duration,
            "violations": list(self.violations),
            "unmatched": self.unmatched,
            "near_miss": self.near_miss,
            "scope": self.scope,
            "response": None
            if response is None
            else {
                "status": response.status,
                "headers": dict(response.headers),
                "more_headers": [list(line) for line in response.more_headers],
                "body": response.body.decode("utf-8", "replace"),
                "chunks": None
                if response.chunks is None
                else [c.decode("utf-8", "replace") for c in response.chunks],
            },
        }

    def __repr__(self) -> str:
        return f"<RecordedRequest {self.method} {self.url} -> {self.status}>"
