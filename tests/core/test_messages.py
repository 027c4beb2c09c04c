"""Every stumble ends in a message naming what is wrong (busy ports, typos, bad methods)."""

from __future__ import annotations

import socket

import pytest
import requests

from mocks import Method, MockHTTP


def test_a_busy_port_names_the_address() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}: "):
            MockHTTP.start(port=port)


def test_a_path_given_as_the_method_is_refused(fresh_mock: MockHTTP) -> None:
    with pytest.raises(ValueError, match="looks like a path") as refused:
        fresh_mock.expect("/x")
    assert "expect('GET', '/x')" in str(refused.value)
    assert fresh_mock.expectations == []


def test_a_misspelt_method_is_refused_with_the_choices(fresh_mock: MockHTTP) -> None:
    with pytest.raises(ValueError, match="'GTE' is not an HTTP method") as refused:
        fresh_mock.expect("GTE", "/x")
    assert "GET, HEAD, POST" in str(refused.value)
    assert "custom=True" in str(refused.value)


def test_an_extension_method_is_allowed_when_asked(fresh_mock: MockHTTP) -> None:
    expectation = fresh_mock.expect("propfind", "/x", custom_method=True).optional()
    assert expectation.spec.matcher.model_dump()["all"][0] == {
        "kind": "method",
        "value": "PROPFIND",
        "custom": True,
    }
    with pytest.raises(ValueError, match="not a valid HTTP method token"):
        Method(value="PROP FIND", custom=True)


def test_the_admin_api_refuses_a_bad_method_naming_the_field(fresh_mock: MockHTTP) -> None:
    answer = requests.post(
        f"{fresh_mock.url}/__admin/expectations",
        json={"matcher": {"kind": "method", "value": "GTE"}},
        timeout=5,
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["field"].startswith("matcher")
    assert "'GTE' is not an HTTP method" in error["message"]


def test_a_network_address_without_an_admin_token_is_refused() -> None:
    with pytest.raises(PermissionError, match="admin token"):
        MockHTTP.start(host="0.0.0.0")
    with MockHTTP.start(host="0.0.0.0", admin_token="secret") as guarded:
        admin = f"http://127.0.0.1:{guarded.port}/__admin/health"
        assert requests.get(admin, timeout=5).status_code == 401
        headers = {"Authorization": "Bearer secret"}
        assert requests.get(admin, headers=headers, timeout=5).status_code == 200
    with MockHTTP.start(host="0.0.0.0", allow_remote_admin=True) as open_mock:
        assert open_mock.admin.token is None
