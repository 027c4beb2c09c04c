"""How each server of the peers table is launched standalone, programmed alike.

Every HTTP server answers ``GET /stub`` with the same small JSON document
(`bench.stub.STUB_DOCUMENT`), programmed the way its users program it:

- MockHTTP: ``python -m mocks.http --port 0 --stubs FILE --log-level WARNING`` (a native
  stub file; no per-request log line), on its default loop (uvloop, installed with it);
  ``asyncio loop`` is the same command line with ``--loop asyncio``;
- bare aiohttp and pytest-httpserver: `bench.standalone` (one route / one expectation);
- WireMock 3.13 (the jar of the npm ``wiremock`` package): ``java -jar ... --root-dir
  ROOT`` with one mapping file, by default and with ``--no-request-journal``;
- nginx (Debian's): a temporary config, one worker, no access log, the document as a
  static file: the machine's ceiling, not a mock.

The other mocks (`COLD_ONLY`) are started only for the cold-start column, each with the
first request a client of it sends: a chat completion, the OpenID discovery document,
the WhatsApp phone number, the Bot Framework token.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .load import ROOT
from .procs import Probe, ServerSpec
from .stub import STUB_BYTES, STUB_DOCUMENT, STUB_PATH

#: Where ``npm install --prefix .node`` put the WireMock jar and oauth2-mock-server.
NODE_MODULES = Path(os.environ.get("MOCKS_NODE_MODULES", ROOT / ".node" / "node_modules"))
STUB_PROBE = Probe(STUB_PATH, contains=b'"item-1"')
#: Load a JVM gets before it is measured: on a busy 2-core machine, WireMock's CPU per
#: request takes about 40 s of load to settle (5.7 ms -> 0.7 ms per request, measured).
JVM_WARM_UP_S = 20.0
#: Writes a server's programming into its scratch folder; returns the path to pass.
Programmer = Callable[[Path], Path]


def wiremock_jar() -> Path:
    """The WireMock standalone jar of the npm ``wiremock`` package."""
    found = sorted((NODE_MODULES / "wiremock" / "build").glob("wiremock-standalone-*.jar"))
    if not found:
        raise RuntimeError(
            f"no WireMock jar under {NODE_MODULES}: npm install --no-save --prefix .node "
            "wiremock@3.13.2"
        )
    return found[-1]


def native_stubs(expectations: Sequence[dict[str, Any]]) -> Programmer:
    """A native stub file (``{"expectations": [...]}``) holding `expectations`."""

    def write(folder: Path) -> Path:
        path = folder / "stubs.json"
        path.write_text(json.dumps({"expectations": list(expectations)}))
        return path

    return write


def wiremock_mappings(mappings: Sequence[dict[str, Any]]) -> Programmer:
    """A WireMock root whose one mapping file holds `mappings` (loaded in that order)."""

    def write(folder: Path) -> Path:
        root = folder / "wiremock-root"
        (root / "mappings").mkdir(parents=True)
        (root / "__files").mkdir()
        (root / "mappings" / "stubs.json").write_text(json.dumps({"mappings": list(mappings)}))
        return root

    return write


STUB_EXPECTATION: dict[str, Any] = {
    "matcher": {
        "kind": "and",
        "all": [{"kind": "method", "value": "GET"}, {"kind": "path", "value": STUB_PATH}],
    },
    "response": {"json": STUB_DOCUMENT},
}
STUB_MAPPING: dict[str, Any] = {
    "request": {"method": "GET", "urlPath": STUB_PATH},
    "response": {
        "status": 200,
        "jsonBody": STUB_DOCUMENT,
        "headers": {"Content-Type": "application/json"},
    },
}


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


#: The class each mock package exports.
MOCK_CLASSES = {
    "http": "MockHTTP",
    "llm": "MockLLM",
    "zitadel": "MockZitadel",
    "whatsapp": "MockWhatsApp",
    "teams": "MockTeams",
}


def mock_command(name: str, *args: str, asyncio_loop: bool = False) -> list[str]:
    """``python -m mocks.<name> --port 0 --log-level WARNING ARGS`` (``--loop asyncio``
    with `asyncio_loop`; else the default loop, uvloop)."""
    loop = ("--loop", "asyncio") if asyncio_loop else ()
    return _python("-m", f"mocks.{name}", "--port", "0", "--log-level", "WARNING", *loop, *args)


def mockhttp_spec(
    program: Programmer | None = None,
    *,
    asyncio_loop: bool = False,
    kind: str | None = None,
    label: str | None = None,
    probe: Probe = STUB_PROBE,
) -> ServerSpec:
    """MockHTTP standalone, loading the stub file `program` writes (default: GET /stub)."""
    write = program or native_stubs([STUB_EXPECTATION])

    def command(folder: Path, port: int) -> list[str]:
        return mock_command("http", "--stubs", str(write(folder)), asyncio_loop=asyncio_loop)

    return ServerSpec(
        kind or ("mockhttp-asyncio" if asyncio_loop else "mockhttp"),
        label or ("MockHTTP, asyncio loop" if asyncio_loop else "MockHTTP"),
        command,
        probe,
    )


def wiremock_spec(
    program: Programmer | None = None,
    *,
    journal: bool = True,
    kind: str | None = None,
    label: str | None = None,
    probe: Probe = STUB_PROBE,
    extra: Sequence[str] = (),
) -> ServerSpec:
    """WireMock standalone (JVM defaults) on the root `program` writes (default: GET /stub)."""
    write = program or wiremock_mappings([STUB_MAPPING])

    def command(folder: Path, port: int) -> list[str]:
        return [
            "java", "-jar", str(wiremock_jar()), "--port", str(port),
            "--bind-address", "127.0.0.1", "--root-dir", str(write(folder)),
            "--disable-banner", *([] if journal else ["--no-request-journal"]), *extra,
        ]  # fmt: skip

    return ServerSpec(
        kind or ("wiremock" if journal else "wiremock-nojournal"),
        label or ("WireMock 3.13" if journal else "WireMock 3.13, journal off"),
        command,
        probe,
        announces=False,
        min_warm_up_s=JVM_WARM_UP_S,
    )


def _aiohttp(folder: Path, port: int) -> list[str]:
    return _python("-m", "bench.standalone", "aiohttp")


def _http1(folder: Path, port: int) -> list[str]:
    return _python("-m", "bench.standalone", "http1")


def _httpserver(folder: Path, port: int) -> list[str]:
    return _python("-m", "bench.standalone", "pytest-httpserver")


NGINX_CONF = """\
{user}worker_processes 1;
daemon off;
master_process on;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    default_type application/json;
    keepalive_requests 100000000;
    client_body_temp_path {folder}/tmp-body;
    proxy_temp_path {folder}/tmp-proxy;
    fastcgi_temp_path {folder}/tmp-fastcgi;
    uwsgi_temp_path {folder}/tmp-uwsgi;
    scgi_temp_path {folder}/tmp-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {folder}/www;
        location = {path} {{ }}
    }}
}}
"""


def _nginx(folder: Path, port: int) -> list[str]:
    www = folder / "www"
    www.mkdir()
    (www / STUB_PATH.lstrip("/")).write_bytes(STUB_BYTES)
    folder.chmod(0o755)  # the worker may run as another user
    user = "user root root;\n" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, folder=folder, port=port, path=STUB_PATH))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    return [binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]


def nginx_available() -> bool:
    """Whether Debian's nginx binary is installed."""
    return bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())


