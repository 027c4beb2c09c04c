"""whatsapp-sdk 0.2 as a second client: it takes a ``base_url``, so it reaches the mock
without any transport; its webhook helpers check the mock's signatures and parse its
notifications.

whatsapp-sdk posts messages unversioned (``{base}/{phone}/messages``) and the rest
versioned (``{base}/v23.0/...``): the mock serves both.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from whatsapp_sdk import WhatsAppClient
from whatsapp_sdk.exceptions import (
    WhatsAppAPIError,
    WhatsAppAuthenticationError,
    WhatsAppValidationError,
    WhatsAppWebhookError,
)

from mocks import MockHTTP
from mocks.core import MockStack
from mocks.whatsapp import MockWhatsApp

USER = "15551234567"


@pytest.fixture
def client(mock_whatsapp: MockWhatsApp) -> Iterator[WhatsAppClient]:
    sdk = WhatsAppClient(
        phone_number_id=mock_whatsapp.phone_number_id,
        access_token=mock_whatsapp.access_token,
        app_secret=mock_whatsapp.app_secret,
        webhook_verify_token=mock_whatsapp.verify_token,
        base_url=mock_whatsapp.url,
        max_retries=0,  # it would retry even a 400 otherwise
        rate_limit=1000,
    )
    mock_whatsapp.allow_recipient(USER)
    mock_whatsapp.with_status_webhooks(enabled=False)
    yield sdk
    sdk.http_client.close()


def test_text_image_location_and_read(client: WhatsAppClient, mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.expect_send_message(USER).with_text("Hello from the SDK").once()
    answer = client.messages.send_text(to="+1 555 123 4567", body="Hello from the SDK")
    assert answer.messages[0].id.startswith("wamid.HBgL")
    assert answer.contacts[0].wa_id == USER
    assert mock_whatsapp.requests.last.path == f"/{mock_whatsapp.phone_number_id}/messages"
    client.messages.send_image(USER, "https://example.com/a.png", caption="pic")
    client.messages.send_location(USER, latitude=1.5, longitude=2.5, name="Here")
    incoming = mock_whatsapp.cloud.incoming(USER, "text", {"body": "hi"})[0]
    assert client.messages.mark_as_read(incoming, typing_indicator=True).model_extra == {
        "success": True
    }
    assert [m.kind for m in mock_whatsapp.sent_messages] == ["text", "media", "location"]


def test_template_send(client: WhatsAppClient, mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.register_template("welcome", components=[{"type": "BODY", "text": "Hi {{1}}"}])
    mock_whatsapp.expect_send_template("welcome").with_parameters("Ann").once()
    body = {"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}
    answer = client.templates.send(USER, "welcome", "en_US", components=[body])
    assert answer.messages[0].id == mock_whatsapp.sent_messages[-1].wamid
    with pytest.raises(WhatsAppAPIError, match="132001"):
        client.templates.send(USER, "unknown_template", "en_US")


def test_media_download_send_by_id_and_delete(
    client: WhatsAppClient, mock_whatsapp: MockWhatsApp
) -> None:
    data = bytes(range(256)) * 10
    uploaded = httpx.post(
        f"{mock_whatsapp.url}/v23.0/{mock_whatsapp.phone_number_id}/media",
        headers={"Authorization": f"Bearer {mock_whatsapp.access_token}"},
        data={"messaging_product": "whatsapp", "type": "image/png"},
        files={"file": ("chart.png", data, "image/png")},
    ).json()
    assert client.media.get_url(uploaded["id"]).startswith(mock_whatsapp.url)
    assert client.media.download(uploaded["id"]) == data
    assert client.messages.send_image(USER, uploaded["id"]).messages
    assert client.media.delete(uploaded["id"]) is True


def test_the_sdks_upload_is_refused_with_the_reason(
    client: WhatsAppClient, mock_whatsapp: MockWhatsApp
) -> None:
    # whatsapp-sdk 0.2 keeps its default Content-Type (application/json) on the multipart
    # upload; the mock refuses it and says why instead of guessing
    with pytest.raises(WhatsAppValidationError, match="multipart/form-data") as caught:
        client.media.upload_from_bytes(b"\x89PNG", "image/png", "chart.png")
    assert "application/json" in str(caught.value)
    assert len(mock_whatsapp.cloud.media) == 0
    mock_whatsapp.reset()  # the refused upload was reported as a contract violation


def test_errors_as_the_sdk_raises_them(client: WhatsAppClient, mock_whatsapp: MockWhatsApp) -> None:
    with pytest.raises(WhatsAppValidationError, match="131030"):
        client.messages.send_text(to="15557654321", body="hi")
    wrong = WhatsAppClient(
        phone_number_id=mock_whatsapp.phone_number_id,
        access_token="wrong",
        base_url=mock_whatsapp.url,
        max_retries=0,
    )
    with pytest.raises(WhatsAppAuthenticationError):
        wrong.messages.send_text(to=USER, body="hi")
    with pytest.raises(WhatsAppValidationError, match=r"text\['body'\]"):
        client.messages.send_text(to=USER, body="x" * 5000)
    mock_whatsapp.reset()  # the oversized body was reported as a contract violation


def test_the_sdk_checks_and_parses_the_mocks_webhooks(
    client: WhatsAppClient, mock_whatsapp: MockWhatsApp, mock_http: MockHTTP
) -> None:
    mock_http.expect("POST", "/hooks").respond(200).times(4)
    mock_whatsapp.webhook_url = f"{mock_http.url}/hooks"
    mock_whatsapp.with_status_webhooks(enabled=True, delay_ms=0, interval_ms=5)
    wamid = mock_whatsapp.simulate_incoming(USER, "hello sdk", name="Dana")
    client.messages.send_text(to=USER, body="hi Dana")
    mock_whatsapp.wait_for_callbacks(10)
    received = mock_http.requests.snapshot()
    events = [
        client.webhooks.handle_event(r.headers["X-Hub-Signature-256"], r.body) for r in received
    ]
    [message] = client.webhooks.extract_messages(events[0])
    assert (message.id, message.from_, message.text.body) == (wamid, USER, "hello sdk")  # type: ignore[union-attr]
    statuses = [s for event in events[1:] for s in client.webhooks.extract_statuses(event)]
    assert sorted(s.status for s in statuses) == ["delivered", "read", "sent"]
    with pytest.raises(WhatsAppWebhookError):
        client.webhooks.handle_event("sha256=" + "0" * 64, received[0].body)


def test_the_stack_environment_is_enough_for_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = MockStack.start(names=["whatsapp"])
    try:
        for name, value in stack.environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("WHATSAPP_MAX_RETRIES", "0")
        sdk = WhatsAppClient.from_env()  # WHATSAPP_BASE_URL, _ACCESS_TOKEN, _PHONE_NUMBER_ID, ...
        mock = stack["whatsapp"]
        assert isinstance(mock, MockWhatsApp)
        mock.allow_recipient(USER)
        mock.with_status_webhooks(enabled=False)
        answer = sdk.messages.send_text(to=USER, body="configured from the environment")
        assert answer.messages[0].id == mock.sent_messages[0].wamid
        assert mock.requests.last.path == f"/{mock.phone_number_id}/messages"
    finally:
        stack.stop()
