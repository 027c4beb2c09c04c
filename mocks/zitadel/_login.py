"""The hosted login (Zitadel's login V1 under ``/ui/login/``): names, passwords, TOTP, devices.

The flow is Zitadel's: the login name page posts to ``/ui/login/loginname``, which
answers with the password page; the password page posts to ``/ui/login/password``. A
user with a TOTP authenticator is then asked for its code (``/ui/login/mfa/verify``);
one whose organization forces MFA and who has none registers one first
(``/ui/login/mfa/init/verify``). Then the browser goes on to the authorize callback,
which answers the client. A wrong password or code shows Zitadel's error on the same
page and keeps the login going.

Every page is bound to the browser that started the login (its user-agent cookie), and
every POST must carry the login's CSRF token (see `_security`); a forged or
cross-origin POST gets the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from . import _login_page as pages
from . import _totp as totp
from ._authorize import Authorizer
from ._http import HttpRequest, HttpResult
from ._model import User
from ._security import CSRF_COOKIE, csrf_failure, mask, new_secret, valid_secret
from ._sessions import Session, second_factor
from ._state import USER_AGENT_COOKIE, AuthRequest, State

Page = Callable[[str], str]


class LoginPages:
    """The login pages' handlers."""

    def __init__(self, state: State, authorizer: Authorizer) -> None:
        self.state = state
        self.authorizer = authorizer
        #: Secrets offered on the "register a TOTP app" page, by auth request id.
        self.totp_offers: dict[str, str] = {}

    # ---- plumbing -------------------------------------------------------------------

    def _page(self, req: HttpRequest, page: Page, status: int = 200) -> HttpResult:
        """Render a page with a fresh CSRF token (and the CSRF cookie if the browser has none)."""
        secret = req.cookies.get(CSRF_COOKIE, "")
        fresh = not valid_secret(secret)
        if fresh:
            secret = new_secret(self.state.ids.random_bytes(32))
        result = HttpResult.of_html(page(mask(secret, self.state.ids.random_bytes(32))), status)
        if fresh:
            result.cookies[CSRF_COOKIE] = secret
        return result

    @staticmethod
    def _refusal(message: str, status: int) -> HttpResult:
        return HttpResult.of_html(pages.error_page(message), status)

    def _forged(self, req: HttpRequest) -> HttpResult | None:
        """The 403 page for a POST without the login's CSRF token, or None."""
        failure = csrf_failure(
            origin=req.header("origin"),
            base_url=req.base_url,
            secret=req.cookies.get(CSRF_COOKIE, ""),
            sent=req.form.get(pages.CSRF_FIELD, "") or req.header("x-csrf-token") or "",
        )
        return None if failure is None else self._refusal(f"Forbidden - {failure}", 403)

    def _auth(self, req: HttpRequest, auth_request_id: str) -> AuthRequest | HttpResult:
        """The login's auth request, if it exists and belongs to this browser."""
        auth = self.authorizer.find(auth_request_id)
        if auth is None or auth.login_v2:
            return self._refusal(pages.AUTH_REQUEST_MISSING, 404)
        if auth.agent_id and req.cookies.get(USER_AGENT_COOKIE) != auth.agent_id:
            return self._refusal(pages.USER_AGENT_MISMATCH, 403)
        return auth

    def _posted_auth(self, req: HttpRequest) -> AuthRequest | HttpResult:
        forged = self._forged(req)
        if forged is not None:
            return forged
        return self._auth(req, req.form.get("authRequestID", ""))

    def _app_name(self, auth: AuthRequest) -> str:
        app = self.state.directory.find_client(auth.client_id)
        return app.name if app else ""

    def _find_user(self, auth: AuthRequest, login_name: str) -> User | None:
        user = self.state.directory.find_user_by_login_name(login_name)
        if user is None or (auth.org_id and user.org_id != auth.org_id):
            return None
        return user

    def _login_name_page(
        self, req: HttpRequest, auth: AuthRequest, login_name: str = "", error: str = ""
    ) -> HttpResult:
        def page(csrf: str) -> str:
            return pages.login_name_page(
                auth.id,
                csrf=csrf,
                app_name=self._app_name(auth),
                login_name=login_name,
                error=error,
            )

        return self._page(req, page)

    def _password_page(
        self, req: HttpRequest, auth: AuthRequest, user: User, login_name: str, error: str = ""
    ) -> HttpResult:
        def page(csrf: str) -> str:
            return pages.password_page(
                auth.id, csrf=csrf, login_name=login_name, display_name=user.name, error=error
            )

        return self._page(req, page)

    # ---- login name and password ----------------------------------------------------

    def login_page(self, req: HttpRequest) -> HttpResult:
        """GET /ui/login/login: the login name page (or the password page for a known hint)."""
        auth = self._auth(req, req.query.get("authRequestID", ""))
        if isinstance(auth, HttpResult):
            return auth
        if auth.login_hint:
            user = self._find_user(auth, auth.login_hint)
            if user is not None:
                auth.user_id = user.id
                return self._password_page(req, auth, user, auth.login_hint)
        return self._login_name_page(req, auth, auth.login_hint)

    def login_name(self, req: HttpRequest) -> HttpResult:
        """POST /ui/login/loginname: choose the user, then ask for the password."""
        auth = self._posted_auth(req)
        if isinstance(auth, HttpResult):
            return auth
        login_name = req.form.get("loginName", "").strip()
        user = self._find_user(auth, login_name)
        if user is None:
            error = pages.USER_NOT_FOUND_ON_ORG if auth.org_id else pages.USER_NOT_FOUND
            return self._login_name_page(req, auth, login_name, error)
        auth.user_id = user.id
        return self._password_page(req, auth, user, login_name)

    def password(self, req: HttpRequest) -> HttpResult:
        """POST /ui/login/password: check the password, then the second factor or done."""
        auth = self._posted_auth(req)
        if isinstance(auth, HttpResult):
            return auth
        login_name = req.form.get("loginName", "")
        user = self.state.directory.find_user(auth.user_id) if auth.user_id else None
        if user is None:
            user = self._find_user(auth, login_name)
        if user is None:
            return self._login_name_page(req, auth, error=pages.USER_NOT_FOUND)
        error = ""
        if user.state == "locked":
            error = pages.USER_LOCKED
        elif user.password is None or req.form.get("password", "") != user.password:
            error = pages.PASSWORD_INVALID
        if error:
            return self._password_page(req, auth, user, login_name or user.username, error)
        session = self.state.sessions.create()
        now = self.state.clock.now()
        session.user_id, session.user_checked_at, session.password_checked_at = user.id, now, now
        auth.user_id = user.id
        return self._next_step(req, auth, user, session)

    # ---- the second factor --------------------------------------------------------

    def _next_step(
        self, req: HttpRequest, auth: AuthRequest, user: User, session: Session, error: str = ""
    ) -> HttpResult:
        """Ask for the second factor the user still owes, or finish the login."""
        step = second_factor(self.state.directory, user, session)
        if not step:
            auth.pending_session_id = ""
            return self._complete(req, auth, session)
        auth.pending_session_id = session.id
        if step == "verify":

            def verify_page(csrf: str) -> str:
                return pages.mfa_verify_page(
                    auth.id, csrf=csrf, display_name=user.name, error=error
                )

            return self._page(req, verify_page)
        secret = self.totp_offers.setdefault(
            auth.id, totp.new_secret(self.state.ids.random_bytes(20))
        )
        uri = totp.provisioning_uri(secret, user.username, req.base_url)

        def setup_page(csrf: str) -> str:
            return pages.mfa_setup_page(auth.id, csrf=csrf, secret=secret, uri=uri, error=error)

        return self._page(req, setup_page)

    def _pending(self, req: HttpRequest) -> tuple[AuthRequest, User, Session] | HttpResult:
        auth = self._posted_auth(req)
        if isinstance(auth, HttpResult):
            return auth
        session = self.state.sessions.get(auth.pending_session_id)
        user = self.state.directory.find_user(session.user_id) if session else None
        if session is None or user is None:
            return self._refusal(pages.AUTH_REQUEST_MISSING, 404)
        return auth, user, session

    def mfa_verify(self, req: HttpRequest) -> HttpResult:
        """POST /ui/login/mfa/verify: check the TOTP code of the user's authenticator."""
        pending = self._pending(req)
        if isinstance(pending, HttpResult):
            return pending
        auth, user, session = pending
        code = req.form.get("code", "")
        if not user.totp_secret or not totp.verify(user.totp_secret, code, self._now()):
            return self._next_step(req, auth, user, session, pages.TOTP_CODE_INVALID)
        self._totp_checked(session)
        return self._next_step(req, auth, user, session)

    def mfa_init_verify(self, req: HttpRequest) -> HttpResult:
        """POST /ui/login/mfa/init/verify: register the offered TOTP secret with its first code."""
        pending = self._pending(req)
        if isinstance(pending, HttpResult):
            return pending
        auth, user, session = pending
        secret = self.totp_offers.get(auth.id)
        if secret is None or not totp.verify(secret, req.form.get("code", ""), self._now()):
            return self._next_step(req, auth, user, session, pages.TOTP_CODE_INVALID)
        user.totp_secret = secret
        self.state.directory.touch(user)
        del self.totp_offers[auth.id]
        self._totp_checked(session)
        return self._next_step(req, auth, user, session)

    def _now(self) -> float:
        return self.state.clock.now()

    def _totp_checked(self, session: Session) -> None:
        session.totp_checked_at = self._now()
        self.state.sessions.touch(session)

    # ---- finishing ------------------------------------------------------------------

    def _complete(self, req: HttpRequest, auth: AuthRequest, session: Session) -> HttpResult:
        """The user has authenticated: log the browser in, then answer the client."""
        self.state.sessions.bind(auth.agent_id, session)
        auth.session_id = session.id
        if auth.device_user_code:
            self.state.auth_requests.pop(auth.id, None)
            approved = self.state.device.approve(
                auth.device_user_code,
                user_id=session.user_id,
                auth_time=session.auth_time,
                amr=session.amr,
                sid=session.id,
            )
            return HttpResult.of_html(pages.device_done_page(approved=approved))
        query = urlencode({"id": auth.id})
        return HttpResult.redirect(f"{pages.AUTHORIZE_CALLBACK_PATH}?{query}")

    # ---- device login ---------------------------------------------------------------

    def device_page(self, req: HttpRequest) -> HttpResult:
        """GET /ui/login/device: the page where a user types the code a device shows."""
        user_code = req.query.get("user_code", "")

        def page(csrf: str) -> str:
            return pages.device_code_page(csrf=csrf, user_code=user_code)

        return self._page(req, page)

    def device_code(self, req: HttpRequest) -> HttpResult:
        """POST /ui/login/device: find the device request, then log the user in for it."""
        forged = self._forged(req)
        if forged is not None:
            return forged
        typed = req.form.get("userCode", "")
        request = self.state.device.by_user_code(typed)
        if request is None:

            def page(csrf: str) -> str:
                return pages.device_code_page(
                    csrf=csrf, user_code=typed, error=pages.DEVICE_CODE_INVALID
                )

            return self._page(req, page)
        agent = req.cookies.get(USER_AGENT_COOKIE, "")
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
            agent_id=agent or self.state.ids.token(24),
        )
        self.state.auth_requests[auth.id] = auth
        session = self.authorizer.usable_session(req.cookies, auth)
        result = (
            self._complete(req, auth, session)
            if session is not None
            else self._login_name_page(req, auth)
        )
        if not agent:
            result.cookies[USER_AGENT_COOKIE] = auth.agent_id
        return result
