"""The browser side: the authorization endpoint, the login pages, end_session and device login.

The flow is Zitadel's: ``/oauth/v2/authorize`` validates the request and redirects to the
login (``/ui/login/login?authRequestID=...``); the login name page posts to
``/ui/login/loginname``, which answers with the password page; the password page posts to
``/ui/login/password``, which on success redirects to ``/oauth/v2/authorize/callback``,
which sends the browser back to the client with a code (or tokens) in the query, the
fragment or an auto-submitting form.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode, urlsplit

from ..jose import JWTError
from ..jose import parse_jwt as parse
from . import _login_page as pages
from ._claims import allowed_scopes, audience_from_scopes, requested_org_id
from ._errors import OAuthError
from ._http import HttpRequest, HttpResult
from ._model import Application, User
from ._state import USER_AGENT_COOKIE, AuthRequest, BrowserSession, State
from ._tokens import AuthorizationCode, IssueRequest

_CONTACT = " If you have any questions, you may contact the administrator of the application."
SCOPE_MISSING = (
    "The scope of your request is missing. Please ensure some scopes are requested." + _CONTACT
)
REDIRECT_URI_NOT_REGISTERED = (
    "The requested redirect_uri is missing in the client configuration." + _CONTACT
)
REDIRECT_URI_HTTP = "This client's redirect_uri is http and is not allowed." + _CONTACT
REDIRECT_URI_CUSTOM = (
    "This client's redirect_uri is using a custom schema and is not allowed." + _CONTACT
)
RESPONSE_TYPE_MISSING = "The response type is missing in your request." + _CONTACT
RESPONSE_TYPE_NOT_ALLOWED = (
    "The requested response type is missing in the client configuration." + _CONTACT
)
USER_NOT_FOUND_ON_ORG = "User could not be found on chosen organization"


def _error_result(error: OAuthError) -> HttpResult:
    return HttpResult.of_json(error.body(), error.status)


def _is_loopback(uri: str) -> bool:
    """RFC 8252 section 7.3: ``localhost`` or a loopback IP literal, nothing else.

    ``http://127.attacker.example/`` is a DNS name that merely starts with "127."; it is
    not a loopback address and must not receive codes or post-logout redirects.
    """
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _same_without_port(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.path, pa.query) == (pb.path, pb.query)


def validate_redirect_uri(app: Application, uri: str, response_type: str) -> OAuthError | None:
    """Zitadel's redirect_uri rules: registered; http only for confidential code flow,
    native loopback (any port) or dev mode; custom schemes only for native apps."""

    def refuse(text: str) -> OAuthError:
        return OAuthError("invalid_request", text, redirect=False)

    registered = uri in app.redirect_uris
    if app.kind == "native":
        loopback = _is_loopback(uri)
        custom = not uri.startswith(("http://", "https://"))
        if registered:
            if app.dev_mode or (not loopback and uri.startswith("https://")):
                return None
            return None if loopback or custom else refuse(REDIRECT_URI_HTTP)
        if loopback and any(
            _is_loopback(r) and _same_without_port(uri, r) for r in app.redirect_uris
        ):
            return None
        return refuse(REDIRECT_URI_NOT_REGISTERED)
    if not registered:
        return refuse(REDIRECT_URI_NOT_REGISTERED)
    if uri.startswith("https://") or app.dev_mode:
        return None
    if uri.startswith("http://"):
        if response_type == "code" and not app.is_public:
            return None
        return refuse(REDIRECT_URI_HTTP)
    return refuse(REDIRECT_URI_CUSTOM)


class LoginFlow:
    """The authorization endpoint, the hosted login pages and logout."""

    def __init__(self, state: State) -> None:
        self.state = state

    # ---- /oauth/v2/authorize ------------------------------------------------------

    def authorize(self, req: HttpRequest) -> HttpResult:
        """Validate an authorization request and start (or skip) the login."""
        params = req.params()
        try:
            _, auth = self._validate(params)
        except OAuthError as error:
            return _error_result(error)
        if auth.code_challenge and auth.code_challenge_method != "S256":
            description = f"code_challenge_method {auth.code_challenge_method} is not supported"
            return self._error_redirect(auth, OAuthError("invalid_request", description))
        self.state.auth_requests[auth.id] = auth
        session = self._usable_session(req, auth)
        if "none" in auth.prompt:
            if session is None:
                return self._error_redirect(auth, OAuthError("login_required"))
            return self._finish(req.base_url, auth, session)
        if session is not None:
            return self._finish(req.base_url, auth, session)
        auto_user = self._auto_login_user(auth)
        if auto_user is not None:
            cookie, session = self._new_session(auto_user)
            result = self._finish(req.base_url, auth, session)
            result.cookies[USER_AGENT_COOKIE] = cookie
            return result
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
        auth = AuthRequest(
            id=self.state.ids.next_id(),
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
        )
        return app, auth

    def _usable_session(self, req: HttpRequest, auth: AuthRequest) -> BrowserSession | None:
        """The browser's session if it may answer this request without a login."""
        session = self.state.browser_session(req.cookies)
        if session is None or "login" in auth.prompt or "select_account" in auth.prompt:
            return None
        if auth.max_age is not None and self.state.clock.now() - session.auth_time > auth.max_age:
            return None
        user = self.state.directory.find_user(session.user_id)
        if user is None or (auth.org_id and user.org_id != auth.org_id):
            return None
        return session

    def _auto_login_user(self, auth: AuthRequest) -> User | None:
        if not self.state.auto_login:
            return None
        directory = self.state.directory
        if auth.login_hint:
            user = directory.find_user_by_login_name(auth.login_hint)
            if user is not None:
                return user
        if self.state.auto_login_user_id:
            return directory.find_user(self.state.auto_login_user_id)
        return None

    def _new_session(self, user: User) -> tuple[str, BrowserSession]:
        """A new browser session for `user`, and the cookie value that identifies it."""
        cookie = self.state.ids.token(24)
        session = BrowserSession(
            id=self.state.ids.next_id(), user_id=user.id, auth_time=self.state.clock.timestamp()
        )
        self.state.browser_sessions[cookie] = session
        return cookie, session

    # ---- the login pages ----------------------------------------------------------

    def _auth_request(self, auth_request_id: str) -> AuthRequest | None:
        auth = self.state.auth_requests.get(auth_request_id)
        if auth is None:
            return None
        lifetime = self.state.directory.lifetimes.auth_code.total_seconds()
        if self.state.clock.now() - auth.created_at > max(lifetime, 3600):
            return None
        return auth

    def _app_name(self, auth: AuthRequest) -> str:
        app = self.state.directory.find_client(auth.client_id)
        return app.name if app else ""

    def login_page(self, req: HttpRequest) -> HttpResult:
        """GET /ui/login/login: the login name page (or the password page for a known hint)."""
        auth = self._auth_request(req.query.get("authRequestID", ""))
        if auth is None:
            return HttpResult.of_html(pages.error_page("Auth Request does not exist"), 404)
        if auth.login_hint:
            user = self._find_user(auth, auth.login_hint)
            if user is not None:
                auth.user_id = user.id
                return HttpResult.of_html(
                    pages.password_page(auth.id, login_name=auth.login_hint, display_name=user.name)
                )
        page = pages.login_name_page(
            auth.id, app_name=self._app_name(auth), login_name=auth.login_hint
        )
        return HttpResult.of_html(page)

    def _find_user(self, auth: AuthRequest, login_name: str) -> User | None:
        user = self.state.directory.find_user_by_login_name(login_name)
        if user is None or (auth.org_id and user.org_id != auth.org_id):
            return None
        return user

    def login_name(self, req: HttpRequest) -> HttpResult:
        """POST /ui/login/loginname: choose the user, then ask for the password."""
        auth = self._auth_request(req.form.get("authRequestID", ""))
        if auth is None:
            return HttpResult.of_html(pages.error_page("Auth Request does not exist"), 404)
        login_name = req.form.get("loginName", "").strip()
        user = self._find_user(auth, login_name)
        if user is None:
            message = USER_NOT_FOUND_ON_ORG if auth.org_id else pages.USER_NOT_FOUND
            page = pages.login_name_page(
                auth.id, app_name=self._app_name(auth), login_name=login_name, error=message
            )
            return HttpResult.of_html(page)
        auth.user_id = user.id
        return HttpResult.of_html(
            pages.password_page(auth.id, login_name=login_name, display_name=user.name)
        )

    def password(self, req: HttpRequest) -> HttpResult:
        """POST /ui/login/password: check the password; on success continue to the client."""
        auth = self._auth_request(req.form.get("authRequestID", ""))
        if auth is None:
            return HttpResult.of_html(pages.error_page("Auth Request does not exist"), 404)
        login_name = req.form.get("loginName", "")
        user = self.state.directory.find_user(auth.user_id) if auth.user_id else None
        if user is None:
            user = self._find_user(auth, login_name)
        if user is None:
            page = pages.login_name_page(
                auth.id, app_name=self._app_name(auth), error=pages.USER_NOT_FOUND
            )
            return HttpResult.of_html(page)
        error = ""
        if user.state == "locked":
            error = pages.USER_LOCKED
        elif user.password is None or req.form.get("password", "") != user.password:
            error = pages.PASSWORD_INVALID
        if error:
            page = pages.password_page(
                auth.id, login_name=login_name or user.username, display_name=user.name, error=error
            )
            return HttpResult.of_html(page)
        cookie, _ = self._new_session(user)
        auth.user_id = user.id
        auth.session_id = cookie
        if auth.device_user_code:
            session = self.state.browser_sessions[cookie]
            result = self._finish(req.base_url, auth, session)
        else:
            query = urlencode({"id": auth.id})
            result = HttpResult.redirect(f"{pages.AUTHORIZE_CALLBACK_PATH}?{query}")
        result.cookies[USER_AGENT_COOKIE] = cookie
        return result

    def callback(self, req: HttpRequest) -> HttpResult:
        """GET /oauth/v2/authorize/callback: answer the client for a finished login."""
        auth = self._auth_request(req.query.get("id", ""))
        if auth is None or not auth.session_id:
            return HttpResult.of_html(pages.error_page("Auth Request does not exist"), 404)
        session = self.state.browser_sessions.get(auth.session_id)
        if session is None:
            return HttpResult.of_html(pages.error_page("Session does not exist"), 404)
        return self._finish(req.base_url, auth, session)

    # ---- answering the client -----------------------------------------------------

    def _finish(self, issuer: str, auth: AuthRequest, session: BrowserSession) -> HttpResult:
        """The login succeeded: approve the device, or send a code (or tokens) to the client."""
        self.state.auth_requests.pop(auth.id, None)
        if auth.device_user_code:
            approved = self.state.device.approve(
                auth.device_user_code,
                user_id=session.user_id,
                auth_time=session.auth_time,
                amr=session.amr,
                sid=session.id,
            )
            return HttpResult.of_html(pages.device_done_page(approved=approved))
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
        return self._respond(auth, params)

    def _implicit_tokens(
        self, issuer: str, auth: AuthRequest, session: BrowserSession
    ) -> dict[str, str]:
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

    def _respond(self, auth: AuthRequest, params: dict[str, str]) -> HttpResult:
        default = "query" if auth.response_type == "code" else "fragment"
        mode = auth.response_mode or default
        if mode == "form_post":
            return HttpResult.of_html(pages.form_post_page(auth.redirect_uri, params))
        encoded = urlencode(params)
        if mode == "fragment":
            return HttpResult.redirect(f"{auth.redirect_uri}#{encoded}")
        separator = "&" if "?" in auth.redirect_uri else "?"
        return HttpResult.redirect(f"{auth.redirect_uri}{separator}{encoded}")

    def _error_redirect(self, auth: AuthRequest, error: OAuthError) -> HttpResult:
        self.state.auth_requests.pop(auth.id, None)
        params = dict(error.body())
        if auth.state:
            params["state"] = auth.state
        return self._respond(auth, params)

    # ---- device login ---------------------------------------------------------------

    def device_page(self, req: HttpRequest) -> HttpResult:
        """GET /ui/login/device: the page where a user types the code a device shows."""
        return HttpResult.of_html(pages.device_code_page(user_code=req.query.get("user_code", "")))

    def device_code(self, req: HttpRequest) -> HttpResult:
        """POST /ui/login/device: find the device request, then log the user in for it."""
        typed = req.form.get("userCode", "")
        request = self.state.device.by_user_code(typed)
        if request is None:
            page = pages.device_code_page(user_code=typed, error=pages.DEVICE_CODE_INVALID)
            return HttpResult.of_html(page)
        auth = AuthRequest(
            id=self.state.ids.next_id(),
            client_id=request.client_id,
            redirect_uri="",
            scopes=request.scopes,
            audience=request.audience,
            response_type="device",
            response_mode="",
            state="",
            nonce="",
            code_challenge="",
            code_challenge_method="",
            prompt=[],
            max_age=None,
            login_hint="",
            org_id=None,
            created_at=self.state.clock.now(),
            device_user_code=request.user_code,
        )
        self.state.auth_requests[auth.id] = auth
        session = self.state.browser_session(req.cookies)
        if session is not None:
            return self._finish(req.base_url, auth, session)
        return HttpResult.of_html(pages.login_name_page(auth.id, app_name=self._app_name(auth)))

    # ---- /oidc/v1/end_session ---------------------------------------------------------

    def end_session(self, req: HttpRequest) -> HttpResult:
        """Log the browser out and redirect (to a registered post_logout_redirect_uri)."""
        params = req.params()
        directory = self.state.directory
        redirect = req.base_url + pages.LOGOUT_DONE_PATH
        client_id = params.get("client_id", "")
        user_id = ""
        hint = params.get("id_token_hint", "")
        if hint:
            claims = self._verify_id_token_hint(hint, req.base_url)
            if claims is None:
                return _error_result(OAuthError("invalid_request", "id_token_hint invalid"))
            user_id = str(claims.get("sub", ""))
            azp = str(claims.get("azp", ""))
            if client_id and client_id != azp:
                return _error_result(
                    OAuthError("invalid_request", "client_id does not match azp of id_token_hint")
                )
            client_id = azp
        post_logout = params.get("post_logout_redirect_uri", "")
        if client_id:
            app = directory.find_client(client_id)
            if app is None:
                return _error_result(OAuthError("invalid_request", "Errors.App.NotFound"))
            if post_logout:
                if not self._post_logout_allowed(app, post_logout):
                    return _error_result(
                        OAuthError("invalid_request", "post_logout_redirect_uri invalid")
                    )
                redirect = post_logout
        if params.get("state"):
            separator = "&" if "?" in redirect else "?"
            redirect = f"{redirect}{separator}{urlencode({'state': params['state']})}"
        result = HttpResult.redirect(redirect)
        cookie = req.cookies.get(USER_AGENT_COOKIE)
        session = self.state.browser_sessions.get(cookie or "")
        if cookie and session and (not user_id or session.user_id == user_id):
            del self.state.browser_sessions[cookie]
            result.cookies[USER_AGENT_COOKIE] = None
        return result

    @staticmethod
    def _post_logout_allowed(app: Application, uri: str) -> bool:
        if uri in app.post_logout_redirect_uris:
            return True
        return (
            app.kind == "native"
            and _is_loopback(uri)
            and any(
                _is_loopback(r) and _same_without_port(uri, r)
                for r in app.post_logout_redirect_uris
            )
        )

    def _verify_id_token_hint(self, token: str, issuer: str) -> dict[str, object] | None:
        """The claims of an ID token this provider signed for `issuer` (expired ones are
        accepted, as OIDC RP-Initiated Logout allows)."""
        try:
            jwt = parse(token)
            key = self.state.keys.find(str(jwt.header.get("kid", "")))
            if key is None:
                return None
            jwt.verify(key.public_key)
        except JWTError:
            return None
        return jwt.claims if jwt.claims.get("iss") == issuer else None
