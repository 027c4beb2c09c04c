"""The LLM servers under test: MockLLM and the PyPI package ``mockllm``, programmed alike.

Both are programmed with the same two answers and serve the same requests:

- ``chat``: ``POST /v1/chat/completions``, not streamed, a short prompt (a system and a
  user message) answered with a short sentence;
- ``stream``: the same endpoint with ``stream: true`` and a prompt answered with a long
  text (LONG_TEXT, about 2,000 characters). MockLLM streams it one token per chunk,
  as the real API does (432 chunks); mockllm streams one character per chunk (2,042);
- ``stream-chars`` (MockLLM only): the long answer programmed as one chunk per
  character (``expect_streaming``), so both servers send the same number of chunks;
- ``messages`` and ``messages-stream``: Anthropic's ``POST /v1/messages``, the short and
  the long answer (mockllm serves the path too; its stream is not Anthropic's event
  format, so only its answers/s and first content chunk are comparable);
- ``gemini`` and ``gemini-stream`` (MockLLM only: no peer serves Gemini's API):
  ``:generateContent`` and ``:streamGenerateContent?alt=sse``.

Beside them, ``llm-floor`` (chat only): the mocks' own HTTP/1.1 server with a handler
that reads the body and answers MockLLM's chat answer as canned bytes, so the chat table
shows, in the same run, what a chat request costs below anything MockLLM does.

mockllm (0.0.8) answers from a YAML file (``responses:`` prompt -> answer, matched
exactly on the last user message); its ``settings: lag_enabled`` is off, so its
streams carry no artificial delay. ``mockllm start`` runs uvicorn with ``reload=True``
(a watcher process and a worker); here the same app (``mockllm.server:app``) runs in
one uvicorn server in this process, with uvicorn's defaults otherwise (``loop="auto"``:
uvloop when installed; ``http="auto"``: httptools when installed, else h11) and without
its per-request access log line (which would favour MockLLM, which logs nothing).

The model is ``bench-model``: mockllm counts usage with ``tiktoken`` for model names it
knows, which downloads the encoding on first use (off loopback, and per request when the
download fails); for a name tiktoken does not know it counts words, which is cheaper.
MockLLM gets the name added to its model catalogue.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Literal, TypeGuard, get_args

from .http_servers import Request, RunningServer

LLMKind = Literal["mockllm", "mockllm-uvloop", "pypi-mockllm", "llm-floor"]
LLMScenario = Literal[
    "chat", "stream", "stream-chars", "messages", "messages-stream", "gemini", "gemini-stream"
]
LLM_KINDS: tuple[LLMKind, ...] = ("mockllm", "mockllm-uvloop", "pypi-mockllm", "llm-floor")
LLM_SCENARIOS: tuple[LLMScenario, ...] = get_args(LLMScenario)
LABELS: dict[str, str] = {
    "mockllm": "MockLLM",
    "mockllm-uvloop": "MockLLM+uvloop",
    "pypi-mockllm": "mockllm (PyPI)",
    "llm-floor": "floor: canned answer",
}

MODEL = "bench-model"
CHAT_PATH = "/v1/chat/completions"
HEADERS = ("Authorization: Bearer x",)
ANTHROPIC_MODEL = "claude-sonnet-4-5"
MESSAGES_PATH = "/v1/messages"
ANTHROPIC_HEADERS = ("x-api-key: x", "anthropic-version: 2023-06-01")
GEMINI_PATH = "/v1beta/models/gemini-2.5-flash"
GEMINI_HEADERS = ("x-goog-api-key: x",)
SHORT_PROMPT = "Say hello to the benchmark."
SHORT_ANSWER = "Hello, benchmark! How can I help you today?"
LONG_PROMPT = "Write a long answer for the streaming benchmark."
CHARS_PROMPT = "Write a long answer one character at a time."
#: The long streamed answer: 2,042 characters of plain English.
LONG_TEXT = " ".join(
    f"Point {i}: a mock server streams this answer piece by piece, so the client can"
    " measure how fast the tokens arrive."
    for i in range(1, 19)
)


def is_llm_kind(kind: str) -> TypeGuard[LLMKind]:
    """Whether `kind` names an LLM server."""
    return kind in LLM_KINDS


def is_llm_scenario(scenario: str) -> TypeGuard[LLMScenario]:
    """Whether `scenario` is an LLM workload."""
    return scenario in LLM_SCENARIOS


def supports(kind: LLMKind, scenario: LLMScenario) -> bool:
    """Whether a server can run a scenario (one chunk per character is MockLLM's alone,
    mockllm always streams that way; mockllm serves no Gemini API; the floor answers the
    chat request alone)."""
    if kind == "llm-floor":
        return scenario == "chat"
    mine = ("stream-chars", "gemini", "gemini-stream")
    return scenario not in mine or kind != "pypi-mockllm"


def _long(scenario: LLMScenario) -> bool:
    return scenario in ("stream", "stream-chars", "messages-stream", "gemini-stream")


def body_for(scenario: LLMScenario) -> dict[str, Any]:
    """The request body a scenario sends."""
    if scenario.startswith("messages"):
        prompt = LONG_PROMPT if _long(scenario) else SHORT_PROMPT
        body: dict[str, Any] = {
            "model": ANTHROPIC_MODEL,
            "max_tokens": 4096,
            "messages": [{"role": "user", "content": prompt}],
        }
        return {**body, "stream": True} if _long(scenario) else body
    if scenario.startswith("gemini"):
        prompt = LONG_PROMPT if _long(scenario) else SHORT_PROMPT
        return {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
    if scenario == "chat":
        messages = [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": SHORT_PROMPT},
        ]
        return {"model": MODEL, "messages": messages}
    prompt = LONG_PROMPT if scenario == "stream" else CHARS_PROMPT
    return {"model": MODEL, "messages": [{"role": "user", "content": prompt}], "stream": True}


def answer_for(scenario: LLMScenario) -> str:
    """The content every answer to a scenario's request must add up to."""
    return LONG_TEXT if _long(scenario) else SHORT_ANSWER


