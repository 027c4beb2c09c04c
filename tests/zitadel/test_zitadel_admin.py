"""MockZitadel's admin API (``/__admin/zitadel/...``): validated bodies, statuses, OpenAPI.

The engine's admin router serves these routes from MockZitadel's pydantic models: a
wrong field answers 400 naming it, creating answers 201, a missing user or application
404 naming the field, and ``/__admin/openapi.json`` lists each route with its body.
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from mocks.zitadel import MockZitadel

REDIRECT = "http://127.0.0.1:8000/callback"


def _post(mock: MockZitadel, path: str, body: Any) -> requests.Response:
    return requests.post(f"{mock.url}/__admin/zitadel{path}", json=body, timeout=5)


def test_a_wrong_field_is_a_400_naming_the_field(mock_zitadel: MockZitadel) -> None:
    answer = _post(mock_zitadel, "/users", {"mail": "alice@example.com"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["status"], error["field"]) == (400, "email")
    assert error["message"] == "email: Field required"
    assert {(d["field"], d["type"]) for d in error["details"]} == {
        ("email", "missing"),
        ("mail", "extra_forbidden"),
    }
    assert mock_zitadel.provider.state.directory.users == {}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/users", {"email": "not-an-email"}, "email"),
        ("/applications", {"name": "x", "kind": "robot"}, "kind"),
        ("/grants", {"user_id": "1", "roles": []}, "roles"),
        ("/organizations", {"name": ""}, "name"),
        ("/tokens", {"user_id": "1", "client_id": "c", "expires_in": 0}, "expires_in"),
        ("/features", {"token_exchange": "yes please"}, "token_exchange"),
        ("/actions", {"name": "a", "claims": {}, "trigger": "pre_userinfo_creation"}, "claims"),
        ("/actions", {"name": "a", "claims": {"k": 1}, "trigger": "later"}, "trigger"),
        ("/users/1/totp", {"secret": "not base32!"}, "secret"),
    ],
)
def test_every_body_is_validated_before_anything_happens(
    mock_zitadel: MockZitadel, path: str, body: dict[str, Any], field: str
) -> None:
    answer = _post(mock_zitadel, path, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["field"] == field


@pytest.mark.no_mock_verify
def test_creating_answers_201_and_changing_answers_200(mock_zitadel: MockZitadel) -> None:
    app = _post(mock_zitadel, "/applications", {"name": "web", "redirect_uris": [REDIRECT]})
    user = _post(mock_zitadel, "/users", {"email": "alice@example.com", "roles": ["viewer"]})
    machine = _post(mock_zitadel, "/service-users", {"name": "robot"})
    org = _post(mock_zitadel, "/organizations", {"name": "Customer", "force_mfa": True})
    assert [r.status_code for r in (app, user, machine, org)] == [201, 201, 201, 201]
    user_id, machine_id = user.json()["id"], machine.json()["user"]["id"]
    created = {
        "/grants": {"user_id": user_id, "roles": ["admin"], "org_id": org.json()["id"]},
        "/personal-access-tokens": {"user_id": machine_id},
        f"/users/{user_id}/totp": {},
        "/logins": {"user_id": user_id},
        "/tokens": {"user_id": user_id, "client_id": app.json()["client_id"]},
        "/jwts": {"claims": {"sub": user_id}},
        "/actions": {"name": "tenant", "claims": {"tenant": "acme"}},
    }
    for path, body in created.items():
        assert _post(mock_zitadel, path, body).status_code == 201, path
    changed = {
        "/features": {"token_exchange": True},
        "/security": {"impersonation": True},
        "/policies/mfa": {"required": False, "org_id": org.json()["id"]},
        "/impersonators": {"user_id": user_id},
        "/clock": {"advance": 1},
        "/auto-login": {"enabled": False},
    }
    for path, body in changed.items():
        assert _post(mock_zitadel, path, body).status_code == 200, path
    removed = requests.delete(mock_zitadel.url + "/__admin/zitadel/actions/tenant", timeout=5)
    assert removed.status_code == 200
    assert mock_zitadel.features.token_exchange and mock_zitadel.security.impersonation
    assert org.json()["force_mfa"] is True
    # The expected login (POST /logins) is an expectation like any other: unmet, reported.
    with pytest.raises(AssertionError, match=r"login of alice@example\.com"):
        mock_zitadel.verify()


def test_what_does_not_exist_is_a_404_naming_the_field(mock_zitadel: MockZitadel) -> None:
    user = _post(mock_zitadel, "/users", {"email": "alice@example.com"}).json()
    cases = [
        ("/grants", {"user_id": "404", "roles": ["a"]}, "user_id"),
        ("/grants", {"user_id": user["id"], "roles": ["a"], "project_id": "9"}, "project_id"),
        ("/grants", {"user_id": user["id"], "roles": ["a"], "org_id": "9"}, "org_id"),
        ("/tokens", {"user_id": user["id"], "client_id": "nope"}, "client_id"),
        ("/personal-access-tokens", {"user_id": "404"}, "user_id"),
        ("/users/404/totp", {}, "user_id"),
        ("/policies/mfa", {"org_id": "9"}, "org_id"),
        ("/impersonators", {"user_id": "404"}, "user_id"),
    ]
    for path, body, field in cases:
        answer = _post(mock_zitadel, path, body)
        assert (answer.status_code, answer.json()["error"]["field"]) == (404, field), path
    gone = requests.delete(mock_zitadel.url + "/__admin/zitadel/actions/nope", timeout=5)
    assert (gone.status_code, gone.json()["error"]["field"]) == (404, "name")
    human = _post(mock_zitadel, "/personal-access-tokens", {"user_id": user["id"]})
    assert (human.status_code, human.json()["error"]["field"]) == (400, "user_id")


def test_openapi_lists_every_zitadel_route_with_its_body_schema(
    mock_zitadel: MockZitadel,
) -> None:
    document = requests.get(mock_zitadel.url + "/__admin/openapi.json", timeout=5).json()
    schemas = document["components"]["schemas"]
    listed = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        if path.startswith("/__admin/zitadel")
        for method, operation in item.items()
    }
    routes = mock_zitadel.admin_routes()
    assert set(listed) == {(route.method, route.path) for route in routes}
    for route in routes:
        operation = listed[(route.method, route.path)]
        assert str(route.status) in operation["responses"], route.path
        if route.body is None:
            assert "requestBody" not in operation, route.path
            continue
        reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = schemas[reference.rsplit("/", 1)[1]]
        assert set(schema["properties"]) == set(route.body.model_fields), route.path
    grants = listed[("POST", "/__admin/zitadel/grants")]
    assert set(grants["responses"]) >= {"201", "400", "404"}
    assert schemas["GrantInput"]["required"] == ["user_id", "roles"]


def test_the_admin_api_drives_the_new_features_end_to_end(mock_zitadel: MockZitadel) -> None:
    app = _post(
        mock_zitadel,
        "/applications",
        {
            "name": "web",
            "redirect_uris": [REDIRECT],
            "access_token_type": "jwt",
            "settings": {"access_token_role_assertion": True},
        },
    ).json()
    user = _post(mock_zitadel, "/users", {"email": "alice@example.com"}).json()
    org = _post(mock_zitadel, "/organizations", {"name": "Customer"}).json()
    _post(
        mock_zitadel, "/grants", {"user_id": user["id"], "roles": ["editor"], "org_id": org["id"]}
    )
    _post(
        mock_zitadel,
        "/actions",
        {"name": "tier", "claims": {"tier": "gold"}, "trigger": "pre_access_token_creation"},
    )
    tokens = _post(
        mock_zitadel,
        "/tokens",
        {
            "user_id": user["id"],
            "client_id": app["client_id"],
            "scopes": ["openid", "urn:zitadel:iam:org:projects:roles"],
        },
    ).json()
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["tier"] == "gold"
    assert claims["urn:zitadel:iam:org:project:roles"] == {
        "editor": {org["id"]: org["primary_domain"]}
    }
    secret = _post(mock_zitadel, f"/users/{user['id']}/totp", {}).json()["secret"]
    assert mock_zitadel.find_user(user["id"]).totp_secret == secret  # type: ignore[union-attr]
    signed = _post(mock_zitadel, "/jwts", {"claims": {"sub": "x", "exp": 1}}).json()["token"]
    assert jwt.decode(signed, options={"verify_signature": False})["exp"] == 1
