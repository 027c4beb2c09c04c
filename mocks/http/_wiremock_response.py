"""A WireMock response definition (a mapping's ``response``) as engine data.

The body, status and headers become a `WireMockResponse` (a registered responder: fixed
bytes, or an engine template plus the extras of `mocks.http._wiremock_template`); the
delays, the dribble and the fault become the expectation's own engine fields
(`FixedDelay`, `UniformDelay`, `LogNormalDelay`, `ChunkedDribble`, `FaultSpec`). Like
WireMock, it adds no ``Content-Type`` the mapping did not give, and it names the stub
in ``Matched-Stub-Id`` (and ``Matched-Stub-Name``).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr

from ..core import (
    ChunkedDribble,
    Fault,
    FaultSpec,
    FixedDelay,
    LogNormalDelay,
    Reply,
    ReplyContext,
    Responder,
    StaticResponse,
    UniformDelay,
    split_headers,
)
from ._wiremock_errors import MappingError, join
from ._wiremock_template import Extra, translate

_FIELDS = (
    "status",
    "statusMessage",
    "headers",
    "body",
    "jsonBody",
    "base64Body",
    "bodyFileName",
    "fixedDelayMilliseconds",
    "delayDistribution",
    "chunkedDribbleDelay",
    "fault",
    "transformers",
    "transformerParameters",
)
_BODIES = ("body", "jsonBody", "base64Body", "bodyFileName")
_FAULTS = (
    "EMPTY_RESPONSE",
    "MALFORMED_RESPONSE_CHUNK",
    "RANDOM_DATA_THEN_CLOSE",
    "CONNECTION_RESET_BY_PEER",
)


class _WithExtras(ReplyContext):
    """A reply context whose captures also hold the template's extras for this request."""

    def __init__(self, context: ReplyContext, extras: dict[str, str]) -> None:
        super().__init__(context.request, context.mock)
        self._base = context
        self._extras = extras

    @property
    def captures(self) -> dict[str, str]:
        return {**self._base.captures, **self._extras}


class WireMockResponse(Responder):
    """A WireMock mapping's answer: fixed bytes, or a template rendered by the engine."""

    kind: Literal["wiremock"] = "wiremock"
    status: int = Field(200, ge=100, le=599)
    #: A list of values sends the header once per value (WireMock's multi-valued headers).
    headers: dict[str, str | list[str]] = Field(default_factory=dict)
    body_base64: str = ""
    #: The engine template of the body (and headers), when the mapping is templated.
    template: str | None = None
    extras: list[Extra] = Field(default_factory=list)
    stub_id: str = ""
    stub_name: str | None = None
    _fixed: Reply | None = PrivateAttr(None)
    _templated: StaticResponse | None = PrivateAttr(None)

    def model_post_init(self, context: Any) -> None:
        stub: dict[str, str | list[str]] = {"Matched-Stub-Id": self.stub_id}
        if self.stub_name:
            stub["Matched-Stub-Name"] = self.stub_name
        if self.template is None:
            body = base64.b64decode(self.body_base64)
            headers, more = split_headers({**self.headers, **stub})
            self._fixed = Reply(self.status, headers, body, more_headers=more)
        else:
            self._templated = StaticResponse(
                status=self.status,
                headers={**self.headers, **stub},
                body=self.template,
                template=True,
            )

    async def reply(self, context: ReplyContext) -> Reply:
        fixed = self._fixed
        if fixed is not None:
            return Reply(
                fixed.status, dict(fixed.headers), fixed.body, more_headers=list(fixed.more_headers)
            )
        assert self._templated is not None
        rng = context.mock.rng
        values = {extra.name: extra.value(context.request, rng) for extra in self.extras}
        reply = await self._templated.reply(_WithExtras(context, values) if values else context)
        if not any(name.lower() == "content-type" for name in self.headers):
            reply.headers.pop("Content-Type", None)  # the engine's text default; WireMock adds none
        return reply


