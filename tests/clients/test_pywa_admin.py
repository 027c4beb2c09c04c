"""Every kind of user message through the admin API (``POST /__admin/whatsapp/incoming``
and ``/webhooks``), answered by the pywa bot: what a test in another language can do."""

from __future__ import annotations

import base64
import hashlib
import runpy
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from mocks.whatsapp import MockWhatsApp

USER = "15551234567"
BOT_FILE = Path(__file__).resolve().parents[1] / "whatsapp" / "pywa_bot.py"


#: The bot under test (``tests/whatsapp/pywa_bot.py``), loaded from its file.
pywa_bot = SimpleNamespace(**runpy.run_path(str(BOT_FILE), run_name="pywa_bot"))


@pytest.fixture
def admin(mock_whatsapp: MockWhatsApp) -> Iterator[httpx.Client]:
    """An admin API client for a mock wired to a fresh pywa bot."""
    config = pywa_bot.BotConfig(
        mock_whatsapp.phone_number_id,
        mock_whatsapp.waba_id,
        mock_whatsapp.access_token,
        mock_whatsapp.app_secret,
        mock_whatsapp.verify_token,
    )
    session = httpx.Client(transport=mock_whatsapp.httpx_transport(), timeout=10)
    bot = pywa_bot.PywaBot(config, session).start()
    with httpx.Client(base_url=f"{mock_whatsapp.url}/__admin/whatsapp", timeout=30) as client:
        assert client.put("/webhook", json={"url": bot.url}).status_code == 200
        yield client
    mock_whatsapp.wait_for_callbacks(10)
    bot.stop()
    assert bot.seen.errors == []


def say(admin: httpx.Client, **message: Any) -> dict[str, Any]:
    answer = admin.post("/incoming", json={"from_number": USER, **message})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    assert result["delivered"] is True and result["status"] == 200
    return result


def reply(admin: httpx.Client, contains: str) -> dict[str, Any]:
    answer = admin.get(f"/conversations/{USER}/reply", params={"contains": contains})
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def test_every_kind_of_incoming_message(admin: httpx.Client) -> None:
    say(admin, text="list", name="Alice")
    reply(admin, "[Sizes: Small | Large]")
    say(admin, list_reply={"title": "Small"})
    reply(admin, "picked Small")
    data = bytes(range(256)) * 4
    encoded = base64.b64encode(data).decode()
    say(admin, media={"data_base64": encoded, "mime_type": "image/png", "caption": "see"})
    assert hashlib.sha256(data).hexdigest() in reply(admin, "got 1024 bytes")["text"]
    say(admin, location={"latitude": 40.4168, "longitude": -3.7038, "name": "Madrid"})
    reply(admin, "got location 40.4168,-3.7038")
    say(admin, contacts=[{"name": "Bob Smith", "phone": "+15550001111"}])
    reply(admin, "got contacts: Bob Smith")
    last = reply(admin, "got contacts")
    say(admin, reaction={"message_id": last["wamid"], "emoji": "👍"})
    say(admin, text="thanks", reply_to=last["wamid"])
    reply(admin, "echo: thanks")
    entries = admin.get(f"/conversations/{USER}").json()["entries"]
    incoming = [
        (e["kind"], e["text"]) for e in entries if e["direction"] == "in" and e["kind"] != "status"
    ]
    assert incoming == [
        ("text", "list"),
        ("interactive", "[chose Small]"),
        ("media", "[image] see"),
        ("location", "[location] Madrid (40.4168, -3.7038)"),
        ("contacts", "[contacts] Bob Smith +15550001111"),
        ("reaction", f"[reaction 👍 to {last['wamid']}]"),
        ("text", "thanks"),
    ]
    thanks = next(e for e in entries if e["text"] == "thanks")
    assert thanks["raw"]["context"]["id"] == last["wamid"]


def test_a_full_webhook_event_over_the_admin_api(
    admin: httpx.Client, mock_whatsapp: MockWhatsApp
) -> None:
    user = {"profile": {"name": "Zoe"}, "wa_id": "447700900123", "user_id": "GB.1234567890"}
    event = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": mock_whatsapp.waba_id,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550100001",
                                "phone_number_id": mock_whatsapp.phone_number_id,
                            },
                            "contacts": [user],
                            "messages": [
                                {
                                    "from": "447700900123",
                                    "id": "wamid.HBgHandWritten",
                                    "timestamp": "1735689600",
                                    "type": "text",
                                    "text": {"body": "ping"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    answer = admin.post("/webhooks", json=event)
    assert answer.status_code == 200 and answer.json()["delivered"] is True
    pong = admin.get("/conversations/447700900123/reply", params={"contains": "pong"}).json()
    assert pong["raw"]["recipient"] == "GB.1234567890"  # pywa answered the hand-written BSUID
    assert mock_whatsapp.sent_messages[-1].to == "447700900123"


def test_status_timing_and_rules_over_the_admin_api(
    admin: httpx.Client, mock_whatsapp: MockWhatsApp
) -> None:
    assert admin.put("/rules", json={"statuses": False}).json()["statuses"] is False
    say(admin, text="ping")
    reply(admin, "pong")
    assert [e for e in mock_whatsapp.transcript if e.kind == "status"] == []
    admin.post("/clock", json={"advance_seconds": 25 * 3600})
    sent = httpx.post(
        f"{mock_whatsapp.url}/v23.0/{mock_whatsapp.phone_number_id}/messages",
        headers={"Authorization": f"Bearer {mock_whatsapp.access_token}"},
        json={
            "messaging_product": "whatsapp",
            "to": USER,
            "type": "text",
            "text": {"body": "late"},
        },
    ).json()
    mock_whatsapp.wait_for_callbacks(10)
    failed = [e for e in mock_whatsapp.transcript if e.kind == "status"]
    assert [e.raw["status"] for e in failed] == ["failed"]
    assert failed[0].wamid == sent["messages"][0]["id"]
    assert admin.get("/sent").json()["messages"][-1]["failed_with"] == 131047
