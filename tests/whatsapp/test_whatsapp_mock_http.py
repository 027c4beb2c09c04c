"""MockWhatsApp over a real socket with a plain HTTP client: paths, auth, bad input,
determinism, options. Whatever comes in, the answer is a Graph error envelope, never a
500, and the mock keeps serving.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from wa_support import Check, text_send

from mocks.whatsapp import MockWhatsApp

USER = "15551234567"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def mock() -> Iterator[MockWhatsApp]:
    """A mock of its own (these tests change options), in checking mode."""
    with MockWhatsApp.start(seed=3, check_responses=True) as running:
        running.allow_recipient(USER)
        running.with_status_webhooks(enabled=False)
        yield running


def graph(mock: MockWhatsApp) -> httpx.Client:
    return httpx.Client(
        base_url=mock.url, headers={"Authorization": f"Bearer {mock.access_token}"}, timeout=10
    )


@pytest.mark.parametrize("prefix", ["/v23.0", "/v18.0", "/v26.0", ""])
def test_any_version_or_none(mock: MockWhatsApp, prefix: str, conforms: Check) -> None:
    with graph(mock) as client:
        answer = client.post(f"{prefix}/{mock.phone_number_id}/messages", json=text_send())
        assert answer.status_code == 200
        conforms("message.response", answer.json())
        assert client.get(f"{prefix}/{mock.phone_number_id}").json()["id"] == mock.phone_number_id


def test_the_token_may_be_a_query_parameter(mock: MockWhatsApp) -> None:
    answer = httpx.get(f"{mock.url}/v23.0/{mock.phone_number_id}?access_token={mock.access_token}")
    assert answer.status_code == 200


BAD_REQUESTS: list[tuple[str, str, dict[str, Any], int, int]] = [
    ("POST", "/v23.0/{phone}/messages", {"content": b"{not json"}, 400, 100),
    ("POST", "/v23.0/{phone}/messages", {"content": b"[1, 2]"}, 400, 100),
    ("POST", "/v23.0/{phone}/messages", {"json": {"messaging_product": "whatsapp"}}, 400, 100),
    ("POST", "/v23.0/{phone}/messages", {"json": {**text_send(), "to": "abc"}}, 400, 100),
    (
        "POST",
        "/v23.0/{phone}/messages",
        {"content": b"", "headers": {"Content-Type": "text/plain"}},
        400,
        100,
    ),
    ("POST", "/v23.0/999/messages", {"json": text_send()}, 400, 100),
    ("POST", "/v23.0/{phone}/media", {"data": {"messaging_product": "whatsapp"}}, 400, 100),
    ("GET", "/v23.0/424242424242", {}, 400, 100),
    ("DELETE", "/v23.0/424242424242", {}, 400, 100),
    ("GET", "/whatsapp_business/attachments/?mid=1&hash=nope", {}, 400, 100),
    ("POST", "/v23.0/{waba}/message_templates", {"json": {"name": "Bad Name"}}, 400, 100),
    ("DELETE", "/v23.0/{waba}/message_templates", {}, 400, 100),
    ("GET", "/v23.0/{phone}/some/unknown/path", {}, 404, 100),
    ("PATCH", "/v23.0/{phone}/messages", {"json": {}}, 405, 100),
]


@pytest.mark.parametrize(("method", "path", "options", "status", "code"), BAD_REQUESTS)
def test_bad_input_is_a_graph_error_never_a_500(
    mock: MockWhatsApp,
    method: str,
    path: str,
    options: dict[str, Any],
    status: int,
    code: int,
    conforms: Check,
) -> None:
    target = path.format(phone=mock.phone_number_id, waba=mock.waba_id)
    with graph(mock) as client:
        answer = client.request(method, target, **options)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
        conforms("error", answer.json())
        assert (
            client.post(f"/v23.0/{mock.phone_number_id}/messages", json=text_send()).status_code
            == 200
        )
    assert mock.report().errors == []  # nothing failed inside the mock


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}]
)
def test_no_or_wrong_token_is_190(
    mock: MockWhatsApp, headers: dict[str, str], conforms: Check
) -> None:
    answer = httpx.post(
        f"{mock.url}/v23.0/{mock.phone_number_id}/messages", json=text_send(), headers=headers
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, 190)
    conforms("error", answer.json())
    assert mock.sent_messages == []


def test_media_download_needs_the_token(mock: MockWhatsApp) -> None:
    with graph(mock) as client:
        media_id = client.post(
            f"/v23.0/{mock.phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": "audio/ogg"},
            files={"file": ("voice.ogg", b"OggS" + bytes(100), "audio/ogg")},
        ).json()["id"]
        url = client.get(f"/v23.0/{media_id}").json()["url"]
        downloaded = client.get(url)
        assert downloaded.content == b"OggS" + bytes(100)
        assert downloaded.headers["Content-Type"] == "audio/ogg"
    assert httpx.get(url).json()["error"]["code"] == 190


def test_injected_errors_and_latency_use_the_graph_envelope(
    mock: MockWhatsApp, conforms: Check
) -> None:
    mock.expect_send_message(USER).with_error(503).once()
    with graph(mock) as client:
        answer = client.post(f"/v23.0/{mock.phone_number_id}/messages", json=text_send())
    assert (answer.status_code, answer.json()["error"]["code"]) == (503, 131016)
    conforms("error", answer.json())


def same_seed_bodies() -> list[str]:
    """What a send, an upload, a media read and an incoming event write, with seed 11."""
    with MockWhatsApp.start(seed=11) as mock, graph(mock) as client:
        mock.allow_recipient(USER)
        bodies = [client.post(f"/v23.0/{mock.phone_number_id}/messages", json=text_send()).text]
        uploaded = client.post(
            f"/v23.0/{mock.phone_number_id}/media",
            data={"messaging_product": "whatsapp"},
            files={"file": ("a", b"a", "text/plain")},
        )
        bodies.append(uploaded.text)
        bodies.append(client.get(f"/v23.0/{uploaded.json()['id']}").text)
        mock.clock.freeze(1_700_000_000)
        _, event = mock.cloud.incoming(USER, "text", {"body": "hi"})
        bodies.append(json.dumps(event))
        return [body.replace(mock.url, "{mock}") for body in bodies]  # ports differ


def test_the_same_seed_gives_the_same_bytes_in_every_run() -> None:
    """The same steps in two fresh processes write the same bytes; two mocks in one
    process never hand out the same ids (a kept id is never someone else's)."""
    script = "import json, test_whatsapp_mock_http as t; print(json.dumps(t.same_seed_bodies()))"
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(REPO)])}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=here,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        for _ in range(2)
    ]
    assert json.loads(runs[0].stdout) == json.loads(runs[1].stdout)
    first, second = same_seed_bodies(), same_seed_bodies()
    assert json.loads(first[0])["messages"][0]["id"] != json.loads(second[0])["messages"][0]["id"]


