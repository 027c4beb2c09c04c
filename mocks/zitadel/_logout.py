"""Ending sessions: ``/oidc/v1/end_session`` and OpenID Back-Channel Logout 1.0.

When a session ends (RP-initiated logout, or the session API deleting it) the tokens of
its logins stop working, and each application that logged in through it and registered
a ``back_channel_logout_uri`` is sent a signed logout token (form field
``logout_token``), as Zitadel's notification worker sends it: ``iss``, ``sub``,
``aud`` (the client id), ``iat``, ``exp`` (five minutes), ``jti``, ``sid`` and the
back-channel logout event. The requests leave the provider as `Outbound` items of the
result, so the server sends them after answering, journals them and retries them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..jose import JWTError, encode_jwt, parse_jwt
from . import _login_page as pages
from ._authorize import error_result
from ._errors import OAuthError
from ._http import HttpRequest, HttpResult, Outbound
from ._redirects import post_logout_allowed
from ._sessions import Session
from ._state import USER_AGENT_COOKIE, State

BACK_CHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_LIFETIME = 5 * 60


class Logout:
    """End sessions and tell the applications that used them."""

    def __init__(self, state: State) -> None:
        self.state = state

    def terminate(self, issuer: str, session: Session) -> list[Outbound]:
        """End `session`: its logins' tokens die; returns the logout tokens to send."""
        self.state.sessions.delete(session.id)
        directory = self.state.directory
        sent: dict[str, Outbound] = {}
        for oidc_session in self.state.store.sessions.values():
            if oidc_session.sid != session.id or not oidc_session.active:
                continue
            oidc_session.active = False
            oidc_session.refresh_token_id = None
            app = directory.find_client(oidc_session.client_id)
            uri = app.back_channel_logout_uri if app else None
            if uri and directory.features.back_channel_logout and app:
                token = self.logout_token(issuer, session, app.client_id)
                sent.setdefault(app.client_id, Outbound(uri, {"logout_token": token}))
        return list(sent.values())

    def logout_token(self, issuer: str, session: Session, client_id: str) -> str:
        """A signed logout token for `client_id` about `session`."""
        now = self.state.clock.timestamp()
        claims = {
            "iss": issuer,
            "sub": session.user_id,
            "aud": [client_id],
            "iat": now - 1,
            "exp": now + LOGOUT_TOKEN_LIFETIME,
            "jti": self.state.ids.next_id(),
            "events": {BACK_CHANNEL_LOGOUT_EVENT: {}},
            "sid": session.id,
        }
        key = self.state.keys.current
        return encode_jwt(claims, key.private_key, key.kid)

    # ---- /oidc/v1/end_session ---------------------------------------------------------

    def end_session(self, req: HttpRequest) -> HttpResult:
        """Log the browser out and redirect (to a registered post_logout_redirect_uri)."""
        params = req.params()
        directory = self.state.directory
        redirect = req.base_url + pages.LOGOUT_DONE_PATH
        client_id = params.get("client_id", "")
        user_id = sid = ""
        hint = params.get("id_token_hint", "")
        if hint:
            claims = self._verify_id_token_hint(hint, req.base_url)
            if claims is None:
                return error_result(OAuthError("invalid_request", "id_token_hint invalid"))
            user_id, sid = str(claims.get("sub", "")), str(claims.get("sid", ""))
            azp = str(claims.get("azp", ""))
            if client_id and client_id != azp:
                return error_result(
                    OAuthError("invalid_request", "client_id does not match azp of id_token_hint")
                )
            client_id = azp
        post_logout = params.get("post_logout_redirect_uri", "")
        if client_id:
            app = directory.find_client(client_id)
            if app is None:
                return error_result(OAuthError("invalid_request", "Errors.App.NotFound"))
            if post_logout:
                if not post_logout_allowed(app, post_logout):
                    return error_result(
                        OAuthError("invalid_request", "post_logout_redirect_uri invalid")
                    )
                redirect = post_logout
        if params.get("state"):
            separator = "&" if "?" in redirect else "?"
            redirect = f"{redirect}{separator}{urlencode({'state': params['state']})}"
        result = HttpResult.redirect(redirect)
        session = self._session_to_end(req, sid, user_id)
        if session is not None:
            result.outbound = self.terminate(req.base_url, session)
        return result

    def _session_to_end(self, req: HttpRequest, sid: str, user_id: str) -> Session | None:
        """The session a logout ends: the hint's ``sid`` (a session of the API v2 or of a
        browser), else the browser's own session; never another user's."""
        session = self.state.sessions.get(sid) if sid else None
        if session is None:
            session = self.state.sessions.of_agent(req.cookies.get(USER_AGENT_COOKIE, ""))
        if session is None or (user_id and session.user_id != user_id):
            return None
        return session

    def _verify_id_token_hint(self, token: str, issuer: str) -> dict[str, object] | None:
        """The claims of an ID token this provider signed for `issuer` (expired ones are
        accepted, as OIDC RP-Initiated Logout allows)."""
        try:
            jwt = parse_jwt(token)
            key = self.state.keys.find(str(jwt.header.get("kid", "")))
            if key is None:
                return None
            jwt.verify(key.public_key)
        except JWTError:
            return None
        return jwt.claims if jwt.claims.get("iss") == issuer else None
