"""OpenID Back-Channel Logout 1.0: a relying party is told when its user's session ends.

A small aiohttp relying party keeps a session per ``sid`` and exposes a back-channel
logout endpoint that verifies the ``logout_token`` with PyJWT against the provider's
JWKS, as the specification asks (section 2.6), then drops the session. Logins are made
by a custom login UI through the ``zitadel-client`` SDK; the sessions end through
``end_session`` or the session API.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from aiohttp import web
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import zitadel_client
    from zitadel_client import models as m

from mocks.zitadel import Application, MockZitadel, User

EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGIN_UI = "http://127.0.0.1:3000/ui"
REDIRECT = "http://127.0.0.1:8000/callback"


class RelyingParty:
    """Sessions by sid, and ``POST /backchannel-logout`` that verifies and drops them."""

    def __init__(self, zitadel: MockZitadel) -> None:
        self.zitadel = zitadel
        self.client_ids: set[str] = set()
        self.sessions: dict[str, str] = {}  # sid -> user id
        self.verified: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.failures_left = 0
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    async def _serve(self) -> None:
        application = web.Application()
        application.router.add_post("/backchannel-logout", self.backchannel_logout)
        self._runner = web.AppRunner(application)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def backchannel_logout(self, request: web.Request) -> web.Response:
        if self.failures_left:
            self.failures_left -= 1
            return web.Response(status=503)
        form = await request.post()
        token = str(form.get("logout_token", ""))
        try:
            claims = await asyncio.to_thread(self._verify, token)
        except jwt.InvalidTokenError as error:
            self.refused.append(str(error))
            return web.json_response({"error": "invalid_request"}, status=400)
        self.verified.append(claims)
        self.sessions.pop(claims["sid"], None)
        return web.Response(status=200)

    def _verify(self, token: str) -> dict[str, Any]:
        """Section 2.6 of the specification: signature, iss, aud, iat, events, no nonce."""
        keys = jwt.PyJWKClient(self.zitadel.url + "/oauth/v2/keys")
        key = keys.get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=list(self.client_ids),
            issuer=self.zitadel.issuer,
            options={"require": ["iat", "exp", "jti", "sid", "sub"]},
        )
        if claims.get("events") != {EVENT: {}} or "nonce" in claims:
            raise jwt.InvalidTokenError("not a logout token")
        return claims


@pytest.fixture
def rp(mock_zitadel: MockZitadel) -> Iterator[RelyingParty]:
    party = RelyingParty(mock_zitadel)
    party.start()
    try:
        yield party
    finally:
        party.stop()


@pytest.fixture
def sdk(mock_zitadel: MockZitadel, tmp_path: Path) -> zitadel_client.Zitadel:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(mock_zitadel.create_service_user("login-ui")))
    return zitadel_client.Zitadel.with_private_key(mock_zitadel.url, str(path))


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user("alice@example.com", password="Secret1!")


def _app(mock: MockZitadel, rp: RelyingParty, name: str) -> Application:
    app = mock.create_application(
        name,
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=[REDIRECT + "/bye"],
        login_v2_base_uri=LOGIN_UI,
        back_channel_logout_uri=rp.url + "/backchannel-logout",
        grant_types=["authorization_code", "refresh_token"],
    )
    rp.client_ids.add(app.client_id)
    return app


def _session(sdk: zitadel_client.Zitadel) -> m.SessionServiceCreateSessionResponse:
    return sdk.sessions.create_session(
        m.SessionServiceCreateSessionRequest(
            checks=m.SessionServiceChecks(
                user=m.SessionServiceCheckUser(login_name="alice@example.com"),
                password=m.SessionServiceCheckPassword(password="Secret1!"),
            )
        )
    )


def _login(
    mock: MockZitadel,
    sdk: zitadel_client.Zitadel,
    app: Application,
    session: m.SessionServiceCreateSessionResponse,
    rp: RelyingParty,
) -> dict[str, Any]:
    """The app's login through the custom UI with `session`; the RP keeps it by sid."""
    verifier = secrets.token_urlsafe(48)
    with OAuth2Session(
        app.client_id,
        app.client_secret,
        scope="openid offline_access",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    ) as oauth:
        url, _ = oauth.create_authorization_url(
            mock.url + "/oauth/v2/authorize", code_verifier=verifier
        )
        location = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
        auth_request_id = parse_qs(urlsplit(location).query)["authRequest"][0]
        callback = sdk.oidc.create_callback(
            m.OIDCServiceCreateCallbackRequest(
                auth_request_id=auth_request_id,
                session=m.OIDCServiceSession(
                    session_id=session.session_id, session_token=session.session_token
                ),
            )
        )
        tokens: dict[str, Any] = oauth.fetch_token(
            mock.url + "/oauth/v2/token",
            authorization_response=callback.callback_url,
            code_verifier=verifier,
        )
    sid = jwt.decode(tokens["id_token"], options={"verify_signature": False})["sid"]
    rp.sessions[sid] = app.client_id
    return tokens


