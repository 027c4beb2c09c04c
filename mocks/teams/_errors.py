"""The error bodies a bot meets: the connector's, its authorization refusal, Entra ID's.

- The Bot Connector answers ``{"error": {"code", "message"}}`` (the ErrorResponse of its
  API description), with Teams' codes: ``ConversationNotFound`` (404),
  ``BotNotInConversationRoster`` (403), ``MessageSizeTooBig`` (413), ``Throttled`` (429,
  with ``Retry-After``), ``BadArgument`` / ``BadSyntax`` (400), ...
- A connector call without a valid bearer token is refused before it reaches the API,
  with the web framework's own 401 body ``{"message": "Authorization has been denied
  for this request."}``.
- The token endpoint answers as Entra ID does: ``{"error", "error_description",
  "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}``, the
  description starting with the ``AADSTS<code>`` number.
"""

from __future__ import annotations

from typing import Any

#: The body of a connector call whose bearer token is missing or not accepted.
AUTH_DENIED_BODY: dict[str, str] = {"message": "Authorization has been denied for this request."}

#: The connector's error code for an HTTP status it answers without a more specific one.
_CODE_FOR_STATUS = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    412: "PreconditionFailed",
    413: "MessageSizeTooBig",
    415: "UnsupportedMediaType",
    429: "Throttled",
    502: "ServiceError",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


class ConnectorError(Exception):
    """An error the connector answers; raise it from the API logic, write `body()`.

    Example::

        raise ConnectorError.conversation_not_found()
        # -> 404 {"error": {"code": "ConversationNotFound", "message": "Conversation not found."}}
    """

    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The ErrorResponse document."""
        return {"error": {"code": self.code, "message": self.message}}

    def headers(self) -> dict[str, str]:
        """Headers the answer carries (``Retry-After`` when throttled)."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}

    @classmethod
    def for_status(cls, status: int, message: str) -> ConnectorError:
        """The generic error for `status` (the code Teams uses for that status)."""
        return cls(status, _CODE_FOR_STATUS.get(status, "ServiceError"), message)

    @classmethod
    def conversation_not_found(cls) -> ConnectorError:
        """404: the conversation id is unknown."""
        return cls(404, "ConversationNotFound", "Conversation not found.")

    @classmethod
    def activity_not_found(cls) -> ConnectorError:
        """404: the activity id is not in the conversation."""
        return cls(404, "ActivityNotFoundInConversation", "Activity not found in conversation.")

    @classmethod
    def member_not_found(cls) -> ConnectorError:
        """404: the member is not in the conversation."""
        return cls(404, "MemberNotFoundInConversation", "Member not found in conversation.")

    @classmethod
    def bot_not_in_roster(cls) -> ConnectorError:
        """403: the bot was removed from (or never added to) the conversation."""
        return cls(
            403, "BotNotInConversationRoster", "The bot is not part of the conversation roster."
        )

    @classmethod
    def message_too_big(cls) -> ConnectorError:
        """413: the activity is larger than Teams accepts."""
        return cls(413, "MessageSizeTooBig", "Message size too large.")

    @classmethod
    def throttled(cls, retry_after: int) -> ConnectorError:
        """429: too many requests; retry after `retry_after` seconds."""
        return cls(429, "Throttled", "Too many requests.", retry_after=retry_after)

    @classmethod
    def bad_argument(cls, message: str) -> ConnectorError:
        """400: a field of the request is missing or wrong."""
        return cls(400, "BadArgument", message)

    @classmethod
    def bad_syntax(cls) -> ConnectorError:
        """400: the body is not JSON."""
        return cls(400, "BadSyntax", "The request body is not valid JSON.")


class AadError(Exception):
    """An Entra ID (Azure AD) token endpoint error.

    `code` is the AADSTS number; `body()` needs the moment and the trace and correlation
    ids, which the caller draws from its seeded generator and clock.
    """

    def __init__(self, status: int, error: str, code: int, description: str) -> None:
        super().__init__(f"{error}: AADSTS{code}: {description}")
        self.status = status
        self.error = error
        self.code = code
        self.description = description

    def body(self, timestamp: str, trace_id: str, correlation_id: str) -> dict[str, Any]:
        """The error document; `timestamp` as Entra writes it (``2024-01-31 12:00:00Z``)."""
        text = (
            f"AADSTS{self.code}: {self.description}\r\nTrace ID: {trace_id}\r\n"
            f"Correlation ID: {correlation_id}\r\nTimestamp: {timestamp}"
        )
        return {
            "error": self.error,
            "error_description": text,
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }

    @classmethod
    def missing_parameter(cls, name: str) -> AadError:
        """A required form field is absent."""
        return cls(
            400,
            "invalid_request",
            900144,
            f"The request body must contain the following parameter: '{name}'.",
        )

    @classmethod
    def unsupported_grant(cls, grant_type: str) -> AadError:
        """A grant other than client_credentials."""
        return cls(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type}'.",
        )

    @classmethod
    def unknown_application(cls, client_id: str, tenant: str) -> AadError:
        """The client id is not the bot's app id."""
        return cls(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory '{tenant}'.",
        )

    @classmethod
    def missing_secret(cls) -> AadError:
        """Neither a secret nor an assertion was sent."""
        return cls(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' "
            "or 'client_secret'.",
        )

    @classmethod
    def invalid_secret(cls, client_id: str) -> AadError:
        """The secret is not the app's password."""
        return cls(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request "
            f"is the client secret value, not the client secret ID, for a secret added to "
            f"app '{client_id}'.",
        )

    @classmethod
    def invalid_scope(cls, scope: str) -> AadError:
        """A scope that is not a resource's ``/.default`` (client credentials need one)."""
        return cls(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {scope} is not valid. Client credential flows "
            "must have a scope value with /.default suffixed to the resource identifier.",
        )

    @classmethod
    def unknown_resource(cls, resource: str, tenant: str) -> AadError:
        """A ``/.default`` scope of a resource this directory does not know."""
        return cls(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {resource} was not found in the tenant named {tenant}.",
        )
