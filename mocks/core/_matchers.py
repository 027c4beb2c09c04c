"""Composable request matchers.

A matcher is a small value (a pydantic model, so the admin API can carry it as JSON)
that says whether a recorded request matches, and when it does not, which fields
differed. Matchers compose with ``&``, ``|`` and ``~``::

    Method("POST") & Path("/users/{id}", op="template") & ~Header("x-debug", op="present")

Lookups are one mechanism, the ``op`` argument: ``eq``, ``contains``, ``regex``,
``startswith``, ``endswith``, ``present`` and ``absent`` (not every matcher takes all).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializeAsAny,
    field_validator,
)

from ._jsonpath import MISSING, JsonPathExpr
from ._kinds import KindModel, KindRegistry
from ._request import RecordedRequest

Op = Literal["eq", "contains", "regex", "startswith", "endswith", "present", "absent"]


@dataclass(frozen=True, slots=True)
class Difference:
    """One way a request differed from a matcher: (field, expected, actual)."""

    field: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.field}: expected {self.expected}, got {self.actual}"


@dataclass(frozen=True, slots=True)
class Facet:
    """A request field some matchers require to hold one exact value.

    ``Header("X-Key", "k3")`` requires the facet ``header x-key`` to be ``"k3"``; the
    engine groups many such expectations by that value, so a request tries only those
    its own value can satisfy (`values`).
    """

    source: Literal["header", "query", "json"]
    #: The header name (lower case), the query parameter, or the JSON body's top-level key.
    name: str

    def values(self, request: RecordedRequest) -> Sequence[Hashable]:
        """The request's values of this field: a matcher requiring another value misses."""
        if self.source == "header":
            return request.headers.getall(self.name, [])
        if self.source == "query":
            return request.query.getall(self.name, [])
        document = request.json if request.is_json else None
        if not isinstance(document, dict) or self.name not in document:
            return []
        found = document[self.name]
        # A list or an object never equals the scalar a matcher requires.
        return [] if isinstance(found, dict | list) else [found]


#: A facet and the value a matcher requires it to hold.
Requirement = tuple[Facet, Hashable]


def json_contains(actual: Any, expected: Any) -> bool:
    """Whether `actual` contains `expected`: objects by subset, arrays by members, else equal."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        # a plain loop: cheaper than all() over a generator, for a body tried against
        # hundreds of expectations
        for key, value in expected.items():
            if key not in actual:
                return False
            found = actual[key]
            if isinstance(value, dict | list):
                if not json_contains(found, value):
                    return False
            elif found != value:
                return False
        return True
    if isinstance(expected, list):
        return isinstance(actual, list) and all(
            any(json_contains(item, wanted) for item in actual) for wanted in expected
        )
    return bool(actual == expected)


def _compare(op: Op, expected: Any, actual: Any, regex: re.Pattern[str] | None) -> bool:
    if op == "present":
        return actual is not MISSING
    if op == "absent":
        return actual is MISSING
    if actual is MISSING:
        return False
    if op == "eq":
        return bool(actual == expected)
    if op == "contains":
        if isinstance(actual, str) and isinstance(expected, str):
            return expected in actual
        return json_contains(actual, expected)
    text = actual if isinstance(actual, str) else str(actual)
    if op == "regex":
        assert regex is not None
        return regex.search(text) is not None
    if op == "startswith":
        return text.startswith(str(expected))
    return text.endswith(str(expected))


def _describe(op: Op, expected: Any) -> str:
    if op in ("present", "absent"):
        return op
    shown = repr(expected)
    return shown if op == "eq" else f"{op} {shown}"


def _show(actual: Any) -> str:
    if actual is MISSING:
        return "nothing"
    shown = repr(actual)
    return shown if len(shown) <= 120 else shown[:117] + "..."


class Matcher(KindModel):
    """Base of all matchers. Subclasses set a unique ``kind`` and implement `differences`."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    #: Every matcher class by its ``kind`` (a duplicate kind is refused).
    registry: ClassVar[KindRegistry[Matcher]] = KindRegistry("matcher")
    kind: str

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        Matcher.registry.register(cls)

    def matches(self, request: RecordedRequest) -> bool:
        """Whether the request matches."""
        return not self.differences(request)

    def differences(self, request: RecordedRequest) -> list[Difference]:
        """The fields in which the request differs; empty when it matches."""
        raise NotImplementedError

    def exact_paths(self) -> frozenset[str] | None:
        """The only paths this matcher can match, or None when it is not limited to a set."""
        return None

    def path_prefix(self) -> str | None:
        """A literal prefix every matching path starts with, or None when there is none."""
        return None

    def path_literal(self) -> str | None:
        """A text every matching path contains, or None (indexes unanchored regexes)."""
        return None

    def requirements(self) -> list[Requirement]:
        """Fields every matching request holds with exactly these values (for the index)."""
        return []

    def captures(self, request: RecordedRequest) -> dict[str, str]:
        """Named captures of path templates and regexes within this matcher."""
        return {}

    @property
    def serializable(self) -> bool:
        """False when the matcher holds Python code (a predicate) the admin API cannot carry."""
        return True

    def __and__(self, other: Matcher) -> Matcher:
        return And(all=[*_flatten(self, And), *_flatten(other, And)])

    def __or__(self, other: Matcher) -> Matcher:
        return Or(any=[*_flatten(self, Or), *_flatten(other, Or)])

    def __invert__(self) -> Matcher:
        return Not(matcher=self)


