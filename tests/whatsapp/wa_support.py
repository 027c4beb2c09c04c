"""Shared values of the MockWhatsApp domain tests (imported as a plain module)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mocks.whatsapp._webhooks import Account

Check = Callable[[str, Any], None]

ACCOUNT = Account("106540352242922", "102290129340398", "+1 555-010-0001", "Mock Shop")
#: An instant the frozen clocks start at (2025-01-01T00:00:00Z).
T0 = 1_735_689_600


def text_send(to: str = "15551234567", body: str = "hello", **extra: Any) -> dict[str, Any]:
    """A text send as pywa builds it."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "type": "text",
        "to": to,
        "text": {"body": body, "preview_url": False},
        **extra,
    }
