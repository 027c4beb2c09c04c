"""The engine's recorded requests and replies as werkzeug's ``Request`` and ``Response``
(what pytest-httpserver hands to handlers and keeps in its log), and back."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from werkzeug import Request, Response
from werkzeug.test import EnvironBuilder

from ..core import RecordedRequest, Reply

#: Headers werkzeug works out itself from the body.
_COMPUTED = {"content-length"}


def raw_query(entry: RecordedRequest) -> str:
    """The query string, re-encoded from the parsed parameters as ``requests`` encodes them."""
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


def to_reply(response: Response) -> Reply:
    """A ``Response`` as the engine's `Reply` (one value per header name: the last)."""
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _COMPUTED}
    return Reply(response.status_code, headers, response.get_data())


def to_response(status: int | None, headers: dict[str, str], body: bytes) -> Response:
    """A ``Response`` for what the engine wrote (the log's second item)."""
    response = Response(body, status or 500)
    response.headers.clear()
    for name, value in headers.items():
        response.headers[name] = value
    return response


__all__ = ["as_response", "raw_query", "to_reply", "to_request", "to_response"]
