"""The official ``zitadel-client`` SDK against MockZitadel: key-file login and the user API."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import zitadel_client
    from zitadel_client import models

from mocks.zitadel import MockZitadel


@pytest.fixture
def sdk(mock_zitadel: MockZitadel, tmp_path: Path) -> zitadel_client.Zitadel:
    """The SDK logged in with a service user's key file (JWT profile grant)."""
    key_file = mock_zitadel.create_service_user("provisioner")
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key_file))
    return zitadel_client.Zitadel.with_private_key(mock_zitadel.url, str(path))


def test_the_sdk_creates_reads_lists_and_deletes_a_user(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel
) -> None:
    created = sdk.users.add_human_user(
        models.UserServiceAddHumanUserRequest(
            username="minnie",
            profile=models.UserServiceSetHumanProfile(given_name="Minnie", family_name="Mouse"),
            email=models.UserServiceSetHumanEmail(email="minnie@example.com", is_verified=True),
            password=models.UserServicePassword(password="Cheese1!", change_required=False),
        )
    )
    assert created.user_id and created.user_id.isdigit()
    assert created.details is not None
    assert created.details.resource_owner == mock_zitadel.provider.state.directory.org.id

    fetched = sdk.users.get_user_by_id(
        models.UserServiceGetUserByIDRequest(user_id=created.user_id)
    )
    assert fetched.user is not None and fetched.user.human is not None
    assert fetched.user.username == "minnie"
    assert fetched.user.human.email is not None
    assert fetched.user.human.email.email == "minnie@example.com"
    assert fetched.user.state == models.UserServiceUserState.USER_STATE_ACTIVE

    listed = sdk.users.list_users(
        models.UserServiceListUsersRequest(
            queries=[
                models.UserServiceSearchQuery(
                    user_name_query=models.UserServiceUserNameQuery(
                        user_name="minnie",
                        method=models.UserServiceTextQueryMethod.TEXT_QUERY_METHOD_EQUALS,
                    )
                )
            ]
        )
    )
    assert [user.user_id for user in listed.result or []] == [created.user_id]

    sdk.users.set_password(
        models.UserServiceSetPasswordRequest(
            user_id=created.user_id,
            new_password=models.UserServicePassword(password="Brie2!"),
        )
    )
    stored = mock_zitadel.provider.state.directory.find_user(created.user_id)
    assert stored is not None and stored.password == "Brie2!"

    sdk.users.delete_user(models.UserServiceDeleteUserRequest(user_id=created.user_id))
    with pytest.raises(zitadel_client.ApiError) as gone:
        sdk.users.get_user_by_id(models.UserServiceGetUserByIDRequest(user_id=created.user_id))
    assert gone.value.code == 404
    body = gone.value.response_body
    document = json.loads(body) if isinstance(body, str | bytes) else body
    assert document["code"] == "not_found"
    assert document["message"] == "User could not be found (QUERY-Dfbg2)"


def test_the_sdk_logged_in_through_the_jwt_profile_grant(
    mock_zitadel: MockZitadel, sdk: zitadel_client.Zitadel
) -> None:
    sdk.users.list_users(models.UserServiceListUsersRequest())
    grants = mock_zitadel.requests.matching(method="POST", path="/oauth/v2/token")
    assert len(grants) == 1
    form = grants[0].text
    assert "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer" in form
    calls = mock_zitadel.requests.matching(path="/zitadel.user.v2.UserService/ListUsers")
    assert len(calls) == 1 and calls[0].headers["Authorization"].startswith("Bearer ")


def test_a_key_file_the_mock_does_not_know_cannot_log_in(
    mock_zitadel: MockZitadel, tmp_path: Path
) -> None:
    key_file = dict(mock_zitadel.create_service_user("ghost"))
    key_file["keyId"] = "1"
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(key_file))
    sdk = zitadel_client.Zitadel.with_private_key(mock_zitadel.url, str(path))
    with pytest.raises(zitadel_client.ZitadelError):
        sdk.users.list_users(models.UserServiceListUsersRequest())
