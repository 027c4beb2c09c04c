"""The directory, stub files, claims helpers, the clock, ids and error bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from mocks.jose import Clock
from mocks.zitadel._claims import (
    allowed_scopes,
    audience_from_scopes,
    metadata_claim,
    user_info,
)
from mocks.zitadel._directory import Directory
from mocks.zitadel._errors import USER_NOT_FOUND, ZitadelError
from mocks.zitadel._ids import IdGenerator
from mocks.zitadel._provider import ZitadelProvider


def test_clock_freeze_advance_skew() -> None:
    clock = Clock(source=lambda: 100.0)
    assert clock.now() == 100.0 and not clock.frozen
    clock.skew = -30
    assert clock.now() == 70.0
    clock.freeze(datetime(2024, 1, 1, tzinfo=UTC))
    assert clock.frozen and clock.timestamp() == 1704067200 - 30
    clock.advance(60)
    assert clock.timestamp() == 1704067200 + 30
    clock.unfreeze()
    clock.advance(5)
    assert clock.now() == 100.0 - 30 + 5


def test_ids_are_18_digit_increasing_and_seeded() -> None:
    one, two = IdGenerator("s"), IdGenerator("s")
    ids = [one.next_id() for _ in range(5)]
    assert ids == [two.next_id() for _ in range(5)]
    assert all(i.isdigit() and len(i) == 18 for i in ids)
    assert ids == sorted(ids, key=int)
    assert IdGenerator("other").next_id() != ids[0]
    assert len(one.secret()) == 64 and one.secret().isalnum()


def test_applications_get_zitadel_shaped_credentials() -> None:
    directory = Directory(IdGenerator(1), Clock(fixed=0))
    web = directory.create_application("web")
    spa = directory.create_application("spa", kind="spa")
    api = directory.create_application("api", kind="api", auth_method="private_key_jwt")
    assert web.client_id == f"{web.id}@acme" and web.client_secret and len(web.client_secret) == 64
    assert spa.client_secret is None and spa.is_public
    assert api.key_file is not None and api.client_secret is None
    assert set(api.key_file) == {"type", "keyId", "key", "appId", "clientId"}
    assert api.key_file["clientId"] == api.client_id and api.key_file["appId"] == api.id
    assert directory.find_client(web.client_id) is web


def test_unknown_application_settings_are_refused_with_the_field_name() -> None:
    directory = Directory(IdGenerator(1), Clock(fixed=0))
    with pytest.raises(ValidationError, match="colour"):
        directory.create_application("web", colour="blue")


def test_users_log_in_by_username_email_or_org_login_name() -> None:
    directory = Directory(IdGenerator(1), Clock(fixed=0))
    user = directory.create_user("Ann@Example.com", roles=["viewer"], username="ann")
    assert directory.find_user_by_login_name("ANN") is user
    assert directory.find_user_by_login_name("ann@acme.localhost") is user
    assert directory.find_user_by_login_name("ann@example.com") is user
    assert directory.find_user_by_login_name("bob") is None
    assert directory.project.role_keys() == ["viewer"]


def test_stub_files_configure_everything() -> None:
    provider = ZitadelProvider(seed=3, clock=Clock(fixed=0))
    provider.apply_stub(
        {
            "organization": {"name": "Globex", "primary_domain": "globex.test"},
            "project": {"name": "shop", "roles": ["admin", "viewer"]},
            "applications": [
                {"name": "web", "redirect_uris": ["http://127.0.0.1:1/cb"], "client_id": "web-1"},
                {"name": "cli", "kind": "native", "settings": {"dev_mode": True}},
            ],
            "users": [{"email": "eve@globex.test", "password": "pw", "roles": ["admin"]}],
            "service_users": [{"name": "robot", "roles": ["viewer"]}],
            "lifetimes": {"access_token": 60},
        }
    )
    directory = provider.state.directory
    assert directory.org.primary_domain == "globex.test"
    assert directory.project.role_keys() == ["admin", "viewer"]
    assert directory.find_client("web-1") is not None
    assert [a.dev_mode for a in directory.applications.values()] == [False, True]
    eve = directory.find_user_by_login_name("eve@globex.test")
    assert eve is not None
    assert provider.state.directory.roles(eve.id, provider.project_id) == ["admin"]
    assert directory.find_service_user_by_username("robot") is not None
    assert directory.lifetimes.access_token == timedelta(seconds=60)
    with pytest.raises(ValidationError):
        provider.apply_stub({"users": [{"password": "no email"}]})


def test_scope_helpers() -> None:
    scopes = ["openid", "nonsense", "urn:zitadel:iam:org:project:id:42:aud", "openid"]
    assert allowed_scopes(scopes) == ["openid", "urn:zitadel:iam:org:project:id:42:aud"]
    aud = audience_from_scopes(
        ["urn:zitadel:iam:org:project:id:42:aud", "urn:zitadel:iam:org:project:id:zitadel:aud"],
        "999",
    )
    assert aud == ["42", "999"]
    assert metadata_claim({"k": "v??"}) == {"k": "dj8_"}


def test_roles_only_with_role_scopes_or_role_assertion() -> None:
    directory = Directory(IdGenerator(1), Clock(fixed=0))
    user = directory.create_user("a@b.c", roles=["admin", "viewer"])
    pid = directory.default_project_id

    def claims(scopes: list[str], assertion: bool = False) -> dict[str, object]:
        return user_info(
            directory,
            user,
            scopes,
            pid,
            project_role_assertion=assertion,
            userinfo_assertion=True,
            role_assertion=True,
        )

    key = "urn:zitadel:iam:org:project:roles"
    assert key not in claims(["openid"])
    assert set(claims(["openid"], assertion=True)[key]) == {"admin", "viewer"}  # type: ignore[arg-type]
    only_admin = claims(["openid", "urn:zitadel:iam:org:project:role:admin"])[key]
    assert only_admin == {"admin": {directory.org.id: directory.org.primary_domain}}


def test_zitadel_error_bodies() -> None:
    assert USER_NOT_FOUND.status == 404 and USER_NOT_FOUND.grpc_code == 5
    internal = ZitadelError("internal", "X-1", "Errors.Internal")
    assert internal.oauth().body() == {
        "error": "server_error",
        "error_description": "Errors.Internal",
    }
    assert internal.oauth().status == 500
    unknown = ZitadelError("invalid_argument", "X-2", "Errors.Something.New")
    assert unknown.rest_body()["message"] == "Errors.Something.New (X-2)"
