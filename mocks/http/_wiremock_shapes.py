"""WireMock's JSON shapes for what the engine knows: logged requests, serve events, near
misses, errors, and a request read back from its logged form."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from multidict import CIMultiDict, MultiDict

from ..core import Matcher, RecordedRequest, Reply
from ._wiremock_journal import ServedResponse
from ._wiremock_matchers import request_url


def error_reply(status: int, title: str, pointer: str | None = None, code: int = 10) -> Reply:
    """WireMock's error envelope: ``{"errors": [{"code", "source": {"pointer"}, "title"}]}``."""
    error: dict[str, Any] = {"code": code, "title": title}
    if pointer is not None:
        error["source"] = {"pointer": pointer}
        error["detail"] = title
    return Reply.json({"errors": [error]}, status)


def pointer(field: str) -> str:
    """A dotted field (``request.headers.A``) as a JSON pointer (``/request/headers/A``)."""
    parts = field.replace("[", ".").replace("]", "").split(".")
    return "/" + "/".join(part for part in parts if part)


def _headers(request: RecordedRequest) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in request.headers:
        if name in found:
            continue
        values = request.headers.getall(name)
        found[name] = values[0] if len(values) == 1 else list(values)
    return found


def _cookies(request: RecordedRequest) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in request.headers.getall("Cookie", []):
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                found[name] = value
    return found


def logged_request(request: RecordedRequest, base_url: str) -> dict[str, Any]:
    """A request as WireMock logs it (``LoggedRequest``)."""
    url = request_url(request)
    moment = dt.datetime.fromtimestamp(request.arrived_at, dt.UTC)
    host, _, port = base_url.removeprefix("http://").partition(":")
    return {
        "url": url,
        "absoluteUrl": base_url + url,
        "method": request.method,
        "clientIp": "127.0.0.1",
        "headers": _headers(request),
        "cookies": _cookies(request),
        "browserProxyRequest": False,
        "loggedDate": int(request.arrived_at * 1000),
        "bodyAsBase64": base64.b64encode(request.body).decode(),
        "body": request.text,
        "protocol": "HTTP/1.1",
        "scheme": "http",
        "host": host,
        "port": int(port) if port.isdigit() else 80,
        "loggedDateString": moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}Z",
        "queryParams": {
            name: {"key": name, "values": request.query.getall(name)} for name in request.query
        },
        "formParams": {},
    }


def serve_event(
    request: RecordedRequest,
    event_id: str,
    served: ServedResponse,
    mapping: dict[str, Any] | None,
    base_url: str,
) -> dict[str, Any]:
    """A request and its answer as WireMock's journal lists them (``ServeEvent``)."""
    status = served.status if served.status is not None else 0
    matched = mapping is not None or request.matched is not None
    body = served.body
    duration = int((request.duration or 0) * 1000)
    response: dict[str, Any] = {
        "status": status,
        "bodyAsBase64": base64.b64encode(body).decode(),
        "body": body.decode("utf-8", "replace"),
    }
    if served.headers:
        response["headers"] = dict(served.headers)
    return {
        "id": event_id,
        "request": logged_request(request, base_url),
        "responseDefinition": {"status": status, "fromConfiguredStub": matched},
        "response": response,
        "wasMatched": matched,
        "timing": {
            "addedDelay": 0,
            "processTime": duration,
            "responseSendTime": 0,
            "serveTime": duration,
            "totalTime": duration,
        },
        "subEvents": [],
        "stubMapping": mapping or {"request": {"method": "ANY"}, "response": {"status": status}},
    }


class LoggedRequestError(ValueError):
    """A logged request that cannot be read back (the field is named)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def request_from_logged(document: Any) -> RecordedRequest:
    """A `RecordedRequest` from WireMock's logged form (for ``/near-misses/request``)."""
    if not isinstance(document, dict):
        raise LoggedRequestError("body", "a logged request is a JSON object")
    url = document.get("url", "/")
    method = document.get("method", "GET")
    if not isinstance(url, str) or not isinstance(method, str):
        raise LoggedRequestError(
            "url" if not isinstance(url, str) else "method", "must be a string"
        )
    parts = urlsplit(url)
    query: MultiDict[str] = MultiDict(parse_qsl(parts.query, keep_blank_values=True))
    headers: CIMultiDict[str] = CIMultiDict()
    given = document.get("headers") or {}
    if not isinstance(given, dict):
        raise LoggedRequestError("headers", "must be an object of name -> value(s)")
    for name, value in given.items():
        for item in value if isinstance(value, list) else [value]:
            headers.add(name, str(item))
    body = document.get("body")
    raw = body.encode() if isinstance(body, str) else b""
    if body is None and isinstance(document.get("bodyAsBase64"), str):
        raw = base64.b64decode(document["bodyAsBase64"])
    return RecordedRequest(method.upper(), unquote(parts.path or "/"), query, headers, raw)


def leaf_count(matcher: Matcher) -> int:
    """How many single conditions a matcher holds (the denominator of a distance)."""
    children = getattr(matcher, "all", None)
    if isinstance(children, list):
        return sum(leaf_count(child) for child in children)
    return 1


def distance(matcher: Matcher, request: RecordedRequest) -> float:
    """How far a request is from a matcher: differing conditions / all conditions (0..1)."""
    differing = len(matcher.differences(request))
    return round(min(1.0, differing / max(1, leaf_count(matcher))), 4)


__all__ = [
    "LoggedRequestError",
    "distance",
    "error_reply",
    "leaf_count",
    "logged_request",
    "pointer",
    "request_from_logged",
    "serve_event",
]
