"""MockZitadel on the engine: routes, envelopes, reset, expectations, admin API, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from mocks.core import Fault
from mocks.zitadel import MockZitadel

REDIRECT = "http://127.0.0.1:8000/callback"


def test_the_fixture_serves_zitadels_paths(mock_zitadel: MockZitadel) -> None:
    base = mock_zitadel.url
    assert requests.get(base + "/.well-known/openid-configuration", timeout=5).ok
    assert requests.get(base + "/oauth/v2/keys", timeout=5).json()["keys"]
    assert requests.get(base + "/favicon.ico", timeout=5).status_code == 204
    assert mock_zitadel.issuer == base


def test_a_request_breaking_the_contract_gets_zitadels_answer_and_is_reported() -> None:
    with MockZitadel.start() as mock:
        answer = requests.post(mock.url + "/oauth/v2/token", data={"x": "y"}, timeout=5)
        assert answer.status_code == 400
        assert answer.json() == {
            "error": "invalid_request",
            "error_description": "grant_type missing",
        }
        with pytest.raises(AssertionError, match="grant_type"):
            mock.verify()


def test_malformed_json_on_the_user_api_gets_a_zitadel_error() -> None:
    with MockZitadel.start() as mock:
        app = mock.create_application("web", redirect_uris=[REDIRECT])
        user = mock.create_test_user("a@example.com")
        token = mock.issue_token(user, app).access_token
        answer = requests.post(
            mock.url + "/v2/users/human",
            data=b"{not json",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=5,
        )
        assert answer.status_code == 400
        assert answer.json()["code"] == 3


def test_injected_errors_use_zitadels_envelopes(mock_zitadel: MockZitadel) -> None:
    mock_zitadel.expect("POST", "/oauth/v2/token").with_error(503, "maintenance").once()
    oauth = requests.post(mock_zitadel.url + "/oauth/v2/token", data={"grant_type": "x"}, timeout=5)
    assert (oauth.status_code, oauth.json()) == (
        503,
        {"error": "temporarily_unavailable", "error_description": "maintenance"},
    )
    mock_zitadel.expect("POST", "/v2/users").with_error(500, "boom").once()
    rest = requests.post(mock_zitadel.url + "/v2/users", json={}, timeout=5)
    assert rest.status_code == 500 and rest.json()["code"] == 13
    path = "/zitadel.user.v2.UserService/ListUsers"
    mock_zitadel.expect("POST", path).with_error(404, "gone").once()
    connect = requests.post(mock_zitadel.url + path, json={}, timeout=5)
    assert connect.json()["code"] == "not_found"


def test_fail_next_and_a_timeout_on_introspection(mock_zitadel: MockZitadel) -> None:
    mock_zitadel.fail_next("token", "invalid_grant", "made to fail")
    failed = requests.post(
        mock_zitadel.url + "/oauth/v2/token",
        data={"grant_type": "refresh_token", "refresh_token": "r"},
        timeout=5,
    )
    assert failed.json() == {"error": "invalid_grant", "error_description": "made to fail"}
    mock_zitadel.expect("POST", "/oauth/v2/introspect").with_latency(3000).once()
    with pytest.raises(requests.Timeout):
        requests.post(mock_zitadel.url + "/oauth/v2/introspect", data={"token": "t"}, timeout=0.5)
    mock_zitadel.expect("GET", "/oauth/v2/keys").with_fault(Fault.CONNECTION_RESET_BY_PEER).once()
    with pytest.raises(requests.ConnectionError):
        requests.get(mock_zitadel.url + "/oauth/v2/keys", timeout=5)
    assert requests.get(mock_zitadel.url + "/oauth/v2/keys", timeout=5).ok


@pytest.mark.no_mock_verify
def test_expect_login_is_reported_when_it_does_not_happen(mock_zitadel: MockZitadel) -> None:
    user = mock_zitadel.create_test_user("late@example.com")
    mock_zitadel.expect_login(user, "Password2!")
    assert user.password == "Password2!"
    with pytest.raises(AssertionError, match=r"login of late@example\.com"):
        mock_zitadel.verify()


def test_reset_restores_the_instance_from_seed_and_config() -> None:
    config = {"project": {"roles": ["admin"]}, "users": [{"email": "cfg@example.com"}]}
    with MockZitadel.start(config=config, seed=4) as mock:
        project = mock.project_id
        kid = requests.get(mock.url + "/oauth/v2/keys", timeout=5).json()["keys"][0]["kid"]
        mock.create_test_user("extra@example.com")
        mock.rotate_keys()
        mock.freeze_time(1000)
        mock.reset()
        directory = mock.provider.state.directory
        assert mock.project_id == project
        assert [u.email for u in directory.users.values()] == ["cfg@example.com"]
        keys = requests.get(mock.url + "/oauth/v2/keys", timeout=5).json()["keys"]
        assert [k["kid"] for k in keys] == [kid]
        assert not mock.clock.frozen


def test_a_token_kept_across_a_reset_is_valid_for_no_one(mock_zitadel: MockZitadel) -> None:
    def login(email: str) -> tuple[str, str]:
        app = mock_zitadel.create_application("web", redirect_uris=[REDIRECT])
        user = mock_zitadel.create_test_user(email)
        return user.id, mock_zitadel.issue_token(user, app).access_token

    url = mock_zitadel.url + "/oidc/v1/userinfo"
    project = mock_zitadel.project_id
    alice_id, alice_token = login("alice@example.com")
    mock_zitadel.reset()
    bob_id, bob_token = login("bob@example.com")  # the first user of the next test
    assert mock_zitadel.project_id == project  # what the system under test was given stays
    assert bob_id != alice_id and bob_token != alice_token
    stale = requests.get(url, headers={"Authorization": f"Bearer {alice_token}"}, timeout=5)
    assert stale.status_code == 401
    fresh = requests.get(url, headers={"Authorization": f"Bearer {bob_token}"}, timeout=5)
    assert fresh.json()["email"] == "bob@example.com"


def test_two_instances_with_one_seed_issue_different_ids() -> None:
    with MockZitadel.start(seed=5) as first, MockZitadel.start(seed=5) as second:
        assert first.project_id == second.project_id  # built from the seed alone
        users = [m.create_test_user("same@example.com").id for m in (first, second)]
        assert users[0] != users[1]


def test_clock_helpers_move_token_expiry(mock_zitadel: MockZitadel) -> None:
    app = mock_zitadel.create_application("web", redirect_uris=[REDIRECT])
    user = mock_zitadel.create_test_user("a@example.com")
    mock_zitadel.freeze_time(1_700_000_000)
    token = mock_zitadel.issue_token(user, app, expires_in=30).access_token
    headers = {"Authorization": f"Bearer {token}"}
    url = mock_zitadel.url + "/oidc/v1/userinfo"
    assert requests.get(url, headers=headers, timeout=5).ok
    mock_zitadel.advance_time(31)
    assert requests.get(url, headers=headers, timeout=5).status_code == 401
    mock_zitadel.set_clock_skew(-3600)
    assert requests.get(url, headers=headers, timeout=5).ok


def test_the_admin_api_configures_the_instance(mock_zitadel: MockZitadel) -> None:
    admin = mock_zitadel.url + "/__admin/zitadel"
    app = requests.post(
        admin + "/applications",
        json={"name": "web", "kind": "web", "redirect_uris": [REDIRECT]},
        timeout=5,
    ).json()
    assert app["client_id"].endswith("@acme") and app["client_secret"]
    user = requests.post(
        admin + "/users", json={"email": "remote@example.com", "roles": ["viewer"]}, timeout=5
    ).json()
    assert "password" not in user
    (grant,) = user["grants"]
    assert (grant["project_id"], grant["roles"]) == (mock_zitadel.project_id, ["viewer"])
    assert grant["org_id"] == mock_zitadel.provider.state.directory.org.id
    machine = requests.post(admin + "/service-users", json={"name": "bot"}, timeout=5).json()
    assert machine["key_file"]["type"] == "serviceaccount"
    tokens = requests.post(
        admin + "/tokens",
        json={"user_id": user["id"], "client_id": app["client_id"], "expires_in": 60},
        timeout=5,
    ).json()
    assert tokens["expires_in"] == 60
    revoked = requests.post(
        admin + "/tokens/revoke", json={"token": tokens["access_token"]}, timeout=5
    )
    assert revoked.json() == {"revoked": True}
    rotated = requests.post(admin + "/keys/rotate", json={}, timeout=5).json()
    keys = requests.get(mock_zitadel.url + "/oauth/v2/keys", timeout=5).json()["keys"]
    assert keys[0]["kid"] == rotated["kid"] and len(keys) == 2
    clock = requests.post(admin + "/clock", json={"freeze": 1000, "advance": 5}, timeout=5).json()
    assert clock == {"now": 1005.0, "frozen": True, "skew": 0.0}
    overview = requests.get(admin, timeout=5).json()
    assert overview["project_id"] == mock_zitadel.project_id
    assert [u["email"] for u in overview["users"]] == ["remote@example.com"]
    bad = requests.post(admin + "/applications", json={"name": "x", "kind": "robot"}, timeout=5)
    assert bad.status_code == 400 and "kind" in bad.json()["error"]["message"]
    assert requests.get(mock_zitadel.url + "/__admin/health", timeout=5).json()["status"] == "ok"


def test_stub_config_files_and_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "zitadel.json"
    config.write_text(
        json.dumps(
            {
                "applications": [
                    {"name": "web", "client_id": "web-client", "client_secret": "web-secret"}
                ],
                "users": [{"email": "cli@example.com", "password": "pw"}],
            }
        )
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "mocks.zitadel", "--port", "0", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("MockZitadel listening on http://127.0.0.1:")
        url = line.split()[-1]
        overview = requests.get(url + "/__admin/zitadel", timeout=5).json()
        assert overview["applications"][0]["client_id"] == "web-client"
        assert overview["issuer"] == url
    finally:
        process.terminate()
        assert process.wait(10) == 0


def test_a_broken_config_file_is_one_line_and_status_2(tmp_path: Path) -> None:
    config = tmp_path / "broken.json"
    config.write_text('{"users": [{"password": "no email"}]}')
    done = subprocess.run(
        [sys.executable, "-m", "mocks.zitadel", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("python -m mocks.zitadel: error: --config")


def test_projects_roles_and_lifetimes_from_python(mock_zitadel: MockZitadel) -> None:
    billing = mock_zitadel.create_project("billing", ["payer"])
    mock_zitadel.add_roles("reader")
    assert "reader" in mock_zitadel.provider.state.directory.project.role_keys()
    app = mock_zitadel.create_application(
        "billing-web", redirect_uris=[REDIRECT], project_id=billing.id
    )
    assert app.project_id == billing.id
    mock_zitadel.lifetimes.access_token = timedelta(minutes=5)
    user = mock_zitadel.create_test_user("p@example.com", roles=["payer"], project_id=billing.id)
    tokens = mock_zitadel.issue_token(user, app)
    assert tokens.expires_in == 300
    (grant,) = mock_zitadel.grants_of(user)
    assert (grant.project_id, grant.roles) == (billing.id, ["payer"])


def test_the_package_exports_are_sorted_complete_and_documented() -> None:
    import mocks.zitadel as package

    public = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not isinstance(value, type(package))
    }
    assert package.__all__ == sorted(package.__all__)
    assert set(package.__all__) == public
    assert all(getattr(package, name).__doc__ for name in package.__all__)


def test_a_scope_named_after_a_client_id_catches_that_clients_calls(
    mock_zitadel: MockZitadel,
) -> None:
    """Workers sharing one Zitadel each create their own application: a fault programmed
    in the scope named after one client id reaches that client's calls only."""
    first = mock_zitadel.create_application("first", redirect_uris=[REDIRECT])
    second = mock_zitadel.create_application("second", redirect_uris=[REDIRECT])
    scoped = {"X-Mock-Scope": first.client_id}
    created = requests.post(
        f"{mock_zitadel.url}/__admin/expectations",
        headers=scoped,
        json={
            "matcher": {"kind": "path", "value": "/oauth/v2/token"},
            "response": {"status": 503, "json": {"error": "temporarily_unavailable"}},
        },
        timeout=5,
    )
    assert created.status_code == 201, created.text

    def exchange(app: Any) -> requests.Response:
        return requests.post(
            f"{mock_zitadel.url}/oauth/v2/token",
            data={"grant_type": "authorization_code", "code": "nope", "redirect_uri": REDIRECT},
            auth=(app.client_id, app.client_secret),
            timeout=5,
        )

    assert exchange(first).status_code == 503
    refused = exchange(second)  # the provider's own answer
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
    journal = requests.get(f"{mock_zitadel.url}/__admin/requests", headers=scoped, timeout=5)
    assert [e["path"] for e in journal.json()["requests"]] == ["/oauth/v2/token"]
    assert [e.path for e in mock_zitadel.requests] == ["/oauth/v2/token"]  # the second's
