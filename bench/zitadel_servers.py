"""The OIDC servers the Zitadel bench compares, each in its own process, programmed alike.

- MockZitadel: ``python -m mocks.zitadel`` as users run it standalone, configured with a
  service user (client_credentials, RS256 JWT access tokens) and an API application
  that introspects. Its tokens are signed and its introspection authenticates the
  client, looks the token up and checks its signature, issuer and expiry.
- oauth2-mock-server (npm, 8.x): the OIDC mock a Node user would pick instead, started
  with one RS256 key (``server.issuer.keys.generate('RS256')``) as its README shows.
  It signs the same kind of JWT for ``client_credentials``; its ``/introspect`` answers
  ``{"active": true}`` without looking at the token or the client, which favours it.

Both get the same requests: ``POST`` a form with ``grant_type=client_credentials`` and
a scope, with HTTP Basic credentials, to the token endpoint; each answers with one RS256
access token and nothing else (MockZitadel's scope is the API project's audience, which
Zitadel needs before the API may introspect the token, and not ``openid``, which would
add an ID token; oauth2-mock-server gets ``scope=openid`` and adds no ID token to
``client_credentials``). Then ``POST`` a form with a token that server issued, with Basic
credentials, to the introspection endpoint.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from .http_servers import Request
from .load import ROOT

ZitadelKind = Literal["mockzitadel", "oauth2-mock-server"]
ZitadelScenario = Literal["token", "introspect"]
KINDS: tuple[ZitadelKind, ...] = ("mockzitadel", "oauth2-mock-server")
SCENARIOS: tuple[ZitadelScenario, ...] = ("token", "introspect")
LABELS = {"mockzitadel": "MockZitadel", "oauth2-mock-server": "oauth2-mock-server (npm)"}
NODE_PACKAGE = "oauth2-mock-server@8"
#: Where the npm package is installed once (outside the repository).
NODE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mocks-bench-node"
FORM = "Content-Type: application/x-www-form-urlencoded"
TOKEN_FORM = b"grant_type=client_credentials&scope=openid"
_NODE_SERVER = """
import { OAuth2Server } from 'oauth2-mock-server';
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');
console.log('READY ' + server.issuer.url);
process.stdin.resume();
process.stdin.on('end', async () => { await server.stop(); process.exit(0); });
"""


def _basic(user: str, secret: str) -> str:
    return "Authorization: Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def _post(url: str, body: bytes, header: str) -> dict[str, object]:
    name, _, value = header.partition(": ")
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", name: value},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        document: dict[str, object] = json.loads(answer.read())
    return document


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class OidcServer:
    """A running server: its process, base URL and the two requests it is loaded with."""

    kind: ZitadelKind
    process: subprocess.Popen[str]
    url: str
    token: Request
    introspect: Request
    workdir: tempfile.TemporaryDirectory[str]
    log: IO[bytes]

    def request(self, scenario: ZitadelScenario) -> Request:
        """The request a scenario repeats."""
        return self.token if scenario == "token" else self.introspect

    def cpu(self) -> float:
        """CPU seconds the server process has used so far."""
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        """End the process and remove its files."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()
        self.workdir.cleanup()


def _ready_line(process: subprocess.Popen[str], prefix: str, log: IO[bytes]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line.removeprefix(prefix).strip()
    process.kill()
    log.seek(0)
    raise RuntimeError(f"no {prefix!r} line:\n{log.read()[-2000:].decode('utf-8', 'replace')}")


def start_mockzitadel() -> OidcServer:
    """MockZitadel standalone, with a JWT service user and an introspecting API app."""
    workdir = tempfile.TemporaryDirectory(prefix="mocks-bench-zitadel-")
    config = Path(workdir.name) / "zitadel.json"
    config.write_text(
        json.dumps(
            {
                "applications": [
                    {
                        "name": "api",
                        "kind": "api",
                        "client_id": "bench-api",
                        "client_secret": "bench-secret",
                    }
                ],
                "service_users": [{"name": "robot", "access_token_type": "jwt"}],
            }
        )
    )
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
    command = [
        sys.executable, "-m", "mocks.zitadel", "--port", "0", "--config", str(config),
        "--log-level", "WARNING",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT
    )
    url = _ready_line(process, "MockZitadel listening on ", log)
    with urllib.request.urlopen(url + "/__admin/zitadel", timeout=10) as answer:
        overview = json.loads(answer.read())
    secret = overview["service_users"][0]["secret"]
    token_auth = _basic("robot", secret)
    # The API's project in the audience, so that the API may introspect the token; no
    # "openid", which would add an ID token (a second signature) to every answer.
    project_scope = f"urn:zitadel:iam:org:project:id:{overview['project_id']}:aud"
    token_form = b"grant_type=client_credentials&scope=" + project_scope.encode()
    issued = _post(url + "/oauth/v2/token", token_form, token_auth)
    api_auth = _basic("bench-api", "bench-secret")
    introspect_body = f"token={issued['access_token']}".encode()
    checked = _post(url + "/oauth/v2/introspect", introspect_body, api_auth)
    if checked.get("active") is not True:
        raise RuntimeError(f"MockZitadel did not introspect its own token: {checked}")
    return OidcServer(
        "mockzitadel",
        process,
        url,
        Request("/oauth/v2/token", "POST", token_form, headers=(FORM, token_auth)),
        Request("/oauth/v2/introspect", "POST", introspect_body, headers=(FORM, api_auth)),
        workdir,
        log,
    )


def _install_node_package() -> Path:
    """``npm install oauth2-mock-server`` once into the cache folder; the folder."""
    if not (NODE_CACHE / "node_modules" / "oauth2-mock-server").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not installed (Node 20+ is needed for oauth2-mock-server)")
        NODE_CACHE.mkdir(parents=True, exist_ok=True)
        (NODE_CACHE / "package.json").write_text('{"name": "mocks-bench-node", "private": true}')
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", NODE_PACKAGE],
            cwd=NODE_CACHE,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return NODE_CACHE


def node_package_version() -> str:
    """The installed oauth2-mock-server version."""
    manifest = NODE_CACHE / "node_modules" / "oauth2-mock-server" / "package.json"
    version: str = json.loads(manifest.read_text())["version"]
    return version


def start_oauth2_mock_server() -> OidcServer:
    """oauth2-mock-server on Node, with one RS256 key, as its README starts it."""
    folder = _install_node_package()
    workdir = tempfile.TemporaryDirectory(prefix="mocks-bench-node-", dir=folder)
    script = Path(workdir.name) / "server.mjs"
    script.write_text(_NODE_SERVER)
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
    process = subprocess.Popen(
        ["node", str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=folder,
    )
    # Its issuer URL names "localhost"; the load goes to the address it listens on.
    url = _ready_line(process, "READY ", log).rstrip("/").replace("//localhost:", "//127.0.0.1:")
    token_auth = _basic("bench-client", "bench-secret")
    issued = _post(url + "/token", TOKEN_FORM, token_auth)
    introspect_body = f"token={issued['access_token']}".encode()
    if _post(url + "/introspect", introspect_body, token_auth).get("active") is not True:
        raise RuntimeError("oauth2-mock-server did not answer its introspection")
    return OidcServer(
        "oauth2-mock-server",
        process,
        url,
        Request("/token", "POST", TOKEN_FORM, headers=(FORM, token_auth)),
        Request("/introspect", "POST", introspect_body, headers=(FORM, token_auth)),
        workdir,
        log,
    )


def start(kind: ZitadelKind) -> OidcServer:
    """Start a server of `kind`."""
    return start_mockzitadel() if kind == "mockzitadel" else start_oauth2_mock_server()
