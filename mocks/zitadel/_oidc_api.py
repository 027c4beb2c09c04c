"""Zitadel's OIDC API v2 (``zitadel.oidc.v2.OIDCService``): finishing logins in a custom UI.

An application configured for a custom login UI (login V2) sends its users from
``/oauth/v2/authorize`` to ``{base}/login?authRequest=V2_...``. The UI reads the request
(`GetAuthRequest`), logs the user in with the session API, then links the session to
the request (`CreateCallback`) and sends the browser to the returned callback URL,
which carries the code for the client (or an error, when the UI denies the login).
"""

from __future__ import annotations

from typing import Any

from ._api import Rpc, get, message, object_details, param, timestamp
from ._authorize import Authorizer
from ._errors import OAuthErrorCode, ZitadelError
from ._http import HttpRequest
from ._state import AuthRequest, State

SERVICE = "zitadel.oidc.v2.OIDCService"
AUTH_REQUEST_NOT_FOUND = ZitadelError("not_found", "OIDCv2-AhY8e", "Errors.AuthRequest.NotExisting")
SESSION_NOT_FOUND = ZitadelError("not_found", "QUERY-SDf3g", "Errors.Session.NotExisting")
SESSION_TOKEN_INVALID = ZitadelError(
    "permission_denied", "COMMAND-sGr42", "Errors.Session.Token.Invalid"
)
SESSION_UNAUTHENTICATED = ZitadelError(
    "failed_precondition", "COMMAND-Svv23", "Errors.Session.NotAuthenticated"
)
USER_NOT_ON_ORG = ZitadelError("failed_precondition", "COMMAND-Svv24", "Errors.User.NotFoundOnOrg")
SESSION_TOO_OLD = ZitadelError("failed_precondition", "COMMAND-Svv25", "Errors.Session.Expired")
CALLBACK_KIND_MISSING = ZitadelError(
    "invalid_argument", "OIDCv2-zee7A", "invalid CreateCallbackRequest.CallbackKind"
)
_PROMPTS = {
    "none": "PROMPT_NONE",
    "login": "PROMPT_LOGIN",
    "consent": "PROMPT_CONSENT",
    "select_account": "PROMPT_SELECT_ACCOUNT",
    "create": "PROMPT_CREATE",
}
_ERRORS: dict[str, OAuthErrorCode] = {
    "ERROR_REASON_INVALID_REQUEST": "invalid_request",
    "ERROR_REASON_UNAUTHORIZED_CLIENT": "unauthorized_client",
    "ERROR_REASON_ACCESS_DENIED": "access_denied",
    "ERROR_REASON_INVALID_SCOPE": "invalid_scope",
    "ERROR_REASON_SERVER_ERROR": "server_error",
    "ERROR_REASON_TEMPORARY_UNAVAILABLE": "temporarily_unavailable",
    "ERROR_REASON_INTERACTION_REQUIRED": "interaction_required",
    "ERROR_REASON_LOGIN_REQUIRED": "login_required",
    "ERROR_REASON_CONSENT_REQUIRED": "consent_required",
    "ERROR_REASON_REQUEST_NOT_SUPPORTED": "request_not_supported",
}


class OidcApi:
    """GetAuthRequest and CreateCallback."""

    def __init__(self, state: State, authorizer: Authorizer) -> None:
        self.state = state
        self.authorizer = authorizer

    def rpcs(self) -> list[Rpc]:
        """The OIDCService methods and their REST routes."""
        one = "/v2/oidc/auth_requests/{auth_request_id}"
        return [
            Rpc(SERVICE, "GetAuthRequest", self.get_auth_request, ("GET", one)),
            Rpc(SERVICE, "CreateCallback", self.create_callback, ("POST", one)),
        ]

    def _auth(self, req: HttpRequest, body: dict[str, Any]) -> AuthRequest:
        auth = self.authorizer.find(param(req, body, "authRequestId"))
        if auth is None or not auth.login_v2:
            raise AUTH_REQUEST_NOT_FOUND
        return auth

    def get_auth_request(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """GetAuthRequest: what the client asked for, for the login UI to show."""
        auth = self._auth(req, body)
        document: dict[str, Any] = {
            "id": auth.id,
            "creationDate": timestamp(auth.created_at),
            "clientId": auth.client_id,
            "scope": list(auth.scopes),
            "redirectUri": auth.redirect_uri,
            "prompt": [_PROMPTS[p] for p in auth.prompt if p in _PROMPTS],
            "uiLocales": [],
        }
        if auth.login_hint:
            document["loginHint"] = auth.login_hint
            user = self.state.directory.find_user_by_login_name(auth.login_hint)
            if user is not None:
                document["hintUserId"] = user.id
        if auth.max_age is not None:
            document["maxAge"] = f"{auth.max_age}s"
        return {"authRequest": document}

    def create_callback(self, req: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
        """CreateCallback: finish the request with a session (or deny it with an error)."""
        auth = self._auth(req, body)
        link, error = message(body, "session"), message(body, "error")
        if link:
            params = self._with_session(req, auth, link)
        elif error:
            code = _ERRORS.get(str(get(error, "error") or ""), "access_denied")
            params = {"error": code}
            if get(error, "errorDescription"):
                params["error_description"] = str(get(error, "errorDescription"))
            if auth.state:
                params["state"] = auth.state
            self.state.auth_requests.pop(auth.id, None)
        else:
            raise CALLBACK_KIND_MISSING
        now = self.state.clock.now()
        return {
            "details": object_details(1, now, self.state.directory.default_org_id),
            "callbackUrl": self.authorizer.callback_url(auth, params),
        }

    def _with_session(
        self, req: HttpRequest, auth: AuthRequest, link: dict[str, Any]
    ) -> dict[str, str]:
        session = self.state.sessions.get(str(get(link, "sessionId") or ""))
        if session is None:
            raise SESSION_NOT_FOUND
        if str(get(link, "sessionToken") or "") != session.token:
            raise SESSION_TOKEN_INVALID
        user = self.state.directory.find_user(session.user_id)
        if user is None or not session.authenticated:
            raise SESSION_UNAUTHENTICATED
        if auth.org_id and user.org_id != auth.org_id:
            raise USER_NOT_ON_ORG
        if auth.max_age is not None and self.state.clock.now() - session.auth_time > auth.max_age:
            raise SESSION_TOO_OLD
        return self.authorizer.complete(req.base_url, auth, session)
