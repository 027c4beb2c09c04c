"""The official ``zitadel-client`` SDK drives the v2 APIs apps build on.

A custom login UI (sessions v2 + OIDC v2), TOTP on sessions, personal access tokens,
organizations, project roles, authorizations (user grants) and user metadata; the code a
custom login obtains is exchanged by authlib, as the app would.
"""

from __future__ import annotations

import base64
import json
import secrets
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import zitadel_client
    from zitadel_client import models as m

from mocks.zitadel import Application, MockZitadel, User

REDIRECT = "http://127.0.0.1:8000/callback"
LOGIN_UI = "http://127.0.0.1:3000/ui"


@pytest.fixture
def sdk(mock_zitadel: MockZitadel, tmp_path: Path) -> zitadel_client.Zitadel:
    """The SDK logged in with a service user's key file (JWT profile grant)."""
    key_file = mock_zitadel.create_service_user("login-ui")
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key_file))
    return zitadel_client.Zitadel.with_private_key(mock_zitadel.url, str(path))


@pytest.fixture
def alice(mock_zitadel: MockZitadel) -> User:
    return mock_zitadel.create_test_user(
        "alice@example.com", password="Secret1!", given_name="Alice", family_name="Liddell"
    )


@pytest.fixture
def custom_login_app(mock_zitadel: MockZitadel) -> Application:
    return mock_zitadel.create_application(
        "shop", redirect_uris=[REDIRECT], login_v2_base_uri=LOGIN_UI
    )


def _error(caught: pytest.ExceptionInfo[zitadel_client.ApiError]) -> dict[str, Any]:
    body = caught.value.response_body
    document: dict[str, Any] = json.loads(body) if isinstance(body, str | bytes) else body
    return document


@pytest.fixture
def oauth(custom_login_app: Application) -> Iterator[OAuth2Session]:
    client = OAuth2Session(
        custom_login_app.client_id,
        custom_login_app.client_secret,
        scope="openid profile email",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )
    yield client
    client.close()


def _start_login(mock: MockZitadel, oauth: OAuth2Session) -> tuple[str, str]:
    """The app sends the browser to authorize; returns (auth request id, code verifier)."""
    verifier = secrets.token_urlsafe(48)
    url, _ = oauth.create_authorization_url(
        mock.url + "/oauth/v2/authorize", state="st-1", code_verifier=verifier
    )
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(LOGIN_UI + "/login?authRequest=V2_")
    return parse_qs(urlsplit(location).query)["authRequest"][0], verifier


# ---- a custom login UI: sessions v2 and OIDC v2 -------------------------------------------


def test_a_custom_login_ui_logs_alice_in_with_sessions_and_oidc_v2(
    mock_zitadel: MockZitadel,
    sdk: zitadel_client.Zitadel,
    oauth: OAuth2Session,
    custom_login_app: Application,
    alice: User,
) -> None:
    auth_request_id, verifier = _start_login(mock_zitadel, oauth)
    request = sdk.oidc.get_auth_request(
        m.OIDCServiceGetAuthRequestRequest(auth_request_id=auth_request_id)
    ).auth_request
    assert request is not None
    assert request.client_id == custom_login_app.client_id
    assert request.redirect_uri == REDIRECT
    assert request.scope == ["openid", "profile", "email"]

    created = sdk.sessions.create_session(
        m.SessionServiceCreateSessionRequest(
            checks=m.SessionServiceChecks(
                user=m.SessionServiceCheckUser(login_name="alice@example.com"),
                password=m.SessionServiceCheckPassword(password="Secret1!"),
            )
        )
    )
    assert created.session_id and created.session_token
    fetched = sdk.sessions.get_session(
        m.SessionServiceGetSessionRequest(session_id=created.session_id)
    ).session
    assert fetched is not None and fetched.factors is not None
    assert fetched.factors.user is not None and fetched.factors.user.id == alice.id
    assert fetched.factors.user.display_name == "Alice Liddell"
    assert fetched.factors.password is not None and fetched.factors.password.verified_at
    assert fetched.factors.totp is None

    callback = sdk.oidc.create_callback(
        m.OIDCServiceCreateCallbackRequest(
            auth_request_id=auth_request_id,
            session=m.OIDCServiceSession(
                session_id=created.session_id, session_token=created.session_token
            ),
        )
    )
    assert callback.callback_url is not None and callback.callback_url.startswith(REDIRECT)
    tokens = oauth.fetch_token(
        mock_zitadel.url + "/oauth/v2/token",
        authorization_response=callback.callback_url,
        code_verifier=verifier,
    )
    claims = json.loads(base64.urlsafe_b64decode(tokens["id_token"].split(".")[1] + "=="))
    assert claims["sub"] == alice.id and claims["sid"] == created.session_id
    assert claims["amr"] == ["pwd"]
    # The request is finished: it cannot be read or finished again.
    with pytest.raises(zitadel_client.ApiError) as gone:
        sdk.oidc.get_auth_request(
            m.OIDCServiceGetAuthRequestRequest(auth_request_id=auth_request_id)
        )
    assert gone.value.code == 404
    assert _error(gone)["code"] == "not_found"