def test_options_are_attributes_and_the_environment(conforms: Check) -> None:
    with MockWhatsApp.start(
        webhook_url="http://127.0.0.1:9/hook",
        app_secret="s",
        verify_token="v",
        access_token="t",
        phone_number_id="123",
        waba_id="456",
        display_phone_number="+1 555-000-0000",
        app_id="789",
    ) as mock:
        assert (mock.app_secret, mock.verify_token, mock.access_token) == ("s", "v", "t")
        assert (mock.phone_number_id, mock.waba_id, mock.app_id) == ("123", "456", "789")
        env = mock.stack_environment()
        assert env["WHATSAPP_APP_ID"] == "789"
        assert env["WHATSAPP_API_URL"] == mock.url
        assert (env["WHATSAPP_ACCESS_TOKEN"], env["WHATSAPP_PHONE_NUMBER_ID"]) == ("t", "123")
        assert (
            env["WHATSAPP_APP_SECRET"],
            env["WHATSAPP_VERIFY_TOKEN"],
            env["WHATSAPP_WABA_ID"],
        ) == ("s", "v", "456")
        mock.webhook_url = None
        mock.access_token = "changed"
        mock.reset()
        assert (mock.webhook_url, mock.access_token) == ("http://127.0.0.1:9/hook", "t")