def _flatten(matcher: Matcher, kind: type[Matcher]) -> list[Matcher]:
    if isinstance(matcher, And) and kind is And:
        return list(matcher.all)
    if isinstance(matcher, Or) and kind is Or:
        return list(matcher.any)
    return [matcher]


def parse_matcher(value: Any) -> Any:
    """Turn a JSON object with a ``kind`` into the matcher class registered for it."""
    return Matcher.registry.parse(value)


AnyMatcher = Annotated[SerializeAsAny[Matcher], BeforeValidator(parse_matcher)]


class _LookupMatcher(Matcher):
    """Shared machinery of matchers that compare one value with an ``op``.

    A subclass names its field (`_label`) and looks its value up (`_lookup`); a field
    that may repeat (headers, query and form fields: `_repeats`) is looked up as the list
    of its values, any one of which may match. `matches` only compares: a request tried
    against many expectations builds no `Difference` for those it misses.
    """

    value: Any = None
    op: Op = "eq"
    _regex: re.Pattern[str] | None = PrivateAttr(default=None)
    _repeats: ClassVar[bool] = False

    def model_post_init(self, context: Any) -> None:
        if self.op == "regex":
            try:
                self._regex = re.compile(str(self.value))
            except re.error as exc:
                raise ValueError(f"value: invalid regular expression: {exc}") from exc

    def _label(self) -> str:
        """The field's name in a `Difference` (``header[X-Key]``)."""
        raise NotImplementedError

    def _lookup(self, request: RecordedRequest) -> Any:
        """The field's value in `request` (`MISSING` if absent; a list if it repeats)."""
        raise NotImplementedError

    def _pattern(self) -> re.Pattern[str] | None:
        """`_regex`, read from the private dict: pydantic's attribute lookup for a private
        attribute was most of a miss's cost when a request tried hundreds of matchers."""
        private = self.__pydantic_private__
        return private["_regex"] if private else None

    def matches(self, request: RecordedRequest) -> bool:
        actual = self._lookup(request)
        op, value = self.op, self.value
        regex = self._pattern() if op == "regex" else None
        if not self._repeats:
            return _compare(op, value, actual, regex)
        if op in ("present", "absent") or not actual:
            return _compare(op, value, actual[0] if actual else MISSING, regex)
        for item in actual:  # noqa: SIM110 (a plain loop: cheaper than any() over a generator)
            if _compare(op, value, item, regex):
                return True
        return False

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if self.matches(request):
            return []
        actual = self._lookup(request)
        if self._repeats:
            actual = MISSING if not actual else actual[0] if len(actual) == 1 else actual
        return [Difference(self._label(), _describe(self.op, self.value), _show(actual))]