def test_the_login_ui_can_deny_a_login_with_an_error(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, oauth: OAuth2Session
) -> None:
    auth_request_id, _ = _start_login(mock_zitadel, oauth)
    callback = sdk.oidc.create_callback(
        m.OIDCServiceCreateCallbackRequest(
            auth_request_id=auth_request_id,
            error=m.OIDCServiceAuthorizationError(
                error=m.OIDCServiceErrorReason.ERROR_REASON_ACCESS_DENIED,
                error_description="user cancelled",
            ),
        )
    )
    assert callback.callback_url is not None
    query = parse_qs(urlsplit(callback.callback_url).query)
    assert query == {
        "error": ["access_denied"],
        "error_description": ["user cancelled"],
        "state": ["st-1"],
    }


def test_wrong_credentials_and_tokens_are_zitadels_errors(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, oauth: OAuth2Session, alice: User
) -> None:
    with pytest.raises(zitadel_client.ApiError) as wrong:
        sdk.sessions.create_session(
            m.SessionServiceCreateSessionRequest(
                checks=m.SessionServiceChecks(
                    user=m.SessionServiceCheckUser(user_id=alice.id),
                    password=m.SessionServiceCheckPassword(password="nope"),
                )
            )
        )
    assert wrong.value.code == 400
    assert _error(wrong)["message"] == "Password is invalid (COMMAND-3M0fs)"
    assert mock_zitadel.provider.state.sessions.sessions == {}

    only_user = sdk.sessions.create_session(
        m.SessionServiceCreateSessionRequest(
            checks=m.SessionServiceChecks(user=m.SessionServiceCheckUser(user_id=alice.id))
        )
    )
    auth_request_id, _ = _start_login(mock_zitadel, oauth)
    with pytest.raises(zitadel_client.ApiError) as forged:
        sdk.oidc.create_callback(
            m.OIDCServiceCreateCallbackRequest(
                auth_request_id=auth_request_id,
                session=m.OIDCServiceSession(
                    session_id=only_user.session_id, session_token="forged"
                ),
            )
        )
    assert (forged.value.code, _error(forged)["code"]) == (403, "permission_denied")
    with pytest.raises(zitadel_client.ApiError) as unauthenticated:
        sdk.oidc.create_callback(
            m.OIDCServiceCreateCallbackRequest(
                auth_request_id=auth_request_id,
                session=m.OIDCServiceSession(
                    session_id=only_user.session_id, session_token=only_user.session_token
                ),
            )
        )
    assert unauthenticated.value.code == 400
    assert mock_zitadel.provider.state.store.codes == {}


