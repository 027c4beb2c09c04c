"""Graph API errors, as the Cloud API answers them and as status webhooks carry them.

A failed call answers ``{"error": {"message", "type", "code", "error_data":
{"messaging_product", "details"}, "error_subcode"?, "fbtrace_id"}}``. Clients map the
numeric ``code`` to their own exception classes (pywa: 131030 ``RecipientNotInAllowedList``,
190 ``ExpiredAccessToken``, 132001 ``TemplateNotExists``, ...), so the code is what must be
right; the message and details are for the person reading the log.

A :class:`GraphError` is raised by the domain code and turned into a reply (or, for an
error WhatsApp reports later, into the ``errors`` of a failed status) by the mock.

>>> error = graph_error(131030)
>>> error.status, error.body("Atrace")["error"]["code"]
(400, 131030)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The ``type`` the Graph API gives WhatsApp errors.
OAUTH_EXCEPTION = "OAuthException"
#: Where Meta documents the codes (status webhooks link it in ``href``).
ERROR_CODES_URL = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What the mock knows about one error code: HTTP status, short title, explanation."""

    status: int
    title: str
    details: str


#: The codes the mock raises itself or lets a test program (``respond_with_error(code)``).
KNOWN_ERRORS: dict[int, ErrorInfo] = {
    0: ErrorInfo(401, "AuthException", "The app user could not be authenticated."),
    4: ErrorInfo(400, "Too many calls", "The app has reached its API call rate limit."),
    10: ErrorInfo(403, "Permission denied", "The permission is not granted or was removed."),
    100: ErrorInfo(400, "Invalid parameter", "A parameter is missing, misspelled or invalid."),
    190: ErrorInfo(401, "Access token has expired", "The access token is invalid or expired."),
    368: ErrorInfo(403, "Temporarily blocked for policies violations", "The account is blocked."),
    80007: ErrorInfo(400, "Rate limit issues", "The business account reached its rate limit."),
    130429: ErrorInfo(
        400, "Rate limit hit", "Cloud API message throughput for this number has been reached."
    ),
    130472: ErrorInfo(400, "User's number is part of an experiment", "Not sent: experiment."),
    131000: ErrorInfo(500, "Something went wrong", "The message failed for an unknown reason."),
    131005: ErrorInfo(403, "Access denied", "The permission is not granted or was removed."),
    131008: ErrorInfo(400, "Required parameter is missing", "A required parameter is missing."),
    131009: ErrorInfo(400, "Parameter value is not valid", "A parameter value is not valid."),
    131016: ErrorInfo(503, "Service unavailable", "The service is temporarily unavailable."),
    131021: ErrorInfo(
        400, "Recipient cannot be sender", "The sender and the recipient are the same number."
    ),
    131026: ErrorInfo(400, "Message undeliverable", "The recipient cannot receive this message."),
    131030: ErrorInfo(
        400,
        "Recipient phone number not in allowed list",
        "A test number may only message the phone numbers on its recipient list: add the "
        "recipient to the list and try again.",
    ),
    131031: ErrorInfo(403, "Account has been locked", "The business account is locked."),
    131042: ErrorInfo(400, "Business eligibility payment issue", "Payment setup is incomplete."),
    131047: ErrorInfo(
        400,
        "Re-engagement message",
        "More than 24 hours have passed since the recipient last wrote to this number: "
        "only a template message can reopen the conversation.",
    ),
    131048: ErrorInfo(400, "Spam rate limit hit", "Too many messages were flagged as spam."),
    131050: ErrorInfo(
        400, "User has stopped marketing messages", "The user opted out of marketing messages."
    ),
    131051: ErrorInfo(400, "Unsupported message type", "This message type is not supported."),
    131052: ErrorInfo(400, "Media download error", "The media the user sent could not be read."),
    131053: ErrorInfo(400, "Media upload error", "The media could not be uploaded."),
    131056: ErrorInfo(
        400,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages went from this number to the same recipient in a short time.",
    ),
    131057: ErrorInfo(
        503, "Account in maintenance mode", "The business account is in maintenance."
    ),
    132000: ErrorInfo(
        400,
        "Number of parameters does not match the expected number of params",
        "The template was sent with a different number of parameters than it defines.",
    ),
    132001: ErrorInfo(
        404,
        "Template name does not exist in the translation",
        "No approved template has this name in this language.",
    ),
    132005: ErrorInfo(400, "Translated text too long", "The filled-in template text is too long."),
    132007: ErrorInfo(400, "Template format character policy violated", "Policy violation."),
    132012: ErrorInfo(
        400, "Template parameter format mismatch", "A parameter has the wrong format."
    ),
    132015: ErrorInfo(400, "Template is paused", "The template was paused for low quality."),
    132016: ErrorInfo(400, "Template is disabled", "The template was disabled for low quality."),
    135000: ErrorInfo(400, "Generic user error", "The message failed because of a user error."),
}