def _target(scenario: LLMScenario) -> tuple[str, tuple[str, ...]]:
    """The path and headers of a scenario's request."""
    if scenario.startswith("messages"):
        return MESSAGES_PATH, ANTHROPIC_HEADERS
    if scenario.startswith("gemini"):
        action = ":streamGenerateContent?alt=sse" if _long(scenario) else ":generateContent"
        return GEMINI_PATH + action, GEMINI_HEADERS
    return CHAT_PATH, HEADERS


def request_for(scenario: LLMScenario) -> Request:
    """What the load generator sends for a scenario (streams: 20 warm-up requests)."""
    streamed = _long(scenario)
    path, headers = _target(scenario)
    return Request(
        path,
        "POST",
        json.dumps(body_for(scenario)).encode(),
        headers=headers,
        stream=streamed,
        expect_chars=len(LONG_TEXT) if streamed else None,
        warm_up=20 if streamed else 500,
    )


def _content(url: str, scenario: LLMScenario) -> str:
    """Send a scenario's request once; the answer's content (streams: concatenated)."""
    path, headers = _target(scenario)
    request = urllib.request.Request(
        url + path,
        data=json.dumps(body_for(scenario)).encode(),
        headers={
            "Content-Type": "application/json",
            **dict(h.split(": ", 1) for h in headers),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # loopback
        raw = response.read().decode()
    if not _long(scenario):
        document = json.loads(raw)
        if scenario == "messages":
            return str(document["content"][0]["text"])
        if scenario == "gemini":
            return str(document["candidates"][0]["content"]["parts"][0]["text"])
        return str(document["choices"][0]["message"]["content"])
    from .pyload import event_text

    pieces = []
    for line in raw.splitlines():
        payload = line.removeprefix("data:").strip()
        if line.startswith("data:") and payload != "[DONE]":
            pieces.append(event_text(json.loads(payload)))
    return "".join(pieces)


def check_answers(server: RunningServer, kind: LLMKind) -> None:
    """Fail unless the server answers every scenario it supports with the programmed text
    (a misprogrammed server would otherwise be timed answering something else)."""
    for scenario in LLM_SCENARIOS:
        if supports(kind, scenario):
            content = _content(server.url, scenario)
            if content != answer_for(scenario):
                server.stop()
                raise RuntimeError(f"{kind} {scenario}: answered {content[:200]!r}")


# ---- MockLLM ---------------------------------------------------------------------------


def start_mockllm(use_uvloop: bool) -> RunningServer:
    """MockLLM with the bench model and the three answers programmed."""
    from mocks.llm import MockLLM

    mock = MockLLM.start(port=0, use_uvloop=use_uvloop)
    mock.models.add(MODEL)
    mock.expect_completion(prompt_contains=SHORT_PROMPT, response=SHORT_ANSWER)
    mock.expect_completion(prompt_contains=LONG_PROMPT, response=LONG_TEXT)
    mock.expect_streaming(list(LONG_TEXT), prompt_contains=CHARS_PROMPT)
    # Anthropic's and Gemini's requests are answered by the same two expectations.

    def problems() -> str:
        report = mock.report()
        return str(report) if report else ""

    return RunningServer(mock.url, mock.stop, problems, lambda: len(mock.requests))


# ---- mockllm (PyPI) --------------------------------------------------------------------


def write_responses(path: Path) -> None:
    """mockllm's response file: both answers, and no artificial lag.

    Two quirks of mockllm 0.0.8 shape it. Its stream looks the answer up again as if it
    were a prompt (``generate_stream_response`` calls ``get_streaming_response_with_lag``
    with the answer), so the long answer is also a key, mapped to itself; otherwise the
    stream is the default answer. And it re-reads the file on every request when the
    file's mtime is not a whole second (it stores ``int(mtime)`` and compares it with the
    float), so the mtime is set to a whole second: the file is parsed once, which
    favours mockllm (as its users mostly get it, each request parses the YAML again).
    """
    import yaml

    document = {
        "responses": {SHORT_PROMPT: SHORT_ANSWER, LONG_PROMPT: LONG_TEXT, LONG_TEXT: LONG_TEXT},
        "defaults": {"unknown_response": "(not programmed)"},
        "settings": {"lag_enabled": False, "lag_factor": 10},
    }
    path.write_text(yaml.safe_dump(document, width=1_000_000))  # long keys: "? key"
    whole = int(time.time()) - 1
    os.utime(path, (whole, whole))


def start_pypi_mockllm() -> RunningServer:
    """mockllm's FastAPI app in a uvicorn server on a thread, on 127.0.0.1, port 0."""
    import tiktoken.model
    import uvicorn

    try:  # a model name tiktoken knows would make mockllm fetch an encoding off loopback
        tiktoken.model.encoding_name_for_model(MODEL)
        raise RuntimeError(f"tiktoken knows {MODEL!r}: mockllm would download an encoding")
    except KeyError:
        pass
    folder = tempfile.TemporaryDirectory(prefix="mocks-bench-mockllm-")
    responses = Path(folder.name) / "responses.yml"
    write_responses(responses)
    os.environ["MOCKLLM_RESPONSES_FILE"] = str(responses)  # read by the app's lifespan
    app = importlib.import_module("mockllm.server").app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config=None keeps uvicorn from adding a stdout handler (stdout carries the
    # READY/MARK/DONE protocol); access_log=False drops the per-request line.
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="mockllm", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        server.should_exit = True
        raise RuntimeError("mockllm (uvicorn) did not start (see its log above)")

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        folder.cleanup()

    return RunningServer(f"http://127.0.0.1:{port}", stop, lambda: "", lambda: None, [folder])


# ---- the floor: the mocks' server answering a canned chat answer -------------------------


def _canned_chat_answer() -> tuple[list[tuple[str, str]], bytes]:
    """The headers (without framing and Date) and body MockLLM answers the chat request with."""
    server = start_mockllm(use_uvloop=False)
    path, headers = _target("chat")
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body_for("chat")).encode(),
        headers={"Content-Type": "application/json", **dict(h.split(": ", 1) for h in headers)},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # loopback
            body = response.read()
            kept = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in ("content-length", "date", "server", "connection")
            ]
    finally:
        server.stop()
    return kept, body


def start_floor() -> RunningServer:
    """The server under every mock (`mocks.core._http1`, on uvloop where it installs) with
    a handler that reads the request body and answers MockLLM's own chat answer, the same
    bytes every time: no matching, validation, token counting, rate-limit window, ids or
    journal. What the chat request costs this server's loop, parser and socket, the
    floor no MockLLM answer can go below, measured beside the others in the same run."""
    import asyncio

    from mocks.core._http1 import Http1Server
    from mocks.core._wire import WireRequest

    headers, body = _canned_chat_answer()
    served = 0

    async def answer(request: WireRequest) -> None:
        nonlocal served
        await request.read_body(1 << 20)
        request.response.send(200, headers, body)
        served += 1

    loop: asyncio.AbstractEventLoop
    try:
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    listening = loop.run_until_complete(
        loop.create_server(Http1Server(answer, loop), "127.0.0.1", 0)
    )
    port = listening.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, name="llm-floor", daemon=True)
    thread.start()

    def stop() -> None:
        loop.call_soon_threadsafe(listening.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=15)

    return RunningServer(f"http://127.0.0.1:{port}", stop, lambda: "", lambda: served)


def start(kind: LLMKind, scenario: LLMScenario) -> RunningServer:
    """Start an LLM server (in this process), programmed for every scenario, checked."""
    del scenario  # the servers are programmed for all of them
    if kind == "pypi-mockllm":
        server = start_pypi_mockllm()
    elif kind == "llm-floor":
        server = start_floor()
    else:
        server = start_mockllm(use_uvloop=kind == "mockllm-uvloop")
    check_answers(server, kind)
    return server
