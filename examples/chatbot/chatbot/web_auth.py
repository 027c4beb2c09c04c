"""The web chat's login: ``/login``, ``/callback``, ``/logout``, ``/bye``, and the session
cookie that says who a request comes from.

A session lives in PostgreSQL (``web_sessions``) under a random id, which is all the
cookie holds. Each page load and each WebSocket asks the provider's userinfo endpoint
whether the session's access token is still good; when it is not (expired, revoked),
the session is deleted and the browser is sent to log in again.
"""

from __future__ import annotations

import html
import logging
import secrets

import aiohttp
from aiohttp import web

from .oidc import LoginFailed, OidcClient
from .store import Store, WebSession

COOKIE = "chatbot_session"
log = logging.getLogger("chatbot.web")


def origin(request: web.Request) -> str:
    """The bot's own origin as the browser sees it (``http://host:port``)."""
    return str(request.url.origin())


class WebAuth:
    """Logs browsers in and out, and finds the session of a request."""

    def __init__(self, oidc: OidcClient, store: Store) -> None:
        self.oidc = oidc
        self.store = store

    def routes(self) -> list[web.RouteDef]:
        """The login routes."""
        return [
            web.get("/login", self.login),
            web.get("/callback", self.callback),
            web.get("/logout", self.logout),
            web.get("/bye", self.bye),
        ]

    async def session_of(self, request: web.Request) -> WebSession | None:
        """The request's session if the provider still accepts it; an expired one is
        deleted. Raises 503 when the provider cannot be asked."""
        session_id = request.cookies.get(COOKIE)
        if not session_id:
            return None
        session = await self.store.find_session(session_id)
        if session is None:
            return None
        try:
            profile = await self.oidc.userinfo(session.access_token)
        except aiohttp.ClientError as error:
            log.warning("cannot check the session of %s: %r", session.subject, error)
            raise web.HTTPServiceUnavailable(text="the login service is unavailable") from error
        if profile is None:
            log.info("session of %s expired at the provider", session.subject)
            await self.store.delete_session(session.id)
            return None
        return session

    async def login(self, request: web.Request) -> web.StreamResponse:
        """Send the browser to the provider's login."""
        raise web.HTTPFound(await self.oidc.begin(origin(request) + "/callback"))

    async def callback(self, request: web.Request) -> web.StreamResponse:
        """The provider sends the browser back here with a code: log the user in."""
        if "error" in request.query:
            return _page("Login failed", f"The provider said: {request.query['error']}", status=401)
        try:
            logged_in = await self.oidc.finish(
                request.query.get("state", ""), request.query.get("code", "")
            )
        except LoginFailed as error:
            log.warning("login failed: %s", error)
            return _page("Login failed", str(error), status=401)
        claims = logged_in.claims
        session = WebSession(
            id=secrets.token_urlsafe(32),
            subject=str(claims["sub"]),
            name=str(claims.get("name") or claims.get("email") or claims["sub"]),
            id_token=logged_in.id_token,
            access_token=logged_in.access_token,
        )
        await self.store.save_session(session)
        response = web.HTTPFound("/")
        response.set_cookie(COOKIE, session.id, httponly=True, samesite="Lax", path="/")
        raise response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        """Forget the session here, then log out at the provider (``end_session``)."""
        session_id = request.cookies.get(COOKIE, "")
        session = await self.store.find_session(session_id) if session_id else None
        target = "/bye"
        if session is not None:
            await self.store.delete_session(session.id)
            target = await self.oidc.end_session_url(session.id_token, origin(request) + "/bye")
        response = web.HTTPFound(target)
        response.del_cookie(COOKIE, path="/")
        raise response

    async def bye(self, request: web.Request) -> web.StreamResponse:
        """Where the provider sends the browser after logging out."""
        return _page(
            "Signed out",
            '<p id="signed-out">You are signed out.</p><a id="login" href="/">Sign in again</a>',
            raw=True,
        )


def _page(title: str, body: str, *, status: int = 200, raw: bool = False) -> web.Response:
    content = body if raw else f'<p id="message">{html.escape(body)}</p>'
    document = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{content}</body></html>"
    )
    return web.Response(text=document, content_type="text/html", status=status)