def test_reset_restores_a_fresh_account(mock: MockWhatsApp) -> None:
    mock.register_template("promo")
    mock.clock.advance(3600)
    mock.with_rules(allow_list=False)
    with graph(mock) as client:
        client.post(f"/v23.0/{mock.phone_number_id}/messages", json=text_send(to="15550001111"))
    mock.reset()
    assert mock.sent_messages == [] and mock.transcript == []
    assert [t.name for t in mock.cloud.templates.list()] == ["hello_world"]
    assert mock.cloud.rules.switches.allow_list is True
    assert abs(mock.clock.skew) < 1e-9


def test_simulating_without_a_webhook_url_says_so(mock: MockWhatsApp) -> None:
    with pytest.raises(RuntimeError, match="no webhook_url"):
        mock.simulate_incoming(USER, "hi")
    assert mock.transcript == []


def test_unmet_expectations_are_reported_with_their_criteria(mock: MockWhatsApp) -> None:
    mock.expect_send_message(USER).with_text("Welcome").once()
    mock.expect_send_template("order_update").with_parameters("Alice")
    with graph(mock) as client:
        client.post(f"/v23.0/{mock.phone_number_id}/messages", json=text_send(body="Bye"))
    with pytest.raises(AssertionError) as caught:
        mock.verify()
    report = str(caught.value)
    assert "text_contains='Welcome'" in report and "template='order_update'" in report


def test_cli_lists_the_options() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mocks.whatsapp", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for flag in (
        "--webhook-url",
        "--app-secret",
        "--verify-token",
        "--access-token",
        "--phone-number-id",
        "--waba-id",
        "--display-phone-number",
        "--app-id",
    ):
        assert flag in done.stdout


def test_admin_routes_are_in_the_openapi_document(mock: MockWhatsApp) -> None:
    document = httpx.get(f"{mock.url}/__admin/openapi.json").json()
    paths = set(document["paths"])
    assert "/__admin/whatsapp/incoming" in paths
    assert "/__admin/whatsapp/conversations/{user}/reply" in paths


def test_admin_set_up_routes(mock: MockWhatsApp) -> None:
    admin = f"{mock.url}/__admin/whatsapp"
    created = httpx.post(
        f"{admin}/templates",
        json={"name": "promo", "components": [{"type": "BODY", "text": "Hi {{1}}"}]},
    )
    assert created.status_code == 201 and created.json()["status"] == "APPROVED"
    moved = httpx.post(f"{admin}/clock", json={"advance_seconds": 90000, "freeze": True}).json()
    assert moved["frozen"] is True and mock.clock.frozen
    rules = httpx.put(f"{admin}/rules", json={"throughput": False, "statuses": True}).json()
    assert (
        rules["throughput"] is False and rules["statuses"] is True and rules["allow_list"] is True
    )
    allowed = httpx.post(f"{admin}/allow-list", json={"numbers": ["+44 7700 900123"]}).json()
    assert "447700900123" in allowed["numbers"]
    refused = httpx.put(f"{admin}/rules", json={"speed": True})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "speed"


def test_a_reset_never_hands_out_the_same_ids_again(mock: MockWhatsApp) -> None:
    def first_send() -> dict[str, Any]:
        mock.allow_recipient(USER)
        with graph(mock) as client:
            sent = client.post(f"/v23.0/{mock.phone_number_id}/messages", json=text_send())
            document: dict[str, Any] = sent.json()
            return document

    before = first_send()
    user_id = mock.cloud.users.by_phone(USER).user_id
    mock.reset()
    after = first_send()
    assert after["messages"][0]["id"] != before["messages"][0]["id"]
    assert after["contacts"] == before["contacts"]  # a user is the same user after a reset
    assert mock.cloud.users.by_phone(USER).user_id == user_id
    assert user_id.startswith("US.")