def _required_text(matcher: _LookupMatcher, facet: Facet) -> list[Requirement]:
    """An ``eq`` on a text value requires it; other ops and values require nothing."""
    if matcher.op == "eq" and isinstance(matcher.value, str):
        return [(facet, matcher.value)]
    return []


class Anything(Matcher):
    """Matches every request."""

    kind: Literal["any"] = "any"

    def differences(self, request: RecordedRequest) -> list[Difference]:
        return []


#: The methods of RFC 9110 and PATCH; others need ``custom=True``.
STANDARD_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class Method(Matcher):
    """The HTTP method, case-insensitively (``custom=True`` allows an extension method)."""

    kind: Literal["method"] = "method"
    value: str
    custom: bool = Field(False, exclude_if=lambda custom: not custom)

    @field_validator("value")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    def model_post_init(self, context: Any) -> None:
        if self.value in STANDARD_METHODS or (self.custom and _TOKEN.match(self.value)):
            return
        if "/" in self.value:
            raise ValueError(
                f"method {self.value!r} looks like a path; give the method first "
                f"(expect('GET', {self.value.lower()!r})) or use path="
            )
        known = ", ".join(STANDARD_METHODS)
        if self.custom:
            raise ValueError(f"method {self.value!r} is not a valid HTTP method token")
        raise ValueError(
            f"method {self.value!r} is not an HTTP method; use one of {known} "
            "(or custom=True for an extension method)"
        )

    def matches(self, request: RecordedRequest) -> bool:
        return request.method == self.value

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if request.method == self.value:
            return []
        return [Difference("method", self.value, request.method)]


_TEMPLATE_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]+))?\}")


def compile_path_template(template: str) -> re.Pattern[str]:
    """Compile ``/users/{id}`` (or ``{id:[0-9]+}``) into an anchored regex with named groups."""
    pattern, last = [], 0
    for found in _TEMPLATE_PARAM.finditer(template):
        pattern.append(re.escape(template[last : found.start()]))
        pattern.append(f"(?P<{found.group(1)}>{found.group(2) or '[^/]+'})")
        last = found.end()
    pattern.append(re.escape(template[last:]))
    try:
        return re.compile("^" + "".join(pattern) + "$")
    except re.error as exc:
        raise ValueError(f"invalid path template {template!r}: {exc}") from exc


_REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()")


def _literal_prefix(pattern: str) -> str:
    """The literal text a regex (after its ``^``) starts with, up to the first special."""
    prefix: list[str] = []
    for index, char in enumerate(pattern):
        if char in _REGEX_SPECIAL:
            # A quantifier makes the character before it optional or repeated.
            if char in "*?{" and prefix:
                prefix.pop()
            break
        prefix.append(char)
        if index + 1 == len(pattern):
            break
    return "".join(prefix)


def required_literal(pattern: str) -> str | None:
    """The longest text every match of `pattern` contains (``x123`` of ``x123$``), or None.

    Conservative: a pattern with a top-level ``|``, inline flags or a run shorter than
    two characters gives None; groups, classes and quantified characters end a run.
    """
    if pattern.startswith("(?") and not pattern.startswith(("(?:", "(?P<")):
        return None  # inline flags (case-insensitive, say) change what a literal means
    runs: list[str] = []
    run: list[str] = []
    depth, index = 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if depth == 0 and not escaped.isalnum():
                run.append(escaped)
                index += 2
                continue
            runs.append("".join(run))
            run = []
            index += 2
            continue
        if char == "[" and depth == 0:
            runs.append("".join(run))
            run = []
            closing = pattern.find("]", index + 2)
            index = len(pattern) if closing < 0 else closing + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == "|" and depth == 0:
            return None
        elif depth == 0 and char in "*?{" and run:
            run.pop()  # the character before is optional (or repeated from zero)
        if char == "{" and depth == 0:  # a {m,n} quantifier: its digits are no literal
            runs.append("".join(run))
            run = []
            closing = pattern.find("}", index)
            index = len(pattern) if closing < 0 else closing + 1
            continue
        if depth == 0 and char not in _REGEX_SPECIAL:
            run.append(char)
            index += 1
            continue
        runs.append("".join(run))
        run = []
        index += 1
    runs.append("".join(run))
    best = max(runs, key=len)
    return best if len(best) >= 2 else None


