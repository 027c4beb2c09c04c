"""pytest-httpserver's request matching: URI patterns, query and header value matchers, and
`RequestMatcher`, which compares a werkzeug ``Request`` the way pytest-httpserver does.

`HTTPServer` puts each matcher on the engine (`mocks.compat._translate`): the parts with
an engine equivalent become engine matchers, the rest is checked by this module.
"""

from __future__ import annotations

import abc
import json
import re
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypedDict

from werkzeug import Request
from werkzeug.datastructures import Authorization, MultiDict

from ._errors import NoMethodFoundForMatchingHeaderValueError

#: ``uri`` that matches every path.
URI_DEFAULT = ""
#: ``method`` that matches every method.
METHOD_ALL = "__ALL"

HeaderComparison = Callable[[str | None, str], bool]
HeaderMatcherFunction = Callable[[str, str | None, str], bool]


class Undefined:
    """The marker of an argument not given (``json=`` may legitimately be None)."""

    def __repr__(self) -> str:
        return "<UNDEFINED>"


UNDEFINED = Undefined()


class URIPattern(abc.ABC):
    """A custom path matcher: subclass it and implement `match`."""

    @abc.abstractmethod
    def match(self, uri: str) -> bool:
        """Whether the request path (absolute, without the query) matches."""


class HeaderValueMatcher:
    """Compares expected and actual header values, per header name (exact by default;
    ``Authorization`` compares the parsed credentials)."""

    DEFAULT_MATCHERS: ClassVar[dict[str, HeaderComparison]] = {}

    def __init__(self, matchers: Mapping[str, HeaderComparison] | None = None) -> None:
        self.matchers = self.DEFAULT_MATCHERS if matchers is None else matchers

    @staticmethod
    def authorization_header_value_matcher(actual: str | None, expected: str) -> bool:
        """Equal when both parse to the same credentials."""
        return bool(Authorization.from_header(actual) == Authorization.from_header(expected))

    @staticmethod
    def default_header_value_matcher(actual: str | None, expected: str) -> bool:
        """Equal strings."""
        return actual == expected

    def __call__(self, header_name: str, actual: str | None, expected: str) -> bool:
        try:
            compare = self.matchers[header_name]
        except KeyError:
            raise NoMethodFoundForMatchingHeaderValueError(
                f"No method found for matching header value: {header_name}"
            ) from None
        return compare(actual, expected)


HeaderValueMatcher.DEFAULT_MATCHERS = defaultdict(
    lambda: HeaderValueMatcher.default_header_value_matcher,
    {"Authorization": HeaderValueMatcher.authorization_header_value_matcher},
)


class CaseInsensitiveHeaderValueMatcher:
    """Like `HeaderValueMatcher`, with header names compared case-insensitively."""

    def __init__(self, matchers: Mapping[str, HeaderComparison] | None = None) -> None:
        if matchers is None:
            matchers = defaultdict(
                lambda: HeaderValueMatcher.default_header_value_matcher,
                {"Authorization": HeaderValueMatcher.authorization_header_value_matcher},
            )
        self._matchers = {name.lower(): compare for name, compare in matchers.items()}
        self._factory = matchers.default_factory if isinstance(matchers, defaultdict) else None

    def __call__(self, header_name: str, actual: str | None, expected: str) -> bool:
        compare = self._matchers.get(header_name.lower())
        if compare is None:
            if self._factory is None:
                raise NoMethodFoundForMatchingHeaderValueError(
                    f"No method found for matching header value: {header_name}"
                )
            compare = self._factory()
        return bool(compare(actual, expected))


class QueryMatcher(abc.ABC):
    """Matches the raw query string; subclasses say which two values must be equal."""

    def match(self, request_query_string: bytes) -> bool:
        """Whether the query string matches."""
        actual, expected = self.get_comparing_values(request_query_string)
        return bool(actual == expected)

    @abc.abstractmethod
    def get_comparing_values(self, request_query_string: bytes) -> tuple[Any, Any]:
        """(what the request has, what is expected)."""


class StringQueryMatcher(QueryMatcher):
    """The query string byte for byte (no decoding)."""

    def __init__(self, query_string: bytes | str) -> None:
        if not isinstance(query_string, str | bytes):
            raise TypeError("query_string must be a string, or a bytes-like object")
        self.query_string = query_string

    def get_comparing_values(self, request_query_string: bytes) -> tuple[bytes, bytes]:
        expected = self.query_string
        return request_query_string, expected.encode() if isinstance(expected, str) else expected


class MappingQueryMatcher(QueryMatcher):
    """The decoded parameters: a mapping compares first values, a ``MultiDict`` all values."""

    def __init__(self, query_dict: Mapping[str, str] | MultiDict[str, str]) -> None:
        self.query_dict = query_dict

    def get_comparing_values(self, request_query_string: bytes) -> tuple[Any, Any]:
        pairs = urllib.parse.parse_qsl(request_query_string.decode("utf-8"), keep_blank_values=True)
        query: MultiDict[str, str] = MultiDict(pairs)
        if isinstance(self.query_dict, MultiDict):
            return query, self.query_dict
        return query.to_dict(), dict(self.query_dict)


class BooleanQueryMatcher(QueryMatcher):
    """Always (or never) matches."""

    def __init__(self, result: bool) -> None:
        self.result = result

    def get_comparing_values(self, request_query_string: bytes) -> tuple[bool, bool]:
        return (True, True) if self.result else (True, False)


