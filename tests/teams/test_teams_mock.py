"""MockTeams over a real socket without a bot: the connector's routes, bad input, the token
endpoint, the channel's keys, the admin API and the engine hooks."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from mocks.core import Route
from mocks.teams import ConnectorError, MockTeams

FACTS = json.loads((Path(__file__).parent / "connector_spec_facts.json").read_text())


@pytest.fixture
def teams(mock_teams: MockTeams) -> MockTeams:
    return mock_teams


class Connector:
    """A bearer-authenticated client of the mock's connector."""

    def __init__(self, teams: MockTeams, token: str) -> None:
        self.base = teams.url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **options: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=5, **options)


@pytest.fixture
def connector(teams: MockTeams, teams_token: Callable[[MockTeams], str]) -> Connector:
    return Connector(teams, teams_token(teams))


def _chat(teams: MockTeams, user: str = "alice") -> str:
    return teams.conversation(user).id


def test_every_operation_of_the_api_description_has_a_route(teams: MockTeams) -> None:
    routes = {(r.method, r.path): r for r in teams.build_routes()}
    for name, operation in FACTS["operations"].items():
        path = operation["path"]
        assert (operation["method"], path) in routes, name
        route: Route = routes[(operation["method"], path)]
        if operation["body"] is not None:
            assert route.request_schema is not None, name