class Path(_LookupMatcher):
    """The URL path: ``eq`` (default), ``regex``, ``template`` (``/users/{id}``), and the rest."""

    kind: Literal["path"] = "path"
    value: str
    op: Literal["eq", "contains", "regex", "startswith", "endswith", "template"] = "eq"  # type: ignore[assignment]

    def model_post_init(self, context: Any) -> None:
        if self.op == "template":
            self._regex = compile_path_template(self.value)
        else:
            super().model_post_init(context)

    def matches(self, request: RecordedRequest) -> bool:
        op = self.op
        if op == "eq":
            return request.path == self.value
        if op == "template":
            return self._regex.match(request.path) is not None  # type: ignore[union-attr]
        if op == "regex":
            return self._regex.search(request.path) is not None  # type: ignore[union-attr]
        return super().matches(request)

    def _label(self) -> str:
        return "path"

    def _lookup(self, request: RecordedRequest) -> Any:
        return request.path

    def path_prefix(self) -> str | None:
        if self.op in ("eq", "startswith"):
            return self.value
        if self.op == "template":
            return self.value.partition("{")[0]
        if self.op == "regex" and self.value.startswith("^"):
            return _literal_prefix(self.value[1:]) or None
        return None

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if self.op == "template":
            assert self._regex is not None
            if self._regex.match(request.path):
                return []
            return [Difference("path", f"template {self.value!r}", _show(request.path))]
        return super().differences(request)

    def exact_paths(self) -> frozenset[str] | None:
        return frozenset((self.value,)) if self.op == "eq" else None

    def path_literal(self) -> str | None:
        if self.op == "regex":
            return required_literal(self.value)
        if self.op in ("contains", "endswith", "eq", "startswith"):
            return self.value or None
        return None

    def captures(self, request: RecordedRequest) -> dict[str, str]:
        if self._regex is None:
            return {}
        found = (
            self._regex.match(request.path)
            if self.op == "template"
            else self._regex.search(request.path)
        )
        return {k: v for k, v in found.groupdict().items() if v is not None} if found else {}


class Query(_LookupMatcher):
    """A query parameter; with several values, any one may match."""

    kind: Literal["query"] = "query"
    name: str

    _repeats: ClassVar[bool] = True

    def _label(self) -> str:
        return f"query[{self.name}]"

    def requirements(self) -> list[Requirement]:
        return _required_text(self, Facet("query", self.name))

    def _lookup(self, request: RecordedRequest) -> Any:
        return request.query.getall(self.name, [])


class Header(_LookupMatcher):
    """A request header (name case-insensitive); with several values, any one may match."""

    kind: Literal["header"] = "header"
    name: str

    _repeats: ClassVar[bool] = True

    def _label(self) -> str:
        return f"header[{self.name}]"

    def requirements(self) -> list[Requirement]:
        return _required_text(self, Facet("header", self.name.lower()))

    def _lookup(self, request: RecordedRequest) -> Any:
        return request.headers.getall(self.name, [])


class JsonBody(Matcher):
    """The JSON body: ``eq`` (the whole document) or ``contains`` (a partial document)."""

    kind: Literal["json"] = "json"
    value: Any
    op: Literal["eq", "contains"] = "eq"

    def requirements(self) -> list[Requirement]:
        if not isinstance(self.value, dict):
            return []
        return [
            (Facet("json", key), value)
            for key, value in self.value.items()
            if isinstance(value, str | int | float | bool) or value is None
        ]

    def matches(self, request: RecordedRequest) -> bool:
        if not request.is_json:
            return False
        actual = request.json
        return bool(actual == self.value) if self.op == "eq" else json_contains(actual, self.value)

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if not request.is_json:
            return [Difference("json", "a JSON body", _show(request.text or MISSING))]
        if self.matches(request):
            return []
        return [Difference("json", _describe(self.op, self.value), _show(request.json))]


