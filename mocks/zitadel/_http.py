"""The provider's view of HTTP: a parsed request in, a result out, no server involved.

Keeping the provider's handlers free of any server framework lets them be tested
directly, and lets the mock's routes be thin adapters around them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ._security import PAGE_HEADERS


def _first_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in pairs:
        values.setdefault(key, value)
    return values


@dataclass
class HttpRequest:
    """A request as the provider needs it: method, path, parameters, headers, cookies."""

    method: str
    path: str
    #: The base URL the client used (scheme://host:port), which is the issuer.
    base_url: str
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    #: Header names in lower case.
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: Captures of the route's path template, e.g. {"user_id": "123"}.
    path_params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        base_url: str,
        *,
        query: str | Mapping[str, str] = "",
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        path_params: Mapping[str, str] | None = None,
    ) -> HttpRequest:
        """Build a request; a form-encoded body is parsed into `form`."""
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        parsed_query = (
            _first_values(parse_qsl(query, keep_blank_values=True))
            if isinstance(query, str)
            else dict(query)
        )
        form: dict[str, str] = {}
        if "application/x-www-form-urlencoded" in lowered.get("content-type", ""):
            form = _first_values(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return cls(
            method=method.upper(),
            path=path,
            base_url=base_url.rstrip("/"),
            query=parsed_query,
            form=form,
            headers=lowered,
            cookies=dict(cookies or {}),
            body=body,
            path_params=dict(path_params or {}),
        )

    def params(self) -> dict[str, str]:
        """Query and form parameters together (the form wins), as Go's ``r.Form`` merges them."""
        return {**self.query, **self.form}

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body parsed as JSON; None when empty; raises ValueError when malformed."""
        return json.loads(self.body) if self.body.strip() else None


@dataclass(frozen=True)
class Outbound:
    """A form POST the provider sends on its own (a logout token to a relying party)."""

    url: str
    form: dict[str, str]


@dataclass
class HttpResult:
    """What a handler answers: a status with a JSON document, an HTML page or nothing."""

    status: int = 200
    json: Any = None
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Cookies to set (value) or delete (None); at most one per result (a reply carries
    #: one Set-Cookie header).
    cookies: dict[str, str | None] = field(default_factory=dict)
    #: Requests the provider makes once this answer is written (back-channel logout).
    outbound: list[Outbound] = field(default_factory=list)
    #: True when the body is a JSON document (even ``null``) rather than empty.
    has_json: bool = False

    @classmethod
    def of_json(
        cls, document: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> HttpResult:
        """A JSON answer."""
        return cls(status=status, json=document, headers=dict(headers or {}), has_json=True)

    @classmethod
    def of_html(cls, page: str, status: int = 200) -> HttpResult:
        """An HTML page, with the security headers every login page carries."""
        return cls(status=status, html=page, headers=dict(PAGE_HEADERS))

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> HttpResult:
        """A redirect."""
        return cls(status=status, headers={"Location": location})

    @property
    def location(self) -> str | None:
        """The redirect target, if this is a redirect."""
        return self.headers.get("Location")

    def body_bytes(self) -> bytes:
        """The body as bytes."""
        if self.has_json:
            return json.dumps(self.json, separators=(",", ":")).encode()
        if self.html is not None:
            return self.html.encode()
        return b""

    def content_type(self) -> str | None:
        """The Content-Type of the body, if any."""
        if self.has_json:
            return "application/json"
        if self.html is not None:
            return "text/html; charset=utf-8"
        return None
