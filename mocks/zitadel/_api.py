"""What every Zitadel API call shares: routing, the caller's token, protojson, errors.

Zitadel serves each v2 service on Connect paths (``POST /zitadel.user.v2.UserService/
AddHumanUser``, what the official SDKs call) and on REST paths of the gRPC gateway
(``POST /v2/users/human``); some management v1 REST paths too. Bodies are protojson:
camelCase names (snake_case accepted on input), 64-bit numbers as strings, enums as
their names, timestamps as RFC 3339. Every call needs a bearer token this provider
issued (an access token, a JWT access token or a personal access token). Errors are
Zitadel's: the Connect body on Connect paths, the gateway body elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from . import _errors as errors
from ._errors import ZitadelError
from ._http import HttpRequest, HttpResult
from ._state import State
from ._tokens import AccessToken

#: The path prefix of Connect calls (``/zitadel.<package>.<Service>/<Rpc>``).
CONNECT_PREFIX = "/zitadel."
#: Paths answered with Zitadel's API error bodies.
API_PREFIXES = (CONNECT_PREFIX, "/v2/", "/management/v1/")
BAD_BODY = ZitadelError("invalid_argument", "API-9dk2S", "invalid request body")
_DIGITS = re.compile(r"[0-9]+")

T = TypeVar("T")

#: A call: the request and its parsed body in, a protojson document (or a whole
#: result, when the call has side effects such as outbound requests) out.
ApiCall = Callable[[HttpRequest, dict[str, Any]], "dict[str, Any] | HttpResult"]


@dataclass(frozen=True)
class Rpc:
    """One API method: its Connect path and, when it has one, its REST route."""

    service: str
    name: str
    call: ApiCall
    rest: tuple[str, str] | None = None
    #: The route name (contracts are looked up by it); default: the method's name in
    #: snake case ("AddHumanUser" -> "add_human_user").
    route_name: str = ""

    @property
    def name_of_route(self) -> str:
        """`route_name`, or the method's name in snake case."""
        return self.route_name or re.sub(r"(?<!^)([A-Z])", r"_\1", self.name).lower()

    @property
    def connect_path(self) -> str:
        """``/zitadel.<package>.<Service>/<Rpc>``."""
        return f"/{self.service}/{self.name}"


class Service(Protocol):
    """A group of API methods (one of Zitadel's services, or part of one)."""

    def rpcs(self) -> list[Rpc]:
        """The methods, with their REST routes."""
        ...


def bearer_token(req: HttpRequest) -> str:
    """The access token of ``Authorization: Bearer ...`` (or the ``access_token`` parameter)."""
    header = req.header("authorization") or ""
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return req.params().get("access_token", "")


def timestamp(seconds: float) -> str:
    """A protojson Timestamp: RFC 3339 in UTC with a Z and 0, 3 or 6 fraction digits."""
    moment = datetime.fromtimestamp(seconds, UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond % 1000:
        text += f".{moment.microsecond:06d}"
    elif moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def parse_timestamp(value: Any, field: str) -> float:
    """Seconds since the epoch of a protojson Timestamp; a bad one is a 400 naming `field`."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise invalid_argument(field) from None


def duration(value: Any, field: str) -> float:
    """Seconds of a protojson Duration ("3600s", "1.5s"); a bad one is a 400 naming `field`."""
    text = str(value)
    try:
        seconds = float(text.removesuffix("s"))
    except ValueError:
        raise invalid_argument(field) from None
    if not text.endswith("s"):
        raise invalid_argument(field)
    return seconds


def unsigned(value: Any, field: str) -> int:
    """A protojson unsigned integer: a number or a string of digits (absent: 0); anything
    else is a 400 naming `field`, as protojson refuses it."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    raise invalid_argument(field)


def paged(items: list[T], query: dict[str, Any]) -> list[T]:
    """The page of `items` a list query (``offset``, ``limit``, ``asc``) asks for."""
    if get(query, "asc") is False:
        items = items[::-1]
    offset = unsigned(get(query, "offset"), "query.offset")
    limit = unsigned(get(query, "limit"), "query.limit")
    return items[offset : offset + limit] if limit else items[offset:]


def invalid_argument(field: str) -> ZitadelError:
    """A 400 whose message names the offending field (as protovalidate reports it)."""
    return ZitadelError("invalid_argument", "API-9dk2S", f"invalid {field}")


def get(body: dict[str, Any], camel: str) -> Any:
    """A field by its protojson (camelCase) name or its proto (snake_case) name."""
    if camel in body:
        return body[camel]
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)
    return body.get(snake)


def message(body: dict[str, Any], camel: str) -> dict[str, Any]:
    """A nested message field ({} when absent or not an object)."""
    value = get(body, camel)
    return value if isinstance(value, dict) else {}


def param(req: HttpRequest, body: dict[str, Any], camel: str) -> str:
    """A field that REST paths carry in the path (``{user_id}``) and Connect in the body."""
    snake = re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), camel)
    return req.path_params.get(snake) or str(get(body, camel) or "")


def repeated(body: dict[str, Any], camel: str) -> list[Any]:
    """A repeated field ([] when absent); anything but a list is a 400 naming it, as
    protojson refuses it."""
    value = get(body, camel)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_argument(camel)
    return value


def object_details(
    sequence: int, changed_at: float, owner: str, created_at: float | None = None
) -> dict[str, Any]:
    """The ``details`` of a changed object (``zitadel.object.v2.Details``)."""
    document: dict[str, Any] = {
        "sequence": str(sequence),
        "changeDate": timestamp(changed_at),
        "resourceOwner": owner,
    }
    if created_at is not None:
        document["creationDate"] = timestamp(created_at)
    return document


def list_details(total: int, now: float) -> dict[str, Any]:
    """The ``details`` of a list response."""
    return {"totalResult": str(total), "timestamp": timestamp(now)}


class ApiHandler:
    """Runs API calls: authenticates the caller, parses the body, shapes the errors."""

    def __init__(self, state: State) -> None:
        self.state = state

    def handle(self, req: HttpRequest, call: ApiCall) -> HttpResult:
        """Authenticate, parse the body, run `call`, and shape errors for REST or Connect."""
        try:
            self.caller(req)
            try:
                body = req.json() or {}
            except ValueError:
                raise BAD_BODY from None
            if not isinstance(body, dict):
                raise BAD_BODY
            result = call(req, body)
            return result if isinstance(result, HttpResult) else HttpResult.of_json(result)
        except ZitadelError as error:
            return error_result(req.path, error)

    def caller(self, req: HttpRequest) -> AccessToken:
        """The token the request authenticates with; raises Zitadel's 401 otherwise."""
        token = bearer_token(req)
        if not token:
            raise errors.AUTH_HEADER_INVALID
        record, failure = self.state.tokens.verify_access_token(token, issuer=req.base_url)
        if record is None or failure is not None:
            raise errors.TOKEN_INVALID
        return record

    def handler(self, call: ApiCall) -> Callable[[HttpRequest], HttpResult]:
        """A route handler running `call`."""
        return lambda req: self.handle(req, call)


def error_result(path: str, error: ZitadelError) -> HttpResult:
    """Zitadel's error body for `path`: Connect or gRPC gateway."""
    connect = path.startswith(CONNECT_PREFIX)
    return HttpResult.of_json(error.connect_body() if connect else error.rest_body(), error.status)