class JsonPath(_LookupMatcher):
    """A value inside the JSON body, addressed like ``$.messages[-1].content``."""

    kind: Literal["json_path"] = "json_path"
    path: str
    _expr: JsonPathExpr = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        try:
            self._expr = JsonPathExpr(self.path)
        except ValueError as exc:
            raise ValueError(f"path: {exc}") from exc
        super().model_post_init(context)

    def _label(self) -> str:
        return f"json {self.path}"

    def _lookup(self, request: RecordedRequest) -> Any:
        return self._expr.find(request.json) if request.is_json else MISSING


class Body(_LookupMatcher):
    """The body as text: ``eq``, ``contains``, ``regex``, ``startswith``, ``endswith``."""

    kind: Literal["body"] = "body"
    value: str

    def _label(self) -> str:
        return "body"

    def _lookup(self, request: RecordedRequest) -> Any:
        return request.text


class Form(_LookupMatcher):
    """A form field of a urlencoded or multipart body; a file part compares its filename.

    ``Form(name="messaging_product", value="whatsapp")``; ``Form(name="file", op="present")``.
    """

    kind: Literal["form"] = "form"
    name: str

    _repeats: ClassVar[bool] = True

    def _label(self) -> str:
        return f"form[{self.name}]"

    def _lookup(self, request: RecordedRequest) -> Any:
        values: list[Any] = list(request.form.getall(self.name, []))
        return values + [f.filename for f in request.files if f.name == self.name]


class Predicate(Matcher):
    """A Python function of the request (in-process only; the admin API cannot carry it)."""

    kind: Literal["predicate"] = "predicate"
    function: Callable[[RecordedRequest], bool] = Field(exclude=True)
    description: str = "predicate"

    @property
    def serializable(self) -> bool:
        return False

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if self.function(request):
            return []
        return [Difference(self.description, "true", "false")]


class And(Matcher):
    """Every matcher must match."""

    kind: Literal["and"] = "and"
    all: list[AnyMatcher]

    def matches(self, request: RecordedRequest) -> bool:
        # A plain loop: measurably faster than all() with a generator on the hot path.
        for matcher in self.all:  # noqa: SIM110
            if not matcher.matches(request):
                return False
        return True

    def path_prefix(self) -> str | None:
        found = [p for p in (m.path_prefix() for m in self.all) if p is not None]
        return max(found, key=len) if found else None

    def differences(self, request: RecordedRequest) -> list[Difference]:
        return [d for m in self.all for d in m.differences(request)]

    def exact_paths(self) -> frozenset[str] | None:
        found = [p for p in (m.exact_paths() for m in self.all) if p is not None]
        return frozenset.intersection(*found) if found else None

    def path_literal(self) -> str | None:
        found = [p for p in (m.path_literal() for m in self.all) if p is not None]
        return max(found, key=len) if found else None

    def requirements(self) -> list[Requirement]:
        return [found for matcher in self.all for found in matcher.requirements()]

    def captures(self, request: RecordedRequest) -> dict[str, str]:
        merged: dict[str, str] = {}
        for matcher in self.all:
            merged.update(matcher.captures(request))
        return merged

    @property
    def serializable(self) -> bool:
        return all(m.serializable for m in self.all)


class Or(Matcher):
    """At least one matcher must match; the differences reported are the nearest one's."""

    kind: Literal["or"] = "or"
    any: list[AnyMatcher]

    def matches(self, request: RecordedRequest) -> bool:
        return any(m.matches(request) for m in self.any)

    def differences(self, request: RecordedRequest) -> list[Difference]:
        best: list[Difference] | None = None
        for matcher in self.any:
            found = matcher.differences(request)
            if not found:
                return []
            if best is None or len(found) < len(best):
                best = found
        return best or [Difference("any", "one of the alternatives", "none matched")]

    def path_prefix(self) -> str | None:
        found = [m.path_prefix() for m in self.any]
        if not found or any(p is None for p in found):
            return None
        # Character by character on purpose: a prefix such as "/us" is still a prefix.
        return os.path.commonprefix([p for p in found if p is not None])  # noqa: RUF071

    def exact_paths(self) -> frozenset[str] | None:
        found = [m.exact_paths() for m in self.any]
        if not found or any(p is None for p in found):
            return None
        return frozenset().union(*(p for p in found if p is not None))

    def captures(self, request: RecordedRequest) -> dict[str, str]:
        for matcher in self.any:
            if matcher.matches(request):
                return matcher.captures(request)
        return {}

    @property
    def serializable(self) -> bool:
        return all(m.serializable for m in self.any)


