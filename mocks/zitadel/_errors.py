"""Zitadel's error shapes: OAuth errors, its own coded errors, and their REST/Connect bodies.

Zitadel answers OAuth endpoints with ``{"error", "error_description"}``. Where the failure
comes from its own domain layer the description is the untranslated message id (for
example ``Errors.AuthRequest.NoCode``) and the error is ``invalid_request`` (or
``server_error`` for 5xx), because Zitadel wraps those errors that way before the OIDC
library writes them. Its v2 APIs answer with the gRPC-gateway body
``{"code": <grpc code>, "message", "details"}`` on REST paths and the Connect body
``{"code": "<connect code>", "message", "details"}`` on Connect paths.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Literal

#: OAuth error codes Zitadel uses.
OAuthErrorCode = Literal[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_target",
    "access_denied",
    "server_error",
    "temporarily_unavailable",
    "login_required",
    "interaction_required",
    "consent_required",
    "request_not_supported",
    "authorization_pending",
    "slow_down",
    "expired_token",
]


class OAuthError(Exception):
    """An OAuth 2.0 / OIDC error, as Zitadel's OIDC endpoints send it.

    `status` is the HTTP status Zitadel writes: 400 unless the error carries its own
    (401 for userinfo, 500 for server errors). `description` is omitted from the body
    when empty, as Zitadel's OIDC library does.
    """

    def __init__(
        self,
        error: OAuthErrorCode,
        description: str = "",
        status: int | None = None,
        *,
        redirect: bool = True,
    ) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error: OAuthErrorCode = error
        self.description = description
        self.status = status if status is not None else (500 if error == "server_error" else 400)
        #: False for errors that must be shown, not redirected (a bad redirect_uri, say).
        self.redirect = redirect

    def body(self) -> dict[str, str]:
        """The JSON body: ``{"error"}`` plus ``error_description`` when there is one."""
        document: dict[str, str] = {"error": self.error}
        if self.description:
            document["error_description"] = self.description
        return document

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OAuthError) and (self.error, self.description, self.status) == (
            other.error,
            other.description,
            other.status,
        )

    def __hash__(self) -> int:
        return hash((self.error, self.description, self.status))

    def __repr__(self) -> str:
        return f"OAuthError({self.error!r}, {self.description!r}, status={self.status})"


#: Zitadel's error kinds: (gRPC code, Connect code, HTTP status).
ErrorKind = Literal[
    "invalid_argument",
    "failed_precondition",
    "not_found",
    "already_exists",
    "permission_denied",
    "unauthenticated",
    "internal",
    "unimplemented",
    "unavailable",
    "deadline_exceeded",
]

_KINDS: dict[str, tuple[int, int]] = {
    # kind: (gRPC code, HTTP status)
    "invalid_argument": (3, 400),
    "deadline_exceeded": (4, 504),
    "not_found": (5, 404),
    "already_exists": (6, 409),
    "permission_denied": (7, 403),
    "failed_precondition": (9, 400),
    "unimplemented": (12, 501),
    "internal": (13, 500),
    "unavailable": (14, 503),
    "unauthenticated": (16, 401),
}

#: English texts of the message ids the mock uses (Zitadel translates them for its APIs).
MESSAGES: dict[str, str] = {
    "Errors.Internal": "An internal error occurred",
    "Errors.User.NotFound": "User could not be found",
    "Errors.User.AlreadyExists": "User already exists",
    "Errors.User.Username.AlreadyExists": "Username already taken",
    "Errors.User.Profile.Empty": "Profile is empty",
    "Errors.User.Profile.FirstNameEmpty": "Given name in profile is empty",
    "Errors.User.Profile.LastNameEmpty": "Family name in profile is empty",
    "Errors.User.Email.Empty": "Email is empty",
    "Errors.User.Email.Invalid": "Email is invalid",
    "Errors.User.Password.Invalid": "Password is invalid",
    "Errors.User.Password.Empty": "Password is empty",
    "Errors.User.Password.NotSet": "User has not set a password",
    "Errors.User.Locked": "User is locked",
    "Errors.User.NotHuman": "The User must be personal",
    "Errors.User.Code.Invalid": "Code is invalid",
    "Errors.User.RefreshToken.Invalid": "Refresh Token is invalid",
    "Errors.User.Machine.Secret.NotExisting": "Secret doesn't exist",
    "Errors.User.Machine.Secret.Invalid": "Secret is invalid",
    "Errors.Token.Invalid": "Token is invalid",
    "Errors.AuthRequest.NotExisting": "Auth Request does not exist",
    "Errors.AuthRequest.AlreadyHandled": "Auth Request has already been handled",
    "Errors.DeviceAuth.NotFound": "Device Authorization Request does not exist",
    "Errors.User.NotFoundOnOrg": "User could not be found on chosen organization",
    "Errors.User.NotMachine": "The User must be technical",
    "Errors.User.UserIDMissing": "User ID missing",
    "Errors.User.UserIDWrong": "Request user not equal to authenticated user",
    "Errors.User.MFA.OTP.NotReady": "Multifactor OTP (OneTimePassword) isn't ready",
    "Errors.User.MFA.OTP.InvalidCode": "Invalid code",
    "Errors.User.PAT.NotFound": "Personal Access Token not found",
    "Errors.Session.NotExisting": "Session does not exist",
    "Errors.Session.Expired": "Session has expired",
    "Errors.Session.Token.Invalid": "Session Token is invalid",
    "Errors.Session.PositiveLifetime": "Session lifetime must not be less than 0",
    "Errors.Org.NotFound": "Organisation not found",
    "Errors.Org.AlreadyExists": "Organisation's name or id already taken",
    "Errors.Org.Invalid": "Organisation is invalid",
    "Errors.Project.NotFound": "Project not found",
    "Errors.UserGrant.AlreadyExists": "User grant already exists",
    "Errors.UserGrant.NotFound": "User grant not found",
    "Errors.UserGrant.RoleKeyNotFound": "Role not found",
    "Errors.Metadata.NotFound": "Metadata not found",
    "Errors.Metadata.Invalid": "Metadata is invalid",
    "Errors.TokenExchange.FeatureDisabled": (
        "Token Exchange feature is disabled for your instance. "
        "https://zitadel.com/docs/apis/resources/feature_service_v2/"
        "feature-service-set-instance-features"
    ),
    "Errors.TokenExchange.Token.Missing": "Token is missing",
    "Errors.TokenExchange.Token.Invalid": "Token is invalid",
    "Errors.TokenExchange.Token.TypeMissing": "Token type is missing",
    "Errors.TokenExchange.Token.TypeNotAllowed": "Token type is not allowed",
    "Errors.TokenExchange.Token.TypeNotSupported": "Token type is not supported",
    "Errors.TokenExchange.Impersonation.PolicyDisabled": (
        "Impersonation is disabled in the instance security policy"
    ),
    "Errors.OIDCSession.RefreshTokenInvalid": "Refresh Token is invalid",
    "Errors.OIDCSession.Token.Invalid": "Token is invalid",
    "Errors.OIDCSession.InvalidClient": "Token was not issued for this client",
}


@dataclass(frozen=True)
class ZitadelError(Exception):
    """One of Zitadel's own coded errors: a kind, an id like ``QUERY-Dfbg2`` and a message id.

    Example::

        err = ZitadelError("not_found", "QUERY-Dfbg2", "Errors.User.NotFound")
        err.rest_body()["message"]  # "User could not be found (QUERY-Dfbg2)"
    """

    kind: ErrorKind
    id: str
    message_id: str

    @property
    def status(self) -> int:
        """The HTTP status the REST gateway and the Connect protocol use."""
        return _KINDS[self.kind][1]

    @property
    def grpc_code(self) -> int:
        """The numeric gRPC status code."""
        return _KINDS[self.kind][0]

    @property
    def text(self) -> str:
        """The English text of the message id (the id itself when the mock does not know it)."""
        return MESSAGES.get(self.message_id, self.message_id)

    def oauth(self) -> OAuthError:
        """The OAuth error Zitadel turns this into on an OIDC endpoint."""
        if self.status >= 500:
            return OAuthError("server_error", self.message_id, self.status)
        return OAuthError("invalid_request", self.message_id, self.status)

    def rest_body(self) -> dict[str, Any]:
        """The gRPC-gateway body of REST paths such as ``/v2/users/human``."""
        return {
            "code": self.grpc_code,
            "message": f"{self.text} ({self.id})",
            "details": [
                {
                    "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                    "id": self.id,
                    "message": self.text,
                }
            ],
        }

    def connect_body(self) -> dict[str, Any]:
        """The Connect body of paths such as ``/zitadel.user.v2.UserService/AddHumanUser``."""
        detail = _proto_string(1, self.id) + _proto_string(2, self.text)
        return {
            "code": self.kind,
            "message": f"{self.text} ({self.id})",
            "details": [
                {
                    "type": "zitadel.v1.ErrorDetail",
                    "value": base64.b64encode(detail).decode().rstrip("="),
                    "debug": {"id": self.id, "message": self.text},
                }
            ],
        }


def _proto_string(field_number: int, value: str) -> bytes:
    """One length-delimited protobuf field (enough to encode zitadel.v1.ErrorDetail)."""
    data = value.encode()
    return _varint(field_number << 3 | 2) + _varint(len(data)) + data


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


#: The description of a request without scopes (authorize, client credentials, JWT profile).
SCOPE_MISSING = (
    "The scope of your request is missing. Please ensure some scopes are requested. "
    "If you have any questions, you may contact the administrator of the application."
)


# Errors the OIDC endpoints return, with Zitadel's descriptions.
def invalid_client(description: str) -> OAuthError:
    """``invalid_client`` (Zitadel writes it with status 400)."""
    return OAuthError("invalid_client", description)


def unauthorized_client(description: str = "") -> OAuthError:
    """``unauthorized_client``, as the introspection endpoint answers a failed client auth."""
    return OAuthError("unauthorized_client", description)


NO_CODE = ZitadelError("failed_precondition", "COMMAND-Iung5", "Errors.AuthRequest.NoCode")
CODE_INVALID = ZitadelError("invalid_argument", "OIDC-ahLi2", "Errors.User.Code.Invalid")
REFRESH_TOKEN_INVALID = ZitadelError(
    "failed_precondition", "OIDCS-28ubl", "Errors.OIDCSession.RefreshTokenInvalid"
)
MACHINE_SECRET_INVALID = ZitadelError(
    "invalid_argument", "OIDC-VoXo6", "Errors.User.Machine.Secret.Invalid"
)
MACHINE_SECRET_MISSING = ZitadelError(
    "failed_precondition", "OIDC-pieP8", "Errors.User.Machine.Secret.NotExisting"
)
INTERNAL = ZitadelError("internal", "OIDC-AhX2u", "Errors.Internal")
USER_NOT_FOUND = ZitadelError("not_found", "QUERY-Dfbg2", "Errors.User.NotFound")
TOKEN_INVALID = ZitadelError("unauthenticated", "AUTH-7fs1e", "Errors.Token.Invalid")
AUTH_HEADER_INVALID = ZitadelError("unauthenticated", "AUTH-7fs1e", "invalid auth header")
