"""The engine's recorded requests and replies as werkzeug's ``Request`` and ``Response``
(what pytest-httpserver hands to handlers and keeps in its log), and back."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from werkzeug import Request, Response
from werkzeug.test import EnvironBuilder

from ..core import RecordedRequest, Reply, split_headers

#: Headers werkzeug works out itself from the body.
_COMPUTED = {"content-length"}


def raw_query(entry: RecordedRequest) -> str:
    """The query string byte for byte as it arrived (re-encoded from the parsed parameters
    for an entry made without it)."""
    if entry.raw_query or not entry.query:
        return entry.raw_query
    return urlencode(list(entry.query.items()))


def to_request(entry: RecordedRequest, host: str, port: int) -> Request:
    """A werkzeug ``Request`` for a recorded request (its body already read)."""
    builder = EnvironBuilder(
        path=quote(entry.path),
        method=entry.method,
        headers=[(name, value) for name, value in entry.headers.items()],
        data=entry.body,
        query_string=raw_query(entry),
        environ_base={"REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": host, "SERVER_PORT": str(port)},
    )
    try:
        request = Request(builder.get_environ())
    finally:
        builder.close()
    request.get_data()
    return request


def as_response(result: Any) -> Response:
    """What a handler returned as a ``Response`` (None is an empty one, a str its body)."""
    if result is None:
        return Response("")
    if isinstance(result, str | bytes):
        return Response(result)
    if not isinstance(result, Response):
        raise TypeError(f"a handler must return a werkzeug Response, not {type(result).__name__}")
    return result


def programmed_headers(response: Response) -> dict[str, str | list[str]]:
    """A ``Response``'s headers as the engine programs them: a name given several values
    maps to the list of them (each sent on its own line)."""
    headers: dict[str, str | list[str]] = {}
    for name in dict.fromkeys(response.headers.keys()):
        if name.lower() not in _COMPUTED:
            values = response.headers.getlist(name)
            headers[name] = values[0] if len(values) == 1 else values
    return headers


def to_reply(response: Response) -> Reply:
    """A ``Response`` as the engine's `Reply`, repeated headers included."""
    headers, more = split_headers(programmed_headers(response))
    return Reply(response.status_code, headers, response.get_data(), more_headers=more)


def to_response(status: int | None, headers: dict[str, str], body: bytes) -> Response:
    """A ``Response`` for what the engine wrote (the log's second item)."""
    response = Response(body, status or 500)
    response.headers.clear()
    for name, value in headers.items():
        response.headers[name] = value
    return response


__all__ = ["as_response", "raw_query", "to_reply", "to_request", "to_response"]
