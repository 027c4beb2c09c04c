"""A WireMock request pattern (a mapping's ``request``) as one engine matcher.

Method, URL (``url``, ``urlPath``, ``urlPattern``, ``urlPathPattern``,
``urlPathTemplate`` with ``pathParameters``), ``headers``, ``queryParameters``,
``cookies``, ``basicAuthCredentials`` and ``bodyPatterns`` become the engine's `Method`,
`Path`, `Header`, `Query`, `Body`, `JsonBody` matchers and the WireMock kinds of
`mocks.http._wiremock_matchers`, all under one `And`. Anything else is refused with a
`MappingError` naming the field.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import unquote

from ..core import Anything, Body, Header, JsonBody, Matcher, Method, Path, Query
from ._wiremock_errors import MappingError, join
from ._wiremock_matchers import Cookie, JsonEquals, JsonPathValue, PathParam, WireMockUrl
from ._wiremock_patterns import STRING_OPERATORS, combine, operator_of, regex, string_pattern

_URL_FIELDS = ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate")
_STANDARD = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT")
_OTHER_FIELDS = (
    "method",
    "pathParameters",
    "headers",
    "queryParameters",
    "cookies",
    "basicAuthCredentials",
    "bodyPatterns",
)


def request_matcher(request: Any, field: str = "request") -> Matcher:
    """The engine matcher for a WireMock request pattern."""
    if not isinstance(request, dict):
        raise MappingError(field, "must be an object")
    for key in request:
        if key not in _URL_FIELDS and key not in _OTHER_FIELDS:
            raise MappingError(join(field, key), "this request field is not supported")
    parts: list[Matcher] = []
    method = request.get("method", "ANY")
    if not isinstance(method, str):
        raise MappingError(join(field, "method"), "must be a string")
    if method.upper() != "ANY":
        try:
            parts.append(Method(value=method, custom=method.upper() not in _STANDARD))
        except ValueError as exc:
            raise MappingError(join(field, "method"), str(exc)) from exc
    parts.extend(_url(request, field))
    parts.extend(_named(request, "headers", field, _header))
    parts.extend(_named(request, "queryParameters", field, _query))
    parts.extend(_named(request, "cookies", field, _cookie))
    parts.extend(_basic_auth(request.get("basicAuthCredentials"), field))
    parts.extend(_bodies(request.get("bodyPatterns"), join(field, "bodyPatterns")))
    return combine(parts) or Anything()


def _url(request: dict[str, Any], field: str) -> list[Matcher]:
    given = [key for key in _URL_FIELDS if key in request]
    if len(given) > 1:
        raise MappingError(join(field, given[1]), f"give one of {', '.join(given)}")
    parameters = request.get("pathParameters")
    if parameters is not None and given != ["urlPathTemplate"]:
        raise MappingError(join(field, "pathParameters"), "needs urlPathTemplate")
    if not given:
        return []
    key = given[0]
    value = request[key]
    where = join(field, key)
    if not isinstance(value, str):
        raise MappingError(where, "must be a string")
    if key == "url":
        return [WireMockUrl(value=value)]
    if key == "urlPattern":
        regex(value, where)
        return [WireMockUrl(value=value, op="regex")]
    if key == "urlPath":
        return [Path(value=unquote(value))]
    if key == "urlPathPattern":
        regex(value, where)
        anchored = f"^{value}\\Z" if "|" not in value else f"^(?:{value})\\Z"
        return [Path(value=anchored, op="regex")]
    return [Path(value=value, op="template"), *_path_parameters(value, parameters, field)]


def _path_parameters(template: str, parameters: Any, field: str) -> list[Matcher]:
    if parameters is None:
        return []
    where = join(field, "pathParameters")
    if not isinstance(parameters, dict):
        raise MappingError(where, "must be an object of name -> pattern")
    parts = []
    for name, pattern in parameters.items():
        if "{" + name + "}" not in template:
            raise MappingError(join(where, name), f"{template!r} has no parameter {name!r}")

        def leaf(op: str, value: str, name: str = name) -> Matcher:
            return PathParam(template=template, name=name, **_value_options(op, value))

        parts.append(string_pattern(pattern, leaf, join(where, name)))
    return parts


def _value_options(op: str, value: str) -> dict[str, Any]:
    """The options of a value matcher for one engine lookup."""
    if op in ("present", "absent"):
        return {"presence": op}
    return {"pattern": Body(value=value, op=op)}


def _header(name: str, op: str, value: str) -> Matcher:
    return Header(name=name, value=value, op=op)


def _query(name: str, op: str, value: str) -> Matcher:
    return Query(name=name, value=value, op=op)


def _cookie(name: str, op: str, value: str) -> Matcher:
    return Cookie(name=name, **_value_options(op, value))


def _named(request: dict[str, Any], key: str, field: str, build: Any) -> list[Matcher]:
    given = request.get(key)
    if given is None:
        return []
    where = join(field, key)
    if not isinstance(given, dict):
        raise MappingError(where, "must be an object of name -> pattern")
    parts = []
    for name, pattern in given.items():

        def leaf(op: str, value: str, name: str = name) -> Matcher:
            return build(name, op, value)  # type: ignore[no-any-return]

        parts.append(string_pattern(pattern, leaf, join(where, name)))
    return parts


def _basic_auth(credentials: Any, field: str) -> list[Matcher]:
    if credentials is None:
        return []
    where = join(field, "basicAuthCredentials")
    if not isinstance(credentials, dict) or set(credentials) != {"username", "password"}:
        raise MappingError(where, "must be an object with username and password")
    token = base64.b64encode(f"{credentials['username']}:{credentials['password']}".encode())
    return [Header(name="Authorization", value="Basic " + token.decode())]


def _bodies(patterns: Any, field: str) -> list[Matcher]:
    if patterns is None:
        return []
    if not isinstance(patterns, list):
        raise MappingError(field, "must be a list of body patterns")
    return [body_pattern(pattern, f"{field}[{i}]") for i, pattern in enumerate(patterns)]


_JSON_FLAGS = ("ignoreArrayOrder", "ignoreExtraElements")


def body_pattern(pattern: Any, field: str) -> Matcher:
    """One body pattern: a string pattern, ``equalToJson``, ``matchesJsonPath``, or
    ``binaryEqualTo``."""
    op = operator_of(pattern, field, ("caseInsensitive", *_JSON_FLAGS))
    where = join(field, op)
    for flag in _JSON_FLAGS:
        if flag in pattern and op != "equalToJson":
            raise MappingError(join(field, flag), "only equalToJson takes it")
    if op == "equalToJson":
        return _json_equal(pattern, where)
    if op == "matchesJsonPath":
        return _json_path(pattern[op], where)
    if op == "binaryEqualTo":
        return _binary(pattern[op], where)
    if op not in STRING_OPERATORS:
        raise MappingError(where, f"the {op!r} body matcher is not supported")
    if op == "absent":
        raise MappingError(where, "a body cannot be absent; use equalTo with an empty string")
    return string_pattern(
        pattern,
        lambda lookup, value: Body(value=value, op=lookup),
        field,
    )


def _json_equal(pattern: dict[str, Any], field: str) -> Matcher:
    expected = pattern["equalToJson"]
    if isinstance(expected, str):
        try:
            expected = json.loads(expected)
        except ValueError as exc:
            raise MappingError(field, f"not a JSON document: {exc}") from exc
    if "${json-unit." in json.dumps(expected):
        raise MappingError(field, "JSON placeholders (${json-unit.*}) are not supported")
    flags = {flag: pattern.get(flag, False) for flag in _JSON_FLAGS}
    for flag, value in flags.items():
        if not isinstance(value, bool):
            raise MappingError(join(field.rpartition(".")[0], flag), "must be true or false")
    if not any(flags.values()):
        return JsonBody(value=expected)
    return JsonEquals(
        value=expected,
        ignore_array_order=flags["ignoreArrayOrder"],
        ignore_extra_elements=flags["ignoreExtraElements"],
    )


def _json_path(value: Any, field: str) -> Matcher:
    if isinstance(value, str):
        return _json_path_matcher(value, {}, field)
    if not isinstance(value, dict) or not isinstance(value.get("expression"), str):
        raise MappingError(field, "a JSON path, or an object with an expression and a pattern")
    rest = {k: v for k, v in value.items() if k != "expression"}
    if not rest:
        return _json_path_matcher(value["expression"], {}, field)
    if rest == {"absent": True}:
        return _json_path_matcher(value["expression"], {"presence": "absent"}, field)
    sub = body_pattern(rest, field)
    return _json_path_matcher(value["expression"], {"pattern": sub}, field)


def _json_path_matcher(expression: str, options: dict[str, Any], field: str) -> Matcher:
    try:
        return JsonPathValue(expression=expression, **options)
    except ValueError as exc:
        raise MappingError(field, str(exc).splitlines()[-1].strip()) from exc


def _binary(value: Any, field: str) -> Matcher:
    try:
        data = base64.b64decode(value, validate=True)
        return Body(value=data.decode("utf-8"))
    except (binascii.Error, TypeError, ValueError) as exc:
        raise MappingError(field, "must be base64 of UTF-8 text") from exc


__all__ = ["body_pattern", "request_matcher"]