def test_admin_refuses_a_user_that_is_not_a_phone_number(mock: MockWhatsApp) -> None:
    answer = httpx.get(f"{mock.url}/__admin/whatsapp/conversations/not-a-number")
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "user"
    sent = httpx.post(
        f"{mock.url}/__admin/whatsapp/incoming", json={"from_number": "12", "text": "x"}
    )
    assert sent.status_code == 400


def _mutations(rng: random.Random, document: Any, depth: int = 0) -> Any:
    """`document` with one value somewhere replaced by something of another shape."""
    odd: list[Any] = [None, 0, -1, 1.5, "", "x" * 5000, [], {}, [None], {"{{": "}}"}, True, "{{1}}"]
    if isinstance(document, dict) and document and depth < 6:
        key = rng.choice(sorted(document))
        return {**document, key: _mutations(rng, document[key], depth + 1)}
    if isinstance(document, list) and document and depth < 6:
        index = rng.randrange(len(document))
        return [
            *document[:index],
            _mutations(rng, document[index], depth + 1),
            *document[index + 1 :],
        ]
    return rng.choice(odd)


FUZZ_SEEDS: list[dict[str, Any]] = [
    text_send(),
    {
        **text_send(),
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Size?"},
            "action": {
                "button": "Sizes",
                "sections": [{"title": "All", "rows": [{"id": "s", "title": "Small"}]}],
            },
        },
    },
    {
        **text_send(),
        "type": "template",
        "template": {
            "name": "hello_world",
            "language": {"code": "en_US"},
            "components": [
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": 0,
                    "parameters": [{"type": "payload", "payload": "p"}],
                }
            ],
        },
    },
    {**text_send(), "type": "location", "location": {"latitude": 1.5, "longitude": 2.5}},
    {
        **text_send(),
        "type": "contacts",
        "contacts": [{"name": {"formatted_name": "Bob"}, "phones": [{"phone": "+1"}]}],
    },
    {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.X",
        "typing_indicator": {"type": "text"},
    },
]


def test_mangled_sends_never_break_the_mock(mock: MockWhatsApp, conforms: Check) -> None:
    rng = random.Random(2024)
    mock.with_rules(throughput=False, pair_rate_limit=False)
    statuses = set()
    with graph(mock) as client:
        for round_ in range(300):
            body = _mutations(rng, FUZZ_SEEDS[round_ % len(FUZZ_SEEDS)])
            answer = client.post(f"/v23.0/{mock.phone_number_id}/messages", json=body)
            statuses.add(answer.status_code)
            if answer.status_code == 200:
                conforms("messages.response", answer.json())
            else:
                conforms("error", answer.json())
        for message in list(mock.sent_messages):  # taps on whatever was accepted
            for title in message.buttons:
                mock.cloud.find_choice(message.to, title)
    assert statuses <= {200, 400, 404}, statuses
    assert 200 in statuses and 400 in statuses
    assert mock.report().errors == []


def test_a_workers_own_phone_number_id_is_served_in_its_scope(mock: MockWhatsApp) -> None:
    """A worker's system under test sends from its own phone-number id: in the scope of
    that name the mock serves the number, and only that worker sees the sends."""
    number = "2000000000000001"
    with graph(mock) as client:
        unknown = client.post(f"/v23.0/{number}/messages", json=text_send())
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == 100
        created = client.post(
            "/__admin/expectations",
            headers={"X-Mock-Scope": number},
            json={
                "matcher": {"kind": "path", "value": f"/v23.0/{number}/messages"},
                "times": 1,
            },
        )
        assert created.status_code == 201, created.text
        sent = client.post(f"/v23.0/{number}/messages", json=text_send())
        assert sent.status_code == 200 and sent.json()["messages"][0]["id"].startswith("wamid.")
        scoped = client.get("/__admin/requests", headers={"X-Mock-Scope": number}).json()
        assert [e["path"] for e in scoped["requests"]] == [f"/v23.0/{number}/messages"]
        assert client.get("/__admin/verify", headers={"X-Mock-Scope": number}).status_code == 200
    assert [e.path for e in mock.requests] == [f"/v23.0/{number}/messages"]  # the refused one
