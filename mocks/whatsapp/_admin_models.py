"""The bodies and answers of MockWhatsApp's admin routes (``/__admin/whatsapp/...``).

A test in any language drives the mock standalone with these: it simulates a user's
message, reads the conversation, waits for the bot's reply, registers templates, moves
the clock. The engine validates each body against its model (a bad one is answered 400
naming the field) and lists them in ``/__admin/openapi.json``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ._outgoing import SentMessage
from ._transcript import TranscriptEntry


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ButtonTap(_Strict):
    """A tap on a reply button the bot sent (the id is looked up by title when omitted)."""

    title: str
    id: str | None = None


class ListPick(_Strict):
    """A pick from a list the bot sent (the id is looked up by title when omitted)."""

    title: str
    id: str | None = None
    description: str | None = None


class MediaFile(_Strict):
    """A file the user sends: its bytes in base64, MIME type, optional name and caption."""

    data_base64: str
    mime_type: str = Field(pattern=r"^[a-z]+/[^\s]+$")
    filename: str | None = None
    caption: str | None = None

    @field_validator("data_base64")
    @classmethod
    def _decodes(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError("not valid base64") from error
        return value

    def data(self) -> bytes:
        """The file's bytes."""
        return base64.b64decode(self.data_base64)


class Place(_Strict):
    """A location the user shares."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str | None = None
    address: str | None = None


class Card(_Strict):
    """A contact card the user shares."""

    name: str
    phone: str | None = None


class Reaction(_Strict):
    """An emoji the user puts on a message (empty takes it back)."""

    message_id: str
    emoji: str


_KINDS = ("text", "button", "list_reply", "media", "location", "contacts", "reaction")


class IncomingMessage(_Strict):
    """A message from a user to the bot: exactly one of the content fields."""

    from_number: str = Field(min_length=1)
    name: str | None = None
    reply_to: str | None = None
    text: str | None = None
    button: ButtonTap | None = None
    list_reply: ListPick | None = None
    media: MediaFile | None = None
    location: Place | None = None
    contacts: list[Card] | None = None
    reaction: Reaction | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> IncomingMessage:
        given = [kind for kind in _KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(_KINDS)} (got {given or 'none'})")
        return self

    @property
    def kind(self) -> str:
        """Which content field is given."""
        return next(kind for kind in _KINDS if getattr(self, kind) is not None)


class UserSays(_Strict):
    """What the user of a conversation says."""

    text: str = Field(min_length=1)
    name: str | None = None


class Delivered(BaseModel):
    """How the bot took a webhook: its last answer, and every attempt it took."""

    wamid: str | None = None
    delivered: bool
    status: int | None = None
    attempts: int


class EntryOut(BaseModel):
    """One transcript entry."""

    direction: str
    kind: str
    text: str
    raw: dict[str, Any]
    user: str
    wamid: str
    timestamp: int

    @classmethod
    def of(cls, entry: TranscriptEntry) -> EntryOut:
        """The model of a transcript entry."""
        return cls(
            direction=entry.direction,
            kind=entry.kind,
            text=entry.text,
            raw=entry.raw,
            user=entry.user,
            wamid=entry.wamid,
            timestamp=entry.timestamp,
        )


class ConversationOut(BaseModel):
    """A user's conversation, both sides in order."""

    user: str
    entries: list[EntryOut]


class Sent(BaseModel):
    """A message the bot sent and the mock accepted."""

    wamid: str
    to: str
    user_id: str
    type: str
    kind: str
    text: str
    buttons: list[str]
    reply_to: str | None
    failed_with: int | None
    body: dict[str, Any]

    @classmethod
    def of(cls, message: SentMessage) -> Sent:
        """The model of a sent message."""
        return cls(
            wamid=message.wamid,
            to=message.to,
            user_id=message.user_id,
            type=message.type,
            kind=message.kind,
            text=message.text,
            buttons=message.buttons,
            reply_to=message.reply_to,
            failed_with=message.failure.code if message.failure else None,
            body=message.body,
        )


class SentList(BaseModel):
    """Every message the bot sent, in order."""

    messages: list[Sent]


class ReplyWait(_Strict):
    """Wait for the bot's reply to a user (after the user's last message)."""

    contains: str = ""
    timeout: float = Field(default=5.0, ge=0, le=120)


class WebhookTarget(_Strict):
    """Where webhooks go (the bot's webhook URL)."""

    url: str = Field(pattern=r"^https?://")


class TemplateIn(_Strict):
    """A template to register (components in Meta's creation format; none: any parameters)."""

    name: str = Field(min_length=1)
    language: str = "en_US"
    components: list[dict[str, Any]] | None = None
    category: str = "UTILITY"


class TemplateOut(BaseModel):
    """A registered template."""

    id: str
    name: str
    language: str
    status: str
    category: str


class ClockMove(_Strict):
    """Move the mock's clock forward (and optionally freeze it)."""

    advance_seconds: float = Field(default=0, ge=0, le=10 * 365 * 24 * 3600)  # ten years
    freeze: bool | None = None


class ClockNow(BaseModel):
    """The mock's time."""

    now: float
    frozen: bool


class RulesIn(_Strict):
    """Switch business rules (and the routine status webhooks) on or off."""

    allow_list: bool | None = None
    service_window: bool | None = None
    throughput: bool | None = None
    pair_rate_limit: bool | None = None
    templates: bool | None = None
    statuses: bool | None = None


class RulesOut(BaseModel):
    """Which rules are on."""

    allow_list: bool
    service_window: bool
    throughput: bool
    pair_rate_limit: bool
    templates: bool
    statuses: bool


class AllowNumbers(_Strict):
    """Phone numbers to add to the test number's recipient list."""

    numbers: list[str] = Field(min_length=1)


class AllowList(BaseModel):
    """The recipient list."""

    numbers: list[str]


class Verified(BaseModel):
    """The result of the GET handshake against the bot."""

    ok: bool
    status: int | None
    challenge: str
    body: str
