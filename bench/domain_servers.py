"""The domain mocks and their peers, standalone, programmed for the same hot paths.

Each `Contender` is one server process: how to launch it (given the sink's URL, the
stand-in bot every webhook goes to) and how to program it once it runs, which yields
the request each of its workloads repeats. The mocks run first; what they answered and
what they delivered to the sink is kept (`Canned`) and the peers are programmed with
exactly that, so both sides serve and send the same bytes.

- **Zitadel**: MockZitadel (``python -m mocks.zitadel``; a service user with a secret and
  JWT access tokens, an API application for introspection, both added over its admin
  API) against the npm ``oauth2-mock-server`` (8.x, its command line). Token: the
  client-credentials grant with HTTP Basic client authentication (oauth2-mock-server
  ignores the credentials and signs an RS256 JWT; MockZitadel checks them and signs one
  too). Introspection of that token: MockZitadel authenticates the API application and
  looks the token up; oauth2-mock-server answers ``{"active": true}`` to anything.
- **WhatsApp**: MockWhatsApp (``python -m mocks.whatsapp --webhook-url SINK``; recipient
  on the allow list; the service-window, throughput and pair-rate rules off, as the
  load would trip them) against WireMock serving the send's answer MockWhatsApp gave,
  and sending the webhooks MockWhatsApp sent (WireMock's ``webhook`` serve-event
  listener, bodies and signature headers as captured). Sends with the status webhooks
  off, sends with them on (sent, delivered, read: three webhooks a send), and a user's
  text delivered to the bot (``POST /__admin/whatsapp/conversations/{user}/messages``;
  WireMock: a stub answering the same and firing the captured webhook).
- **Teams**: MockTeams (``python -m mocks.teams --bot-url SINK``) against WireMock the
  same way: activities delivered to the bot (``POST /__admin/teams/simulate/message``,
  a signed JWT each; WireMock replays one captured activity and its token), and the
  bot's replies through the connector (``POST /v3/conversations/{id}/activities`` with
  the bot's token).

WireMock runs with ``--no-request-journal`` here: its journal is unbounded and would
grow through the runs (MockX keep their bounded journals on), which favours WireMock.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from .http_servers import Request
from .peer_servers import (
    MOCK_CLASSES,
    NODE_MODULES,
    mock_command,
    wiremock_mappings,
    wiremock_spec,
)
from .procs import Probe, ServerProc, ServerSpec, ask

FORM = "Content-Type: application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class Workload:
    """One hot path of a domain, as a row of its table."""

    name: str
    label: str
    #: Counted where the sink receives it (webhooks), not where the load is sent.
    at_sink: bool = False
    #: Webhooks the sink receives per request (statuses: three a send).
    per_request: int = 1


#: What the mocks answered and sent, for the peers to serve and send the same.
Canned = dict[str, Any]
#: Programs a started server; returns the request of each workload it serves.
Preparer = Callable[[ServerProc, str, Canned], dict[str, Request]]


@dataclass(frozen=True, slots=True)
class Contender:
    """One server process of a domain, mock or peer."""

    key: str
    label: str
    side: str  # "mock" or "peer"
    spec: Callable[[str, Canned], ServerSpec]
    prepare: Preparer


@dataclass(frozen=True, slots=True)
class Domain:
    """A domain's workloads and the servers that run them."""

    name: str
    label: str
    peer_label: str
    workloads: tuple[Workload, ...]
    contenders: tuple[Contender, ...]
    note: str = ""
    available: Callable[[], str | None] = field(default=lambda: None)


def call(url: str, method: str, path: str, body: Any = None, *headers: str) -> tuple[int, Any]:
    """One request; (status, JSON body or text). `body`: bytes as is, else JSON."""
    raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    pairs = tuple((n.strip(), v.strip()) for n, _, v in (h.partition(":") for h in headers))
    status, answer = ask(url, Probe(path, method, raw, pairs))
    try:
        return status, json.loads(answer)
    except ValueError:
        return status, answer.decode("utf-8", "replace")


