"""Anthropic's error envelope and the errors the mock answers Messages API requests with.

Every error body is ``{"type": "error", "error": {"type", "message"}, "request_id"}``;
the ``type`` follows the status (400 ``invalid_request_error``, 401
``authentication_error``, 403 ``permission_error``, 404 ``not_found_error``, 413
``request_too_large``, 429 ``rate_limit_error``, 500 ``api_error``, 529
``overloaded_error``). The SDK maps the status to its exception class (529 is
``OverloadedError``) and retries 408, 409, 429 and 5xx, waiting ``retry-after``.
The ``request_id`` is the response's ``request-id`` header, filled in when the
reply is finished.

>>> error = invalid_request("max_tokens: Field required")
>>> error.status, error.body()["error"]["type"]
(400, 'invalid_request_error')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mocks.core import Reply, ReplyError

ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_MESSAGES: dict[int, str] = {
    400: "Invalid request.",
    401: "invalid x-api-key",
    402: "Your credit balance is too low to access the Anthropic API.",
    403: "Your API key does not have permission to use the specified resource.",
    404: "Not found",
    413: "Request exceeds the maximum allowed number of bytes.",
    429: "This request would exceed your organization's rate limit. Please try again later.",
    500: "Internal server error",
    504: "Request timed out.",
    529: "Overloaded",
}


class AnthropicError(ReplyError):
    """An error the Messages API answers with; raise it anywhere while answering."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        Exception.__init__(self, message)
        self.status = status
        self.message = message or _MESSAGES.get(status, f"The API answered {status}.")
        self.type = type or error_type(status)
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body (the ``request_id`` is added when the reply is finished)."""
        return {"type": "error", "error": {"type": self.type, "message": self.message}}

    @property
    def reply(self) -> Reply:
        """The error response."""
        return Reply.json(self.body(), self.status, dict(self.headers))

    def __repr__(self) -> str:
        return f"AnthropicError({self.status}, {self.message!r}, type={self.type!r})"


def error_type(status: int) -> str:
    """The envelope ``type`` for a status."""
    if status in ERROR_TYPES:
        return ERROR_TYPES[status]
    return "api_error" if status >= 500 else "invalid_request_error"


def invalid_request(message: str) -> AnthropicError:
    """A 400 whose message names the field (``"messages.0.role: ..."``)."""
    return AnthropicError(400, message)


def invalid_json() -> AnthropicError:
    """A body that is not JSON."""
    return invalid_request("body: Invalid JSON payload received.")


def field_required(field: str) -> AnthropicError:
    """A required field is absent."""
    return invalid_request(f"{field}: Field required")


def missing_api_key() -> AnthropicError:
    """No ``x-api-key`` header (nor ``Authorization: Bearer``)."""
    return AnthropicError(401, "x-api-key header is required")


def invalid_api_key() -> AnthropicError:
    """A key the mock was told not to accept."""
    return AnthropicError(401, "invalid x-api-key")


def missing_version() -> AnthropicError:
    """No ``anthropic-version`` header."""
    return invalid_request("anthropic-version: header is required")


def model_not_found(model: str, hint: str = "") -> AnthropicError:
    """A model outside the catalogue; ``hint`` says how to serve it anyway."""
    return AnthropicError(404, f"model: {model}" + (f". {hint}" if hint else ""))


def rate_limited(kind: str, retry_after: float, headers: Mapping[str, str]) -> AnthropicError:
    """A 429 with ``retry-after`` (whole seconds) and the ``anthropic-ratelimit-*``
    ``headers``; ``kind`` is ``requests`` or ``tokens``."""
    what = "requests" if kind == "requests" else "input tokens"
    message = (
        f"This request would exceed the rate limit for your organization of {what} per "
        "minute. For details, refer to the rate-limit response headers; try again later."
    )
    return AnthropicError(
        429,
        message,
        headers={"retry-after": str(max(1, math.ceil(retry_after))), **headers},
    )


def overloaded() -> AnthropicError:
    """A 529: the API is temporarily overloaded."""
    return AnthropicError(529, "Overloaded")


def api_error() -> AnthropicError:
    """A 500."""
    return AnthropicError(500, "Internal server error")


def stream_error(message: str, type: str = "overloaded_error") -> dict[str, Any]:
    """The data of an ``error`` event ending a stream."""
    return {"type": "error", "error": {"type": type, "message": message}}
