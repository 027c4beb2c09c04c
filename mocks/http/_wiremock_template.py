"""WireMock's response templates (the Handlebars subset mappings use) on the engine's templates.

`translate` reads every ``{{...}}`` (or ``{{{...}}}``) of a WireMock template once, when
the mapping is loaded, and writes an engine template (``template=True`` of
`StaticResponse`): what the engine fills itself maps straight onto its placeholders
(``request.query.x`` -> ``{{request.query.x}}``, ``request.headers.x``, ``request.path``,
``request.url``, ``request.method``, ``request.body``, a path template's parameters).
The helpers the engine does not have (``request.path.[n]``, ``request.query.x.[n]``,
``jsonPath request.body '$.x'``, ``randomValue``, ``now``) become *extras*: values
worked out per request by `Extra.value` and handed to the engine template as captures.
Any other expression is refused with a `MappingError`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
import shlex
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..core import RecordedRequest
from ._wiremock_errors import MappingError
from ._wiremock_jsonpath import WireMockJsonPath, as_text

_EXPRESSION = re.compile(r"\{\{\{?\s*(.*?)\s*\}?\}\}", re.S)
_NAME = r"(?:\[([^\]]+)\]|([A-Za-z_][\w-]*))"
_INDEX = r"\.\[(\d+)\]"
_DIRECT = {"request.url", "request.path", "request.method", "request.body"}
_PATH_SEGMENT = re.compile(rf"request\.(?:path|pathSegments){_INDEX}")
_PATH_PARAM = re.compile(r"request\.path\.([A-Za-z_]\w*)")
_SECTION = re.compile(rf"request\.(query|headers)\.{_NAME}(?:{_INDEX})?")
#: Characters of each ``randomValue`` type (lower-cased unless ``uppercase=true``).
_RANDOM_ALPHABETS = {
    "ALPHANUMERIC": "abcdefghijklmnopqrstuvwxyz0123456789",
    "ALPHABETIC": "abcdefghijklmnopqrstuvwxyz",
    "NUMERIC": "0123456789",
    "ALPHANUMERIC_AND_SYMBOLS": "abcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~",
    "HEXADECIMAL": "0123456789abcdef",
}
_UNITS = {
    "seconds": "seconds",
    "minutes": "minutes",
    "hours": "hours",
    "days": "days",
    "weeks": "weeks",
    "milliseconds": "milliseconds",
}
_JAVA_FORMAT = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
    ("SSS", "{ms}"),
    ("EEE", "%a"),
    ("Z", "%z"),
]


class Extra(BaseModel):
    """A value the engine's templates do not have, worked out per request."""

    model_config = ConfigDict(extra="forbid")
    name: str
    helper: Literal["segment", "query", "header", "json_path", "random", "now"]
    key: str = ""
    index: int = 0
    length: int = 0
    alphabet: str = ""
    uppercase: bool = False
    format: str = ""
    offset_seconds: float = 0.0
    offset_months: int = 0

    def value(self, request: RecordedRequest, rng: random.Random) -> str:
        """The value for one request (random ones from the mock's seeded generator)."""
        if self.helper == "segment":
            segments = request.path.strip("/").split("/")
            return segments[self.index] if self.index < len(segments) else ""
        if self.helper in ("query", "header"):
            source = request.query if self.helper == "query" else request.headers
            values = source.getall(self.key, [])
            return values[self.index] if self.index < len(values) else ""
        if self.helper == "json_path":
            if not request.is_json:
                return ""
            found = WireMockJsonPath(self.key).first(request.json)
            return as_text(found)
        if self.helper == "random":
            if self.alphabet == "UUID":
                return str(uuid.UUID(int=rng.getrandbits(128), version=4))
            text = "".join(rng.choice(self.alphabet) for _ in range(self.length))
            return text.upper() if self.uppercase else text
        return self._now()

    def _now(self) -> str:
        moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.offset_seconds)
        if self.offset_months:
            moment = _add_months(moment, self.offset_months)
        if self.format == "epoch":
            return str(int(moment.timestamp() * 1000))
        if self.format == "unix":
            return str(int(moment.timestamp()))
        if not self.format:
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return moment.strftime(self.format).replace("{ms}", f"{moment.microsecond // 1000:03d}")