class GraphError(Exception):
    """An error the Graph API answers with (or a status webhook reports).

    ``param`` names the offending request parameter (``text['body']``) when there is one.
    """

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        details: str | None = None,
        title: str | None = None,
        subcode: int | None = None,
        type: str = OAUTH_EXCEPTION,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details if details is not None else message
        self.title = title if title is not None else message
        self.subcode = subcode
        self.type = type
        self.param = param

    def body(self, fbtrace_id: str) -> dict[str, Any]:
        """The JSON body of the error response."""
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.type,
            "code": self.code,
            "error_data": {"messaging_product": "whatsapp", "details": self.details},
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["fbtrace_id"] = fbtrace_id
        return {"error": error}

    def webhook_error(self) -> dict[str, Any]:
        """The error as the ``errors`` of a failed status webhook carry it."""
        return {
            "code": self.code,
            "title": self.title,
            "message": self.title,
            "error_data": {"details": self.details},
            "href": ERROR_CODES_URL,
        }

    def __repr__(self) -> str:
        return f"GraphError({self.code}, {self.message!r}, status={self.status})"


def graph_error(code: int, details: str | None = None, *, status: int | None = None) -> GraphError:
    """The error with `code`, worded from :data:`KNOWN_ERRORS` (a generic text otherwise)."""
    info = KNOWN_ERRORS.get(code, ErrorInfo(400, f"Error {code}", f"The request failed ({code})."))
    return GraphError(
        code,
        f"(#{code}) {info.title}",
        status=info.status if status is None else status,
        details=details if details is not None else info.details,
        title=info.title,
    )


# -- authentication ---------------------------------------------------------------------


def missing_token() -> GraphError:
    """No bearer token (nor ``access_token`` query parameter) on the request."""
    return GraphError(
        190,
        "An access token is required to request this resource.",
        status=401,
        title="Access token missing",
    )


def invalid_token() -> GraphError:
    """A token that is not the mock's."""
    return GraphError(
        190,
        "Invalid OAuth access token - Cannot parse access token",
        status=401,
        title="Invalid access token",
    )


# -- the request ------------------------------------------------------------------------


def invalid_parameter(param: str, sentence: str) -> GraphError:
    """Code 100 naming `param`; `sentence` says what is wrong with it."""
    return GraphError(
        100, f"(#100) {sentence}", details=sentence, title="Invalid parameter", param=param
    )


def unknown_object(object_id: str, method: str = "get") -> GraphError:
    """A Graph id the mock does not know (subcode 33, as the Graph API answers)."""
    return GraphError(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        subcode=33,
        title="Invalid parameter",
        param="id",
    )


def unknown_path(path: str) -> GraphError:
    """A path the Graph API does not serve."""
    return GraphError(2500, f"Unknown path components: {path}", title="Unknown path")


# -- business rules -------------------------------------------------------------------


def recipient_not_allowed() -> GraphError:
    """131030: a test number messaged someone outside its recipient list."""
    return graph_error(131030)


def reengagement_required() -> GraphError:
    """131047: a free-form message outside the 24-hour customer-service window."""
    return graph_error(131047)


def throughput_exceeded() -> GraphError:
    """130429: the sending number's messages-per-second limit."""
    return graph_error(130429)


def pair_rate_limited() -> GraphError:
    """131056: too many messages to the same user in a short time."""
    return graph_error(131056)


def template_not_found(name: str, language: str) -> GraphError:
    """132001: no template with this name in this language."""
    return graph_error(132001, f"template name ({name}) does not exist in {language}")


def template_parameter_mismatch(component: str, expected: int, given: int) -> GraphError:
    """132000: a component was sent with the wrong number of parameters."""
    return graph_error(
        132000,
        f"{component}: number of localizable_params ({given}) does not match the expected "
        f"number of params ({expected})",
    )
