"""Admin bodies: one content kind per incoming message, valid base64, bounded places."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pydantic import ValidationError

from mocks.whatsapp._admin_models import EntryOut, IncomingMessage, MediaFile, Sent
from mocks.whatsapp._errors import reengagement_required
from mocks.whatsapp._outgoing import SentMessage
from mocks.whatsapp._transcript import TranscriptEntry


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"from_number": "1555", "text": "hi"}, "text"),
        ({"from_number": "1555", "button": {"title": "Yes"}}, "button"),
        ({"from_number": "1555", "list_reply": {"title": "Small", "id": "s"}}, "list_reply"),
        ({"from_number": "1555", "location": {"latitude": 1, "longitude": 2}}, "location"),
        ({"from_number": "1555", "contacts": [{"name": "Bob"}]}, "contacts"),
        ({"from_number": "1555", "reaction": {"message_id": "wamid.X", "emoji": "👍"}}, "reaction"),
        (
            {"from_number": "1555", "media": {"data_base64": "aGk=", "mime_type": "image/png"}},
            "media",
        ),
    ],
)
def test_each_kind(body: dict[str, Any], kind: str) -> None:
    assert IncomingMessage.model_validate(body).kind == kind


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from_number": "1555"}, "exactly one"),
        ({"from_number": "1555", "text": "a", "button": {"title": "b"}}, "exactly one"),
        ({"from_number": "1555", "text": "a", "colour": "red"}, "colour"),
        ({"from_number": "1555", "location": {"latitude": 91, "longitude": 0}}, "latitude"),
        (
            {"from_number": "1555", "media": {"data_base64": "!!", "mime_type": "image/png"}},
            "base64",
        ),
        (
            {"from_number": "1555", "media": {"data_base64": "aGk=", "mime_type": "png"}},
            "mime_type",
        ),
        ({"text": "a"}, "from_number"),
    ],
)
def test_bad_bodies_name_the_problem(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        IncomingMessage.model_validate(body)
    assert field in str(caught.value)


def test_media_bytes_round_trip() -> None:
    data = bytes(range(256))
    media = MediaFile(data_base64=base64.b64encode(data).decode(), mime_type="application/pdf")
    assert media.data() == data


def test_models_of_entries_and_sends() -> None:
    entry = TranscriptEntry("out", "text", "hi", {"a": 1}, "1555", "wamid.X", 7)
    assert EntryOut.of(entry).model_dump() == {
        "direction": "out",
        "kind": "text",
        "text": "hi",
        "raw": {"a": 1},
        "user": "1555",
        "wamid": "wamid.X",
        "timestamp": 7,
    }
    sent = SentMessage(
        "wamid.X",
        "1555",
        "US.1",
        "text",
        "text",
        "hi",
        {"type": "text"},
        7,
        reengagement_required(),
    )
    assert Sent.of(sent).failed_with == 131047
