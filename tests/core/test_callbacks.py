"""Callbacks: webhooks after a match, retries with backoff, signing, and pushing with send()."""

from __future__ import annotations

import hashlib
import hmac
import socket
from typing import ClassVar

import requests

from mocks import MockHTTP


def test_callback_is_templated_from_the_request_and_delivered(fresh_mock: MockHTTP) -> None:
    with MockHTTP.start() as receiver:
        receiver.expect("POST", "/hooks/order").respond(204).once()
        fresh_mock.expect("POST", "/orders").respond(201, json={"id": 1}).with_callback(
            receiver.url + "/hooks/order",
            json={"event": "created", "sku": "{{request.json.sku}}"},
            headers={"X-Source": "{{request.headers.X-Shop}}"},
            delay_ms=50,
        )
        requests.post(
            f"{fresh_mock.url}/orders", json={"sku": "A-1"}, headers={"X-Shop": "s1"}, timeout=5
        )
        [delivery] = fresh_mock.wait_for_callbacks(timeout=5)
        assert delivery.succeeded
        assert delivery.json == {"event": "created", "sku": "A-1"}
        hook = receiver.requests.last
        assert hook.json == {"event": "created", "sku": "A-1"}
        assert hook.headers["X-Source"] == "s1"
        receiver.verify()


def test_retries_with_backoff_until_the_receiver_recovers(fresh_mock: MockHTTP) -> None:
    with MockHTTP.start() as receiver:
        receiver.expect("POST", "/hook").respond_with_sequence(
            [{"status": 503}, {"status": 500}, {"status": 200}]
        )
        delivery = fresh_mock.send(receiver.url + "/hook", json={"n": 1}, backoff_ms=20)
        delivery.wait(5)
        assert [a.status for a in delivery.attempts] == [503, 500, 200]
        assert delivery.succeeded
        gaps = [
            b.started_at - a.started_at
            for a, b in zip(delivery.attempts, delivery.attempts[1:], strict=False)
        ]
        assert gaps[1] > gaps[0]
        assert len(receiver.requests) == 3


def test_a_receiver_that_is_down_is_retried_then_given_up(fresh_mock: MockHTTP) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    delivery = fresh_mock.send(f"http://127.0.0.1:{port}/gone", body="x", retries=2, backoff_ms=5)
    delivery.wait(5)
    assert len(delivery.attempts) == 3
    assert all(a.status is None and a.error for a in delivery.attempts)
    assert not delivery.succeeded
    assert fresh_mock.callbacks == [delivery]


def test_client_errors_are_not_retried(fresh_mock: MockHTTP) -> None:
    with MockHTTP.start() as receiver:
        receiver.expect("POST", "/hook").respond(400)
        delivery = fresh_mock.send(receiver.url + "/hook", json={}).wait(5)
        assert [a.status for a in delivery.attempts] == [400]


class SigningMock(MockHTTP):
    secret: ClassVar[bytes] = b"s3cret"

    def sign_callback(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> dict[str, str]:
        digest = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return {**headers, "X-Signature-256": f"sha256={digest}"}


def test_a_mock_signs_its_callbacks() -> None:
    with SigningMock.start() as mock, MockHTTP.start() as receiver:
        receiver.expect("POST", "/hook").respond(200)
        mock.send(receiver.url + "/hook", json={"a": 1}).wait(5)
        hook = receiver.requests.last
        expected = hmac.new(b"s3cret", hook.body, hashlib.sha256).hexdigest()
        assert hook.headers["X-Signature-256"] == f"sha256={expected}"
        unsigned = mock.send(receiver.url + "/hook", json={"a": 1}, sign=False).wait(5)
        assert "X-Signature-256" not in unsigned.headers
