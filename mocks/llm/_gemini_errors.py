"""Google's error envelope and the errors the mock answers Gemini requests with.

Every error body is ``{"error": {"code", "message", "status", "details"}}``: ``code``
repeats the HTTP status and ``status`` is the canonical name (400
``INVALID_ARGUMENT``, 403 ``PERMISSION_DENIED``, 404 ``NOT_FOUND``, 429
``RESOURCE_EXHAUSTED``, 500 ``INTERNAL``, 503 ``UNAVAILABLE``). ``details`` carries
typed objects: ``ErrorInfo`` (``API_KEY_INVALID``), ``BadRequest`` field violations,
``QuotaFailure`` and ``RetryInfo``. ``google-genai`` raises ``ClientError`` (4xx) or
``ServerError`` (5xx) with ``code``, ``status`` and ``message``.

>>> error = invalid_argument("generation_config.temperature", "out of range")
>>> error.body()["error"]["status"], error.body()["error"]["details"][0]["@type"]
('INVALID_ARGUMENT', 'type.googleapis.com/google.rpc.BadRequest')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mocks.core import Reply, ReplyError

STATUSES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_MESSAGES: dict[int, str] = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    413: "Request payload size exceeds the limit.",
    429: "Resource has been exhausted (e.g. check quota).",
    500: "An internal error has occurred. Please retry or report in "
    "https://developers.generativeai.google/guide/troubleshooting",
    503: "The model is overloaded. Please try again later.",
    504: "Deadline expired before operation could complete.",
}
_TYPE = "type.googleapis.com/google.rpc."
SERVICE = "generativelanguage.googleapis.com"


class GeminiError(ReplyError):
    """An error the Gemini API answers with; raise it anywhere while answering."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        Exception.__init__(self, message)
        self.code = code
        self.message = message or _MESSAGES.get(code, f"The API answered {code}.")
        self.status = status or STATUSES.get(code, "INTERNAL" if code >= 500 else "UNKNOWN")
        self.details = details or []
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body."""
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}

    @property
    def reply(self) -> Reply:
        """The error response."""
        return Reply.json(self.body(), self.code, dict(self.headers))

    def __repr__(self) -> str:
        return f"GeminiError({self.code}, {self.message!r}, status={self.status!r})"


def invalid_argument(field: str, description: str, message: str | None = None) -> GeminiError:
    """A 400 whose ``BadRequest`` detail names ``field`` (snake_case path)."""
    return GeminiError(
        400,
        message or f"* GenerateContentRequest.{field}: {description}",
        details=[
            {
                "@type": _TYPE + "BadRequest",
                "fieldViolations": [{"field": field, "description": description}],
            }
        ],
    )


def unknown_field(name: str, at: str = "") -> GeminiError:
    """A field the request message does not have (protobuf refuses it)."""
    where = f" at '{at}'" if at else ""
    return GeminiError(
        400,
        f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.',
        details=[
            {
                "@type": _TYPE + "BadRequest",
                "fieldViolations": [
                    {"field": at or name, "description": f"unknown field {name!r}"}
                ],
            }
        ],
    )


def missing_api_key() -> GeminiError:
    """No ``x-goog-api-key`` header and no ``?key=``."""
    return GeminiError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )


def invalid_api_key() -> GeminiError:
    """A key the mock was told not to accept."""
    message = "API key not valid. Please pass a valid API key."
    return GeminiError(
        400,
        message,
        details=[
            _error_info("API_KEY_INVALID"),
            {"@type": _TYPE + "LocalizedMessage", "locale": "en-US", "message": message},
        ],
    )


def _error_info(reason: str) -> dict[str, Any]:
    return {
        "@type": _TYPE + "ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": SERVICE},
    }


def model_not_found(model: str, version: str, method: str, hint: str = "") -> GeminiError:
    """A model outside the catalogue (or one that does not serve ``method``)."""
    return GeminiError(
        404,
        f"models/{model} is not found for API version {version}, or is not supported for "
        f"{method}. Call ListModels to see the list of available models and their supported "
        "methods." + (f" {hint}" if hint else ""),
    )


def resource_exhausted(model: str, limit: int, retry_after: float, kind: str) -> GeminiError:
    """A 429 with ``QuotaFailure`` and ``RetryInfo`` (the seconds to wait)."""
    metric = "requests" if kind == "requests" else "input_token_count"
    return GeminiError(
        429,
        "You exceeded your current quota, please check your plan and billing details. For "
        "more information on this error, head to: https://ai.google.dev/gemini-api/docs/"
        f"rate-limits. Please retry in {retry_after:.1f}s.",
        details=[
            {
                "@type": _TYPE + "QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": f"{SERVICE}/generate_content_{metric}",
                        "quotaId": f"GenerateContent{metric.title().replace('_', '')}PerMinute",
                        "quotaDimensions": {"location": "global", "model": model},
                        "quotaValue": str(limit),
                    }
                ],
            },
            {"@type": _TYPE + "RetryInfo", "retryDelay": f"{max(1, math.ceil(retry_after))}s"},
        ],
    )


def stream_error(message: str, code: int = 503) -> dict[str, Any]:
    """The body of an error that ends a stream."""
    return GeminiError(code, message).body()