def test_a_totp_check_is_added_to_a_session_and_shows_as_a_factor(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, alice: User
) -> None:
    secret = mock_zitadel.enable_totp(alice)
    created = sdk.sessions.create_session(
        m.SessionServiceCreateSessionRequest(
            checks=m.SessionServiceChecks(
                user=m.SessionServiceCheckUser(user_id=alice.id),
                password=m.SessionServiceCheckPassword(password="Secret1!"),
            )
        )
    )
    with pytest.raises(zitadel_client.ApiError) as wrong:
        sdk.sessions.set_session(
            m.SessionServiceSetSessionRequest(
                session_id=created.session_id,
                checks=m.SessionServiceChecks(totp=m.SessionServiceCheckTOTP(code="000000")),
            )
        )
    assert _error(wrong)["message"] == "Invalid code (EVENT-8isk2)"
    now = mock_zitadel.clock.now()
    updated = sdk.sessions.set_session(
        m.SessionServiceSetSessionRequest(
            session_id=created.session_id,
            checks=m.SessionServiceChecks(
                totp=m.SessionServiceCheckTOTP(code=pyotp.TOTP(secret).at(now))
            ),
        )
    )
    assert updated.session_token and updated.session_token != created.session_token
    session = sdk.sessions.get_session(
        m.SessionServiceGetSessionRequest(session_id=created.session_id)
    ).session
    assert session is not None and session.factors is not None
    assert session.factors.totp is not None and session.factors.totp.verified_at


def test_totp_registration_through_the_user_service(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, alice: User
) -> None:
    registered = sdk.users.register_totp(m.UserServiceRegisterTOTPRequest(user_id=alice.id))
    assert registered.uri is not None and registered.secret is not None
    assert pyotp.parse_uri(registered.uri).secret == registered.secret
    assert alice.totp_secret is None
    with pytest.raises(zitadel_client.ApiError):
        sdk.users.verify_totp_registration(
            m.UserServiceVerifyTOTPRegistrationRequest(user_id=alice.id, code="123")
        )
    code = pyotp.TOTP(registered.secret).at(mock_zitadel.clock.now())
    sdk.users.verify_totp_registration(
        m.UserServiceVerifyTOTPRegistrationRequest(user_id=alice.id, code=code)
    )
    assert alice.totp_secret == registered.secret


def test_sessions_are_listed_and_deleted(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, alice: User
) -> None:
    created = sdk.sessions.create_session(
        m.SessionServiceCreateSessionRequest(
            checks=m.SessionServiceChecks(user=m.SessionServiceCheckUser(user_id=alice.id)),
            lifetime="600s",
        )
    )
    listed = sdk.sessions.list_sessions(
        m.SessionServiceListSessionsRequest(
            queries=[
                m.SessionServiceSearchQuery(user_id_query=m.SessionServiceUserIDQuery(id=alice.id))
            ]
        )
    )
    assert [s.id for s in listed.sessions or []] == [created.session_id]
    assert listed.sessions is not None and listed.sessions[0].expiration_date is not None
    sdk.sessions.delete_session(
        m.SessionServiceDeleteSessionRequest(
            session_id=created.session_id, session_token=created.session_token
        )
    )
    with pytest.raises(zitadel_client.ApiError) as gone:
        sdk.sessions.get_session(m.SessionServiceGetSessionRequest(session_id=created.session_id))
    assert _error(gone)["message"] == "Session does not exist (QUERY-SDf3g)"


# ---- personal access tokens -----------------------------------------------------------


