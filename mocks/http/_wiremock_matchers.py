"""Matchers for what WireMock matches and the engine's own matchers do not reach.

Each is a registered engine matcher (a new ``kind``), so an expectation translated from
a WireMock mapping is plain engine data. Where WireMock compares a *value* it pulls out
of the request (a cookie, a path parameter, a JSON path result), the comparison itself is
an engine matcher (`Body`, `JsonEquals`, composed with ``&``, ``|``, ``~``) applied to
that value as if it were a body: one set of string operations for every source.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote

from multidict import CIMultiDict, MultiDict
from pydantic import PrivateAttr

from ..core import Body, Difference, Matcher, Path, RecordedRequest
from ._wiremock_jsonpath import NOTHING, WireMockJsonPath, as_text

_EMPTY_QUERY: MultiDict[str] = MultiDict()


def value_request(text: str) -> RecordedRequest:
    """A request whose body is `text`: how a value is handed to a value pattern."""
    return RecordedRequest("GET", "/", _EMPTY_QUERY, CIMultiDict(), text.encode())


def request_url(request: RecordedRequest) -> str:
    """The request's path and query, percent-encoded as clients usually send them."""
    if not request.query:
        return quote(request.path, safe="/:@!$&'()*+,;=-._~")
    pairs = [
        f"{quote(k, safe=':@!$()*,;/-._~')}={quote(v, safe=':@!$()*,;/-._~')}"
        for k, v in request.query.items()
    ]
    return quote(request.path, safe="/:@!$&'()*+,;=-._~") + "?" + "&".join(pairs)


def _show(values: list[str] | None) -> str:
    if values is None:
        return "nothing"
    shown = repr(values[0] if len(values) == 1 else values)
    return shown if len(shown) <= 120 else shown[:117] + "..."


class WireMockUrl(Matcher):
    """WireMock's ``url`` (path and query exactly) and ``urlPattern`` (a regex, whole URL)."""

    kind: Literal["wiremock_url"] = "wiremock_url"
    value: str
    op: Literal["eq", "regex"] = "eq"
    _path: str = PrivateAttr("")
    _query: list[tuple[str, str]] = PrivateAttr(default_factory=list)
    _regex: Any = PrivateAttr(None)

    def model_post_init(self, context: Any) -> None:
        if self.op == "regex":
            self._regex = Body(value=full_match(self.value), op="regex")
            return
        path, _, query = self.value.partition("?")
        self._path = unquote(path)
        self._query = parse_qsl(query, keep_blank_values=True)

    def matches(self, request: RecordedRequest) -> bool:
        if self.op == "regex":
            return bool(self._regex.matches(value_request(request_url(request))))
        return request.path == self._path and list(request.query.items()) == self._query

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if self.matches(request):
            return []
        expected = self.value if self.op == "eq" else f"regex {self.value!r}"
        return [Difference("url", expected, repr(request_url(request)))]

    def exact_paths(self) -> frozenset[str] | None:
        return frozenset((self._path,)) if self.op == "eq" else None


def full_match(pattern: str) -> str:
    """A regex matching only the whole text, as Java's ``String.matches`` does."""
    return f"^(?:{pattern})\\Z"


class _ValueMatcher(Matcher):
    """A value pulled out of the request, tested by `pattern` (or for presence/absence)."""

    presence: Literal["present", "absent"] = "present"
    #: Applied to each value as a body (`value_request`); None: presence alone.
    pattern: Any = None

    def model_post_init(self, context: Any) -> None:
        if self.pattern is not None and not isinstance(self.pattern, Matcher):
            self.pattern = Matcher.registry.parse(self.pattern)

    def label(self) -> str:
        """How the value is named in differences."""
        raise NotImplementedError

    def values(self, request: RecordedRequest) -> list[str] | None:
        """The values found (None when there is none)."""
        raise NotImplementedError

    def differences(self, request: RecordedRequest) -> list[Difference]:
        values = self.values(request)
        if self.presence == "absent":
            return [] if values is None else [Difference(self.label(), "absent", _show(values))]
        if values is None:
            return [Difference(self.label(), self._expected(), "nothing")]
        pattern: Matcher | None = self.pattern
        if pattern is None or any(pattern.matches(value_request(v)) for v in values):
            return []
        return [Difference(self.label(), self._expected(), _show(values))]

    def _expected(self) -> str:
        if self.pattern is None:
            return "present"
        found = self.pattern.differences(value_request(""))
        return found[0].expected if found else "a value"


