"""Credentials through the user API: personal access tokens and TOTP registration.

A personal access token (PAT) lets a machine user call Zitadel's APIs and the APIs of
a system under test without a login: it is a bearer token that introspection reports
active for any application of the instance. TOTP registration is what Zitadel's
user service offers a login UI: register (a secret and its ``otpauth://`` URI), then
verify with a first code. Served on the v2 Connect paths (and REST where Zitadel has
one) and, for PATs, on the management API v1 path older clients call.
"""

from __future__ import annotations

from typing import Any

from . import _errors as errors
from . import _totp as totp
from ._api import Rpc, get, object_details, param, parse_timestamp, timestamp
from ._errors import ZitadelError
from ._http import HttpRequest
from ._model import ServiceUser, User
from ._state import State
from ._tokens import AccessToken

SERVICE = "zitadel.user.v2.UserService"
NOT_MACHINE = ZitadelError("failed_precondition", "COMMAND-Sfg3f", "Errors.User.NotMachine")
NOT_HUMAN = ZitadelError("failed_precondition", "COMMAND-3M9ds", "Errors.User.NotHuman")
PAT_NOT_FOUND = ZitadelError("not_found", "COMMAND-4m77G", "Errors.User.PAT.NotFound")
EXPIRED_DATE = ZitadelError("invalid_argument", "COMMAND-dv3t5", "Errors.Key.ExpireBeforeNow")
OTP_NOT_READY = ZitadelError(
    "failed_precondition", "COMMAND-3Mif9s", "Errors.User.MFA.OTP.NotReady"
)
OTP_INVALID = ZitadelError("invalid_argument", "EVENT-8isk2", "Errors.User.MFA.OTP.InvalidCode")
OTP_ALREADY_READY = ZitadelError(
    "already_exists", "COMMAND-do9se", "Errors.User.MFA.OTP.AlreadyReady"
)


class CredentialsApi:
    """AddPersonalAccessToken, RemovePersonalAccessToken, RegisterTOTP, VerifyTOTPRegistration."""

    def __init__(self, state: State) -> None:
        self.state = state
        #: TOTP secrets registered but not yet verified, by user id.
        self.pending_totp: dict[str, str] = {}

    def rpcs(self) -> list[Rpc]:
        """The methods, their REST routes, and the management v1 PAT route."""
        user = "/v2/users/{user_id}"
        return [
            Rpc(SERVICE, "AddPersonalAccessToken", self.add_pat),
            Rpc(SERVICE, "RemovePersonalAccessToken", self.remove_pat),
            Rpc(
                "zitadel.management.v1.ManagementService",
                "AddPersonalAccessToken",
                self.add_pat_v1,
                ("POST", "/management/v1/users/{user_id}/pats"),
                "add_personal_access_token_v1",
            ),
            Rpc(SERVICE, "RegisterTOTP", self.register_totp, ("POST", f"{user}/totp")),
            Rpc(
                SERVICE, "VerifyTOTPRegistration", self.verify_totp, ("POST", f"{user}/totp/verify")
            ),
            Rpc(SERVICE, "RemoveTOTP", self.remove_totp, ("DELETE", f"{user}/totp")),
        ]

    # ---- personal access tokens -------------------------------------------------------

    def _machine(self, user_id: str) -> ServiceUser:
        principal = self.state.directory.find_principal(user_id)
        if principal is None:
            raise errors.USER_NOT_FOUND
        if not isinstance(principal, ServiceUser):
            raise NOT_MACHINE
        return principal

    def _new_pat(self, req: HttpRequest, body: dict[str, Any]) -> tuple[ServiceUser, AccessToken]:
        user = self._machine(param(req, body, "userId"))
        expires = get(body, "expirationDate")
        expires_at = parse_timestamp(expires, "expirationDate") if expires else None
        if expires_at is not None and expires_at <= self.state.clock.now():
            raise EXPIRED_DATE
        return user, self.state.tokens.personal_access_token(user, expires_at)

    def add_pat(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """AddPersonalAccessToken (v2): ``{creationDate, tokenId, token}``."""
        _, record = self._new_pat(req, body)
        return {
            "creationDate": timestamp(record.issued_at),
            "tokenId": record.id,
            "token": record.token,
        }

    def add_pat_v1(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """Management v1 AddPersonalAccessToken: ``{tokenId, token, details}``."""
        user, record = self._new_pat(req, body)
        details = object_details(user.sequence, record.issued_at, user.org_id, record.issued_at)
        return {"tokenId": record.id, "token": record.token, "details": details}

    def remove_pat(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """RemovePersonalAccessToken: the token stops working."""
        user = self._machine(param(req, body, "userId"))
        record = self.state.store.access_by_id.get(str(get(body, "tokenId") or ""))
        if record is None or not record.pat or record.subject != user.id or record.revoked:
            raise PAT_NOT_FOUND
        record.revoked = True
        return {"deletionDate": timestamp(self.state.clock.now())}

    # ---- TOTP registration ------------------------------------------------------------

    def _human(self, user_id: str) -> User:
        principal = self.state.directory.find_principal(user_id)
        if principal is None:
            raise errors.USER_NOT_FOUND
        if not isinstance(principal, User):
            raise NOT_HUMAN
        return principal

    def _details(self, user: User) -> dict[str, Any]:
        return object_details(user.sequence, user.changed_at, user.org_id)

    def register_totp(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """RegisterTOTP: a new secret and its ``otpauth://`` URI, active once verified."""
        user = self._human(param(req, body, "userId"))
        if user.totp_secret:
            raise OTP_ALREADY_READY
        secret = totp.new_secret(self.state.ids.random_bytes(20))
        self.pending_totp[user.id] = secret
        uri = totp.provisioning_uri(secret, user.username, req.base_url)
        return {"details": self._details(user), "uri": uri, "secret": secret}

    def verify_totp(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """VerifyTOTPRegistration: the first code activates the registered secret."""
        user = self._human(param(req, body, "userId"))
        secret = self.pending_totp.get(user.id)
        if secret is None:
            raise OTP_NOT_READY
        if not totp.verify(secret, str(get(body, "code") or ""), self.state.clock.now()):
            raise OTP_INVALID
        user.totp_secret = self.pending_totp.pop(user.id)
        self.state.directory.touch(user)
        return {"details": self._details(user)}

    def remove_totp(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """RemoveTOTP: the user logs in with the password alone again."""
        user = self._human(param(req, body, "userId"))
        if not user.totp_secret:
            raise OTP_NOT_READY
        user.totp_secret = None
        self.state.directory.touch(user)
        return {"details": self._details(user)}
