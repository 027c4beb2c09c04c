"""pywa_async (httpx.AsyncClient) against MockWhatsApp through `httpx_async_transport()`,
and the requests and aiohttp helpers for clients that hard-code graph.facebook.com."""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
import pytest
import requests
from pywa_async import WhatsApp, errors

from mocks.whatsapp import MockWhatsApp

USER = "15551234567"


def test_pywa_async_sends_uploads_and_downloads(mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.allow_recipient(USER)
    mock_whatsapp.with_status_webhooks(enabled=False)
    mock_whatsapp.expect_send_message(USER).with_text("async hello").once()

    async def run() -> tuple[str, bytes]:
        session = httpx.AsyncClient(transport=mock_whatsapp.httpx_async_transport())
        wa = WhatsApp(
            phone_id=mock_whatsapp.phone_number_id,
            token=mock_whatsapp.access_token,
            session=session,
        )
        sent = await wa.send_message(to=USER, text="async hello")
        media = await wa.upload_media(
            b"%PDF-1.7 async", mime_type="application/pdf", filename="a.pdf"
        )
        url = await wa.get_media_url(media.id)
        data = await wa.get_media_bytes(url.url)
        with pytest.raises(errors.RecipientNotInAllowedList):
            await wa.send_message(to="15550009999", text="nobody")
        await session.aclose()
        return sent.id, data

    wamid, data = asyncio.run(run())
    assert wamid == mock_whatsapp.sent_messages[0].wamid
    assert data == b"%PDF-1.7 async"


def test_requests_adapter_reaches_the_mock(mock_whatsapp: MockWhatsApp) -> None:
    with requests.Session() as session:
        mock_whatsapp.requests_adapter().mount(session)
        headers = {"Authorization": f"Bearer {mock_whatsapp.access_token}"}
        answer = session.get(
            f"https://graph.facebook.com/v23.0/{mock_whatsapp.phone_number_id}/whatsapp_business_profile",
            headers=headers,
        )
    assert answer.status_code == 200
    assert answer.json()["data"][0]["messaging_product"] == "whatsapp"


def test_aiohttp_middleware_reaches_the_mock(mock_whatsapp: MockWhatsApp) -> None:
    async def run() -> tuple[int, dict[str, object]]:
        middleware = mock_whatsapp.aiohttp_middleware()
        async with (
            aiohttp.ClientSession(middlewares=(middleware,)) as session,
            session.get(
                f"https://graph.facebook.com/v23.0/{mock_whatsapp.waba_id}/message_templates",
                headers={"Authorization": f"Bearer {mock_whatsapp.access_token}"},
            ) as answer,
        ):
            return answer.status, await answer.json()

    status, listed = asyncio.run(run())
    assert status == 200
    assert [t["name"] for t in listed["data"]] == ["hello_world"]  # type: ignore[union-attr,index]