def test_personal_access_tokens_from_the_sdk_call_the_apis_and_introspect(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel
) -> None:
    robot = mock_zitadel.create_service_user("robot").user
    expires = datetime.now(UTC) + timedelta(days=1)
    added = sdk.users.add_personal_access_token(
        m.UserServiceAddPersonalAccessTokenRequest(user_id=robot.id, expiration_date=expires)
    )
    assert added.token and added.token_id
    as_robot = zitadel_client.Zitadel.with_access_token(mock_zitadel.url, added.token)
    users = as_robot.users.list_users(m.UserServiceListUsersRequest())
    assert robot.id in [u.user_id for u in users.result or []]

    api = mock_zitadel.create_application("orders-api", kind="api")
    assert api.client_secret is not None
    introspected = requests.post(
        mock_zitadel.url + "/oauth/v2/introspect",
        data={"token": added.token},
        auth=(api.client_id, api.client_secret),
        timeout=5,
    ).json()
    assert introspected["active"] is True and introspected["sub"] == robot.id
    assert introspected["exp"] == int(expires.timestamp())

    sdk.users.remove_personal_access_token(
        m.UserServiceRemovePersonalAccessTokenRequest(user_id=robot.id, token_id=added.token_id)
    )
    with pytest.raises(zitadel_client.ApiError) as revoked:
        as_robot.users.list_users(m.UserServiceListUsersRequest())
    assert revoked.value.code == 401


