"""The OpenAI error envelope and the errors the mock answers with.

Every error body has the same shape, ``{"error": {"message", "type", "param",
"code"}}``, with ``param`` and ``code`` present (``null`` when they do not apply). The
SDK maps the status to its exception class (400 ``BadRequestError``, 401
``AuthenticationError``, 404 ``NotFoundError``, 429 ``RateLimitError``, 500 and up
``InternalServerError``) and reads ``code``, ``param`` and ``type`` off the body.

>>> err = missing_parameter("messages")
>>> err.status, err.body()["error"]["param"]
(400, 'messages')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mocks.core import Reply, ReplyError

INVALID_REQUEST = "invalid_request_error"
DOCS = "https://platform.openai.com/docs/api-reference"


def error_body(
    message: str,
    type: str = INVALID_REQUEST,
    param: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """The error envelope, every field present."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


class LLMError(ReplyError):
    """An error the API answers with: a status, the envelope's fields and headers.

    Raise it anywhere while answering (validation, auth, a responder): the engine's
    request path writes `reply`, built from the fields as they are when it is written.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = INVALID_REQUEST,
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        Exception.__init__(self, message)  # `reply` is built from the fields below
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return error_body(self.message, self.type, self.param, self.code)

    @property
    def reply(self) -> Reply:
        """The error response."""
        return Reply.json(self.body(), self.status, dict(self.headers))

    def __repr__(self) -> str:
        return (
            f"LLMError({self.status}, {self.message!r}, param={self.param!r}, code={self.code!r})"
        )


# -- 400: the request ------------------------------------------------------------------


def invalid_json() -> LLMError:
    """The body is not JSON (or not a JSON object)."""
    return LLMError(
        400,
        "We could not parse the JSON body of your request. The API expects a JSON "
        "object as the body; what was sent was not valid JSON.",
    )


def missing_parameter(param: str) -> LLMError:
    """A required parameter is absent."""
    return LLMError(
        400,
        f"Missing required parameter: '{param}'.",
        param=param,
        code="missing_required_parameter",
    )


def invalid_type(param: str, expected: str, value: Any) -> LLMError:
    """A parameter has the wrong JSON type; ``expected`` reads like ``"a string"``."""
    return LLMError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {describe(value)} instead.",
        param=param,
        code="invalid_type",
    )


def invalid_value(param: str, message: str, code: str = "invalid_value") -> LLMError:
    """A parameter has an unacceptable value; ``message`` says why."""
    return LLMError(400, message, param=param, code=code)


def unsupported_value(param: str, value: Any, supported: list[str]) -> LLMError:
    """A parameter is not one of the allowed values."""
    options = ", ".join(f"'{s}'" for s in supported[:-1])
    options = f"{options}, and '{supported[-1]}'" if len(supported) > 1 else f"'{supported[0]}'"
    return invalid_value(param, f"Invalid value: '{value}'. Supported values are: {options}.")


def below_minimum(param: str, minimum: float, value: Any, kind: str = "integer") -> LLMError:
    """A number under its lower bound."""
    return invalid_value(
        param,
        f"Invalid '{param}': {kind} below minimum value. Expected a value >= {minimum}, "
        f"but got {value} instead.",
        code=f"{kind}_below_min_value",
    )


def above_maximum(param: str, maximum: float, value: Any, kind: str = "integer") -> LLMError:
    """A number over its upper bound."""
    return invalid_value(
        param,
        f"Invalid '{param}': {kind} above maximum value. Expected a value <= {maximum}, "
        f"but got {value} instead.",
        code=f"{kind}_above_max_value",
    )


def unknown_parameter(param: str) -> LLMError:
    """A parameter the endpoint does not take."""
    return LLMError(400, f"Unrecognized request argument supplied: {param}", param=param)


def context_length_exceeded(
    window: int, prompt_tokens: int, completion_tokens: int = 0, *, param: str = "messages"
) -> LLMError:
    """The prompt (plus the requested completion) does not fit the context window."""
    if completion_tokens:
        total = prompt_tokens + completion_tokens
        detail = (
            f"However, you requested {total} tokens ({prompt_tokens} in the messages, "
            f"{completion_tokens} in the completion). Please reduce the length of the "
            "messages or completion."
        )
    else:
        detail = (
            f"However, your messages resulted in {prompt_tokens} tokens. Please reduce "
            "the length of the messages."
        )
    return LLMError(
        400,
        f"This model's maximum context length is {window} tokens. {detail}",
        param=param,
        code="context_length_exceeded",
    )


# -- 401, 404: who and what ------------------------------------------------------------


def missing_api_key() -> LLMError:
    """No ``Authorization: Bearer`` header (or ``api-key`` on Azure paths)."""
    return LLMError(
        401,
        "You didn't provide an API key. You need to provide your API key in an "
        "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    )


def invalid_api_key(key: str) -> LLMError:
    """A key the mock was told not to accept; shows it redacted, like the API."""
    shown = f"{key[:3]}{'*' * 4}{key[-4:]}" if len(key) > 8 else "*" * len(key)
    return LLMError(
        401,
        f"Incorrect API key provided: {shown}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
    )


#: What the 404 for an unknown model adds, so a user finds the way out at once.
UNKNOWN_MODEL_HINT = (
    "MockLLM serves the models of its catalogue only: to serve any model name, start it "
    "with allow_unknown_models=True (python -m mocks.llm --allow-unknown-models, or "
    'PATCH /__admin/llm/settings {{"allow_unknown_models": true}}); to add this one, '
    "pass extra_models=['{model}'] (--extra-models '{model}', or "
    'POST /__admin/llm/models {{"id": "{model}"}}).'
)


def model_not_found(model: str, *, param: str | None = None) -> LLMError:
    """A model that does not exist (or that the key may not use); the message says
    how to make MockLLM serve it."""
    return LLMError(
        404,
        f"The model `{model}` does not exist or you do not have access to it. "
        + UNKNOWN_MODEL_HINT.format(model=model),
        param=param,
        code="model_not_found",
    )


def wrong_endpoint(model: str, kind: str) -> LLMError:
    """A model used on an endpoint it does not serve."""
    if kind == "completion":
        message = (
            "This is not a chat model and thus not supported in the v1/chat/completions "
            "endpoint. Did you mean to use v1/completions?"
        )
    elif kind == "chat":
        message = (
            "This is a chat model and not supported in the v1/completions endpoint. "
            "Did you mean to use v1/chat/completions?"
        )
    else:
        message = f"The model `{model}` does not support this endpoint."
    return LLMError(404, message, param="model")


def invalid_url(method: str, path: str) -> LLMError:
    """A path the API does not have."""
    return LLMError(404, f"Invalid URL ({method} {path})")


# -- 429, 5xx: load and failure --------------------------------------------------------


def rate_limit_exceeded(
    model: str,
    *,
    kind: str,
    limit: int,
    used: int,
    requested: int,
    retry_after: float,
    headers: Mapping[str, str] | None = None,
) -> LLMError:
    """A requests- or tokens-per-minute budget is spent (``kind`` is ``requests``/``tokens``).

    Carries ``retry-after`` (whole seconds) and ``retry-after-ms``, which the SDKs
    honour before retrying, plus any ``x-ratelimit-*`` ``headers`` given.
    """
    unit = "RPM" if kind == "requests" else "TPM"
    per = "requests per min" if kind == "requests" else "tokens per min"
    message = (
        f"Rate limit reached for {model} on {per} ({unit}): Limit {limit}, Used {used}, "
        f"Requested {requested}. Please try again in {format_duration(retry_after)}."
    )
    all_headers = {
        "retry-after": str(max(1, math.ceil(retry_after))),
        "retry-after-ms": str(max(0, round(retry_after * 1000))),
        **(headers or {}),
    }
    return LLMError(429, message, type=kind, code="rate_limit_exceeded", headers=all_headers)


def insufficient_quota() -> LLMError:
    """The account is out of credit; retrying cannot help, so it says not to."""
    return LLMError(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        type="insufficient_quota",
        code="insufficient_quota",
        headers={"x-should-retry": "false"},
    )


def server_error() -> LLMError:
    """A 500 from the API."""
    return LLMError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
    )


def overloaded() -> LLMError:
    """A 503 from the API."""
    return LLMError(
        503,
        "The engine is currently overloaded, please try again later.",
        type="server_error",
    )


def error_for_status(status: int) -> LLMError:
    """A representative error for ``status``, for injected faults."""
    known = {
        400: lambda: LLMError(400, "Invalid request."),
        401: lambda: invalid_api_key("sk-invalid-key"),
        403: lambda: LLMError(
            403, "You are not allowed to make this request.", type="permission_error"
        ),
        404: lambda: LLMError(404, "The requested resource was not found."),
        409: lambda: LLMError(
            409, "The request conflicted with another request.", type="conflict_error"
        ),
        422: lambda: LLMError(422, "The request could not be processed."),
        429: lambda: rate_limit_exceeded(
            "the model", kind="requests", limit=1, used=1, requested=1, retry_after=1.0
        ),
        500: server_error,
        503: overloaded,
    }
    if status in known:
        return known[status]()
    kind = "server_error" if status >= 500 else INVALID_REQUEST
    return LLMError(status, f"The API answered with status {status}.", type=kind)


def describe(value: Any) -> str:
    """Name a JSON value's type the way the API's messages do (``"an integer"``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "an unknown value"


def format_duration(seconds: float) -> str:
    """A reset time as the ``x-ratelimit-reset-*`` headers write it (``"6m0s"``, ``"20ms"``,
    ``"1.5s"``), to the millisecond."""
    millis = round(seconds * 1000)
    if millis < 1000:
        return f"{millis}ms" if millis > 0 else "0ms"
    if millis < 60_000:  # most reset times: within the minute's window
        return f"{millis / 1000:g}s"  # at most five digits: "%g" writes them exactly
    whole, fraction = divmod(millis, 1000)
    minutes, secs = divmod(whole, 60)
    text = f"{secs}.{fraction:03d}".rstrip("0") + "s" if fraction else f"{secs}s"
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text