def test_send_reply_update_delete_with_percent_encoded_ids(
    teams: MockTeams, connector: Connector
) -> None:
    chat = _chat(teams)
    encoded = quote(chat, safe="")
    assert "%3A" in encoded
    sent = connector.call(
        "POST", f"/v3/conversations/{encoded}/activities", json={"type": "message", "text": "one"}
    )
    assert sent.status_code == 201
    activity_id = sent.json()["id"]
    reply = connector.call(
        "POST",
        f"/v3/conversations/{encoded}/activities/{activity_id}",
        json={"type": "message", "text": "two"},
    )
    assert reply.status_code == 201
    update = connector.call(
        "PUT",
        f"/v3/conversations/{encoded}/activities/{activity_id}",
        json={"type": "message", "text": "uno"},
    )
    assert update.json() == {"id": activity_id}
    deleted = connector.call("DELETE", f"/v3/conversations/{encoded}/activities/{activity_id}")
    assert deleted.status_code == 200 and deleted.content == b""
    assert [(e.kind, e.text) for e in teams.transcript] == [
        ("message", "one"),
        ("message", "two"),
        ("update", "uno"),
        ("delete", "uno"),
    ]
    assert all(e.conversation_id == chat for e in teams.transcript)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        (
            "POST",
            "/v3/conversations/a:nope/activities",
            {"type": "message"},
            404,
            "ConversationNotFound",
        ),
        ("POST", "/v3/conversations/{chat}/activities", {"text": "no type"}, 400, "BadArgument"),
        ("POST", "/v3/conversations/{chat}/activities", {"type": 7}, 400, "BadArgument"),
        ("POST", "/v3/conversations/{chat}/activities", b"{not json", 400, "BadSyntax"),
        (
            "PUT",
            "/v3/conversations/{chat}/activities/404",
            {"type": "message"},
            404,
            "ActivityNotFoundInConversation",
        ),
        (
            "GET",
            "/v3/conversations/{chat}/members/29:1ghost",
            None,
            404,
            "MemberNotFoundInConversation",
        ),
        ("GET", "/v3/conversations/{chat}/pagedmembers?pageSize=many", None, 400, "BadArgument"),
        ("GET", "/v3/teams/19:nope@thread.tacv2", None, 404, "ConversationNotFound"),
        ("GET", "/v3/attachments/nope", None, 404, "NotFound"),
        ("GET", "/v3/nowhere", None, 404, "NotFound"),
        (
            "PATCH",
            "/v3/conversations/{chat}/activities",
            {"type": "message"},
            405,
            "MethodNotAllowed",
        ),
        (
            "POST",
            "/v3/conversations",
            {"members": [{"id": "29:1stranger"}]},
            403,
            "ForbiddenOperationException",
        ),
        ("POST", "/v3/conversations", {"members": "alice"}, 400, "BadArgument"),
    ],
)
def test_bad_requests_get_the_connectors_error_body(
    teams: MockTeams,
    connector: Connector,
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    path = path.replace("{chat}", quote(_chat(teams), safe=""))
    options: dict[str, Any] = {}
    if isinstance(body, bytes):
        options = {"data": body, "headers": {"Content-Type": "application/json"}}
    elif body is not None:
        options = {"json": body}
    answer = connector.call(method, path, **options)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert set(answer.json()) == {"error"}
    assert connector.call("GET", "/v3/conversations").status_code == 200  # still serving
    teams.reset()  # the contract violations are on purpose


def test_a_contract_violation_names_the_field(teams: MockTeams, connector: Connector) -> None:
    answer = connector.call(
        "POST",
        f"/v3/conversations/{quote(_chat(teams), safe='')}/activities",
        json={"type": "message", "from": {"id": 5}},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("from.id: ")
    with pytest.raises(AssertionError, match="from"):
        teams.verify()
    teams.reset()


def test_limits_throttling_and_the_roster(teams: MockTeams, connector: Connector) -> None:
    chat = quote(_chat(teams), safe="")
    big = connector.call(
        "POST",
        f"/v3/conversations/{chat}/activities",
        json={"type": "message", "text": "x" * 30_000},
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "MessageSizeTooBig"
    teams.throttle(times=1, retry_after=7)
    throttled = connector.call(
        "POST", f"/v3/conversations/{chat}/activities", json={"type": "message"}
    )
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert throttled.json()["error"]["code"] == "Throttled"
    teams.domain.directory.find(_chat(teams)).bot_member = False
    removed = connector.call(
        "POST", f"/v3/conversations/{chat}/activities", json={"type": "message"}
    )
    assert (
        removed.status_code == 403
        and removed.json()["error"]["code"] == "BotNotInConversationRoster"
    )


def test_expectations_in_the_domain_vocabulary(teams: MockTeams, connector: Connector) -> None:
    chat = quote(_chat(teams), safe="")
    teams.expect_reply("hello").throttled(retry_after=2).once()
    teams.expect_reply("secret").fails_with(ConnectorError.bot_not_in_roster()).once()
    first = connector.call(
        "POST", f"/v3/conversations/{chat}/activities", json={"type": "message", "text": "hello"}
    )
    assert (first.status_code, first.headers["Retry-After"]) == (429, "2")
    second = connector.call(
        "POST", f"/v3/conversations/{chat}/activities", json={"type": "message", "text": "secret"}
    )
    assert second.status_code == 403
    third = connector.call(
        "POST", f"/v3/conversations/{chat}/activities", json={"type": "message", "text": "hello"}
    )
    assert third.status_code == 201
    teams.verify()


def test_members_pages_teams_and_attachments(teams: MockTeams, connector: Connector) -> None:
    channel = teams.channel("Contoso", "General")
    teams.team("Contoso", "Support")
    for name in ("alice", "bob", "carol"):
        teams.domain.directory.join(channel, teams.user(name))
    team_id = quote(channel.id, safe="")
    first = connector.call("GET", f"/v3/conversations/{team_id}/pagedmembers?pageSize=2").json()
    second = connector.call(
        "GET",
        f"/v3/conversations/{team_id}/pagedmembers",
        params={"pageSize": 2, "continuationToken": first["continuationToken"]},
    ).json()
    assert [m["name"] for m in first["members"] + second["members"]] == ["alice", "bob", "carol"]
    assert "continuationToken" not in second
    members = connector.call("GET", f"/v3/conversations/{team_id}/members").json()
    assert members[0]["userPrincipalName"] == "alice@contoso.example"
    details = connector.call("GET", f"/v3/teams/{team_id}").json()
    assert (details["name"], details["memberCount"], details["channelCount"]) == ("Contoso", 3, 2)
    channels = connector.call("GET", f"/v3/teams/{team_id}/conversations").json()
    assert [c.get("name") for c in channels["conversations"]] == [None, "Support"]
    upload = connector.call(
        "POST",
        f"/v3/conversations/{team_id}/attachments",
        json={
            "type": "text/plain",
            "name": "a.txt",
            "originalBase64": base64.b64encode(b"hello").decode(),
        },
    )
    assert upload.status_code == 201
    attachment = upload.json()["id"]
    info = connector.call("GET", f"/v3/attachments/{attachment}").json()
    assert info == {
        "name": "a.txt",
        "type": "text/plain",
        "views": [{"viewId": "original", "size": 5}],
    }
    view = connector.call("GET", f"/v3/attachments/{attachment}/views/original")
    assert (view.content, view.headers["Content-Type"].split(";")[0]) == (b"hello", "text/plain")


def test_the_channel_keys_and_metadata(teams: MockTeams) -> None:
    metadata = requests.get(teams.openid_metadata_url, timeout=5).json()
    assert metadata["issuer"] == "https://api.botframework.com"
    keys = requests.get(metadata["jwks_uri"], timeout=5).json()["keys"]
    assert keys[0]["endorsements"] == ["msteams"]
    canonical = requests.get(f"{teams.url}/v1/.well-known/openidconfiguration", timeout=5).json()
    assert canonical["jwks_uri"] == f"{teams.url}/v1/.well-known/keys"
    assert requests.get(canonical["jwks_uri"], timeout=5).json()["keys"] == keys
    url_before = teams.openid_metadata_url
    teams.reset()
    assert teams.openid_metadata_url == url_before  # keys outlive resets
    aad = requests.get(f"{teams.url}/botframework.com/discovery/v2.0/keys", timeout=5).json()
    assert aad["keys"] and "endorsements" not in aad["keys"][0]


def test_the_token_endpoint(teams: MockTeams) -> None:
    good = {
        "grant_type": "client_credentials",
        "client_id": teams.app_id,
        "client_secret": teams.app_password,
        "scope": "https://api.botframework.com/.default",
    }
    answer = requests.post(teams.token_url, data=good, timeout=5)
    assert answer.json()["token_type"] == "Bearer" and answer.json()["expires_in"] == 3599
    wrong = requests.post(teams.token_url, data={**good, "client_secret": "nope"}, timeout=5)
    assert wrong.status_code == 401
    body = wrong.json()
    assert body["error"] == "invalid_client" and body["error_description"].startswith(
        "AADSTS7000215"
    )
    unknown = requests.post(teams.token_url, data={**good, "client_id": "someone"}, timeout=5)
    assert (unknown.status_code, unknown.json()["error"]) == (400, "unauthorized_client")
    no_grant = requests.post(teams.token_url, data={"client_id": teams.app_id}, timeout=5)
    assert (no_grant.status_code, no_grant.json()["error_codes"]) == (400, [900144])
    teams.reset()  # the contract violations are on purpose


def test_the_admin_api(teams: MockTeams) -> None:
    admin = f"{teams.url}/__admin/teams"
    created = requests.post(
        f"{admin}/conversations", json={"kind": "channel", "users": ["alice", "bob"]}, timeout=5
    )
    assert created.status_code == 201
    info = created.json()
    assert (
        info["type"] == "channel"
        and info["members"] == ["alice", "bob"]
        and info["team_id"] == info["id"]
    )
    group = requests.post(
        f"{admin}/conversations",
        json={"kind": "groupChat", "users": ["alice", "bob"], "name": "Lunch"},
        timeout=5,
    )
    assert group.json()["type"] == "groupChat"
    settings = requests.get(f"{admin}/settings", timeout=5).json()
    assert settings["openid_metadata_url"] == teams.openid_metadata_url
    assert settings["environment"]["MicrosoftAppId"] == teams.app_id
    no_bot = requests.post(f"{admin}/simulate/message", json={"text": "hi"}, timeout=5)
    assert no_bot.status_code == 409 and no_bot.json()["error"]["field"] == "bot_url"
    throttle = requests.post(f"{admin}/throttle", json={"times": 2, "retry_after": 4}, timeout=5)
    assert throttle.status_code == 204
    bad = requests.post(f"{admin}/throttle", json={"times": 0}, timeout=5)
    assert bad.status_code == 400
    moved = requests.put(
        f"{admin}/bot", json={"bot_url": "http://127.0.0.1:9/api/messages"}, timeout=5
    )
    assert moved.json()["bot_url"] == teams.bot_url == "http://127.0.0.1:9/api/messages"
    teams.reset()  # a bot set by one test does not leak into the next
    assert teams.bot_url is None
    assert requests.put(f"{admin}/bot", json={"bot_url": "ftp://x"}, timeout=5).status_code == 400
    rotated = requests.post(f"{admin}/rotate-key", timeout=5).json()
    assert rotated["openid_metadata_url"] != settings["openid_metadata_url"]
    teams.reset()
    assert teams.openid_metadata_url == settings["openid_metadata_url"]
    assert requests.delete(f"{admin}/transcript", timeout=5).status_code == 204
    openapi = requests.get(f"{teams.url}/__admin/openapi.json", timeout=5).json()
    assert "/__admin/teams/simulate/message" in openapi["paths"]


class _Recorder(BaseHTTPRequestHandler):
    """A bot endpoint that records what it gets and answers 200 with ExpectedReplies."""

    seen: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Recorder.seen.append((dict(self.headers), body))
        answer = json.dumps({"activities": [{"type": "message", "text": "canned"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/messages"
    server.shutdown()
    thread.join(5)


def test_what_the_bot_receives(teams: MockTeams, recorder: str) -> None:
    teams.bot_url = recorder
    try:
        answer = teams.simulate_incoming("hi", delivery_mode="expectReplies", token="none")
        teams.simulate_incoming("hi again")
        teams.simulate_incoming("Dear {{name}}, é")
    finally:
        teams.bot_url = None
    (no_token, first), (signed, second), (_, third) = _Recorder.seen
    assert json.loads(third)["text"] == "Dear {{name}}, é"
    assert "é".encode() in third
    assert "Authorization" not in no_token
    assert signed["Authorization"].startswith("Bearer ")
    assert signed["Content-Type"].startswith("application/json")
    sent = json.loads(second)
    assert sent["serviceUrl"] == teams.service_url and sent["channelId"] == "msteams"
    assert json.loads(first) == answer.activity
    assert answer.replies == [{"type": "message", "text": "canned"}]
    assert [(e.direction, e.text) for e in teams.transcript][:2] == [
        ("in", "hi"),
        ("out", "canned"),
    ]


def test_callbacks_to_the_bot_are_signed(teams: MockTeams, recorder: str) -> None:
    activity = teams.domain.message("from a callback", "alice", None)
    teams.send(recorder, json=activity, retries=0).wait(10)
    [(headers, _)] = _Recorder.seen
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["serviceurl"] == teams.service_url and claims["aud"] == teams.app_id


def test_stack_environment_and_cli_options(teams: MockTeams) -> None:
    environment = teams.stack_environment()
    assert environment["TEAMS_SERVICE_URL"] == teams.service_url
    assert environment["TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"] == teams.openid_metadata_url
    assert environment["TO_BOT_FROM_CHANNEL_TOKEN_ISSUER"] == "https://api.botframework.com"
    assert environment["MicrosoftAppPassword"] == teams.app_password
    assert [o.flag for o in MockTeams.cli_options()] == [
        "--bot-url",
        "--app-id",
        "--app-password",
        "--tenant-id",
        "--bot-name",
    ]


def test_options_are_attributes() -> None:
    with MockTeams.start(
        app_id="app-1", app_password="pw", tenant_id="t-1", bot_name="Helper"
    ) as mock:
        assert (mock.app_id, mock.app_password, mock.tenant_id, mock.bot_name) == (
            "app-1",
            "pw",
            "t-1",
            "Helper",
        )
        assert mock.url + "/" == mock.service_url
        with pytest.raises(ValueError, match="unknown conversation"):
            mock.conversation("alice", "a:nope")
        with pytest.raises(RuntimeError, match="bot_url"):
            mock.simulate_incoming("hi")
