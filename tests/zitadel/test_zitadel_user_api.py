"""The v2 user API on its REST and Connect paths."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mocks.zitadel._model import Application, User
from mocks.zitadel._provider import ZitadelProvider

NEW_USER = {
    "username": "carol",
    "profile": {"givenName": "Carol", "familyName": "Danvers"},
    "email": {"email": "carol@example.com", "isVerified": True},
    "password": {"password": "Secret9!", "changeRequired": False},
    "metadata": [{"key": "team", "value": base64.b64encode(b"blue").decode()}],
}


@pytest.fixture
def bearer(
    provider: ZitadelProvider, kit: Any, web_app: Application, alice: User
) -> dict[str, str]:
    tokens = provider.issue_token(alice, web_app, issuer=kit.ISSUER)
    return {"Authorization": f"Bearer {tokens.access_token}"}


def test_add_get_list_set_password_delete_over_rest(
    flow: Any, kit: Any, provider: ZitadelProvider, bearer: dict[str, str]
) -> None:
    added = flow.call("POST", "/v2/users/human", json_body=NEW_USER, headers=bearer)
    assert added.status == 200, added.json
    kit.assert_valid("user.add_human.request.json", NEW_USER)
    kit.assert_valid("user.add_human.response.json", added.json)
    user_id = added.json["userId"]
    assert added.json["details"]["resourceOwner"] == provider.state.directory.org.id

    got = flow.call("GET", f"/v2/users/{user_id}", headers=bearer)
    kit.assert_valid("user.get.response.json", got.json)
    user = got.json["user"]
    assert user["username"] == "carol"
    assert user["state"] == "USER_STATE_ACTIVE"
    assert user["human"]["email"] == {"email": "carol@example.com", "isVerified": True}
    assert user["loginNames"] == ["carol", "carol@acme.localhost"]

    listed = flow.call(
        "POST",
        "/v2/users",
        json_body={"queries": [{"emailQuery": {"emailAddress": "carol@example.com"}}]},
        headers=bearer,
    )
    kit.assert_valid("user.list.response.json", listed.json)
    assert [u["userId"] for u in listed.json["result"]] == [user_id]
    assert listed.json["details"]["totalResult"] == "1"

    changed = flow.call(
        "POST",
        f"/v2/users/{user_id}/password",
        json_body={"newPassword": {"password": "Other1!"}, "currentPassword": "Secret9!"},
        headers=bearer,
    )
    kit.assert_valid("user.set_password.response.json", changed.json)
    assert provider.state.directory.users[user_id].password == "Other1!"
    assert provider.state.directory.users[user_id].metadata == {"team": "blue"}

    deleted = flow.call("DELETE", f"/v2/users/{user_id}", headers=bearer)
    kit.assert_valid("user.delete.response.json", deleted.json)
    gone = flow.call("GET", f"/v2/users/{user_id}", headers=bearer)
    assert gone.status == 404
    kit.assert_valid("rest-error.json", gone.json)
    assert gone.json == {
        "code": 5,
        "message": "User could not be found (QUERY-Dfbg2)",
        "details": [
            {
                "@type": "type.googleapis.com/zitadel.v1.ErrorDetail",
                "id": "QUERY-Dfbg2",
                "message": "User could not be found",
            }
        ],
    }


def test_the_connect_paths_serve_the_same_calls(
    flow: Any, kit: Any, bearer: dict[str, str]
) -> None:
    prefix = "/zitadel.user.v2.UserService/"
    added = flow.call("POST", prefix + "AddHumanUser", json_body=NEW_USER, headers=bearer)
    user_id = added.json["userId"]
    got = flow.call("POST", prefix + "GetUserByID", json_body={"userId": user_id}, headers=bearer)
    assert got.json["user"]["human"]["profile"]["givenName"] == "Carol"
    listed = flow.call(
        "POST",
        prefix + "ListUsers",
        json_body={
            "queries": [
                {
                    "userNameQuery": {
                        "userName": "CAR",
                        "method": "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE",
                    }
                }
            ]
        },
        headers=bearer,
    )
    assert [u["userId"] for u in listed.json["result"]] == [user_id]
    flow.call(
        "POST",
        prefix + "SetPassword",
        json_body={"userId": user_id, "newPassword": {"password": "New1!"}},
        headers=bearer,
    )
    flow.call("POST", prefix + "DeleteUser", json_body={"userId": user_id}, headers=bearer)
    missing = flow.call(
        "POST", prefix + "GetUserByID", json_body={"userId": user_id}, headers=bearer
    )
    assert missing.status == 404
    kit.assert_valid("connect-error.json", missing.json)
    assert missing.json["code"] == "not_found"
    detail = base64.b64decode(missing.json["details"][0]["value"] + "==")
    assert b"QUERY-Dfbg2" in detail and b"User could not be found" in detail


def test_the_api_needs_a_valid_token(flow: Any, kit: Any, provider: ZitadelProvider) -> None:
    none = flow.call("POST", "/v2/users/human", json_body=NEW_USER)
    assert none.status == 401
    kit.assert_valid("rest-error.json", none.json)
    bad = flow.call(
        "POST",
        "/zitadel.user.v2.UserService/AddHumanUser",
        json_body=NEW_USER,
        headers={"Authorization": "Bearer nope"},
    )
    assert (bad.status, bad.json["code"]) == (401, "unauthenticated")
    assert bad.json["message"] == "Token is invalid (AUTH-7fs1e)"
    assert not provider.state.directory.find_user_by_login_name("carol")


def test_validation_and_conflicts(flow: Any, kit: Any, bearer: dict[str, str]) -> None:
    first = flow.call("POST", "/v2/users/human", json_body=NEW_USER, headers=bearer)
    assert first.status == 200
    again = flow.call("POST", "/v2/users/human", json_body=NEW_USER, headers=bearer)
    assert (again.status, again.json["code"]) == (409, 6)
    no_profile = flow.call(
        "POST", "/v2/users/human", json_body={"email": {"email": "x@y.z"}}, headers=bearer
    )
    assert (no_profile.status, no_profile.json["code"]) == (400, 3)
    wrong_current = flow.call(
        "POST",
        f"/v2/users/{first.json['userId']}/password",
        json_body={"newPassword": {"password": "x"}, "currentPassword": "wrong"},
        headers=bearer,
    )
    assert (wrong_current.status, wrong_current.json["code"]) == (400, 3)
    assert wrong_current.json["details"][0]["message"] == "Password is invalid"
    unknown = flow.call(
        "POST",
        "/v2/users/1/password",
        json_body={"newPassword": {"password": "x"}},
        headers=bearer,
    )
    assert unknown.status == 404
    broken = flow.call("POST", "/v2/users/human", json_body=["not", "an", "object"], headers=bearer)
    assert broken.status == 400


def test_snake_case_input_is_accepted(flow: Any, bearer: dict[str, str]) -> None:
    body = {
        "user_id": "123456789012345678",
        "profile": {"given_name": "Dan", "family_name": "Dare"},
        "email": {"email": "dan@example.com"},
    }
    result = flow.call("POST", "/v2/users/human", json_body=body, headers=bearer)
    assert result.json["userId"] == "123456789012345678"


def test_a_user_deleted_over_the_api_can_no_longer_use_tokens(
    flow: Any, kit: Any, provider: ZitadelProvider, web_app: Application, bearer: dict[str, str]
) -> None:
    bob = provider.create_test_user("bob@example.com", password="pw")
    tokens = provider.issue_token(bob, web_app, issuer=kit.ISSUER)
    flow.call("DELETE", f"/v2/users/{bob.id}", headers=bearer)
    info = flow.call(
        "GET", "/oidc/v1/userinfo", headers={"Authorization": f"Bearer {tokens.access_token}"}
    )
    assert info.status == 401


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v2/users", {"query": {"offset": "e"}}, "query.offset"),
        ("/v2/users", {"query": {"limit": {"{{": "}}"}}}, "query.limit"),
        ("/v2/users", {"query": {"offset": -1}}, "query.offset"),
        ("/v2/users", {"queries": 7}, "queries"),
        ("/v2/users", {"queries": [{"inUserIdsQuery": {"userIds": 1.5}}]}, "userIds"),
        ("/v2/organizations/_search", {"query": {"limit": True}}, "query.limit"),
        ("/v2/sessions/search", {"queries": 7}, "queries"),
        ("/v2/users/human", {**NEW_USER, "metadata": 1.5}, "metadata"),
    ],
)
def test_a_field_of_the_wrong_type_is_a_400_naming_it(
    flow: Any, kit: Any, bearer: dict[str, str], path: str, body: dict[str, Any], field: str
) -> None:
    # found by tests/fuzz: each of these answered a 500 (int("e"), iterating a number)
    result = flow.call("POST", path, json_body=body, headers=bearer)
    assert (result.status, result.json["code"]) == (400, 3), result.json
    kit.assert_valid("rest-error.json", result.json)
    assert result.json["details"][0]["message"] == f"invalid {field}"


def test_paging_takes_digits_as_text_too(
    flow: Any, provider: ZitadelProvider, bearer: dict[str, str]
) -> None:
    bob = provider.create_test_user("bob@example.com")
    body = {"query": {"offset": "1", "limit": "1"}}
    listed = flow.call("POST", "/v2/users", json_body=body, headers=bearer)
    assert listed.status == 200, listed.json
    assert [user["userId"] for user in listed.json["result"]] == [bob.id]
    assert listed.json["details"]["totalResult"] == "2"


def test_an_org_id_that_is_not_text_is_an_unknown_org(flow: Any, bearer: dict[str, str]) -> None:
    body = {**NEW_USER, "organization": {"orgId": [None]}}
    result = flow.call("POST", "/v2/users/human", json_body=body, headers=bearer)
    assert (result.status, result.json["code"]) == (404, 5), result.json


def test_a_user_id_of_ones_own_choosing_holds_the_contracts(
    flow: Any, kit: Any, bearer: dict[str, str]
) -> None:
    # Zitadel takes any text as a custom user id (its docs' example is a UUID); the
    # contracts said digits only, which tests/fuzz found
    custom = "d654e6ba-70a3-48ef-a95d-37c8d8a7901a"
    added = flow.call(
        "POST", "/v2/users/human", json_body={**NEW_USER, "userId": custom}, headers=bearer
    )
    assert added.json["userId"] == custom
    kit.assert_valid("user.add_human.response.json", added.json)
    request = {"userId": custom}
    kit.assert_valid("user.get.request.json", request)
    got = flow.call(
        "POST", "/zitadel.user.v2.UserService/GetUserByID", json_body=request, headers=bearer
    )
    kit.assert_valid("user.get.response.json", got.json)
    listed = flow.call("POST", "/v2/users", json_body={}, headers=bearer)
    kit.assert_valid("user.list.response.json", listed.json)
