"""The authorization endpoint, the login pages, SSO, prompt/max_age, response modes, logout."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from mocks.zitadel._model import Application, User
from mocks.zitadel._provider import ZitadelProvider


def _query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_authorize_redirects_to_the_login_name_page(flow: Any, web_app: Application) -> None:
    result = flow.authorize(web_app)
    assert result.status == 302
    assert result.location.startswith("/ui/login/login?authRequestID=")
    page = flow.follow(result)
    assert page.status == 200
    assert 'id="loginName"' in page.html and 'id="submit-button"' in page.html
    assert 'action="/ui/login/loginname"' in page.html
    assert "shop-web" in page.html


def test_a_wrong_password_shows_an_error_and_a_right_one_continues(
    flow: Any, web_app: Application, alice: User
) -> None:
    result = flow.authorize(web_app)
    auth_id = _query(result.location)["authRequestID"]
    agent = flow.cookies["zitadel.useragent"]
    sessions = flow.provider.state.sessions
    password_page = flow.submit(flow.follow(result), loginName="ALICE@example.com")
    assert 'id="password"' in password_page.html and 'id="submit-button"' in password_page.html
    wrong = flow.submit(password_page, password="wrong")
    assert wrong.status == 200
    assert "Password is invalid" in wrong.html and 'id="password"' in wrong.html
    assert sessions.of_agent(agent) is None
    right = flow.submit(wrong, password="Secret1!")
    assert right.location == f"/oauth/v2/authorize/callback?id={auth_id}"
    session = sessions.of_agent(agent)
    assert session is not None and session.user_id == alice.id and session.amr == ["pwd"]
    back = flow.follow(right)
    assert back.location.startswith("http://127.0.0.1:8000/callback?code=")
    assert _query(back.location)["state"] == "state-1"


def test_an_unknown_login_name_shows_an_error(flow: Any, web_app: Application) -> None:
    page = flow.submit(flow.follow(flow.authorize(web_app)), loginName="nobody")
    assert "User could not be found" in page.html and 'id="loginName"' in page.html


def test_a_login_page_for_an_unknown_request_is_an_error(flow: Any) -> None:
    assert flow.call("GET", "/ui/login/login", query={"authRequestID": "1"}).status == 404


def test_login_hint_skips_to_the_password_page(
    flow: Any, web_app: Application, alice: User
) -> None:
    page = flow.follow(flow.authorize(web_app, login_hint="alice@example.com"))
    assert 'id="password"' in page.html and "Alice" in page.html


def test_a_logged_in_browser_is_not_asked_again(
    flow: Any, web_app: Application, alice: User
) -> None:
    flow.login(web_app, alice, "Secret1!")
    again = flow.authorize(web_app)
    assert again.location.startswith("http://127.0.0.1:8000/callback?code=")


def test_prompt_login_and_max_age_force_a_new_login(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    flow.login(web_app, alice, "Secret1!")
    assert flow.authorize(web_app, prompt="login").location.startswith("/ui/login/login")
    provider.state.clock.advance(120)
    assert flow.authorize(web_app, max_age="60").location.startswith("/ui/login/login")
    assert flow.authorize(web_app, max_age="600").location.startswith("http://127.0.0.1:8000")


def test_prompt_none_without_a_session_redirects_login_required(
    flow: Any, web_app: Application
) -> None:
    result = flow.authorize(web_app, prompt="none")
    assert result.status == 302
    assert _query(result.location) == {"error": "login_required", "state": "state-1"}


def test_prompt_none_with_a_session_answers_with_a_code(
    flow: Any, web_app: Application, alice: User
) -> None:
    flow.login(web_app, alice, "Secret1!")
    assert "code" in _query(flow.authorize(web_app, prompt="none").location)


def test_response_mode_fragment_and_form_post(flow: Any, web_app: Application, alice: User) -> None:
    fragment = flow.login(web_app, alice, "Secret1!", response_mode="fragment")
    assert fragment.location.startswith("http://127.0.0.1:8000/callback#code=")
    posted = flow.authorize(web_app, response_mode="form_post")
    assert posted.status == 200
    assert 'action="http://127.0.0.1:8000/callback"' in posted.html
    assert 'name="code"' in posted.html and 'name="state" value="state-1"' in posted.html


def test_implicit_id_token_in_the_fragment(
    flow: Any, kit: Any, provider: ZitadelProvider, alice: User
) -> None:
    app = provider.create_application(
        "implicit",
        kind="spa",
        redirect_uris=[kit.REDIRECT],
        response_types=["code", "id_token token"],
        dev_mode=True,
    )
    result = flow.login(app, alice, "Secret1!", response_type="id_token token")
    fragment = parse_qs(urlsplit(result.location).fragment)
    claims = kit.claims_of(fragment["id_token"][0])
    assert claims["nonce"] == "nonce-1"
    assert fragment["token_type"] == ["Bearer"] and fragment["access_token"]


def test_authorize_validation_errors_are_json(
    flow: Any, provider: ZitadelProvider, web_app: Application, kit: Any
) -> None:
    not_registered = flow.authorize(web_app, redirect_uri="http://127.0.0.1:8000/evil")
    assert not_registered.status == 400
    assert not_registered.json["error"] == "invalid_request"
    assert not_registered.json["error_description"].startswith(
        "The requested redirect_uri is missing in the client configuration."
    )
    unknown = flow.call("GET", "/oauth/v2/authorize", query={"client_id": "ghost"})
    assert unknown.json == {"error": "invalid_request", "error_description": "Errors.App.NotFound"}
    no_scope = flow.authorize(web_app, scope="")
    assert no_scope.json["error_description"].startswith("The scope of your request is missing.")
    http_implicit = flow.authorize(web_app, response_type="id_token")
    assert http_implicit.json["error_description"].startswith("This client's redirect_uri is http")
    web_app.redirect_uris = [*web_app.redirect_uris, "https://shop.example/cb"]
    not_allowed = flow.authorize(
        web_app, response_type="id_token", redirect_uri="https://shop.example/cb"
    )
    assert not_allowed.json["error"] == "unauthorized_client"
    spa = provider.create_application("spa", kind="spa", redirect_uris=[kit.REDIRECT])
    http_spa = flow.authorize(spa)
    assert http_spa.json["error_description"].startswith("This client's redirect_uri is http")


def test_native_apps_accept_any_loopback_port(
    flow: Any, provider: ZitadelProvider, alice: User
) -> None:
    app = provider.create_application(
        "cli", kind="native", redirect_uris=["http://127.0.0.1/callback"]
    )
    result = flow.login(app, alice, "Secret1!", redirect_uri="http://127.0.0.1:53219/callback")
    assert result.location.startswith("http://127.0.0.1:53219/callback?code=")


def test_plain_pkce_is_refused_with_an_error_redirect(flow: Any, web_app: Application) -> None:
    result = flow.authorize(web_app, code_challenge="abc", code_challenge_method="plain")
    query = _query(result.location)
    assert query["error"] == "invalid_request" and query["state"] == "state-1"


def test_org_scope_restricts_the_login(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    other = provider.state.directory.create_organization("Other")
    result = flow.authorize(web_app, scope=f"openid urn:zitadel:iam:org:id:{other.id}")
    page = flow.submit(flow.follow(result), loginName=alice.email)
    assert "User could not be found on chosen organization" in page.html


def test_auto_login_skips_the_pages(
    flow: Any, provider: ZitadelProvider, web_app: Application, alice: User
) -> None:
    bob = provider.create_test_user("bob@example.com")
    provider.set_auto_login(alice)
    assert "code" in _query(flow.authorize(web_app).location)
    flow.cookies.clear()
    code = _query(flow.authorize(web_app, login_hint="bob@example.com").location)["code"]
    body = flow.exchange(web_app, code).json
    assert (
        body["id_token"]
        and provider.state.store.access_tokens[body["access_token"]].subject == bob.id
    )


# ---- end_session ------------------------------------------------------------------------


def test_end_session_redirects_to_a_registered_uri_with_state_and_logs_out(
    flow: Any, web_app: Application, alice: User
) -> None:
    body = flow.exchange(web_app, flow.code(web_app, alice, "Secret1!")).json
    result = flow.call(
        "GET",
        "/oidc/v1/end_session",
        query={
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1:8000/bye",
            "state": "s2",
        },
    )
    assert result.location == "http://127.0.0.1:8000/bye?state=s2"
    assert flow.provider.state.sessions.of_agent(flow.cookies["zitadel.useragent"]) is None
    assert flow.authorize(web_app).location.startswith("/ui/login/login")


def test_end_session_refuses_an_unregistered_redirect(
    flow: Any, web_app: Application, alice: User
) -> None:
    result = flow.call(
        "GET",
        "/oidc/v1/end_session",
        query={"client_id": web_app.client_id, "post_logout_redirect_uri": "http://evil/"},
    )
    assert (result.status, result.json) == (
        400,
        {"error": "invalid_request", "error_description": "post_logout_redirect_uri invalid"},
    )


def test_end_session_without_a_client_lands_on_the_logout_page(flow: Any, kit: Any) -> None:
    result = flow.call(
        "GET", "/oidc/v1/end_session", query={"post_logout_redirect_uri": "http://evil/"}
    )
    assert result.location == f"{kit.ISSUER}/ui/login/logout/done"
    page = flow.call("GET", "/ui/login/logout/done")
    assert 'id="logout-done"' in page.html


def test_end_session_with_a_forged_hint_is_refused(flow: Any) -> None:
    result = flow.call("GET", "/oidc/v1/end_session", query={"id_token_hint": "a.b.c"})
    assert result.json == {"error": "invalid_request", "error_description": "id_token_hint invalid"}