def _ok(found: tuple[int, Any], what: str) -> Any:
    status, body = found
    if not 200 <= status < 300:
        raise RuntimeError(f"{what}: {status} {str(body)[:300]}")
    return body


def basic(user: str, secret: str) -> str:
    """An HTTP Basic header value with RFC 6749's form-encoding of both parts."""
    pair = f"{quote_plus(user)}:{quote_plus(secret)}".encode()
    return "Authorization: Basic " + base64.b64encode(pair).decode()


def sink_last(sink: str, count: int) -> list[dict[str, Any]]:
    """The last `count` POSTs the sink received, oldest first."""
    found: list[dict[str, Any]] = _ok(call(sink, "GET", "/__last"), "sink")
    return found[-count:]


def _mock_spec(name: str, probe: Probe, *args: str) -> Callable[[str, Canned], ServerSpec]:
    def build(sink: str, canned: Canned) -> ServerSpec:
        extra = [a.format(sink=sink) for a in args]
        return ServerSpec(
            f"mock-{name}",
            MOCK_CLASSES[name],
            lambda folder, port: mock_command(name, *extra),
            probe,
        )

    return build


def _webhook(url: str, captured: dict[str, Any]) -> dict[str, Any]:
    """A WireMock webhook listener sending what a mock sent (its body and own headers)."""
    keep = ("content-type", "authorization", "x-hub-signature-256", "x-hub-signature")
    headers = {k: v for k, v in captured["headers"].items() if k.lower() in keep}
    return {
        "name": "webhook",
        "parameters": {"method": "POST", "url": url, "headers": headers, "body": captured["body"]},
    }


def _wiremock_spec(mappings: Callable[[str, Canned], list[dict[str, Any]]], probe: Probe) -> Any:
    def build(sink: str, canned: Canned) -> ServerSpec:
        return wiremock_spec(
            wiremock_mappings(mappings(sink, canned)),
            journal=False,
            kind="wiremock",
            label="WireMock",
            probe=probe,
        )

    return build


def _canned_reply(status: int, document: Any) -> dict[str, Any]:
    return {
        "status": status,
        "jsonBody": document,
        "headers": {"Content-Type": "application/json"},
    }


# ---- Zitadel -------------------------------------------------------------------------------

ZITADEL_SCOPE = b"grant_type=client_credentials&scope=openid"


def _zitadel_grant(project_id: str) -> bytes:
    """The client-credentials form asking for the project in the token's audience (so the
    project's API application may introspect it)."""
    scope = quote_plus(f"openid urn:zitadel:iam:org:project:id:{project_id}:aud")
    return f"grant_type=client_credentials&scope={scope}".encode()


def _prepare_zitadel(server: ServerProc, sink: str, canned: Canned) -> dict[str, Request]:
    url = server.url
    robot = _ok(
        call(url, "POST", "/__admin/zitadel/service-users",
             {"name": "robot", "access_token_type": "jwt"}),
        "service user",
    )["user"]  # fmt: skip
    api = _ok(
        call(url, "POST", "/__admin/zitadel/applications", {"name": "backend", "kind": "api"}),
        "api application",
    )
    client = basic(robot["username"], robot["secret"])
    grant = _zitadel_grant(api["project_id"])
    token = _ok(call(url, "POST", "/oauth/v2/token", grant, FORM, client), "token")
    introspect_body = f"token={token['access_token']}".encode()
    api_auth = basic(api["client_id"], api["client_secret"])
    found = _ok(call(url, "POST", "/oauth/v2/introspect", introspect_body, FORM, api_auth), "")
    if found.get("active") is not True:
        raise RuntimeError(f"MockZitadel introspection: {found}")
    canned["zitadel_grant"] = grant  # the peer gets the same form
    return {
        "token": Request("/oauth/v2/token", "POST", grant, (FORM, client)),
        "introspect": Request("/oauth/v2/introspect", "POST", introspect_body, (FORM, api_auth)),
    }


