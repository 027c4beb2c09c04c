"""Multi-factor login: a user's TOTP authenticator, and an organization that forces MFA.

The codes come from ``pyotp`` (as an authenticator app computes them) on the provider's
frozen clock; the pages are driven as a browser would (`flow.submit`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from mocks.zitadel._model import Application, User
from mocks.zitadel._provider import ZitadelProvider

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _code(flow: Any, secret: str, offset: float = 0) -> str:
    return pyotp.TOTP(secret).at(flow.provider.state.clock.now() + offset)


def _to_password_result(flow: Any, app: Application, user: User) -> Any:
    page = flow.submit(flow.follow(flow.authorize(app)), loginName=user.email)
    return flow.submit(page, password="Secret1!")


def test_the_mock_computes_the_codes_pyotp_computes() -> None:
    from mocks.zitadel import _totp

    for moment in (0, 59, 1_111_111_109, 1_234_567_890, 2_000_000_000):
        assert _totp.code_at(SECRET, moment) == pyotp.TOTP(SECRET).at(moment)
    assert _totp.verify(SECRET, pyotp.TOTP(SECRET).at(1000 - 30), 1000)
    assert not _totp.verify(SECRET, pyotp.TOTP(SECRET).at(1000 - 90), 1000)
    assert not _totp.verify(SECRET, "12345", 1000)
    uri = _totp.provisioning_uri(SECRET, "alice@example.com", "http://127.0.0.1:8080")
    parsed = pyotp.parse_uri(uri)
    assert parsed.secret == SECRET and parsed.at(1000) == _totp.code_at(SECRET, 1000)


def test_a_user_with_totp_is_asked_for_the_code_after_the_password(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User, kit: Any
) -> None:
    provider.enable_totp(alice, SECRET)
    asked = _to_password_result(flow, web_app, alice)
    assert asked.status == 200 and 'id="code"' in asked.html
    assert 'action="/ui/login/mfa/verify"' in asked.html and "Alice Liddell" in asked.html

    wrong = flow.submit(asked, code="000000" if _code(flow, SECRET) != "000000" else "111111")
    assert wrong.status == 200
    assert "Invalid code" in wrong.html and 'id="code"' in wrong.html
    assert provider.state.store.codes == {}

    done = flow.submit(wrong, code=_code(flow, SECRET))
    assert done.location.startswith("/oauth/v2/authorize/callback?id=")
    back = flow.follow(done)
    code = parse_qs(urlsplit(back.location).query)["code"][0]
    claims = kit.claims_of(flow.exchange(web_app, code).json["id_token"])
    assert claims["amr"] == ["pwd", "otp", "mfa"]


def test_a_code_from_the_previous_step_still_counts_but_not_older(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    provider.enable_totp(alice, SECRET)
    asked = _to_password_result(flow, web_app, alice)
    too_old = flow.submit(asked, code=_code(flow, SECRET, -90))
    assert "Invalid code" in too_old.html
    done = flow.submit(too_old, code=_code(flow, SECRET, -30))
    assert done.location.startswith("/oauth/v2/authorize/callback")


def test_the_session_of_a_finished_mfa_login_is_reused_without_asking_again(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    provider.enable_totp(alice, SECRET)
    asked = _to_password_result(flow, web_app, alice)
    flow.follow(flow.submit(asked, code=_code(flow, SECRET)))
    again = flow.authorize(web_app)
    assert parse_qs(urlsplit(again.location).query)["code"]


def test_a_password_only_session_does_not_skip_a_second_factor_added_later(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    flow.code(web_app, alice, "Secret1!")
    assert parse_qs(urlsplit(flow.authorize(web_app).location).query)["code"]
    provider.enable_totp(alice, SECRET)
    assert flow.authorize(web_app).location.startswith("/ui/login/login")


def test_an_organization_forcing_mfa_makes_the_user_register_totp(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    provider.state.directory.org.force_mfa = True
    setup = _to_password_result(flow, web_app, alice)
    assert 'action="/ui/login/mfa/init/verify"' in setup.html
    secret_text = setup.html.split('<code id="totp-secret">')[1].split("</code>")[0]
    uri = setup.html.split('<code id="totp-uri">')[1].split("</code>")[0].replace("&amp;", "&")
    assert pyotp.parse_uri(uri).secret == secret_text

    wrong = flow.submit(setup, code="abcdef")
    assert "Invalid code" in wrong.html and secret_text in wrong.html
    assert alice.totp_secret is None

    done = flow.submit(wrong, code=_code(flow, secret_text))
    assert done.location.startswith("/oauth/v2/authorize/callback")
    assert alice.totp_secret == secret_text

    # The next login in another browser asks for the registered authenticator's code.
    flow.cookies.clear()
    asked = _to_password_result(flow, web_app, alice)
    assert 'action="/ui/login/mfa/verify"' in asked.html


def test_the_mfa_step_needs_the_csrf_token_and_a_pending_login(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User, kit: Any
) -> None:
    provider.enable_totp(alice, SECRET)
    asked = _to_password_result(flow, web_app, alice)
    action, fields = kit.form_of(asked)
    forged = flow.call("POST", action, form={**fields, "gorilla.csrf.Token": "x", "code": "1"})
    assert forged.status == 403
    fields.pop("gorilla.csrf.Token")
    assert flow.call("POST", action, form=fields).status == 403
    # Without a password check first there is nothing to verify.
    page = flow.follow(flow.authorize(web_app))
    action, fields = kit.form_of(page)
    early = flow.call("POST", "/ui/login/mfa/verify", form={**fields, "code": "123456"})
    assert early.status == 404


@pytest.mark.parametrize("step", ["verify", "setup"])
def test_device_logins_ask_for_the_second_factor_too(
    flow: Any, provider: ZitadelProvider, alice: User, step: str
) -> None:
    tv = provider.create_application("tv", kind="native")
    if step == "verify":
        provider.enable_totp(alice, SECRET)
    else:
        provider.state.directory.org.force_mfa = True
    started = flow.call(
        "POST",
        "/oauth/v2/device_authorization",
        form={"client_id": tv.client_id, "scope": "openid"},
    ).json
    page = flow.call("GET", "/ui/login/device", query={"user_code": started["user_code"]})
    login = flow.submit(page, userCode=started["user_code"])
    asked = flow.submit(flow.submit(login, loginName=alice.email), password="Secret1!")
    assert 'id="code"' in asked.html
    secret = SECRET if step == "verify" else asked.html.split('id="totp-secret">')[1][:32]
    done = flow.submit(asked, code=_code(flow, secret))
    assert 'id="device-result"' in done.html and "now signed in" in done.html