class Cookie(_ValueMatcher):
    """A cookie the request sent (``Cookie: a=1; b=2``)."""

    kind: Literal["cookie"] = "cookie"
    name: str

    def label(self) -> str:
        return f"cookie[{self.name}]"

    def values(self, request: RecordedRequest) -> list[str] | None:
        found = []
        for header in request.headers.getall("Cookie", []):
            for part in header.split(";"):
                name, sep, value = part.strip().partition("=")
                if sep and name == self.name:
                    found.append(value)
        return found or None


class PathParam(_ValueMatcher):
    """A parameter of a path template (``/users/{id}``)."""

    kind: Literal["path_param"] = "path_param"
    template: str
    name: str
    _path: Path = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        self._path = Path(value=self.template, op="template")
        super().model_post_init(context)

    def label(self) -> str:
        return f"path[{self.name}]"

    def values(self, request: RecordedRequest) -> list[str] | None:
        found = self._path.captures(request).get(self.name)
        return None if found is None else [unquote(found)]


class JsonPathValue(_ValueMatcher):
    """What a WireMock JSON path finds in the JSON body (``matchesJsonPath``)."""

    kind: Literal["wiremock_json_path"] = "wiremock_json_path"
    expression: str
    _path: WireMockJsonPath = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        self._path = WireMockJsonPath(self.expression)
        super().model_post_init(context)

    def label(self) -> str:
        return f"json {self.expression}"

    def values(self, request: RecordedRequest) -> list[str] | None:
        if not request.is_json:
            return None
        path = self._path
        found = path.first(request.json)
        if found is NOTHING or found is None or found == []:
            return None
        if path.definite:
            return [as_text(found)]
        return [as_text(item) for item in found if item is not None] or None


class JsonEquals(Matcher):
    """The JSON body equals a document (WireMock's ``equalToJson``), optionally ignoring
    array order and extra elements (object members, trailing array items)."""

    kind: Literal["json_equals"] = "json_equals"
    value: Any
    ignore_array_order: bool = False
    ignore_extra_elements: bool = False

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if not request.is_json:
            return [Difference("json", "a JSON body", repr(request.text[:117] or "nothing"))]
        if self._same(self.value, request.json):
            return []
        shown = repr(request.json)
        return [Difference("json", f"equal to {self.value!r}", shown[:120])]

    def _same(self, expected: Any, actual: Any) -> bool:
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                return False
            if not self.ignore_extra_elements and actual.keys() != expected.keys():
                return False
            return all(k in actual and self._same(v, actual[k]) for k, v in expected.items())
        if isinstance(expected, list):
            return isinstance(actual, list) and self._same_items(expected, actual)
        if isinstance(expected, bool) or isinstance(actual, bool):
            return expected is actual
        return bool(expected == actual)

    def _same_items(self, expected: list[Any], actual: list[Any]) -> bool:
        if len(actual) != len(expected) and not (
            self.ignore_extra_elements and len(actual) > len(expected)
        ):
            return False
        if not self.ignore_array_order:
            return all(self._same(e, a) for e, a in zip(expected, actual, strict=False))
        unused = list(actual)
        for wanted in expected:
            found = next((i for i, item in enumerate(unused) if self._same(wanted, item)), None)
            if found is None:
                return False
            del unused[found]
        return True


__all__ = [
    "Cookie",
    "JsonEquals",
    "JsonPathValue",
    "PathParam",
    "WireMockUrl",
    "full_match",
    "request_url",
    "value_request",
]
