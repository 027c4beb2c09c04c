"""Device authorization: Zitadel's user codes, the device page, polling."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mocks.jose import Clock
from mocks.zitadel._device import DeviceFlow, normalize_user_code
from mocks.zitadel._errors import OAuthError
from mocks.zitadel._ids import IdGenerator
from mocks.zitadel._model import Application, User
from mocks.zitadel._provider import ZitadelProvider

USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")


@pytest.fixture
def tv(provider: ZitadelProvider) -> Application:
    return provider.create_application("tv", kind="native", redirect_uris=["http://127.0.0.1/cb"])


def _start(flow: Any, app: Application, scope: str = "openid offline_access") -> Any:
    return flow.call(
        "POST",
        "/oauth/v2/device_authorization",
        form={"client_id": app.client_id, "scope": scope},
    )


def _poll(flow: Any, app: Application, device_code: str) -> Any:
    return flow.token(
        {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": device_code},
        app,
    )


def test_device_authorization_response_has_zitadels_shape(
    flow: Any, kit: Any, tv: Application
) -> None:
    result = _start(flow, tv)
    assert result.status == 200
    kit.assert_valid("device_authorization.response.json", result.json)
    body = result.json
    assert USER_CODE.match(body["user_code"])
    assert body["verification_uri"] == f"{kit.ISSUER}/ui/login/device"
    assert body["verification_uri_complete"].endswith(f"?user_code={body['user_code']}")
    assert (body["expires_in"], body["interval"]) == (300, 5)


def test_the_device_flow_from_code_to_tokens(
    flow: Any, kit: Any, tv: Application, alice: User
) -> None:
    body = _start(flow, tv).json
    assert _poll(flow, tv, body["device_code"]).json == {"error": "authorization_pending"}
    page = flow.call("GET", "/ui/login/device", query={"user_code": body["user_code"]})
    assert 'id="userCode"' in page.html and body["user_code"] in page.html
    typed = body["user_code"].lower().replace("-", "")
    login = flow.submit(page, userCode=typed)
    assert 'id="loginName"' in login.html
    password_page = flow.submit(login, loginName=alice.email)
    done = flow.submit(password_page, password="Secret1!")
    assert 'id="device-result"' in done.html and "now signed in" in done.html
    tokens = _poll(flow, tv, body["device_code"])
    assert tokens.status == 200, tokens.json
    kit.assert_valid("token.response.json", tokens.json)
    assert tokens.json["refresh_token"]
    assert kit.claims_of(tokens.json["id_token"])["sub"] == alice.id
    assert _poll(flow, tv, body["device_code"]).json == {"error": "access_denied"}


def test_a_wrong_user_code_shows_an_error(flow: Any) -> None:
    page = flow.submit(flow.call("GET", "/ui/login/device"), userCode="BBBB-BBBB")
    assert "Device Authorization Request does not exist" in page.html


def test_an_expired_device_code(flow: Any, provider: ZitadelProvider, tv: Application) -> None:
    body = _start(flow, tv).json
    provider.state.clock.advance(301)
    assert _poll(flow, tv, body["device_code"]).json == {"error": "expired_token"}


def test_denied_and_unknown_device_codes() -> None:
    flow = DeviceFlow(IdGenerator(2), Clock(fixed=1000))
    request = flow.start("c", ["openid"], [], lifetime=300, interval=5)
    assert flow.deny(request.user_code)
    with pytest.raises(OAuthError) as denied:
        flow.poll(request.device_code, "c")
    assert denied.value.error == "access_denied"
    with pytest.raises(OAuthError):
        flow.poll("unknown", "c")
    other = flow.start("c", ["openid"], [], lifetime=300, interval=5)
    with pytest.raises(OAuthError):
        flow.poll(other.device_code, "another-client")


def test_user_codes_normalize() -> None:
    assert normalize_user_code("wdjb mjht") == "WDJB-MJHT"
    assert normalize_user_code("WDJB-MJHT") == "WDJB-MJHT"
