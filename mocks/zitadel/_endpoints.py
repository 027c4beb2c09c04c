"""The back-channel endpoints: token, introspection, revocation, userinfo, device authorization."""

from __future__ import annotations

from typing import Any

from . import _client_auth as client_auth
from . import _errors as errors
from ._api import bearer_token
from ._claims import (
    SCOPE_OFFLINE_ACCESS,
    allowed_scopes,
    audience_from_scopes,
    user_info,
)
from ._errors import OAuthError
from ._exchange import GRANT_TOKEN_EXCHANGE, TokenExchange
from ._http import HttpRequest, HttpResult
from ._model import (
    GRANT_AUTHORIZATION_CODE,
    GRANT_CLIENT_CREDENTIALS,
    GRANT_DEVICE_CODE,
    GRANT_JWT_BEARER,
    GRANT_REFRESH_TOKEN,
    Application,
    ServiceUser,
    User,
)
from ._state import State
from ._tokens import AccessToken, IssueRequest, TokenResponse, pkce_s256


def _error(error: OAuthError) -> HttpResult:
    return HttpResult.of_json(error.body(), error.status)


def _tokens(response: TokenResponse) -> HttpResult:
    return HttpResult.of_json(
        response.body(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


class Endpoints:
    """The token, introspection, revocation, userinfo and device authorization endpoints."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.exchange = TokenExchange(state)

    # ---- helpers --------------------------------------------------------------------

    def _client(self, req: HttpRequest) -> Application:
        cc = client_auth.parse_client_credentials(req.form, req.header("authorization"))
        return client_auth.authenticate_client(
            cc, self.state.directory, req.base_url, self.state.clock
        )

    @staticmethod
    def _check_grant(app: Application, grant_type: str) -> None:
        if grant_type not in app.grant_types:
            raise OAuthError("unauthorized_client", f'grant_type "{grant_type}" not allowed')

    def _wants_refresh(self, app: Application, scopes: list[str]) -> bool:
        return SCOPE_OFFLINE_ACCESS in scopes and GRANT_REFRESH_TOKEN in app.grant_types

    # ---- /oauth/v2/token ------------------------------------------------------------

    def token(self, req: HttpRequest) -> HttpResult:
        """Exchange a grant for tokens; every failure is an OAuth error body."""
        grant_type = req.form.get("grant_type", "")
        try:
            if grant_type == GRANT_AUTHORIZATION_CODE:
                return _tokens(self._code_exchange(req))
            if grant_type == GRANT_REFRESH_TOKEN:
                return _tokens(self._refresh(req))
            if grant_type == GRANT_CLIENT_CREDENTIALS:
                return _tokens(self._client_credentials(req))
            if grant_type == GRANT_JWT_BEARER:
                return _tokens(self._jwt_profile(req))
            if grant_type == GRANT_DEVICE_CODE:
                return _tokens(self._device_token(req))
            if grant_type == GRANT_TOKEN_EXCHANGE:
                app = self._client(req)
                self._check_grant(app, GRANT_TOKEN_EXCHANGE)
                return _tokens(self.exchange.exchange(req, app))
            if not grant_type:
                raise OAuthError("invalid_request", "grant_type missing")
            raise OAuthError("unsupported_grant_type", f"{grant_type} not supported")
        except OAuthError as error:
            return _error(error)

    def _code_exchange(self, req: HttpRequest) -> TokenResponse:
        app = self._client(req)
        self._check_grant(app, GRANT_AUTHORIZATION_CODE)
        form = req.form
        if not form.get("code"):
            raise OAuthError("invalid_request", "code missing")
        if not form.get("redirect_uri"):
            raise OAuthError("invalid_request", "redirect_uri missing")
        code = self.state.store.find_code(form["code"])
        if code is None:
            raise errors.CODE_INVALID.oauth()
        if code.used or code.expires_at <= self.state.clock.now():
            raise errors.NO_CODE.oauth()
        if code.client_id != app.client_id:
            raise OAuthError("invalid_grant")
        verifier = form.get("code_verifier", "")
        if code.code_challenge or app.is_public:
            if not verifier:
                raise OAuthError("invalid_request", "code_challenge required")
            expected = pkce_s256(verifier) if code.code_challenge_method == "S256" else verifier
            if not code.code_challenge or expected != code.code_challenge:
                raise OAuthError("invalid_grant", "invalid code challenge")
        if form["redirect_uri"] != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not correspond")
        user = self.state.directory.find_user(code.user_id)
        if user is None or user.state != "active":
            raise errors.USER_NOT_FOUND.oauth()
        code.used = True
        return self.state.tokens.issue(
            req.base_url,
            IssueRequest(
                principal=user,
                client_id=app.client_id,
                app=app,
                project_id=app.project_id,
                scopes=code.scopes,
                audience=code.audience,
                auth_time=code.auth_time,
                amr=code.amr,
                nonce=code.nonce,
                sid=code.sid,
                state=code.state,
                refresh=self._wants_refresh(app, code.scopes),
                access_token_type=app.access_token_type,
            ),
            use_reservation=True,
        )

    def _refresh(self, req: HttpRequest) -> TokenResponse:
        app = self._client(req)
        self._check_grant(app, GRANT_REFRESH_TOKEN)
        token = req.form.get("refresh_token", "")
        if not token:
            raise OAuthError("invalid_request", "refresh_token missing")
        session, _ = self.state.store.refresh_session(token)
        if session is None or session.client_id != app.client_id:
            raise errors.REFRESH_TOKEN_INVALID.oauth()
        requested = req.form.get("scope", "").split()
        if any(scope not in session.scopes for scope in requested):
            raise OAuthError("invalid_scope")
        return self.state.tokens.refresh(req.base_url, session, app, requested)

    def _client_credentials(self, req: HttpRequest) -> TokenResponse:
        cc = client_auth.parse_client_credentials(req.form, req.header("authorization"))
        user = client_auth.authenticate_service_user(cc, self.state.directory)
        return self._machine_tokens(req, user, cc.client_id, amr=["pwd"])

    def _jwt_profile(self, req: HttpRequest) -> TokenResponse:
        assertion = req.form.get("assertion", "")
        if not assertion:
            raise OAuthError("invalid_request", "assertion missing")
        user = client_auth.verify_jwt_profile_grant(
            assertion, self.state.directory, req.base_url, self.state.clock
        )
        return self._machine_tokens(req, user, user.id, amr=[])

    def _machine_tokens(
        self, req: HttpRequest, user: ServiceUser, client_id: str, *, amr: list[str]
    ) -> TokenResponse:
        requested = req.form.get("scope", "").split()
        if not requested:
            raise OAuthError("invalid_request", errors.SCOPE_MISSING)
        scopes = allowed_scopes(requested)
        audience = audience_from_scopes(requested, self.state.directory.zitadel_project_id)
        return self.state.tokens.issue(
            req.base_url,
            IssueRequest(
                principal=user,
                client_id=client_id,
                scopes=scopes,
                audience=audience,
                amr=amr,
                refresh=SCOPE_OFFLINE_ACCESS in scopes,
                access_token_type=user.access_token_type,
            ),
        )

    def _device_token(self, req: HttpRequest) -> TokenResponse:
        app = self._client(req)
        self._check_grant(app, GRANT_DEVICE_CODE)
        device_code = req.form.get("device_code", "")
        if not device_code:
            raise OAuthError("invalid_request", "device_code missing")
        request = self.state.device.poll(device_code, app.client_id)
        user = self.state.directory.find_user(request.user_id)
        if user is None:
            raise OAuthError("access_denied")
        return self.state.tokens.issue(
            req.base_url,
            IssueRequest(
                principal=user,
                client_id=app.client_id,
                app=app,
                project_id=app.project_id,
                scopes=request.scopes,
                audience=request.audience,
                auth_time=request.auth_time,
                amr=request.amr,
                sid=request.sid,
                refresh=self._wants_refresh(app, request.scopes),
                access_token_type=app.access_token_type,
            ),
        )

    # ---- /oauth/v2/device_authorization ---------------------------------------------

    def device_authorization(self, req: HttpRequest) -> HttpResult:
        """Start a device authorization: a device code, a user code and where to enter it."""
        try:
            app = self._client(req)
        except OAuthError as error:
            return _error(error)
        requested = req.form.get("scope", "").split()
        scopes = allowed_scopes(requested)
        audience = [app.project_id, app.client_id]
        audience += [
            a
            for a in audience_from_scopes(scopes, self.state.directory.zitadel_project_id)
            if a not in audience
        ]
        lifetimes = self.state.directory.lifetimes
        lifetime = lifetimes.device_code.total_seconds()
        request = self.state.device.start(
            app.client_id,
            scopes,
            audience,
            lifetime=lifetime,
            interval=int(lifetimes.device_poll_interval.total_seconds()),
        )
        return HttpResult.of_json(self.state.device.response(request, req.base_url, lifetime))

    # ---- /oauth/v2/introspect -------------------------------------------------------

    def introspect(self, req: HttpRequest, *, forced: bool | None = None) -> HttpResult:
        """RFC 7662 introspection; only a failed client authentication is an error.

        `forced` (for programmed expectations) answers active or inactive regardless of the
        token's state, after the client has authenticated as usual.
        """
        try:
            cc = client_auth.parse_client_credentials(req.form, req.header("authorization"))
            if not cc.client_secret and not cc.client_assertion:
                raise errors.invalid_client("client must be authenticated")
            if not req.form.get("token"):
                raise OAuthError("invalid_request", "token missing")
            app = client_auth.authenticate_introspection_client(
                cc, self.state.directory, req.base_url, self.state.clock
            )
        except OAuthError as error:
            return _error(error)
        if forced is False:
            return HttpResult.of_json({"active": False})
        record, failure = self.state.tokens.verify_access_token(
            req.form["token"], issuer=req.base_url
        )
        if forced is True:
            if record is None:
                return HttpResult.of_json(self._synthetic_introspection(req.base_url, app))
            return HttpResult.of_json(self.introspection_document(req.base_url, record, app))
        if record is None or failure is not None:
            return HttpResult.of_json({"active": False})
        if not record.pat and not {app.client_id, app.project_id} & set(record.audience):
            return HttpResult.of_json({"active": False})
        return HttpResult.of_json(self.introspection_document(req.base_url, record, app))

    def _synthetic_introspection(self, issuer: str, app: Application) -> dict[str, Any]:
        """An active answer for a token the provider never issued (a programmed answer)."""
        now = self.state.clock.timestamp()
        lifetime = int(self.state.directory.lifetimes.access_token.total_seconds())
        return {
            "active": True,
            "scope": "openid",
            "client_id": app.client_id,
            "token_type": "Bearer",
            "exp": now + lifetime,
            "iat": now,
            "nbf": now,
            "aud": [app.project_id, app.client_id],
            "iss": issuer,
            "jti": "programmed",
            "sub": app.id,
        }

    def introspection_document(
        self, issuer: str, record: AccessToken, app: Application
    ) -> dict[str, Any]:
        """The active introspection response for `record`, as seen by `app`."""
        directory = self.state.directory
        principal = directory.find_principal(record.subject)
        document: dict[str, Any] = {
            "active": True,
            "scope": " ".join(record.scopes),
            "client_id": record.client_id,
            "token_type": "Bearer",
            "exp": record.expires_at,
            "iat": record.issued_at,
            "nbf": record.issued_at,
            "aud": record.audience,
            "iss": issuer,
            "jti": record.id,
        }
        if not record.client_id:  # a personal access token
            del document["client_id"]
        if record.actor:
            document["act"] = record.actor
        if principal is not None:
            project = directory.projects.get(app.project_id)
            info = user_info(
                directory,
                principal,
                record.scopes,
                app.project_id,
                project_role_assertion=bool(project and project.project_role_assertion),
                userinfo_assertion=True,
                role_assertion=True,
                current_project_only=True,
            )
            if "preferred_username" in info:
                document["username"] = info["preferred_username"]
            for name, value in info.items():
                document.setdefault(name, value)
            self._complement(document, principal, record)
        return document

    # ---- /oauth/v2/revoke -----------------------------------------------------------

    def revoke(self, req: HttpRequest) -> HttpResult:
        """RFC 7009 revocation: unknown tokens are fine; another client's token is not."""
        try:
            app = self._client(req)
            token = req.form.get("token", "")
            if not token:
                raise OAuthError("invalid_request", "token missing")
        except OAuthError as error:
            return _error(error)
        store = self.state.store
        access = store.access_tokens.get(token)
        refresh = store.refresh_tokens.get(token)
        owner = access.client_id if access else refresh.client_id if refresh else None
        if owner is not None and owner != app.client_id:
            return _error(OAuthError("invalid_request", "Errors.OIDCSession.InvalidClient"))
        store.revoke(token)
        return HttpResult(status=200)

    # ---- /oidc/v1/userinfo ----------------------------------------------------------

    def userinfo(self, req: HttpRequest) -> HttpResult:
        """The claims of the access token's user, by its scopes."""
        token = bearer_token(req)
        if not token:
            return _error(OAuthError("invalid_request", "access token missing", 401))
        record, failure = self.state.tokens.verify_access_token(token, issuer=req.base_url)
        directory = self.state.directory
        principal = directory.find_principal(record.subject) if record else None
        if record is None or failure is not None or principal is None:
            return _error(OAuthError("access_denied", "access token invalid", 401))
        app = directory.find_client(record.client_id)
        project = directory.projects.get(app.project_id) if app else None
        info = user_info(
            directory,
            principal,
            record.scopes,
            app.project_id if app else "",
            project_role_assertion=bool(project and project.project_role_assertion),
            userinfo_assertion=True,
            role_assertion=True,
        )
        self._complement(info, principal, record)
        return HttpResult.of_json(info)

    def _complement(
        self, claims: dict[str, Any], principal: User | ServiceUser, record: AccessToken
    ) -> None:
        """Run the "pre userinfo creation" actions on `claims`."""
        self.state.tokens.actions.complement(
            "pre_userinfo_creation",
            claims,
            user=principal,
            org=self.state.directory.org_of(principal.org_id),
            client_id=record.client_id,
            scopes=record.scopes,
        )