@dataclass
class ResponseParts:
    """What a response definition became: the responder and the expectation's own fields."""

    responder: WireMockResponse
    latency: FixedDelay | UniformDelay | LogNormalDelay | None = None
    dribble: ChunkedDribble | None = None
    fault: FaultSpec | None = None


def response_parts(
    response: Any,
    *,
    stub_id: str,
    stub_name: str | None,
    files: Path | None,
    field_name: str = "response",
) -> ResponseParts:
    """Translate a response definition; `files` is the root's ``__files`` folder."""
    if not isinstance(response, dict):
        raise MappingError(field_name, "must be an object")
    for key in response:
        if key not in _FIELDS:
            raise MappingError(join(field_name, key), "this response field is not supported")
    status = _status(response, field_name)
    templated = _templated(response, field_name)
    headers = _headers(response.get("headers"), join(field_name, "headers"))
    body = _body(response, files, field_name)
    extras: list[Extra] = []
    template = None
    if templated:
        text = body.decode("utf-8", "replace")
        template = translate(text, _body_field(response, field_name), extras)
        headers = {
            name: translate(value, join(field_name, "headers", name), extras)
            if isinstance(value, str)
            else [
                translate(item, join(field_name, "headers", name, str(index)), extras)
                for index, item in enumerate(value)
            ]
            for name, value in headers.items()
        }
    responder = WireMockResponse(
        status=status,
        headers=headers,
        body_base64=base64.b64encode(body).decode() if template is None else "",
        template=template,
        extras=extras,
        stub_id=stub_id,
        stub_name=stub_name,
    )
    return ResponseParts(
        responder,
        latency=_latency(response, field_name),
        dribble=_dribble(response.get("chunkedDribbleDelay"), field_name),
        fault=_fault(response.get("fault"), field_name),
    )


def _status(response: dict[str, Any], field_name: str) -> int:
    status = response.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise MappingError(join(field_name, "status"), "must be an HTTP status (100-599)")
    message = response.get("statusMessage")
    if message is not None:
        try:
            standard = HTTPStatus(status).phrase
        except ValueError:
            standard = None
        if message != standard:
            raise MappingError(
                join(field_name, "statusMessage"),
                f"only the standard reason phrase ({standard!r}) can be sent",
            )
    return status


def _templated(response: dict[str, Any], field_name: str) -> bool:
    transformers = response.get("transformers", [])
    where = join(field_name, "transformers")
    if not isinstance(transformers, list) or any(not isinstance(t, str) for t in transformers):
        raise MappingError(where, "must be a list of transformer names")
    for index, name in enumerate(transformers):
        if name != "response-template":
            raise MappingError(f"{where}[{index}]", f"the transformer {name!r} is not supported")
    if response.get("transformerParameters"):
        raise MappingError(
            join(field_name, "transformerParameters"), "transformer parameters are not supported"
        )
    return bool(transformers)


def _headers(headers: Any, field_name: str) -> dict[str, str | list[str]]:
    """A mapping's response headers; a list of values is sent once per value."""
    if headers is None:
        return {}
    if not isinstance(headers, dict):
        raise MappingError(field_name, "must be an object of name -> value")
    found: dict[str, str | list[str]] = {}
    for name, value in headers.items():
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                raise MappingError(join(field_name, name), "each value must be a string")
            found[name] = list(value)
        elif isinstance(value, str):
            found[name] = value
        else:
            raise MappingError(join(field_name, name), "must be a string or a list of strings")
    return found


def _body_field(response: dict[str, Any], field_name: str) -> str:
    given = [key for key in _BODIES if key in response]
    return join(field_name, given[0] if given else "body")


def _body(response: dict[str, Any], files: Path | None, field_name: str) -> bytes:
    given = [key for key in _BODIES if key in response]
    if len(given) > 1:
        raise MappingError(join(field_name, given[1]), f"give one of {', '.join(given)}")
    if not given:
        return b""
    key = given[0]
    value = response[key]
    where = join(field_name, key)
    if key == "jsonBody":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    if not isinstance(value, str):
        raise MappingError(where, "must be a string")
    if key == "body":
        return value.encode()
    if key == "base64Body":
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MappingError(where, f"not base64: {exc}") from exc
    return _body_file(value, files, where)