def _oauth2_mock_server() -> Path:
    return NODE_MODULES / "oauth2-mock-server" / "dist" / "oauth2-mock-server.mjs"


def _oauth2_spec(sink: str, canned: Canned) -> ServerSpec:
    return ServerSpec(
        "oauth2-mock-server",
        "oauth2-mock-server",
        lambda folder, port: ["node", str(_oauth2_mock_server()), "-a", "127.0.0.1",
                              "-p", str(port)],
        Probe("/.well-known/openid-configuration", contains=b'"issuer"'),
        announces=False,
    )  # fmt: skip


def _prepare_oauth2(server: ServerProc, sink: str, canned: Canned) -> dict[str, Request]:
    client = basic("robot", "secret")
    grant = canned.get("zitadel_grant", ZITADEL_SCOPE)
    token = _ok(call(server.url, "POST", "/token", grant, FORM, client), "token")
    body = f"token={token['access_token']}".encode()
    return {
        "token": Request("/token", "POST", grant, (FORM, client)),
        "introspect": Request("/introspect", "POST", body, (FORM, client)),
    }


def _oauth2_available() -> str | None:
    if not _oauth2_mock_server().exists():
        return "npm install --no-save --prefix .node oauth2-mock-server"
    return None


ZITADEL = Domain(
    "zitadel",
    "MockZitadel",
    "oauth2-mock-server",
    (
        Workload("token", "client-credentials token (JWT, RS256)"),
        Workload("introspect", "token introspection"),
    ),
    (
        Contender(
            "mock-zitadel",
            "MockZitadel",
            "mock",
            _mock_spec("zitadel", Probe("/.well-known/openid-configuration", contains=b"issuer")),
            _prepare_zitadel,
        ),
        Contender(
            "oauth2-mock-server", "oauth2-mock-server", "peer", _oauth2_spec, _prepare_oauth2
        ),
    ),
    note=(
        "oauth2-mock-server checks no client credentials and answers every introspection"
        " {active: true}; MockZitadel authenticates the client and looks the token up"
    ),
    available=_oauth2_available,
)


# ---- WhatsApp ------------------------------------------------------------------------------

WA_PHONE = "106540352242922"
#: WireMock serves the statuses variant under another phone number id.
WA_STATUS_PHONE = "106540352242923"
WA_USER = "15551234567"
WA_AUTH = "Authorization: Bearer mock-access-token"
WA_SEND = json.dumps(
    {"messaging_product": "whatsapp", "to": WA_USER, "type": "text", "text": {"body": "Hi!"}}
).encode()
WA_SAYS = json.dumps({"text": "hello bot"}).encode()
WA_SAYS_PATH = f"/__admin/whatsapp/conversations/{WA_USER}/messages"


def _prepare_whatsapp(statuses: bool) -> Preparer:
    def prepare(server: ServerProc, sink: str, canned: Canned) -> dict[str, Request]:
        url = server.url
        rules = {
            "service_window": False,
            "throughput": False,
            "pair_rate_limit": False,
            "statuses": statuses,
        }
        _ok(call(url, "PUT", "/__admin/whatsapp/rules", rules), "rules")
        _ok(call(url, "POST", "/__admin/whatsapp/allow-list", {"numbers": [WA_USER]}), "allow")
        send = f"/v23.0/{WA_PHONE}/messages"
        if statuses:
            before = _ok(call(sink, "GET", "/__count"), "sink")["count"]
            _ok(call(url, "POST", send, WA_SEND, WA_AUTH), "send")
            _wait_count(sink, before + 3)
            canned["whatsapp_statuses"] = sink_last(sink, 3)
            return {"send-statuses": Request(send, "POST", WA_SEND, (WA_AUTH,))}
        canned["whatsapp_send"] = _ok(call(url, "POST", send, WA_SEND, WA_AUTH), "send")
        canned["whatsapp_says"] = _ok(call(url, "POST", WA_SAYS_PATH, WA_SAYS), "user says")
        canned["whatsapp_webhook"] = sink_last(sink, 1)[0]
        return {
            "send": Request(send, "POST", WA_SEND, (WA_AUTH,)),
            "webhook": Request(WA_SAYS_PATH, "POST", WA_SAYS),
        }

    return prepare


