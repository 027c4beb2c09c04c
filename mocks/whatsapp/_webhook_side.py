"""The webhook side of MockWhatsApp: WhatsApp calling the bot.

Users' messages of every kind, hand-written notifications, the GET handshake, the status
webhooks that follow each accepted send, and conversations on top. Every webhook is
signed (`sign_callback`) and retried with Meta's policy until the bot answers 2xx.
"""

from __future__ import annotations

from typing import Any

from mocks.core import BaseMock, Callback, Delivery

from ._cloud import SendOutcome, WhatsAppCloud
from ._conversation import Conversation
from ._delivery import DeliveryPolicy, Handshake, settled
from ._users import normalize_phone
from ._webhooks import (
    button_reply_content,
    check_envelope,
    contact_card,
    flow_reply_content,
    list_reply_content,
    location_content,
    reaction_content,
    text_content,
)

Json = dict[str, Any]


class WebhookSide(BaseMock):
    """The half of MockWhatsApp that sends: simulated users, statuses, the handshake."""

    cloud: WhatsAppCloud
    delivery: DeliveryPolicy
    webhook_url: str | None
    verify_token: str

    def status_callbacks(self, outcome: SendOutcome) -> list[Callback]:
        """The status webhooks that follow an accepted send (none without a webhook URL)."""
        if self.webhook_url is None:
            return []
        callbacks = []
        for webhook in outcome.webhooks:
            self.cloud.record_status(webhook)
            options = self.delivery.callback_options(webhook.body, webhook.delay_ms)
            callbacks.append(Callback(url=self.webhook_url, **options))
        return callbacks

    def _target(self) -> str:
        if self.webhook_url is None:
            raise RuntimeError(
                "MockWhatsApp has no webhook_url: start it with webhook_url=... "
                "(or set mock.webhook_url) to deliver webhooks to the bot"
            )
        return self.webhook_url

    def deliver(
        self, event: Json, what: str = "the webhook", timeout: float | None = None
    ) -> Delivery:
        """Post `event` to the bot (signed, retried) and wait until it answered 2xx.

        Raises `WebhookNotDelivered` (an AssertionError listing every attempt) when the
        bot never did; waits as long as the retry policy takes unless `timeout` says less.
        """
        delivery = self.send(self._target(), **self.delivery.callback_options(event))
        delivery.wait(self.delivery.patience() if timeout is None else timeout)
        return settled(delivery, what)

    async def deliver_async(self, event: Json, what: str = "the webhook") -> Delivery:
        """`deliver` for the mock's own loop (admin routes): returns even when it failed."""
        delivery = self.send(self._target(), **self.delivery.callback_options(event))
        return await delivery.wait_async(self.delivery.patience())

    def _incoming(
        self,
        from_number: str,
        kind: str,
        content: Any,
        *,
        name: str | None,
        reply_to: str | None = None,
        context: Json | None = None,
        timeout: float | None,
    ) -> str:
        number = normalize_phone(from_number, "from_number")
        if context is None and reply_to is not None:
            context = self.cloud.reply_context(reply_to)
        self._target()
        wamid, event = self.cloud.incoming(number, kind, content, name=name, context=context)
        self.deliver(event, f"the {kind} message from {number}", timeout)
        return wamid

    def simulate_incoming(
        self,
        from_number: str,
        text: str,
        *,
        name: str | None = None,
        reply_to: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """A user sends the bot `text`; returns its wamid once the bot answered 2xx.

        `name` is the user's profile name; `reply_to` makes it a reply to that message.
        """
        content = text_content(text)
        return self._incoming(
            from_number, "text", content, name=name, reply_to=reply_to, timeout=timeout
        )

    def simulate_tap(
        self, from_number: str, title: str, *, name: str | None = None, timeout: float | None = None
    ) -> str:
        """The user taps the reply button, list row or template quick reply titled `title`
        (or with that id) in the latest message the bot sent them that has one."""
        number = normalize_phone(from_number, "from_number")
        kind, content, context = self.cloud.tap(number, title)
        return self._incoming(number, kind, content, name=name, context=context, timeout=timeout)

    def simulate_button_reply(
        self,
        from_number: str,
        button_id: str,
        title: str,
        *,
        reply_to: str | None = None,
        name: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """The user taps a reply button given by id and title (`reply_to`: the message that
        offered it; by default the latest message the bot sent them)."""
        content = button_reply_content(button_id, title)
        return self._interactive(from_number, content, reply_to, name, timeout)

    def simulate_list_reply(
        self,
        from_number: str,
        row_id: str,
        title: str,
        *,
        description: str | None = None,
        reply_to: str | None = None,
        name: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """The user picks a list row given by id and title (`reply_to` as for buttons)."""
        content = list_reply_content(row_id, title, description)
        return self._interactive(from_number, content, reply_to, name, timeout)

    def simulate_media(
        self,
        from_number: str,
        data: bytes,
        mime_type: str,
        *,
        filename: str | None = None,
        caption: str | None = None,
        name: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """The user sends a file (image, document, audio, video or sticker by MIME type);
        the bot can look it up and download these exact bytes."""
        number = normalize_phone(from_number, "from_number")
        kind, content = self.cloud.received_file(number, data, mime_type, filename, caption)
        return self._incoming(number, kind, content, name=name, timeout=timeout)

    def simulate_location(
        self,
        from_number: str,
        latitude: float,
        longitude: float,
        *,
        place: str | None = None,
        address: str | None = None,
        name: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """The user shares a location."""
        content = location_content(latitude, longitude, place, address)
        return self._incoming(from_number, "location", content, name=name, timeout=timeout)

    def simulate_contacts(
        self,
        from_number: str,
        *cards: tuple[str, str | None],
        name: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """The user shares contact cards, each ``(name, phone or None)``."""
        content = [contact_card(card_name, phone) for card_name, phone in cards]
        return self._incoming(from_number, "contacts", content, name=name, timeout=timeout)

    def simulate_reaction(
        self,
        from_number: str,
        message_id: str,
        emoji: str,
        *,
        name: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """The user reacts to a message with `emoji` (empty: takes the reaction back)."""
        content = reaction_content(message_id, emoji)
        return self._incoming(from_number, "reaction", content, name=name, timeout=timeout)

    def simulate_flow_completion(
        self,
        from_number: str,
        response: Json,
        *,
        flow_token: str | None = None,
        reply_to: str | None = None,
        name: str | None = None,
        timeout: float | None = None,
    ) -> str:
        """The user completes a WhatsApp Flow the bot sent, answering `response`."""
        content = flow_reply_content(response, flow_token)
        return self._interactive(from_number, content, reply_to, name, timeout)

    def _interactive(
        self,
        from_number: str,
        content: Json,
        reply_to: str | None,
        name: str | None,
        timeout: float | None,
    ) -> str:
        """An interactive reply to `reply_to`, or to the latest message the bot sent the user."""
        number = normalize_phone(from_number, "from_number")
        if reply_to is None:
            sent = [message.wamid for message in self.cloud.sent if message.to == number]
            if not sent:
                raise LookupError(f"the bot sent {number} nothing to reply to; give reply_to")
            reply_to = sent[-1]
        context = self.cloud.reply_context(reply_to)
        return self._incoming(
            number, "interactive", content, name=name, context=context, timeout=timeout
        )

    def simulate_webhook(self, event: Json, *, timeout: float | None = None) -> Delivery:
        """Sign and deliver any notification (a full ``{"object", "entry"}`` envelope);
        returns the delivery once the bot answered 2xx. Its messages count as the users'
        (their 24-hour windows open)."""
        check_envelope(event)
        self.cloud.observe(event)
        return self.deliver(event, "the webhook event", timeout)

    def verify_webhook(self, timeout: float = 10.0) -> str:
        """Run the GET handshake against the bot (``hub.mode=subscribe``,
        ``hub.verify_token``, ``hub.challenge``); returns the challenge the bot echoed.

        Raises AssertionError saying what the bot answered instead.
        """
        handshake = Handshake(self._target(), self.verify_token, self._challenge())
        delivery = self.send(**handshake.request()).wait(timeout)
        if not handshake.passed(delivery):
            raise AssertionError(handshake.failure(delivery))
        return handshake.challenge

    async def verify_webhook_async(
        self, url: str | None = None, verify_token: str | None = None
    ) -> Handshake:
        """`verify_webhook` on the mock's loop (the admin API, a callback URL being set):
        the handshake against `url` (default: the webhook URL), with its outcome."""
        target = url if url is not None else self._target()
        token = verify_token if verify_token is not None else self.verify_token
        handshake = Handshake(target, token, self._challenge())
        handshake.delivery = await self.send(**handshake.request()).wait_async(30)
        return handshake

    def _challenge(self) -> str:
        return str(self.ids.randint(10**9, 10**10 - 1))

    def conversation(self, user: str, *, name: str | None = None) -> Conversation:
        """One user's conversation with the bot: ``user_says(text)``,
        ``assert_response_contains(text, timeout=5.0)``, ``transcript``."""
        return Conversation(self, self.cloud.transcript, user, name=name)

    def normalize_user(self, number: str) -> str:
        """A user's phone number as international digits."""
        return normalize_phone(number, "user")
