"""MockWhatsApp's admin routes (``/__admin/whatsapp/...``): the Python API over HTTP.

A test in any language drives a standalone mock with them::

    curl -X POST $MOCK/__admin/whatsapp/conversations/15551234567/messages -d '{"text": "hi"}'
    curl "$MOCK/__admin/whatsapp/conversations/15551234567/reply?contains=Welcome&timeout=5"
    curl $MOCK/__admin/whatsapp/conversations/15551234567

Handlers run on the mock's loop and never block it: webhook deliveries and waits for a
reply are awaited.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, Protocol

from mocks.core import AdminCall, AdminError, AdminRoute, Delivery
from mocks.jose import Clock

from ._admin_models import (
    AllowList,
    AllowNumbers,
    ClockMove,
    ClockNow,
    ConversationOut,
    Delivered,
    EntryOut,
    IncomingMessage,
    ReplyWait,
    RulesIn,
    RulesOut,
    Sent,
    SentList,
    TemplateIn,
    TemplateOut,
    UserSays,
    Verified,
    WebhookTarget,
)
from ._cloud import WhatsAppCloud
from ._delivery import Handshake
from ._errors import GraphError
from ._transcript import after_last_message, is_reply
from ._users import normalize_phone
from ._webhooks import (
    check_envelope,
    contact_card,
    location_content,
    reaction_content,
    text_content,
)

PREFIX = "/__admin/whatsapp"
Json = dict[str, Any]


class AdminHost(Protocol):
    """What the admin routes need of the mock."""

    cloud: WhatsAppCloud
    clock: Clock
    webhook_url: str | None

    async def deliver_async(self, event: Json, what: str) -> Delivery:
        """Post `event` to the bot and wait until it is delivered or given up."""

    async def verify_webhook_async(self) -> Handshake:
        """Run the GET handshake against the webhook URL."""

    def set_rules(self, **switches: bool) -> RulesOut:
        """Switch rules; the switches now."""


def _user(number: str) -> str:
    """A phone number from the admin API, as international digits (400 if it is none)."""
    try:
        return normalize_phone(number, "user")
    except GraphError as error:
        raise AdminError(400, f"user: {error.details}", "user") from error


class WhatsAppAdmin:
    """The admin route table and its handlers."""

    def __init__(self, host: AdminHost) -> None:
        self.host = host

    def routes(self) -> list[AdminRoute]:
        """Every WhatsApp admin route (each may answer 404 for an unknown user or message,
        409 when no webhook URL is set)."""
        errors = (
            (404, "No such user, message or choice (`error.field` names it)", "Error"),
            (409, "No webhook URL is set", "Error"),
        )
        return [replace(route, responses=route.responses + errors) for route in self._table()]

    def _table(self) -> list[AdminRoute]:
        user = f"{PREFIX}/conversations/{{user}}"
        return [
            AdminRoute(
                "POST",
                f"{PREFIX}/incoming",
                self._incoming,
                "Deliver a user's message (text, tap, pick, file, location, contacts, reaction)",
                body=IncomingMessage,
                response=Delivered,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/webhooks",
                self._webhook,
                "Sign and deliver a full webhook event ({object, entry})",
                response=Delivered,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/verify-webhook",
                self._verify,
                "Run the GET handshake against the bot's webhook",
                response=Verified,
            ),
            AdminRoute(
                "PUT",
                f"{PREFIX}/webhook",
                self._set_webhook,
                "Set where webhooks go",
                body=WebhookTarget,
                response=WebhookTarget,
            ),
            AdminRoute(
                "GET",
                user,
                self._conversation,
                "A user's conversation, both sides in order",
                response=ConversationOut,
            ),
            AdminRoute(
                "POST",
                f"{user}/messages",
                self._user_says,
                "The user says something (a text webhook to the bot)",
                body=UserSays,
                response=Delivered,
            ),
            AdminRoute(
                "GET",
                f"{user}/reply",
                self._reply,
                "Wait for the bot's reply to the user's last message (contains=, timeout=)",
                query=ReplyWait,
                response=EntryOut,
            ),
            AdminRoute(
                "GET", f"{PREFIX}/sent", self._sent, "Messages the bot sent", response=SentList
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/templates",
                self._template,
                "Register a message template",
                body=TemplateIn,
                response=TemplateOut,
                status=201,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/clock",
                self._clock,
                "Move the mock's clock forward",
                body=ClockMove,
                response=ClockNow,
            ),
            AdminRoute(
                "PUT",
                f"{PREFIX}/rules",
                self._rules,
                "Switch business rules on or off",
                body=RulesIn,
                response=RulesOut,
            ),
            AdminRoute(
                "POST",
                f"{PREFIX}/allow-list",
                self._allow,
                "Add recipients to the test number's list",
                body=AllowNumbers,
                response=AllowList,
            ),
        ]

    # ---- webhooks -------------------------------------------------------------------

    async def _incoming(self, call: AdminCall) -> Delivered:
        body: IncomingMessage = call.body
        cloud = self.host.cloud
        number = _user(body.from_number)
        kind, content, context = self._content(body, number)
        if body.reply_to is not None and context is None:
            context = cloud.reply_context(body.reply_to)
        wamid, event = cloud.incoming(number, kind, content, name=body.name, context=context)
        delivery = await self.host.deliver_async(event, f"the {kind} from {number}")
        return _delivered(delivery, wamid)

    def _content(self, body: IncomingMessage, number: str) -> tuple[str, Any, Json | None]:
        cloud = self.host.cloud
        match body.kind:
            case "text":
                return "text", text_content(body.text or ""), None
            case "button" | "list_reply":
                choice = body.button or body.list_reply
                assert choice is not None
                try:
                    return cloud.tap(number, choice.id or choice.title)
                except LookupError as error:
                    raise AdminError(404, str(error), body.kind) from error
            case "media":
                media = body.media
                assert media is not None
                kind, content = cloud.received_file(
                    number, media.data(), media.mime_type, media.filename, media.caption
                )
                return kind, content, None
            case "location":
                place = body.location
                assert place is not None
                content = location_content(
                    place.latitude, place.longitude, place.name, place.address
                )
                return "location", content, None
            case "contacts":
                cards = [contact_card(card.name, card.phone) for card in body.contacts or []]
                return "contacts", cards, None
        assert body.reaction is not None
        return "reaction", reaction_content(body.reaction.message_id, body.reaction.emoji), None

    async def _webhook(self, call: AdminCall) -> Delivered:
        event = call.json()
        try:
            check_envelope(event)
        except ValueError as error:
            raise AdminError(400, f"body: {error}", "body") from error
        self.host.cloud.observe(event)
        delivery = await self.host.deliver_async(event, "the webhook event")
        return _delivered(delivery, None)

    async def _verify(self, call: AdminCall) -> Verified:
        if self.host.webhook_url is None:
            raise AdminError(409, "no webhook URL is set (PUT /__admin/whatsapp/webhook)", "url")
        handshake = await self.host.verify_webhook_async()
        delivery = handshake.delivery
        assert delivery is not None
        body = delivery.response_body.decode("utf-8", "replace")
        return Verified(
            ok=handshake.passed(), status=delivery.status, challenge=handshake.challenge, body=body
        )

    def _set_webhook(self, call: AdminCall) -> WebhookTarget:
        self.host.webhook_url = call.body.url
        return WebhookTarget(url=call.body.url)

    # ---- conversations --------------------------------------------------------------

    def _conversation(self, call: AdminCall) -> ConversationOut:
        number = _user(call.params["user"])
        entries = self.host.cloud.transcript.entries(number)
        return ConversationOut(user=number, entries=[EntryOut.of(e) for e in entries])

    async def _user_says(self, call: AdminCall) -> Delivered:
        number = _user(call.params["user"])
        said: UserSays = call.body
        wamid, event = self.host.cloud.incoming(
            number, "text", text_content(said.text), name=said.name
        )
        delivery = await self.host.deliver_async(event, f"the text from {number}")
        return _delivered(delivery, wamid)

    async def _reply(self, call: AdminCall) -> EntryOut:
        number = _user(call.params["user"])
        wait: ReplyWait = call.query
        transcript = self.host.cloud.transcript
        start = after_last_message(transcript.entries(), number)
        found = await asyncio.to_thread(
            transcript.wait_for,
            lambda entry: is_reply(entry, number, wait.contains),
            start=start,
            timeout=wait.timeout,
        )
        if found is None:
            raise AdminError(
                404,
                f"the bot sent {number} no message containing {wait.contains!r} within "
                f"{wait.timeout}s; transcript:\n{transcript.render(number)}",
                "contains",
            )
        return EntryOut.of(found)

    def _sent(self, call: AdminCall) -> SentList:
        return SentList(messages=[Sent.of(message) for message in self.host.cloud.sent])

    # ---- set-up ---------------------------------------------------------------------

    def _template(self, call: AdminCall) -> TemplateOut:
        body: TemplateIn = call.body
        template = self.host.cloud.templates.register(
            body.name, body.language, body.components, category=body.category
        )
        return TemplateOut(
            id=template.id,
            name=template.name,
            language=template.language,
            status=template.status,
            category=template.category,
        )

    def _clock(self, call: AdminCall) -> ClockNow:
        move: ClockMove = call.body
        clock = self.host.clock
        if move.freeze is True:
            clock.freeze()
        elif move.freeze is False:
            clock.unfreeze()
        clock.advance(move.advance_seconds)
        return ClockNow(now=clock.now(), frozen=clock.frozen)

    def _rules(self, call: AdminCall) -> RulesOut:
        given: RulesIn = call.body
        return self.host.set_rules(**given.model_dump(exclude_none=True))

    def _allow(self, call: AdminCall) -> AllowList:
        body: AllowNumbers = call.body
        allowed = self.host.cloud.rules.allowed
        for number in body.numbers:
            allowed.allow(_user(number))
        return AllowList(numbers=allowed.numbers())


def _delivered(delivery: Delivery, wamid: str | None) -> Delivered:
    return Delivered(
        wamid=wamid,
        delivered=delivery.succeeded,
        status=delivery.status,
        attempts=len(delivery.attempts),
    )
