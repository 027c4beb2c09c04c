"""A `RequestMatcher` on the engine: the fields with an engine equivalent become engine
matchers (`Path`, `Method`, `Header`, `JsonBody`, `Body`), the others one `Predicate`
that asks the matcher itself (with the werkzeug view of the request)."""

from __future__ import annotations

import re
from collections.abc import Callable

from werkzeug import Request

from ..core import And, Anything, Body, Header, JsonBody, Matcher, Method, Path, Predicate
from ..core import RecordedRequest as Recorded
from ._matching import (
    METHOD_ALL,
    UNDEFINED,
    URI_DEFAULT,
    BooleanQueryMatcher,
    HeaderValueMatcher,
    RequestMatcher,
)

_STANDARD = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT")


def _default_header(matcher: RequestMatcher, name: str) -> bool:
    value_matcher = matcher.header_value_matcher
    return (
        type(value_matcher) is HeaderValueMatcher
        and value_matcher.matchers is HeaderValueMatcher.DEFAULT_MATCHERS
        and name.lower() != "authorization"
    )


_OWN = ("match", "difference", "match_uri", "match_data", "match_json", "match_data_form")


def _customized(matcher: RequestMatcher) -> bool:
    """Whether a subclass changed how matching works (then it decides, per request)."""
    return any(getattr(type(matcher), name) is not getattr(RequestMatcher, name) for name in _OWN)


def engine_matcher(matcher: RequestMatcher, view: Callable[[Recorded], Request]) -> Matcher:
    """The engine matcher for `matcher`; `view` gives the werkzeug request of an entry."""
    parts: list[Matcher] = []
    rest: list[str] = []
    uri = matcher.uri
    if isinstance(uri, str):
        if uri != URI_DEFAULT:
            parts.append(Path(value=uri))
    elif isinstance(uri, re.Pattern):
        parts.append(Predicate(function=lambda r: bool(uri.match(r.path)), description="uri"))
    else:
        rest.append("uri")
    if matcher.method != METHOD_ALL:
        if matcher.method in _STANDARD:
            parts.append(Method(value=matcher.method))
        else:
            method = matcher.method
            parts.append(Predicate(function=lambda r: r.method == method, description="method"))
    if not isinstance(matcher.query_matcher, BooleanQueryMatcher):
        rest.append("query_string")
    for name, value in matcher.headers.items():
        if _default_header(matcher, name):
            parts.append(Header(name=name, value=value))
        elif "headers" not in rest:
            rest.append("headers")
    if matcher.data is not None:
        try:
            parts.append(Body(value=matcher.data.decode("utf-8")))
        except UnicodeDecodeError:
            data = matcher.data
            parts.append(Predicate(function=lambda r: r.body == data, description="data"))
    if matcher.json is not UNDEFINED:
        if matcher.json is None or matcher.data_encoding.lower() not in ("utf-8", "utf8"):
            rest.append("json")
        else:
            parts.append(JsonBody(value=matcher.json))
    if matcher.data_form is not None:
        rest.append("data_form")
    if _customized(matcher):
        rest.append(type(matcher).__name__)
    if rest:
        parts.append(
            Predicate(
                function=lambda r: matcher.match(view(r)),
                description=f"pytest-httpserver {', '.join(rest)}",
            )
        )
    if not parts:
        return Anything()
    return parts[0] if len(parts) == 1 else And(all=parts)


__all__ = ["engine_matcher"]