def _introspect(mock: MockZitadel, app: Application, token: str) -> bool:
    assert app.client_secret is not None
    answer = requests.post(
        mock.url + "/oauth/v2/introspect",
        data={"token": token},
        auth=(app.client_id, app.client_secret),
        timeout=5,
    )
    active: bool = answer.json()["active"]
    return active


def test_end_session_sends_a_verified_logout_token_and_the_rp_drops_the_session(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, rp: RelyingParty, alice: User
) -> None:
    discovery = requests.get(mock_zitadel.url + "/.well-known/openid-configuration", timeout=5)
    assert discovery.json()["backchannel_logout_supported"] is True
    app = _app(mock_zitadel, rp, "shop")
    session = _session(sdk)
    tokens = _login(mock_zitadel, sdk, app, session, rp)
    assert rp.sessions == {session.session_id: app.client_id}
    assert _introspect(mock_zitadel, app, tokens["access_token"])

    query = urlencode(
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": REDIRECT + "/bye"}
    )
    logout = requests.get(
        f"{mock_zitadel.url}/oidc/v1/end_session?{query}", allow_redirects=False, timeout=5
    )
    assert logout.headers["Location"] == REDIRECT + "/bye"
    (delivery,) = mock_zitadel.wait_for_callbacks()
    assert delivery.succeeded and delivery.status == 200
    assert rp.refused == [] and rp.sessions == {}
    (claims,) = rp.verified
    assert claims["sub"] == alice.id and claims["sid"] == session.session_id
    assert claims["aud"] == [app.client_id]
    # The login's tokens end with the session.
    assert not _introspect(mock_zitadel, app, tokens["access_token"])
    with (
        OAuth2Session(app.client_id, app.client_secret) as client,
        pytest.raises(OAuthError) as dead,
    ):
        client.refresh_token(
            mock_zitadel.url + "/oauth/v2/token", refresh_token=tokens["refresh_token"]
        )
    assert dead.value.description == "Errors.OIDCSession.RefreshTokenInvalid"


def test_deleting_a_session_tells_every_app_that_used_it(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, rp: RelyingParty, alice: User
) -> None:
    shop, blog = _app(mock_zitadel, rp, "shop"), _app(mock_zitadel, rp, "blog")
    session = _session(sdk)
    _login(mock_zitadel, sdk, shop, session, rp)
    _login(mock_zitadel, sdk, blog, session, rp)
    other = _session(sdk)
    _login(mock_zitadel, sdk, shop, other, rp)

    sdk.sessions.delete_session(m.SessionServiceDeleteSessionRequest(session_id=session.session_id))
    deliveries = mock_zitadel.wait_for_callbacks()
    assert len(deliveries) == 2 and all(d.status == 200 for d in deliveries)
    assert sorted(c["aud"][0] for c in rp.verified) == sorted([shop.client_id, blog.client_id])
    assert {c["sid"] for c in rp.verified} == {session.session_id}
    assert rp.sessions == {other.session_id: shop.client_id}


def test_a_failing_relying_party_gets_the_token_again(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, rp: RelyingParty, alice: User
) -> None:
    app = _app(mock_zitadel, rp, "shop")
    session = _session(sdk)
    _login(mock_zitadel, sdk, app, session, rp)
    rp.failures_left = 2
    sdk.sessions.delete_session(m.SessionServiceDeleteSessionRequest(session_id=session.session_id))
    (delivery,) = mock_zitadel.wait_for_callbacks()
    assert [attempt.status for attempt in delivery.attempts] == [503, 503, 200]
    assert delivery.succeeded and rp.sessions == {}
    form = parse_qs(delivery.body.decode())
    assert list(form) == ["logout_token"]
    assert delivery.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_no_logout_token_when_the_feature_is_off(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, rp: RelyingParty, alice: User
) -> None:
    sdk.features.set_instance_features(
        m.FeatureServiceSetInstanceFeaturesRequest(enable_back_channel_logout=False)
    )
    discovery = requests.get(mock_zitadel.url + "/.well-known/openid-configuration", timeout=5)
    assert discovery.json()["backchannel_logout_supported"] is False
    app = _app(mock_zitadel, rp, "shop")
    session = _session(sdk)
    tokens = _login(mock_zitadel, sdk, app, session, rp)
    sdk.sessions.delete_session(m.SessionServiceDeleteSessionRequest(session_id=session.session_id))
    assert mock_zitadel.wait_for_callbacks() == []
    assert not _introspect(mock_zitadel, app, tokens["access_token"])
