"""WhatsApp's behaviour, without the HTTP: what a send, an upload or a user's message does.

:class:`WhatsAppCloud` holds the simulated platform's state (users, media, templates, the
business rules, the transcript, every accepted send) and answers in JSON documents and
webhook bodies; the mock's routes only carry them over HTTP. It raises
:class:`~mocks.whatsapp._errors.GraphError` where the Cloud API answers an error.

Example (no server involved)::

    cloud = WhatsAppCloud(Account("1065", "1022", "+1 555-010-0001"), rng=random.Random(0),
                          seed=0, clock=Clock())
    wamid, webhook = cloud.incoming("15551234567", "text", text_content("hi"))
    outcome = cloud.send({"messaging_product": "whatsapp", "to": "15551234567",
                          "type": "text", "text": {"body": "hello"}})
    outcome.response["messages"][0]["id"]   # 'wamid.…'
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

from mocks.jose import Clock

from ._account import BusinessAccount
from ._errors import unknown_object
from ._ids import IdGenerator
from ._media import MediaItem, MediaStore, message_type_for
from ._outgoing import Choice, SentMessage, check_media_references, choices, response_contact
from ._render import render_incoming, render_outgoing, render_status
from ._rules import BusinessRules, RuleSwitches
from ._templates import Template, TemplateRegistry
from ._transcript import Transcript, TranscriptEntry
from ._users import UserDirectory, WhatsAppUser
from ._webhooks import (
    Account,
    button_reply_content,
    incoming_envelope,
    incoming_message,
    list_reply_content,
    media_content,
    reply_context,
    status_envelope,
    status_object,
    template_button_content,
)

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StatusPlan:
    """Which statuses follow an accepted send, and when.

    ``steps`` are sent in order, the first after ``delay_ms``, each next one
    ``interval_ms`` later. ``enabled=False`` stops them (a ``failed`` status for a send
    outside the 24-hour window is still reported: it is the send's outcome).
    """

    enabled: bool = True
    steps: tuple[str, ...] = ("sent", "delivered", "read")
    delay_ms: int = 20
    interval_ms: int = 20


@dataclass(frozen=True, slots=True)
class ScheduledWebhook:
    """A notification to post to the bot after `delay_ms`; `item` is its message or status."""

    delay_ms: int
    body: Json
    item: Json
    user: str


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What an accepted send produced: the record, the HTTP answer and the statuses to post."""

    message: SentMessage
    response: Json
    webhooks: list[ScheduledWebhook]


class WhatsAppCloud:
    """The simulated platform behind one business phone number."""

    def __init__(
        self,
        account: Account,
        *,
        rng: random.Random,
        seed: int,
        clock: Clock,
        switches: RuleSwitches | None = None,
        statuses: StatusPlan | None = None,
    ) -> None:
        self.account = account
        self.clock = clock
        self.ids = IdGenerator(rng)
        self.users = UserDirectory(seed)
        self.media = MediaStore(self.ids)
        self.templates = TemplateRegistry(self.ids.template_id)
        self.rules = BusinessRules(clock, switches)
        self.statuses = statuses or StatusPlan()
        self.business = BusinessAccount(account, self.templates)
        self.transcript = Transcript()
        self._sent: list[SentMessage] = []
        self._lock = threading.Lock()
        self.register_defaults()

    # ---- state --------------------------------------------------------------------

    def register_defaults(self) -> None:
        """The state a fresh account has: the ``hello_world`` template."""
        self.business.register_defaults()

    def clear(self) -> None:
        """Back to a fresh account (users, media, templates, rules, transcript, sends)."""
        self.users.clear()
        self.media.clear()
        self.templates.clear()
        self.rules.clear()
        self.transcript.clear()
        with self._lock:
            self._sent.clear()
        self.register_defaults()

    @property
    def sent(self) -> list[SentMessage]:
        """Every accepted send, in order."""
        with self._lock:
            return list(self._sent)

    def now(self) -> int:
        """The clock's time in whole seconds, as webhooks carry it."""
        return self.clock.timestamp()

    # ---- the Graph API side -------------------------------------------------------

    def send(self, body: Json) -> SendOutcome:
        """Accept a send (a body the contract passed) or raise the error WhatsApp answers.

        Synchronous failures: unknown recipient or media (100), allow-list (131030),
        template (132001/132000), rate limits (130429/131056). A free-form send outside
        the 24-hour window is accepted and fails later, in its ``failed`` status (131047).
        """
        user = self.users.resolve(to=body.get("to"), recipient=body.get("recipient"))
        check_media_references(body, self.media)
        template = self._check_template(body)
        self.rules.admit(user.wa_id)
        failure = self.rules.later_failure(user.wa_id, is_template=body.get("type") == "template")
        wamid = self.ids.wamid(user.wa_id)
        filled = None
        if template is not None and template.checked:
            filled = template.render(list(body["template"].get("components") or [])) or None
        kind, text = render_outgoing(body, filled)
        message = SentMessage(
            wamid,
            user.wa_id,
            user.user_id,
            str(body["type"]),
            kind,
            text,
            body,
            self.now(),
            failure,
        )
        with self._lock:
            self._sent.append(message)
        self.transcript.append(
            TranscriptEntry("out", kind, text, body, user.wa_id, wamid, message.timestamp)
        )
        sent: Json = {"id": wamid}
        if template is not None:
            sent["message_status"] = "accepted"
        response = {
            "messaging_product": "whatsapp",
            "contacts": [response_contact(body, user.wa_id, user.user_id)],
            "messages": [sent],
        }
        category = template.category if template is not None else None
        return SendOutcome(message, response, self.status_webhooks(message, user, category))

    def _check_template(self, body: Json) -> Template | None:
        """The registered template a template send names (checked when the rule is on)."""
        if body.get("type") != "template":
            return None
        if self.rules.switches.templates:
            return self.templates.check_send(body["template"])
        language = (body["template"].get("language") or {}).get("code")
        return self.templates.find(str(body["template"].get("name")), str(language))

    def mark_read(self, body: Json) -> Json:
        """A read receipt (with or without typing indicator): ``{"success": true}``."""
        wamid = str(body["message_id"])
        typing = "typing_indicator" in body
        user = self._sender_of(wamid)
        text = f"[read {wamid}{' + typing' if typing else ''}]"
        self.transcript.append(TranscriptEntry("out", "read", text, body, user, wamid, self.now()))
        return {"success": True}

    def _sender_of(self, wamid: str) -> str:
        for entry in reversed(self.transcript.entries()):
            if entry.wamid == wamid and entry.direction == "in":
                return entry.user
        return ""

    def upload(self, data: bytes, mime_type: str, filename: str | None) -> MediaItem:
        """Store an uploaded file for the sending number."""
        return self.media.put(data, mime_type, filename, owner=self.account.phone_number_id)

    def media_item(self, media_id: str, method: str = "get") -> MediaItem:
        """The stored file, or the Graph API's unknown-object error."""
        item = self.media.get(media_id)
        if item is None:
            raise unknown_object(media_id, method)
        return item

    def delete_media(self, media_id: str) -> Json:
        """Delete a stored file: ``{"success": true}``, or the unknown-object error."""
        if not self.media.delete(media_id):
            raise unknown_object(media_id, "delete")
        return {"success": True}

    # ---- the webhook side ---------------------------------------------------------

    def incoming(
        self,
        from_number: str,
        kind: str,
        content: Any,
        *,
        name: str | None = None,
        context: Json | None = None,
    ) -> tuple[str, Json]:
        """A user's message: (its wamid, the webhook body). Opens the user's 24-hour window.

        A user who writes in may be answered: they join the allow-list of the test number.
        """
        user = self.users.by_phone(from_number, name)
        wamid = self.ids.wamid(user.wa_id)
        message = incoming_message(wamid, user, self.now(), kind, content, context=context)
        return wamid, self.receive(user, message)

    def receive(self, user: WhatsAppUser, message: Json) -> Json:
        """Record a message from `user` (window, allow-list, transcript); its webhook body."""
        self.rules.window.opened(user.wa_id)
        self.rules.allowed.allow(user.wa_id)
        kind, text = render_incoming(message)
        self.transcript.append(
            TranscriptEntry(
                "in", kind, text, message, user.wa_id, str(message.get("id", "")), self.now()
            )
        )
        return incoming_envelope(self.account, user, message)

    def find_choice(self, wa_id: str, title: str) -> Choice:
        """The latest button, list row or quick reply titled `title` the bot sent this user.

        Raises LookupError naming what the user could tap when there is none.
        """
        offered: list[str] = []
        for message in reversed(self.sent):
            if message.to != wa_id:
                continue
            buttons = None
            if message.template_name is not None:
                template = self.templates.find(
                    message.template_name, message.template_language or ""
                )
                buttons = template.quick_replies() if template is not None else None
            for choice in choices(message, buttons):
                if choice.title == title or choice.id == title:
                    return choice
                offered.append(choice.title)
        raise LookupError(
            f"the bot sent {wa_id} nothing to tap titled {title!r} (offered: {offered or 'none'})"
        )

    def received_file(
        self,
        wa_id: str,
        data: bytes,
        mime_type: str,
        filename: str | None = None,
        caption: str | None = None,
    ) -> tuple[str, Json]:
        """(message type, content) of a file the user sends; the bytes become downloadable."""
        item = self.media.put(data, mime_type, filename, owner=wa_id)
        return message_type_for(mime_type), media_content(item, caption)

    def reply_context(self, wamid: str) -> Json:
        """The ``context`` of a user's message answering the business's message `wamid`."""
        return reply_context(self.account.metadata()["display_phone_number"], wamid)

    def tap(self, wa_id: str, title: str) -> tuple[str, Json, Json]:
        """(kind, content, context) of the user tapping `title` in what the bot sent them."""
        choice = self.find_choice(wa_id, title)
        context = self.reply_context(choice.wamid)
        if choice.kind == "row":
            return (
                "interactive",
                list_reply_content(choice.id, choice.title, choice.description),
                context,
            )
        if choice.kind == "quick_reply":
            return "button", template_button_content(choice.id, choice.title), context
        return "interactive", button_reply_content(choice.id, choice.title), context

    def observe(self, event: Json) -> None:
        """Record what a hand-written notification carries, as if WhatsApp had sent it.

        Its messages open their senders' windows and join the transcript (their contacts'
        business-scoped ids are remembered, so a reply by ``recipient`` reaches them); its
        statuses join the transcript too.
        """
        for entry in event.get("entry") or []:
            for change in entry.get("changes") or [] if isinstance(entry, dict) else []:
                value = change.get("value") if isinstance(change, dict) else None
                if isinstance(value, dict):
                    self._observe_value(value)

    def _observe_value(self, value: Json) -> None:
        contacts = {
            str(c.get("wa_id")): c for c in value.get("contacts") or [] if isinstance(c, dict)
        }
        for message in value.get("messages") or []:
            if not isinstance(message, dict) or "from" not in message:
                continue
            contact = contacts.get(str(message["from"]), {})
            name = (contact.get("profile") or {}).get("name")
            user = self.users.remember(str(message["from"]), contact.get("user_id"), name)
            self.receive(user, message)
        for status in value.get("statuses") or []:
            if isinstance(status, dict):
                user_id = str(status.get("recipient_id", ""))
                webhook = ScheduledWebhook(0, {}, status, user_id)
                self.record_status(webhook)

    def status_webhooks(
        self, message: SentMessage, user: WhatsAppUser, template_category: str | None
    ) -> list[ScheduledWebhook]:
        """The statuses to post after a send: a ``failed`` one, or the plan's steps."""
        plan = self.statuses
        if message.failure is not None:
            steps: tuple[str, ...] = ("failed",)
        elif plan.enabled:
            steps = plan.steps
        else:
            return []
        callback_data = message.body.get("biz_opaque_callback_data")
        scheduled = []
        for index, step in enumerate(steps):
            delay = plan.delay_ms + index * plan.interval_ms
            status = status_object(
                message.wamid,
                user,
                step,
                message.timestamp + delay // 1000,
                template_category=template_category,
                error=message.failure if step == "failed" else None,
                callback_data=str(callback_data) if callback_data is not None else None,
            )
            body = status_envelope(self.account, user, status)
            scheduled.append(ScheduledWebhook(delay, body, status, user.wa_id))
        return scheduled

    def record_status(self, webhook: ScheduledWebhook) -> TranscriptEntry:
        """Put a status the mock posted into the transcript."""
        entry = TranscriptEntry(
            "in",
            "status",
            render_status(webhook.item),
            webhook.item,
            webhook.user,
            str(webhook.item.get("id", "")),
            int(str(webhook.item.get("timestamp", "0"))),
        )
        return self.transcript.append(entry)