class Not(Matcher):
    """The matcher must not match."""

    kind: Literal["not"] = "not"
    matcher: AnyMatcher

    def matches(self, request: RecordedRequest) -> bool:
        return not self.matcher.matches(request)

    def differences(self, request: RecordedRequest) -> list[Difference]:
        if not self.matcher.matches(request):
            return []
        return [Difference("not", f"not {self.matcher.model_dump(mode='json')}", "it matched")]

    @property
    def serializable(self) -> bool:
        return self.matcher.serializable


def describe_matcher(matcher: Matcher) -> str:
    """A short readable label: ``POST /orders json_path{...}``."""
    return _summary(matcher.model_dump(mode="json"))


def _summary(matcher: dict[str, Any]) -> str:
    kind = matcher.get("kind")
    if kind == "and":
        return " ".join(_summary(m) for m in matcher["all"])
    if kind == "method":
        return str(matcher["value"])
    if kind == "path":
        op = matcher.get("op", "eq")
        value = matcher["value"]
        return str(value) if op in ("eq", "template") else f"path {op} {value!r}"
    if kind == "any":
        return "any request"
    if kind in ("header", "query", "form"):
        op, field = matcher.get("op", "eq"), f"{kind}[{matcher['name']}]"
        if op in ("present", "absent"):
            return f"{field} {op}"
        value = matcher.get("value")
        return f"{field}={value!r}" if op == "eq" else f"{field} {op} {value!r}"
    fields = {k: v for k, v in matcher.items() if k not in ("kind", "custom")}
    return f"{kind}{fields}"


def build_matcher(
    method: str | None = None,
    path: str | None = None,
    *,
    path_regex: str | None = None,
    path_template: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    json: Any = None,
    json_contains: Any = None,
    json_path: dict[str, Any] | None = None,
    body: str | None = None,
    body_contains: str | None = None,
    body_regex: str | None = None,
    predicate: Callable[[RecordedRequest], bool] | None = None,
    matcher: Matcher | None = None,
    custom_method: bool = False,
) -> Matcher:
    """Build one matcher from the keyword form `expect()` and `requests.matching()` take.

    A ``path`` containing ``{name}`` is a template. ``json_path`` maps expressions to the
    expected values (each compared with ``eq``). ``custom_method`` allows a method outside
    the standard ones.
    """
    parts: list[Matcher] = []
    if method is not None and method != "*":
        parts.append(Method(value=method, custom=custom_method))
    if path is not None:
        op = "template" if _TEMPLATE_PARAM.search(path) else "eq"
        parts.append(Path(value=path, op=op))
    if path_regex is not None:
        parts.append(Path(value=path_regex, op="regex"))
    if path_template is not None:
        parts.append(Path(value=path_template, op="template"))
    parts.extend(Query(name=k, value=v) for k, v in (query or {}).items())
    parts.extend(Header(name=k, value=v) for k, v in (headers or {}).items())
    if json is not None:
        parts.append(JsonBody(value=json))
    if json_contains is not None:
        parts.append(JsonBody(value=json_contains, op="contains"))
    parts.extend(JsonPath(path=k, value=v) for k, v in (json_path or {}).items())
    if body is not None:
        parts.append(Body(value=body))
    if body_contains is not None:
        parts.append(Body(value=body_contains, op="contains"))
    if body_regex is not None:
        parts.append(Body(value=body_regex, op="regex"))
    if predicate is not None:
        parts.append(Predicate(function=predicate))
    if matcher is not None:
        parts.append(matcher)
    return combine(parts)


def combine(parts: Iterable[Matcher]) -> Matcher:
    """One matcher requiring all of `parts` (``Anything`` when there are none)."""
    items = list(parts)
    if not items:
        return Anything()
    if len(items) == 1:
        return items[0]
    return And(all=items)
