"""Webhook bodies: the envelope, incoming messages of every kind, and message statuses.

Every notification has the full envelope a bot filters on::

    {"object": "whatsapp_business_account",
     "entry": [{"id": <WABA id>, "changes": [{"field": "messages", "value": {
         "messaging_product": "whatsapp",
         "metadata": {"display_phone_number", "phone_number_id"},
         "contacts": [{"profile": {"name"}, "wa_id", "user_id"}],
         "messages": [...] | "statuses": [...]}}]}]}

``contacts`` is on status notifications too, and every contact carries ``user_id`` (the
business-scoped id): pywa 4.5 drops an update without it.

>>> account = Account("106540352242922", "102290129340398", "+1 555-010-0001")
>>> from mocks.whatsapp._users import WhatsAppUser
>>> user = WhatsAppUser("15551234567", "US.1", "Alice")
>>> message = incoming_message("wamid.X", user, 1, "text", {"body": "hi"})
>>> body = incoming_envelope(account, user, message)
>>> body["entry"][0]["changes"][0]["value"]["contacts"][0]["user_id"]
'US.1'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._errors import GraphError
from ._media import MediaItem
from ._users import WhatsAppUser

Json = dict[str, Any]

#: Pricing categories of a template by its category; free-form replies are "service".
_PRICING_CATEGORY = {
    "MARKETING": "marketing",
    "UTILITY": "utility",
    "AUTHENTICATION": "authentication",
}


@dataclass(frozen=True, slots=True)
class Account:
    """The business side: the sending number's id, its account (WABA) and display number."""

    phone_number_id: str
    waba_id: str
    display_phone_number: str
    verified_name: str = "Mock Business"

    def metadata(self) -> Json:
        """The ``metadata`` a notification carries (a bot filters on ``phone_number_id``)."""
        return {
            "display_phone_number": self.display_phone_number.lstrip("+")
            .replace(" ", "")
            .replace("-", ""),
            "phone_number_id": self.phone_number_id,
        }


def envelope(account: Account, value: Json, field: str = "messages") -> Json:
    """Wrap one change's `value` in the notification envelope of `account`'s WABA."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": account.waba_id, "changes": [{"value": value, "field": field}]}],
    }


def incoming_envelope(account: Account, user: WhatsAppUser, message: Json) -> Json:
    """A notification of one message `user` sent."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": account.metadata(),
        "contacts": [user.contact()],
        "messages": [message],
    }
    return envelope(account, value)


def status_envelope(account: Account, user: WhatsAppUser, status: Json) -> Json:
    """A notification of one status of a message sent to `user`."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": account.metadata(),
        "contacts": [user.contact()],
        "statuses": [status],
    }
    return envelope(account, value)


def incoming_message(
    wamid: str,
    user: WhatsAppUser,
    timestamp: int,
    kind: str,
    content: Any,
    *,
    context: Json | None = None,
) -> Json:
    """One incoming message: sender, id, time, its `kind` and the content under that key."""
    message: Json = {"from": user.wa_id, "id": wamid, "timestamp": str(timestamp)}
    if context is not None:
        message["context"] = context
    message["type"] = kind
    message[kind] = content
    return message


def reply_context(business_wa_id: str, wamid: str) -> Json:
    """The ``context`` of a message that answers (or taps a button of) message `wamid`."""
    return {"from": business_wa_id, "id": wamid}


# -- incoming content, one builder per kind ---------------------------------------------


def text_content(body: str) -> Json:
    """A text message's content."""
    return {"body": body}


def button_reply_content(button_id: str, title: str) -> Json:
    """The content of a tap on a reply button (type ``interactive``)."""
    return {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}


def list_reply_content(row_id: str, title: str, description: str | None = None) -> Json:
    """The content of a pick from a list message (type ``interactive``)."""
    reply: Json = {"id": row_id, "title": title}
    if description is not None:
        reply["description"] = description
    return {"type": "list_reply", "list_reply": reply}


def flow_reply_content(response: Json, flow_token: str | None = None, body: str = "Sent") -> Json:
    """The content of a completed WhatsApp Flow (type ``interactive``, ``nfm_reply``).

    The flow's answers travel as a JSON string, with the send's ``flow_token`` among them.
    """
    answers = dict(response)
    if flow_token is not None:
        answers["flow_token"] = flow_token
    reply = {"name": "flow", "body": body, "response_json": json.dumps(answers)}
    return {"type": "nfm_reply", "nfm_reply": reply}


def template_button_content(payload: str, text: str) -> Json:
    """The content of a tap on a template's quick-reply button (type ``button``)."""
    return {"payload": payload, "text": text}


def media_content(item: MediaItem, caption: str | None = None) -> Json:
    """A received file's content: the id to look up and download, MIME type and hash."""
    content: Json = {"mime_type": item.mime_type, "sha256": item.sha256, "id": item.id}
    if caption is not None:
        content["caption"] = caption
    if item.filename is not None:
        content["filename"] = item.filename
    return content


def location_content(
    latitude: float, longitude: float, name: str | None = None, address: str | None = None
) -> Json:
    """A shared location's content."""
    content: Json = {"latitude": latitude, "longitude": longitude}
    if name is not None:
        content["name"] = name
    if address is not None:
        content["address"] = address
    return content


def contact_card(name: str, phone: str | None = None) -> Json:
    """One contact card of a shared-contacts message (name and an optional phone)."""
    card: Json = {"name": {"formatted_name": name, "first_name": name.split(" ")[0]}}
    if phone is not None:
        digits = phone.lstrip("+")
        card["phones"] = [{"phone": phone, "type": "CELL", "wa_id": digits}]
    return card


def reaction_content(message_id: str, emoji: str) -> Json:
    """A reaction's content (an empty emoji takes a reaction back)."""
    return {"message_id": message_id, "emoji": emoji}


# -- statuses ---------------------------------------------------------------------------


def pricing(template_category: str | None) -> Json:
    """Per-message pricing of a status: free in the service window, billed for templates."""
    if template_category is None:
        return {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    category = _PRICING_CATEGORY.get(template_category.upper(), "utility")
    return {"billable": True, "pricing_model": "PMP", "category": category, "type": "regular"}


def status_object(
    wamid: str,
    user: WhatsAppUser,
    status: str,
    timestamp: int,
    *,
    template_category: str | None = None,
    error: GraphError | None = None,
    callback_data: str | None = None,
) -> Json:
    """One status of a sent message; a ``failed`` status carries `error`."""
    item: Json = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": user.wa_id,
    }
    if callback_data is not None:
        item["biz_opaque_callback_data"] = callback_data
    if error is not None:
        item["errors"] = [error.webhook_error()]
    elif status != "read":
        item["pricing"] = pricing(template_category)
    return item


def check_envelope(event: Any) -> None:
    """Raise ValueError unless `event` is a notification envelope (``object`` and ``entry``)."""
    if not isinstance(event, dict):
        raise ValueError(f"a webhook event is a JSON object, not {type(event).__name__}")
    if not isinstance(event.get("object"), str):
        raise ValueError('a webhook event needs "object" (e.g. "whatsapp_business_account")')
    entries = event.get("entry")
    if not isinstance(entries, list) or not entries:
        raise ValueError('a webhook event needs a non-empty "entry" list')
    for index, entry in enumerate(entries):
        if (
            not isinstance(entry, dict)
            or "id" not in entry
            or not isinstance(entry.get("changes"), list)
        ):
            raise ValueError(f'entry[{index}] needs "id" and a "changes" list')
