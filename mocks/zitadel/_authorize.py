"""The authorization endpoint, and the answer a client gets once its user has logged in.

``/oauth/v2/authorize`` validates the request, binds it to the browser (the user-agent
cookie ``zitadel.useragent``) and sends the browser to the login: Zitadel's hosted
pages (``/ui/login/login?authRequestID=...``), or a custom login UI (login V2,
``{base}/login?authRequest=V2_...``) that finishes through the OIDC API v2. A finished
login answers the client with a code (or tokens) in the query, the fragment or an
auto-submitting form, through ``/oauth/v2/authorize/callback``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from . import _login_page as pages
from ._claims import allowed_scopes, audience_from_scopes, requested_org_id
from ._errors import SCOPE_MISSING, OAuthError
from ._http import HttpRequest, HttpResult
from ._model import Application, User
from ._redirects import CONTACT, validate_redirect_uri
from ._sessions import Session, second_factor
from ._state import USER_AGENT_COOKIE, AuthRequest, State
from ._tokens import AuthorizationCode, IssueRequest

RESPONSE_TYPE_MISSING = "The response type is missing in your request." + CONTACT
RESPONSE_TYPE_NOT_ALLOWED = (
    "The requested response type is missing in the client configuration." + CONTACT
)
LOGIN_V2_PREFIX = "V2_"


def error_result(error: OAuthError) -> HttpResult:
    """An OAuth error shown as JSON (not redirected to the client)."""
    return HttpResult.of_json(error.body(), error.status)


class Authorizer:
    """``/oauth/v2/authorize``, its callback, and answering the client for a session."""

    def __init__(self, state: State) -> None:
        self.state = state

    # ---- /oauth/v2/authorize ------------------------------------------------------

    def authorize(self, req: HttpRequest) -> HttpResult:
        """Validate an authorization request and start (or skip) the login."""
        try:
            app, auth = self._validate(req.params())
        except OAuthError as error:
            return error_result(error)
        if auth.code_challenge and auth.code_challenge_method != "S256":
            description = f"code_challenge_method {auth.code_challenge_method} is not supported"
            return self.error_redirect(auth, OAuthError("invalid_request", description))
        agent = req.cookies.get(USER_AGENT_COOKIE, "")
        auth.agent_id = agent or self.state.ids.token(24)
        self.state.auth_requests[auth.id] = auth
        result = self._start(req, app, auth)
        if not agent:
            result.cookies[USER_AGENT_COOKIE] = auth.agent_id
        return result

    def _start(self, req: HttpRequest, app: Application, auth: AuthRequest) -> HttpResult:
        session = self.usable_session(req.cookies, auth)
        if "none" in auth.prompt:
            if session is None:
                return self.error_redirect(auth, OAuthError("login_required"))
            return self.finish(req.base_url, auth, session)
        if session is not None:
            return self.finish(req.base_url, auth, session)
        auto_user = self._auto_login_user(auth)
        if auto_user is not None:
            session = self.state.sessions.create()
            now = self.state.clock.now()
            session.user_id, session.user_checked_at = auto_user.id, now
            session.password_checked_at = now
            self.state.sessions.bind(auth.agent_id, session)
            return self.finish(req.base_url, auth, session)
        if auth.login_v2:
            base = app.login_v2_base_uri or self.state.directory.features.login_v2_base_uri
            base = (base or req.base_url + "/ui/v2/login").rstrip("/")
            return HttpResult.redirect(f"{base}/login?{urlencode({'authRequest': auth.id})}")
        return HttpResult.redirect(f"{pages.LOGIN_PATH}?{urlencode({'authRequestID': auth.id})}")

    def _validate(self, params: dict[str, str]) -> tuple[Application, AuthRequest]:
        if params.get("request"):
            raise OAuthError("request_not_supported")
        client_id = params.get("client_id", "")
        if not client_id:
            raise OAuthError("invalid_request", "auth request is missing client_id")
        app = self.state.directory.find_client(client_id)
        if app is None or not app.is_oidc:
            raise OAuthError("invalid_request", "Errors.App.NotFound")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri:
            raise OAuthError("server_error", "auth request is missing redirect_uri")
        prompt = params.get("prompt", "").split()
        max_age = int(params["max_age"]) if params.get("max_age", "").isdigit() else None
        if "none" in prompt and len(prompt) > 1:
            raise OAuthError(
                "invalid_request", "The prompt parameter `none` must only be used as a single value"
            )
        if "login" in prompt:
            max_age = 0
        requested = params.get("scope", "").split()
        if not requested:
            raise OAuthError("invalid_request", SCOPE_MISSING)
        scopes = allowed_scopes(requested)
        response_type = " ".join(params.get("response_type", "").split())
        refusal = validate_redirect_uri(app, redirect_uri, response_type)
        if refusal is not None:
            raise refusal
        if not response_type:
            raise OAuthError("invalid_request", RESPONSE_TYPE_MISSING)
        if response_type not in app.response_types:
            raise OAuthError("unauthorized_client", RESPONSE_TYPE_NOT_ALLOWED)
        directory = self.state.directory
        audience = [app.project_id, app.client_id]
        extra = audience_from_scopes(scopes, directory.zitadel_project_id)
        audience += [a for a in extra if a not in audience]
        login_v2 = bool(app.login_v2_base_uri) or directory.features.login_v2_required
        auth = AuthRequest(
            id=(LOGIN_V2_PREFIX if login_v2 else "") + self.state.ids.next_id(),
            client_id=app.client_id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            audience=audience,
            response_type=response_type,
            response_mode=params.get("response_mode", ""),
            state=params.get("state", ""),
            nonce=params.get("nonce", ""),
            code_challenge=params.get("code_challenge", ""),
            code_challenge_method=params.get("code_challenge_method", "") or "plain",
            prompt=prompt,
            max_age=max_age,
            login_hint=params.get("login_hint", ""),
            org_id=requested_org_id(scopes, directory),
            created_at=self.state.clock.now(),
            login_v2=login_v2,
        )
        return app, auth

    def usable_session(self, cookies: dict[str, str], auth: AuthRequest) -> Session | None:
        """The browser's session if it may answer `auth` without a login."""
        session = self.state.browser_session(cookies)
        if session is None or "login" in auth.prompt or "select_account" in auth.prompt:
            return None
        if auth.max_age is not None and self.state.clock.now() - session.auth_time > auth.max_age:
            return None
        user = self.state.directory.find_user(session.user_id)
        if user is None or (auth.org_id and user.org_id != auth.org_id):
            return None
        if second_factor(self.state.directory, user, session):
            return None
        return session

    def _auto_login_user(self, auth: AuthRequest) -> User | None:
        if not self.state.auto_login:
            return None
        directory = self.state.directory
        user = directory.find_user_by_login_name(auth.login_hint) if auth.login_hint else None
        if user is None and self.state.auto_login_user_id:
            user = directory.find_user(self.state.auto_login_user_id)
        if user is not None and auth.org_id and user.org_id != auth.org_id:
            return None  # the org scope restricts the login to another organization
        return user

    # ---- /oauth/v2/authorize/callback ----------------------------------------------

    def find(self, auth_request_id: str) -> AuthRequest | None:
        """A pending authorization request that has not timed out."""
        auth = self.state.auth_requests.get(auth_request_id)
        if auth is None:
            return None
        lifetime = self.state.directory.lifetimes.auth_code.total_seconds()
        if self.state.clock.now() - auth.created_at > max(lifetime, 3600):
            return None
        return auth

    def callback(self, req: HttpRequest) -> HttpResult:
        """GET /oauth/v2/authorize/callback: answer the client for a finished login."""
        auth = self.find(req.query.get("id", ""))
        if auth is None or not auth.session_id:
            return HttpResult.of_html(pages.error_page(pages.AUTH_REQUEST_MISSING), 404)
        if auth.agent_id and req.cookies.get(USER_AGENT_COOKIE) != auth.agent_id:
            return HttpResult.of_html(pages.error_page(pages.USER_AGENT_MISMATCH), 403)
        session = self.state.sessions.get(auth.session_id)
        if session is None:
            return HttpResult.of_html(pages.error_page("Session does not exist"), 404)
        return self.finish(req.base_url, auth, session)

    # ---- answering the client -----------------------------------------------------

    def finish(self, issuer: str, auth: AuthRequest, session: Session) -> HttpResult:
        """The login succeeded: approve the device, or send a code (or tokens) to the client."""
        return self._respond(auth, self.complete(issuer, auth, session))

    def complete(self, issuer: str, auth: AuthRequest, session: Session) -> dict[str, str]:
        """Finish `auth` with `session`: the parameters the client receives."""
        self.state.auth_requests.pop(auth.id, None)
        params: dict[str, str] = {}
        if "code" in auth.response_type.split():
            code = self.state.ids.token(32)
            lifetime = self.state.directory.lifetimes.auth_code.total_seconds()
            self.state.store.add_code(
                AuthorizationCode(
                    code=code,
                    client_id=auth.client_id,
                    redirect_uri=auth.redirect_uri,
                    user_id=session.user_id,
                    scopes=auth.scopes,
                    audience=auth.audience,
                    nonce=auth.nonce,
                    state=auth.state,
                    auth_time=session.auth_time,
                    amr=session.amr,
                    sid=session.id,
                    code_challenge=auth.code_challenge,
                    code_challenge_method=auth.code_challenge_method,
                    expires_at=self.state.clock.now() + lifetime,
                )
            )
            params["code"] = code
        else:
            params.update(self._implicit_tokens(issuer, auth, session))
        if auth.state:
            params["state"] = auth.state
        return params

    def callback_url(self, auth: AuthRequest, params: dict[str, str]) -> str:
        """Where the browser takes `params` to the client (query or fragment)."""
        encoded = urlencode(params)
        if self._mode(auth) == "fragment":
            return f"{auth.redirect_uri}#{encoded}"
        separator = "&" if "?" in auth.redirect_uri else "?"
        return f"{auth.redirect_uri}{separator}{encoded}"

    def _implicit_tokens(self, issuer: str, auth: AuthRequest, session: Session) -> dict[str, str]:
        directory = self.state.directory
        app = directory.find_client(auth.client_id)
        user = directory.find_user(session.user_id)
        assert app is not None and user is not None
        response = self.state.tokens.issue(
            issuer,
            IssueRequest(
                principal=user,
                client_id=app.client_id,
                app=app,
                project_id=app.project_id,
                scopes=auth.scopes,
                audience=auth.audience,
                auth_time=session.auth_time,
                amr=session.amr,
                nonce=auth.nonce,
                sid=session.id,
                access_token_type=app.access_token_type,
            ),
        )
        params = {"id_token": response.id_token or ""}
        if "token" in auth.response_type.split():
            params.update(
                access_token=response.access_token,
                token_type="Bearer",
                expires_in=str(response.expires_in),
            )
        return params

    @staticmethod
    def _mode(auth: AuthRequest) -> str:
        default = "query" if auth.response_type == "code" else "fragment"
        return auth.response_mode or default

    def _respond(self, auth: AuthRequest, params: dict[str, str]) -> HttpResult:
        if self._mode(auth) == "form_post":
            return HttpResult.of_html(pages.form_post_page(auth.redirect_uri, params))
        return HttpResult.redirect(self.callback_url(auth, params))

    def error_redirect(self, auth: AuthRequest, error: OAuthError) -> HttpResult:
        """Send an OAuth error back to the client (the request is over)."""
        self.state.auth_requests.pop(auth.id, None)
        params = dict(error.body())
        if auth.state:
            params["state"] = auth.state
        return self._respond(auth, params)