AIOHTTP = ServerSpec("aiohttp", "aiohttp, bare handler", _aiohttp, STUB_PROBE)
HTTP1 = ServerSpec("http1", "mocks' HTTP server, bare handler", _http1, STUB_PROBE)
HTTPSERVER = ServerSpec("pytest-httpserver", "pytest-httpserver", _httpserver, STUB_PROBE)
NGINX = ServerSpec(
    "nginx", "nginx static (ceiling)", _nginx, STUB_PROBE, announces=False, start_timeout=30
)


def peers() -> list[ServerSpec]:
    """The servers of the peers table, MockHTTP first (nginx when installed)."""
    found = [
        mockhttp_spec(),
        mockhttp_spec(asyncio_loop=True),
        AIOHTTP,
        HTTP1,
        wiremock_spec(),
        wiremock_spec(journal=False),
        HTTPSERVER,
    ]
    return [*found, NGINX] if nginx_available() else found


# ---- the other mocks: cold start only ----------------------------------------------------


def _cold_mock(name: str, label: str, probe: Probe) -> ServerSpec:
    def command(folder: Path, port: int) -> list[str]:
        return mock_command(name)

    return ServerSpec(f"mock-{name}", label, command, probe)


_CHAT = json.dumps(
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}
).encode()
TEAMS_TOKEN_FORM = (
    b"grant_type=client_credentials&client_id=00000000-0000-4000-8000-00000000b075"
    b"&client_secret=mock-teams-app-password&scope=https%3A%2F%2Fapi.botframework.com%2F.default"
)
COLD_ONLY: tuple[ServerSpec, ...] = (
    _cold_mock(
        "llm",
        "MockLLM (chat completion)",
        Probe(
            "/v1/chat/completions",
            "POST",
            _CHAT,
            (("Authorization", "Bearer x"),),
            contains=b'"chat.completion"',
        ),
    ),
    _cold_mock(
        "zitadel",
        "MockZitadel (discovery)",
        Probe("/.well-known/openid-configuration", contains=b'"issuer"'),
    ),
    _cold_mock(
        "whatsapp",
        "MockWhatsApp (phone number)",
        Probe(
            "/v23.0/106540352242922",
            headers=(("Authorization", "Bearer mock-access-token"),),
            contains=b'"display_phone_number"',
        ),
    ),
    _cold_mock(
        "teams",
        "MockTeams (bot token)",
        Probe(
            "/botframework.com/oauth2/v2.0/token",
            "POST",
            TEAMS_TOKEN_FORM,
            (("Content-Type", "application/x-www-form-urlencoded"),),
            contains=b'"access_token"',
        ),
    ),
)