def query_matcher(query_string: Any) -> QueryMatcher:
    """The query matcher for what ``query_string=`` was given."""
    if isinstance(query_string, QueryMatcher):
        return query_string
    if query_string is None:
        return BooleanQueryMatcher(result=True)
    if isinstance(query_string, str | bytes):
        return StringQueryMatcher(query_string)
    if isinstance(query_string, Mapping):
        return MappingQueryMatcher(query_string)
    raise TypeError(f"Unable to cast this type to QueryMatcher: {type(query_string)!r}")


class RequestMatcherKwargs(TypedDict, total=False):
    """The keyword arguments ``expect_request`` and `HTTPServer.bake` take besides the uri."""

    method: str
    data: str | bytes | None
    data_encoding: str
    headers: Mapping[str, str] | None
    query_string: Any
    header_value_matcher: HeaderMatcherFunction | None
    json: Any
    data_form: Mapping[str, str] | None


class RequestMatcher:
    """What a request must look like: uri (a path, a `URIPattern` or a compiled regex),
    method, query string, headers, and data, JSON or form fields (mutually exclusive)."""

    def __init__(
        self,
        uri: str | URIPattern | re.Pattern[str],
        method: str = METHOD_ALL,
        data: str | bytes | None = None,
        data_encoding: str = "utf-8",
        headers: Mapping[str, str] | None = None,
        query_string: Any = None,
        header_value_matcher: HeaderMatcherFunction | None = None,
        json: Any = UNDEFINED,
        data_form: Mapping[str, str] | None = None,
    ) -> None:
        if json is not UNDEFINED and data is not None:
            raise ValueError("data and json parameters are mutually exclusive")
        if data_form is not None and (data is not None or json is not UNDEFINED):
            raise ValueError("data_form is mutually exclusive with data and json")
        self.uri = uri
        self.method = method
        self.query_string = query_string
        self.query_matcher = query_matcher(query_string)
        self.json = json
        self.data_form = data_form
        self.headers: Mapping[str, str] = headers or {}
        self.data = data.encode(data_encoding) if isinstance(data, str) else data
        self.data_encoding = data_encoding
        self.header_value_matcher: HeaderMatcherFunction = (
            header_value_matcher or HeaderValueMatcher()
        )

    def __repr__(self) -> str:
        text = (
            f"<{type(self).__name__} uri={self.uri!r} method={self.method!r} "
            f"query_string={self.query_string!r} headers={self.headers!r} "
            f"data={self.data!r} json={self.json!r}"
        )
        if self.data_form is not None:
            text += f" data_form={self.data_form!r}"
        return text + ">"

    def match_uri(self, request: Request) -> bool:
        """Whether the path matches."""
        if isinstance(self.uri, URIPattern):
            return self.uri.match(request.path)
        if isinstance(self.uri, re.Pattern):
            return bool(self.uri.match(request.path))
        return self.uri in (URI_DEFAULT, request.path)

    def match_data(self, request: Request) -> bool:
        """Whether the body equals `data` (or no data is expected)."""
        return self.data is None or request.get_data() == self.data

    def match_json(self, request: Request) -> bool:
        """Whether the body parses to `json` (or no JSON is expected)."""
        if self.json is UNDEFINED:
            return True
        try:
            received = json.loads(request.get_data().decode(self.data_encoding))
        except (ValueError, UnicodeDecodeError):
            return False
        return bool(received == self.json)

    def match_data_form(self, request: Request) -> bool:
        """Whether the form fields are `data_form` (or no form is expected)."""
        if self.data_form is None:
            return True
        request.get_data()
        if isinstance(self.data_form, MultiDict):
            return bool(request.form == self.data_form)
        return request.form.to_dict() == dict(self.data_form)

    def difference(self, request: Request) -> list[tuple[str, Any, Any]]:
        """(field, request's value, expected value) for every field that differs."""
        found: list[tuple[str, Any, Any]] = []
        if not self.match_uri(request):
            found.append(("uri", request.path, self.uri))
        if self.method not in (METHOD_ALL, request.method):
            found.append(("method", request.method, self.method))
        if not self.query_matcher.match(request.query_string):
            found.append(("query_string", request.query_string, self.query_string))
        actual_headers: dict[str, str | None] = {}
        expected_headers: dict[str, str] = {}
        for name, value in self.headers.items():
            if not self.header_value_matcher(name, request.headers.get(name), value):
                actual_headers[name] = request.headers.get(name)
                expected_headers[name] = value
        if expected_headers:
            found.append(("headers", actual_headers, expected_headers))
        if not self.match_data(request):
            found.append(("data", request.get_data(), self.data))
        if not self.match_json(request):
            found.append(("json", request.get_data(), self.json))
        if not self.match_data_form(request):
            found.append(("data_form", request.form, self.data_form))
        return found

    def match(self, request: Request) -> bool:
        """Whether the request matches every field."""
        return not self.difference(request)


__all__ = [
    "METHOD_ALL",
    "UNDEFINED",
    "URI_DEFAULT",
    "BooleanQueryMatcher",
    "CaseInsensitiveHeaderValueMatcher",
    "HeaderValueMatcher",
    "MappingQueryMatcher",
    "QueryMatcher",
    "RequestMatcher",
    "RequestMatcherKwargs",
    "StringQueryMatcher",
    "URIPattern",
    "query_matcher",
]
