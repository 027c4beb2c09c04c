"""Azure OpenAI's own errors and headers, for ``/openai/deployments/{deployment}/...``.

Azure serves the OpenAI API behind its API gateway, and the gateway answers in its own
envelope, ``{"error": {"code", "message"}}``, where ``code`` is the status as text
(``"401"``, ``"429"``) or a name (``"DeploymentNotFound"``): a missing or refused
``api-key`` (401), a path without ``api-version`` (404 ``Resource not found``), the
rate limit (429, with ``retry-after``), server failures. Errors the model itself
raises (a bad parameter, 400) pass through in OpenAI's envelope. Every answer carries
Azure's headers (``apim-request-id``, ``x-ms-region``, ``x-ms-deployment-name``...)
instead of OpenAI's ``openai-*`` ones.

>>> error = missing_key()
>>> error.status, error.body()["error"]["code"]
(401, '401')
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Mapping
from typing import Any

from ._errors import LLMError

API_VERSION = "2024-10-21"
REGION = "East US"
_MESSAGES = {
    401: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
    "provide a valid key for an active subscription and use a correct regional API "
    "endpoint for your resource.",
    403: "Access denied: the key or token is not allowed to use this deployment.",
    404: "Resource not found",
    408: "The request timed out.",
    429: "Requests to the OpenAI API on this deployment have exceeded the rate limit of "
    "your current pricing tier.",
    500: "The server had an error processing your request.",
    503: "The service is temporarily unable to process your request. Please try again later.",
}


class AzureError(LLMError):
    """An error Azure's gateway answers with (an `LLMError`, in Azure's envelope)."""

    def body(self) -> dict[str, Any]:
        """``{"error": {"code", "message"}}``."""
        return {"error": {"code": self.code or str(self.status), "message": self.message}}


def is_azure(path: str) -> bool:
    """Whether ``path`` is one of Azure's deployment (or ``/openai/...``) paths."""
    return path.startswith("/openai/")


def error_for_status(status: int, message: str | None = None) -> LLMError:
    """An injected or engine error on an Azure path: Azure's envelope, except a 400,
    which the model answers in OpenAI's."""
    if status == 400:
        return LLMError(400, message or "Invalid request.")
    text = message or _MESSAGES.get(status, f"The service answered {status}.")
    return AzureError(status, text, code=str(status))


def missing_key() -> AzureError:
    """No ``api-key`` header and no bearer token."""
    return AzureError(
        401,
        "Access denied due to missing subscription key. Make sure to include subscription "
        "key when making requests to an API.",
        code="401",
    )


def invalid_key() -> AzureError:
    """A key the mock was told not to accept."""
    return AzureError(401, _MESSAGES[401], code="401")


def missing_api_version() -> AzureError:
    """A deployment path without ``?api-version=`` (the gateway finds no route)."""
    return AzureError(404, "Resource not found", code="404")


def rate_limited(retry_after: float, headers: Mapping[str, str], operation: str) -> AzureError:
    """The 429 of Azure's rate limit, saying when to retry."""
    seconds = max(1, math.ceil(retry_after))
    return AzureError(
        429,
        f"Requests to the {operation} Operation under Azure OpenAI API version {API_VERSION} "
        "have exceeded the rate limit of your current pricing tier. Please retry after "
        f"{seconds} seconds.",
        code="429",
        headers={**headers, "retry-after": str(seconds)},
    )


def headers(deployment: str, rng: random.Random) -> dict[str, str]:
    """The headers every Azure answer carries."""
    request = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return {
        "apim-request-id": request,
        "x-request-id": request,
        "x-ms-region": REGION,
        "x-ms-rai-invoked": "true",
        "x-ms-deployment-name": deployment,
        "azureml-model-session": f"d{rng.randint(100, 999)}-20250101000000",
    }