def _add_months(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def translate(text: str, field: str, extras: list[Extra]) -> str:
    """The engine template for a WireMock template; new extras are appended to `extras`."""
    if "\\{{" in text:
        raise MappingError(field, "escaped braces (\\{{) in templates are not supported")

    def replace(found: re.Match[str]) -> str:
        return _placeholder(found.group(1), field, extras)

    return _EXPRESSION.sub(replace, text)


def _placeholder(expression: str, field: str, extras: list[Extra]) -> str:
    if expression in _DIRECT:
        return "{{" + expression + "}}"
    found = _PATH_SEGMENT.fullmatch(expression)
    if found:
        return _extra(extras, helper="segment", index=int(found[1]))
    found = _PATH_PARAM.fullmatch(expression)
    if found:
        return "{{request.path_params." + found[1] + "}}"
    found = _SECTION.fullmatch(expression)
    if found:
        section, name, index = found[1], found[2] or found[3], found[4]
        if index is None:
            return "{{request." + section + "." + name + "}}"
        helper = "query" if section == "query" else "header"
        return _extra(extras, helper=helper, key=name, index=int(index))
    words = _words(expression, field)
    if words and words[0] == "jsonPath":
        return _json_path(words, expression, field, extras)
    if words and words[0] == "randomValue":
        return _random(_options(words[1:], expression, field), expression, field, extras)
    if words and words[0] == "now":
        return _now(_options(words[1:], expression, field), expression, field, extras)
    raise MappingError(field, f"the template expression {{{{{expression}}}}} is not supported")


def _extra(extras: list[Extra], **fields: Any) -> str:
    extra = Extra(name=f"wiremock_{len(extras)}", **fields)
    extras.append(extra)
    return "{{request.path_params." + extra.name + "}}"


def _words(expression: str, field: str) -> list[str]:
    try:
        return shlex.split(expression, posix=True)
    except ValueError as exc:
        raise MappingError(field, f"cannot read {{{{{expression}}}}}: {exc}") from exc


def _options(words: list[str], expression: str, field: str) -> dict[str, str]:
    options = {}
    for word in words:
        name, sep, value = word.partition("=")
        if not sep:
            raise MappingError(field, f"{{{{{expression}}}}}: expected name=value, got {word!r}")
        options[name] = value
    return options


def _json_path(words: list[str], expression: str, field: str, extras: list[Extra]) -> str:
    if len(words) != 3 or words[1] != "request.body":
        raise MappingError(field, f"{{{{{expression}}}}}: only jsonPath request.body '$...'")
    try:
        WireMockJsonPath(words[2])
    except ValueError as exc:
        raise MappingError(field, f"{{{{{expression}}}}}: {exc}") from exc
    return _extra(extras, helper="json_path", key=words[2])


def _random(options: dict[str, str], expression: str, field: str, extras: list[Extra]) -> str:
    unknown = set(options) - {"length", "type", "uppercase"}
    kind = options.get("type", "ALPHANUMERIC")
    if unknown or (kind not in _RANDOM_ALPHABETS and kind != "UUID"):
        raise MappingError(field, f"{{{{{expression}}}}}: unsupported randomValue options")
    if kind == "UUID":
        return _extra(extras, helper="random", alphabet="UUID")
    if not options.get("length", "").isdigit():
        raise MappingError(field, f"{{{{{expression}}}}}: randomValue needs length=N")
    return _extra(
        extras,
        helper="random",
        length=int(options["length"]),
        alphabet=_RANDOM_ALPHABETS[kind],
        uppercase=options.get("uppercase") == "true",
    )


def _now(options: dict[str, str], expression: str, field: str, extras: list[Extra]) -> str:
    unknown = set(options) - {"format", "offset", "timezone"}
    timezone = options.get("timezone", "UTC")
    if unknown or timezone not in ("UTC", "GMT", "Z"):
        raise MappingError(field, f"{{{{{expression}}}}}: unsupported now options (UTC only)")
    seconds, months = _offset(options.get("offset", ""), expression, field)
    return _extra(
        extras,
        helper="now",
        format=_java_format(options.get("format", ""), expression, field),
        offset_seconds=seconds,
        offset_months=months,
    )


def _offset(text: str, expression: str, field: str) -> tuple[float, int]:
    if not text:
        return 0.0, 0
    amount, _, unit = text.strip().partition(" ")
    try:
        number = int(amount)
    except ValueError:
        raise MappingError(field, f"{{{{{expression}}}}}: offset is 'N unit'") from None
    unit = unit.strip().lower()
    if unit in ("months", "years"):
        return 0.0, number * (12 if unit == "years" else 1)
    if unit not in _UNITS:
        raise MappingError(field, f"{{{{{expression}}}}}: unknown offset unit {unit!r}")
    return dt.timedelta(**{_UNITS[unit]: number}).total_seconds(), 0


def _java_format(pattern: str, expression: str, field: str) -> str:
    """A Java date pattern (the common letters) as a strftime format."""
    if pattern in ("", "epoch", "unix"):
        return pattern
    out, position = [], 0
    while position < len(pattern):
        if pattern[position] == "'":
            end = pattern.find("'", position + 1)
            if end < 0:
                raise MappingError(field, f"{{{{{expression}}}}}: unclosed quote in format")
            out.append(pattern[position + 1 : end].replace("%", "%%") or "'")
            position = end + 1
            continue
        for java, python in _JAVA_FORMAT:
            if pattern.startswith(java, position):
                out.append(python)
                position += len(java)
                break
        else:
            char = pattern[position]
            if char.isalpha():
                raise MappingError(field, f"{{{{{expression}}}}}: format letter {char!r}")
            out.append(char.replace("%", "%%"))
            position += 1
    return "".join(out)


__all__ = ["Extra", "translate"]