def test_personal_access_tokens_from_python_and_the_management_api(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel, alice: User
) -> None:
    robot = mock_zitadel.create_service_user("robot").user
    token = mock_zitadel.create_personal_access_token(robot)
    as_robot = zitadel_client.Zitadel.with_access_token(mock_zitadel.url, token)
    fetched = as_robot.users.get_user_by_id(m.UserServiceGetUserByIDRequest(user_id=robot.id))
    assert fetched.user is not None and fetched.user.machine is not None

    answer = requests.post(
        f"{mock_zitadel.url}/management/v1/users/{robot.id}/pats",
        json={"expirationDate": "2099-01-01T00:00:00Z"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"tokenId", "token", "details"}
    headers = {"Authorization": f"Bearer {body['token']}"}
    userinfo = requests.get(mock_zitadel.url + "/oidc/v1/userinfo", headers=headers, timeout=5)
    assert userinfo.json()["sub"] == robot.id

    with pytest.raises(zitadel_client.ApiError) as human:
        sdk.users.add_personal_access_token(
            m.UserServiceAddPersonalAccessTokenRequest(user_id=alice.id)
        )
    assert _error(human)["message"] == "The User must be technical (COMMAND-Sfg3f)"


# ---- organizations, roles, authorizations, metadata -----------------------------------


def test_provisioning_an_organization_and_its_user_shows_in_the_claims(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel
) -> None:
    added = sdk.organizations.add_organization(
        m.OrganizationServiceAddOrganizationRequest(name="Customer A")
    )
    org_id = added.organization_id
    assert org_id and org_id.isdigit()
    listed = sdk.organizations.list_organizations(
        m.OrganizationServiceListOrganizationsRequest(
            queries=[
                m.OrganizationServiceSearchQuery(
                    name_query=m.OrganizationServiceOrganizationNameQuery(name="Customer A")
                )
            ]
        )
    )
    (org,) = listed.result or []
    assert (org.id, org.primary_domain) == (org_id, "customer-a.localhost")
    with pytest.raises(zitadel_client.ApiError) as taken:
        sdk.organizations.add_organization(
            m.OrganizationServiceAddOrganizationRequest(name="Customer A")
        )
    assert taken.value.code == 409

    project = mock_zitadel.project_id
    sdk.projects.add_project_role(
        m.ProjectServiceAddProjectRoleRequest(
            project_id=project, role_key="editor", display_name="Editor"
        )
    )
    user = sdk.users.add_human_user(
        m.UserServiceAddHumanUserRequest(
            organization=m.UserServiceOrganization(org_id=org_id),
            profile=m.UserServiceSetHumanProfile(given_name="Bea", family_name="Bee"),
            email=m.UserServiceSetHumanEmail(email="bea@customer-a.example", is_verified=True),
        )
    )
    assert user.user_id is not None
    granted = sdk.authorizations.create_authorization(
        m.AuthorizationServiceCreateAuthorizationRequest(
            user_id=user.user_id, project_id=project, organization_id=org_id, role_keys=["editor"]
        )
    )
    with pytest.raises(zitadel_client.ApiError) as unknown_role:
        sdk.authorizations.create_authorization(
            m.AuthorizationServiceCreateAuthorizationRequest(
                user_id=user.user_id, project_id=project, role_keys=["owner"]
            )
        )
    assert _error(unknown_role)["message"] == "Role not found (COMMAND-m9m4V)"
    found = sdk.authorizations.list_authorizations(
        m.AuthorizationServiceListAuthorizationsRequest(
            filters=[
                m.AuthorizationServiceAuthorizationsSearchFilter(
                    in_user_ids=m.AuthorizationServiceInIDsFilter(ids=[user.user_id])
                )
            ]
        )
    )
    (authorization,) = found.authorizations or []
    assert authorization.id == granted.id
    assert authorization.organization is not None and authorization.organization.id == org_id
    assert [r.key for r in authorization.roles or []] == ["editor"]

    sdk.users.set_user_metadata(
        m.UserServiceSetUserMetadataRequest(
            user_id=user.user_id,
            metadata=[m.UserServiceMetadata(key="plan", value=base64.b64encode(b"gold").decode())],
        )
    )
    metadata = sdk.users.list_user_metadata(
        m.UserServiceListUserMetadataRequest(user_id=user.user_id)
    )
    assert [(e.key, base64.b64decode(e.value)) for e in metadata.metadata or []] == [
        ("plan", b"gold")
    ]

    claims = _userinfo(mock_zitadel, user.user_id, org_id)
    assert claims["urn:zitadel:iam:org:project:roles"] == {
        "editor": {org_id: "customer-a.localhost"}
    }
    assert claims[f"urn:zitadel:iam:org:project:{project}:roles"] == {
        "editor": {org_id: "customer-a.localhost"}
    }
    assert claims["urn:zitadel:iam:user:metadata"] == {"plan": "Z29sZA"}
    assert claims["urn:zitadel:iam:org:id"] == org_id

    sdk.authorizations.delete_authorization(
        m.AuthorizationServiceDeleteAuthorizationRequest(id=granted.id)
    )
    assert "urn:zitadel:iam:org:project:roles" not in _userinfo(mock_zitadel, user.user_id, org_id)


def _userinfo(mock: MockZitadel, user_id: str, org_id: str) -> dict[str, Any]:
    app = mock.find_application("shop") or mock.create_application(
        "shop", redirect_uris=[REDIRECT], client_id="shop"
    )
    user = mock.find_user(user_id)
    assert user is not None
    scopes = [
        "openid",
        "urn:zitadel:iam:org:projects:roles",
        "urn:zitadel:iam:user:metadata",
        f"urn:zitadel:iam:org:id:{org_id}",
    ]
    token = mock.issue_token(user, app, scopes=scopes).access_token
    answer = requests.get(
        mock.url + "/oidc/v1/userinfo", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    document: dict[str, Any] = answer.json()
    return document


def test_an_org_scope_limits_the_login_to_that_organizations_users(
    mock_zitadel: MockZitadel, alice: User
) -> None:
    other = mock_zitadel.create_organization("Other")
    app = mock_zitadel.create_application("shop", redirect_uris=[REDIRECT])
    query = {
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": f"openid urn:zitadel:iam:org:id:{other.id}",
        "login_hint": alice.email,
    }
    mock_zitadel.set_auto_login(alice)
    answer = requests.get(
        f"{mock_zitadel.url}/oauth/v2/authorize?{urlencode(query)}",
        allow_redirects=False,
        timeout=5,
    )
    # Alice belongs to another organization: the login page asks, no code is issued.
    assert answer.headers["Location"].startswith("/ui/login/login")
