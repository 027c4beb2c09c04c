"""The HTTP/1.1 server under every mock, driven over raw sockets where a client library
would hide what is on the wire: pipelining, HEAD, HTTP/1.0, ``Expect: 100-continue``,
chunked bodies, keep-alive and a client that goes away mid-request."""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from mocks import MockHTTP


def _connect(mock: MockHTTP) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", mock.port), timeout=5)
    return sock


def _read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def _read_responses(sock: socket.socket, count: int) -> list[tuple[bytes, bytes]]:
    """Read `count` responses framed by Content-Length: (head, body) each."""
    buffer, responses = b"", []
    while len(responses) < count:
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(responses)} responses"
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(buffer) < length:
            buffer += sock.recv(65536)
        responses.append((head, buffer[:length]))
        buffer = buffer[length:]
    return responses


@pytest.fixture
def mock() -> Iterator[MockHTTP]:
    with MockHTTP.start() as started:
        started.expect("GET", "/n/{i}").respond(body="{{request.path_params.i}}", template=True)
        started.expect("POST", "/echo").respond(body="{{request.body}}", template=True).optional()
        yield started


def test_pipelined_requests_are_answered_in_order(mock: MockHTTP) -> None:
    with _connect(mock) as sock:
        sock.sendall(b"".join(b"GET /n/%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(50)))
        responses = _read_responses(sock, 50)
    assert [body for _, body in responses] == [str(i).encode() for i in range(50)]
    assert [entry.path for entry in mock.requests] == [f"/n/{i}" for i in range(50)]


def test_head_gets_the_headers_and_no_body(mock: MockHTTP) -> None:
    mock.expect("HEAD", "/file").respond(body="twelve bytes")
    response = requests.head(f"{mock.url}/file", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == "12" and response.content == b""
    # The connection stays usable: the next answer is not read as the HEAD's body.
    with _connect(mock) as sock:
        sock.sendall(b"HEAD /file HTTP/1.1\r\nHost: x\r\n\r\nGET /n/7 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        received = sock.recv(65536)
    assert received.count(b"HTTP/1.1 200") == 2 and received.endswith(b"\r\n\r\n7")


def test_http_1_0_closes_after_the_answer_and_gets_a_stream_unchunked() -> None:
    with MockHTTP.start() as mock:
        mock.expect("GET", "/plain").respond(body="hello")
        mock.expect("GET", "/events").respond_with_stream(["a", "b"])
        with _connect(mock) as sock:
            sock.sendall(b"GET /plain HTTP/1.0\r\n\r\n")
            plain = _read_until_closed(sock)
        assert plain.startswith(b"HTTP/1.1 200 OK\r\n") and plain.endswith(b"\r\n\r\nhello")
        assert b"Connection: close" in plain
        with _connect(mock) as sock:
            sock.sendall(b"GET /events HTTP/1.0\r\n\r\n")
            streamed = _read_until_closed(sock)
        head, _, body = streamed.partition(b"\r\n\r\n")
        assert b"Transfer-Encoding" not in head and b"Content-Length" not in head
        assert body == b"data: a\n\ndata: b\n\n"


def test_expect_100_continue_gets_continue_then_the_answer(mock: MockHTTP) -> None:
    with _connect(mock) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        assert sock.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hello")
        [(head, body)] = _read_responses(sock, 1)
    assert head.startswith(b"HTTP/1.1 200") and body == b"hello"


def test_expect_100_continue_with_a_body_too_large_gets_413_without_continue() -> None:
    with MockHTTP.start(max_body_size=10) as mock, _connect(mock) as sock:
        sock.sendall(
            b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"
        )
        [(head, body)] = _read_responses(sock, 1)
        assert head.startswith(b"HTTP/1.1 413") and b"larger than 10 bytes" in body
        assert mock.requests.last.status == 413


def test_a_chunked_body_arrives_whole_and_the_connection_is_reused(mock: MockHTTP) -> None:
    with _connect(mock) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            b"GET /n/2 HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        responses = _read_responses(sock, 2)
    assert [body for _, body in responses] == [b"hello world", b"2"]
    assert mock.requests[0].body == b"hello world"


def test_a_body_sent_slowly_is_waited_for(mock: MockHTTP) -> None:
    with _connect(mock) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nab")
        time.sleep(0.3)
        sock.sendall(b"cdef")
        [(_, body)] = _read_responses(sock, 1)
    assert body == b"abcdef"


def test_a_client_gone_mid_body_costs_nothing_and_the_mock_keeps_serving(
    mock: MockHTTP, caplog: pytest.LogCaptureFixture
) -> None:
    with _connect(mock) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\npart")
    time.sleep(0.2)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert requests.get(f"{mock.url}/n/1", timeout=5).text == "1"
    assert [entry.path for entry in mock.requests] == ["/n/1"]
    mock.verify()


def test_an_absolute_form_target_is_served_by_its_path(mock: MockHTTP) -> None:
    with _connect(mock) as sock:
        sock.sendall(b"GET http://api.example.com/n/5?x=1 HTTP/1.1\r\nHost: a.example\r\n\r\n")
        [(_, body)] = _read_responses(sock, 1)
    assert body == b"5"
    assert mock.requests.last.path == "/n/5" and mock.requests.last.query["x"] == "1"


def test_percent_escapes_and_query_values_are_decoded(mock: MockHTTP) -> None:
    mock.expect("GET", "/caf\u00e9 menu").respond(body="found")
    response = requests.get(f"{mock.url}/caf%C3%A9%20menu?q=a+b%26c&empty&q=2", timeout=5)
    assert response.text == "found"
    entry = mock.requests.last
    assert entry.query.getall("q") == ["a b&c", "2"] and entry.query["empty"] == ""
    assert entry.raw_query == "q=a+b%26c&empty&q=2"


def test_header_names_keep_the_registry_spelling_and_unknown_ones_their_own(
    mock: MockHTTP,
) -> None:
    with _connect(mock) as sock:
        sock.sendall(
            b"GET /n/1 HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\nx-Custom-Thing: 1\r\n\r\n"
        )
        _read_responses(sock, 1)
    assert list(mock.requests.last.headers) == ["Host", "Authorization", "x-Custom-Thing"]
    assert mock.requests.last.headers["AUTHORIZATION"] == "Bearer t"
    with _connect(mock) as sock:  # long registered names, each spelled as registered
        sock.sendall(
            b"GET /n/2 HTTP/1.1\r\nhost: x\r\naccess-control-request-method: GET\r\n"
            b"x-forwarded-host: a\r\nsec-websocket-extensions: e\r\n\r\n"
        )
        _read_responses(sock, 1)
    assert list(mock.requests.last.headers) == [
        "Host",
        "Access-Control-Request-Method",
        "X-Forwarded-Host",
        "Sec-WebSocket-Extensions",
    ]


def test_a_line_break_in_a_programmed_header_is_a_500_not_a_split_response() -> None:
    with MockHTTP.start() as mock:
        mock.expect("GET", "/evil").respond(headers={"X-Evil": "a\r\nSet-Cookie: x=1"})
        response = requests.get(f"{mock.url}/evil", timeout=5)
        assert response.status_code == 500 and "Set-Cookie" not in response.headers
        assert "line break" in response.json()["error"]["message"]
        with pytest.raises(AssertionError, match="line break"):
            mock.verify()


def test_the_server_runs_on_uvloop_too() -> None:
    import uvloop  # a test dependency: its transports are not asyncio's classes

    assert uvloop
    with MockHTTP.start(use_uvloop=True) as mock:
        mock.expect("POST", "/echo").respond(body="{{request.body}}", template=True)
        mock.expect("GET", "/events").respond_with_stream(["a", "b"])
        with requests.Session() as session:
            assert session.post(f"{mock.url}/echo", data=b"x" * 100_000, timeout=5).content == (
                b"x" * 100_000
            )
            assert session.get(f"{mock.url}/events", timeout=5).text == "data: a\n\ndata: b\n\n"
        mock.verify()


def test_stopping_ends_a_stream_in_flight_and_closes_idle_connections() -> None:
    mock = MockHTTP.start()
    mock.expect("GET", "/slow").respond_with_stream(["x"] * 100).with_stream_delays(None, 50)
    with _connect(mock) as idle, _connect(mock) as busy:
        busy.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        started = time.monotonic()
        mock.stop()
        assert time.monotonic() - started < 3
        idle.settimeout(2)
        assert idle.recv(10) == b""
        busy.settimeout(2)
        with contextlib.suppress(ConnectionResetError):
            received = _read_until_closed(busy)
            assert not received.endswith(b"0\r\n\r\n")  # cut, not finished


def test_a_repeated_head_is_written_from_memory_and_follows_every_change() -> None:
    """The head of a stub's answer is kept between requests: what it holds must still
    follow the reply's status, headers, length and connection, and the clock."""
    with MockHTTP.start() as mock:
        stub = mock.expect("GET", "/same").respond(json={"n": 1}, headers={"X-Kind": "a"})
        with contextlib.closing(_connect(mock)) as sock:
            sock.sendall(b"GET /same HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
            (first, _), (second, _) = _read_responses(sock, 2)
            assert first.split(b"\r\nDate: ")[0] == second.split(b"\r\nDate: ")[0]
            assert b"\r\nX-Kind: a\r\n" in first and b"\r\nContent-Length: 7" in first
            mock.remove_expectation(stub)
            mock.expect("GET", "/same").respond(json={"n": 22}, headers={"X-Kind": "b"})
            sock.sendall(b"GET /same HTTP/1.1\r\nHost: x\r\n\r\n")
            ((changed, body),) = _read_responses(sock, 1)
        assert b"\r\nX-Kind: b\r\n" in changed and b"X-Kind: a" not in changed
        assert b"\r\nContent-Length: 8" in changed and body == b'{"n":22}'
        with contextlib.closing(_connect(mock)) as sock:
            sock.sendall(b"GET /same HTTP/1.0\r\n\r\n")
            closing = _read_until_closed(sock)
        assert b"\r\nConnection: close\r\n" in closing and b"\r\nX-Kind: b\r\n" in closing
        assert all(b"\r\nDate: " in head for head in (first, second, changed, closing))