def _body_file(name: str, files: Path | None, where: str) -> bytes:
    if files is None:
        raise MappingError(where, "bodyFileName needs a WireMock root with a __files folder")
    if "{{" in name:
        raise MappingError(where, "templated file names are not supported")
    target = (files / name).resolve()
    if not target.is_relative_to(files.resolve()):
        raise MappingError(where, f"{name!r} is outside {files}")
    try:
        return target.read_bytes()
    except OSError as exc:
        raise MappingError(where, f"cannot read {target}: {exc.strerror or exc}") from exc


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise MappingError(where, "must be a number of milliseconds, 0 or more")
    return float(value)


def _latency(
    response: dict[str, Any], field_name: str
) -> FixedDelay | UniformDelay | LogNormalDelay | None:
    fixed = response.get("fixedDelayMilliseconds")
    distribution = response.get("delayDistribution")
    if fixed is not None and distribution is not None:
        raise MappingError(
            join(field_name, "delayDistribution"), "give fixedDelayMilliseconds or this, not both"
        )
    if fixed is not None:
        return FixedDelay(ms=_number(fixed, join(field_name, "fixedDelayMilliseconds")))
    if distribution is None:
        return None
    return delay_distribution(distribution, join(field_name, "delayDistribution"))


def delay_distribution(value: Any, where: str) -> UniformDelay | LogNormalDelay:
    """WireMock's ``{"type": "lognormal"|"uniform", ...}`` as an engine delay."""
    if not isinstance(value, dict):
        raise MappingError(where, "must be an object with a type")
    kind = value.get("type")
    if kind == "uniform" and set(value) <= {"type", "lower", "upper"}:
        lower = _number(value.get("lower"), join(where, "lower"))
        upper = _number(value.get("upper"), join(where, "upper"))
        if upper < lower:
            raise MappingError(join(where, "upper"), "must not be below lower")
        return UniformDelay(lower_ms=lower, upper_ms=upper)
    if kind == "lognormal" and set(value) <= {"type", "median", "sigma", "maxValue"}:
        median = _number(value.get("median"), join(where, "median"))
        sigma = _number(value.get("sigma"), join(where, "sigma"))
        if median <= 0:
            raise MappingError(join(where, "median"), "must be above 0")
        cap = value.get("maxValue")
        maximum = None if cap is None else _number(cap, join(where, "maxValue")) or None
        return LogNormalDelay(median_ms=median, sigma=sigma, max_ms=maximum)
    raise MappingError(where, "a uniform {lower, upper} or lognormal {median, sigma} delay")


def _dribble(value: Any, field_name: str) -> ChunkedDribble | None:
    if value is None:
        return None
    where = join(field_name, "chunkedDribbleDelay")
    if not isinstance(value, dict) or set(value) != {"numberOfChunks", "totalDuration"}:
        raise MappingError(where, "must be {numberOfChunks, totalDuration}")
    chunks = value["numberOfChunks"]
    if isinstance(chunks, bool) or not isinstance(chunks, int) or chunks < 1:
        raise MappingError(join(where, "numberOfChunks"), "must be a whole number, 1 or more")
    duration = _number(value["totalDuration"], join(where, "totalDuration"))
    return ChunkedDribble(chunks=chunks, duration_ms=duration)


def _fault(value: Any, field_name: str) -> FaultSpec | None:
    if value is None:
        return None
    if value not in _FAULTS:
        raise MappingError(join(field_name, "fault"), f"must be one of {', '.join(_FAULTS)}")
    return FaultSpec(fault=Fault(value))


__all__ = ["ResponseParts", "WireMockResponse", "delay_distribution", "response_parts"]
