"""The token endpoint's checks and every error body against its contract."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from mocks.jose import parse_jwt
from mocks.teams._aad import CONNECTOR_SCOPE, TokenEndpoint, basic_credentials, tenant_id_for
from mocks.teams._errors import AUTH_DENIED_BODY, AadError, ConnectorError
from mocks.teams._keys import aad_key_set
from mocks.teams._tokens import BOTFRAMEWORK_TENANT_ID, AccessTokens

SECRET = "s3cret"


def _endpoint(kit: SimpleNamespace) -> TokenEndpoint:
    return TokenEndpoint(AccessTokens(aad_key_set(kit.clock), kit.clock), kit.APP_ID, SECRET)


def _form(kit: SimpleNamespace, **changes: str | None) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": kit.APP_ID,
        "client_secret": SECRET,
        "scope": CONNECTOR_SCOPE,
    }
    for key, value in changes.items():
        if value is None:
            form.pop(key)
        else:
            form[key] = value
    return form


def test_a_good_request_gets_a_bearer_token(kit: SimpleNamespace) -> None:
    answer = _endpoint(kit).grant(_form(kit), tenant="botframework.com")
    kit.assert_valid("token.response", answer)
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == answer["ext_expires_in"] == 3599
    claims = parse_jwt(answer["access_token"]).claims
    assert claims["appid"] == kit.APP_ID
    assert claims["tid"] == BOTFRAMEWORK_TENANT_ID
    kit.assert_valid("token.request", _form(kit))


def test_a_single_tenant_bot_gets_its_tenant_in_the_token(kit: SimpleNamespace) -> None:
    answer = _endpoint(kit).grant(_form(kit), tenant=kit.TENANT_ID)
    claims = parse_jwt(answer["access_token"]).claims
    assert claims["tid"] == kit.TENANT_ID
    assert claims["iss"] == f"https://sts.windows.net/{kit.TENANT_ID}/"


def test_basic_authentication_is_accepted(kit: SimpleNamespace) -> None:
    header = "Basic " + base64.b64encode(f"{kit.APP_ID}:{SECRET}".encode()).decode()
    form = _form(kit, client_id=None, client_secret=None)
    assert _endpoint(kit).grant(form, "botframework.com", header)["token_type"] == "Bearer"
    assert basic_credentials("Basic !!!") is None
    assert basic_credentials("Bearer x") is None


@pytest.mark.parametrize(
    ("changes", "status", "error", "code"),
    [
        ({"grant_type": None}, 400, "invalid_request", 900144),
        ({"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
        ({"client_id": None}, 400, "invalid_request", 900144),
        ({"client_id": "someone-else"}, 400, "unauthorized_client", 700016),
        ({"client_secret": None}, 401, "invalid_client", 7000218),
        ({"client_secret": "wrong"}, 401, "invalid_client", 7000215),
        ({"scope": None}, 400, "invalid_request", 900144),
        ({"scope": "https://api.botframework.com"}, 400, "invalid_scope", 1002012),
        ({"scope": "https://graph.microsoft.com/.default"}, 400, "invalid_resource", 500011),
    ],
)
def test_bad_requests_get_the_entra_error(
    kit: SimpleNamespace, changes: dict[str, str | None], status: int, error: str, code: int
) -> None:
    with pytest.raises(AadError) as caught:
        _endpoint(kit).grant(_form(kit, **changes), tenant="botframework.com")
    assert (caught.value.status, caught.value.error, caught.value.code) == (status, error, code)
    body = caught.value.body("2023-11-14 22:13:20Z", kit.ids.guid(), kit.ids.guid())
    kit.assert_valid("aad_error", body)
    kit.assert_valid("error", body)
    assert body["error_description"].startswith(f"AADSTS{code}: ")
    assert body["error_codes"] == [code]
    assert body["error_uri"].endswith(f"?code={code}")


def test_the_wrong_secret_names_the_app(kit: SimpleNamespace) -> None:
    with pytest.raises(AadError, match=kit.APP_ID):
        _endpoint(kit).grant(_form(kit, client_secret="nope"), tenant="botframework.com")


def test_the_app_a_mock_scope_is_named_after_gets_tokens_too(kit: SimpleNamespace) -> None:
    """A test worker's own bot: its app id names the request's scope (never the default
    scope's empty name, even from an empty HTTP Basic user)."""
    form = _form(kit, client_id="worker-bot")
    answer = _endpoint(kit).grant(form, "botframework.com", mock_scope="worker-bot")
    assert parse_jwt(answer["access_token"]).claims["appid"] == "worker-bot"
    with pytest.raises(AadError) as caught:
        _endpoint(kit).grant(form, "botframework.com", mock_scope="other-bot")
    assert caught.value.error == "unauthorized_client"
    empty_user = "Basic " + base64.b64encode(f":{SECRET}".encode()).decode()
    with pytest.raises(AadError) as caught:
        _endpoint(kit).grant(_form(kit, client_id=None), "botframework.com", empty_user)
    assert caught.value.error == "unauthorized_client"


def test_tenant_segment() -> None:
    assert tenant_id_for("botframework.com") == BOTFRAMEWORK_TENANT_ID
    assert tenant_id_for("BotFramework.com") == BOTFRAMEWORK_TENANT_ID
    assert tenant_id_for("abc") == "abc"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (ConnectorError.conversation_not_found(), 404, "ConversationNotFound"),
        (ConnectorError.activity_not_found(), 404, "ActivityNotFoundInConversation"),
        (ConnectorError.member_not_found(), 404, "MemberNotFoundInConversation"),
        (ConnectorError.bot_not_in_roster(), 403, "BotNotInConversationRoster"),
        (ConnectorError.message_too_big(), 413, "MessageSizeTooBig"),
        (ConnectorError.throttled(7), 429, "Throttled"),
        (ConnectorError.bad_argument("x is wrong"), 400, "BadArgument"),
        (ConnectorError.bad_syntax(), 400, "BadSyntax"),
        (ConnectorError.for_status(503, "down"), 503, "ServiceUnavailable"),
        (ConnectorError.for_status(418, "teapot"), 418, "ServiceError"),
    ],
)
def test_connector_errors_follow_the_contract(
    kit: SimpleNamespace, error: ConnectorError, status: int, code: str
) -> None:
    assert error.status == status
    assert error.body()["error"]["code"] == code
    kit.assert_valid("connector_error", error.body())
    kit.assert_valid("error", error.body())


def test_only_throttling_carries_retry_after() -> None:
    assert ConnectorError.throttled(7).headers() == {"Retry-After": "7"}
    assert ConnectorError.conversation_not_found().headers() == {}


def test_the_authorization_refusal_body(kit: SimpleNamespace) -> None:
    kit.assert_valid("auth_denied", AUTH_DENIED_BODY)
    kit.assert_valid("error", AUTH_DENIED_BODY)
    assert AUTH_DENIED_BODY == {"message": "Authorization has been denied for this request."}