def _wait_count(sink: str, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _ok(call(sink, "GET", "/__count"), "sink")["count"] >= count:
            return
        time.sleep(0.05)
    raise RuntimeError(f"the sink did not get {count} webhooks")


def _whatsapp_mappings(sink: str, canned: Canned) -> list[dict[str, Any]]:
    answer = _canned_reply(200, canned["whatsapp_send"])
    hook = sink + "/webhook"
    return [
        {"request": {"method": "POST", "urlPath": f"/v23.0/{WA_PHONE}/messages"},
         "response": answer},
        {"request": {"method": "POST", "urlPath": f"/v23.0/{WA_STATUS_PHONE}/messages"},
         "response": answer,
         "serveEventListeners": [_webhook(hook, c) for c in canned["whatsapp_statuses"]]},
        {"request": {"method": "POST", "urlPath": f"/simulate/{WA_USER}/messages"},
         "response": _canned_reply(200, canned["whatsapp_says"]),
         "serveEventListeners": [_webhook(hook, canned["whatsapp_webhook"])]},
    ]  # fmt: skip


def _prepare_wiremock_whatsapp(server: ServerProc, sink: str, canned: Canned) -> dict[str, Request]:
    return {
        "send": Request(f"/v23.0/{WA_PHONE}/messages", "POST", WA_SEND, (WA_AUTH,)),
        "send-statuses": Request(f"/v23.0/{WA_STATUS_PHONE}/messages", "POST", WA_SEND,
                                 (WA_AUTH,)),
        "webhook": Request(f"/simulate/{WA_USER}/messages", "POST", WA_SAYS),
    }  # fmt: skip


_WA_PROBE = Probe(f"/v23.0/{WA_PHONE}", headers=(("Authorization", "Bearer mock-access-token"),))
WHATSAPP = Domain(
    "whatsapp",
    "MockWhatsApp",
    "WireMock",
    (
        Workload("send", "sends/s (status webhooks off)"),
        Workload("send-statuses", "status webhooks/s (3 a send)", at_sink=True, per_request=3),
        Workload("webhook", "webhook deliveries/s (a user's text)", at_sink=True),
    ),
    (
        Contender(
            "mock-whatsapp",
            "MockWhatsApp",
            "mock",
            _mock_spec("whatsapp", _WA_PROBE, "--webhook-url", "{sink}/webhook"),
            _prepare_whatsapp(statuses=False),
        ),
        Contender(
            "mock-whatsapp-statuses",
            "MockWhatsApp",
            "mock",
            _mock_spec("whatsapp", _WA_PROBE, "--webhook-url", "{sink}/webhook"),
            _prepare_whatsapp(statuses=True),
        ),
        Contender(
            "wiremock",
            "WireMock",
            "peer",
            _wiremock_spec(
                _whatsapp_mappings, Probe(f"/v23.0/{WA_PHONE}/messages", "POST", WA_SEND)
            ),
            _prepare_wiremock_whatsapp,
        ),
    ),
    note=(
        "WireMock replays the captured webhooks (bodies and signatures fixed); MockWhatsApp"
        " builds, signs (HMAC-SHA256) and records each one, and checks every send"
    ),
)


# ---- Teams ---------------------------------------------------------------------------------

TEAMS_SAYS = json.dumps({"text": "hello bot"}).encode()
TEAMS_SIMULATE = "/__admin/teams/simulate/message"
TEAMS_TOKEN_FORM = (
    b"grant_type=client_credentials&client_id=00000000-0000-4000-8000-00000000b075"
    b"&client_secret=mock-teams-app-password&scope=https%3A%2F%2Fapi.botframework.com%2F.default"
)


def _prepare_teams(server: ServerProc, sink: str, canned: Canned) -> dict[str, Request]:
    url = server.url
    answer = _ok(call(url, "POST", TEAMS_SIMULATE, TEAMS_SAYS), "simulate")
    canned["teams_answer"] = answer
    canned["teams_activity"] = sink_last(sink, 1)[0]
    activity = answer["activity"]
    token = _ok(
        call(url, "POST", "/botframework.com/oauth2/v2.0/token", TEAMS_TOKEN_FORM, FORM), "token"
    )["access_token"]
    reply = {
        "type": "message",
        "text": "Hello from the bot",
        "from": activity["recipient"],
        "recipient": activity["from"],
        "conversation": activity["conversation"],
        "replyToId": activity["id"],
    }
    path = f"/v3/conversations/{quote(activity['conversation']['id'], safe='')}/activities"
    body = json.dumps(reply).encode()
    auth = f"Authorization: Bearer {token}"
    canned["teams_sent"] = _ok(call(url, "POST", path, body, auth), "connector send")
    canned["teams_connector"] = (path, body, auth)
    return {
        "activity": Request(TEAMS_SIMULATE, "POST", TEAMS_SAYS),
        "connector": Request(path, "POST", body, (auth,)),
    }


def _teams_mappings(sink: str, canned: Canned) -> list[dict[str, Any]]:
    return [
        {"request": {"method": "POST", "urlPathPattern": "/v3/conversations/[^/]+/activities"},
         "response": _canned_reply(201, canned["teams_sent"])},
        {"request": {"method": "POST", "urlPath": "/simulate/message"},
         "response": _canned_reply(200, canned["teams_answer"]),
         "serveEventListeners": [_webhook(sink + "/api/messages", canned["teams_activity"])]},
    ]  # fmt: skip


def _prepare_wiremock_teams(server: ServerProc, sink: str, canned: Canned) -> dict[str, Request]:
    path, body, auth = canned["teams_connector"]
    return {
        "activity": Request("/simulate/message", "POST", TEAMS_SAYS),
        "connector": Request(path, "POST", body, (auth,)),
    }


TEAMS = Domain(
    "teams",
    "MockTeams",
    "WireMock",
    (
        Workload("activity", "activities/s delivered to the bot", at_sink=True),
        Workload("connector", "connector sends/s (bot replies)"),
    ),
    (
        Contender(
            "mock-teams",
            "MockTeams",
            "mock",
            _mock_spec(
                "teams",
                Probe("/v1/.well-known/openidconfiguration"),
                "--bot-url",
                "{sink}/api/messages",
            ),
            _prepare_teams,
        ),
        Contender(
            "wiremock",
            "WireMock",
            "peer",
            _wiremock_spec(_teams_mappings, Probe("/simulate/message", "POST", TEAMS_SAYS)),
            _prepare_wiremock_teams,
        ),
    ),
    note=(
        "WireMock replays one captured activity and its token; MockTeams signs a JWT for"
        " each activity, and checks each connector call's token and body"
    ),
)

DOMAINS: dict[str, Domain] = {d.name: d for d in (ZITADEL, WHATSAPP, TEAMS)}


def sink_spec() -> ServerSpec:
    """The stand-in bot every webhook goes to (`bench.standalone.serve_sink`)."""
    return ServerSpec(
        "sink",
        "sink",
        lambda folder, port: [sys.executable, "-m", "bench.standalone", "sink"],
        Probe("/__count", contains=b'"count"'),
    )


__all__ = ["DOMAINS", "Canned", "Contender", "Domain", "Workload", "call", "sink_spec"]
