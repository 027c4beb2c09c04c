"""Messages the bot sends: the checks a valid-looking send must still pass, and the record
the mock keeps of each accepted one (:class:`SentMessage`, what ``sent_messages`` lists).

The request's shape is the contract's business (``contracts/whatsapp/message.request.json``);
what needs the mock's state is checked here: a media id must name an uploaded file, and a
media link must be an http(s) URL, each failing with code 100 naming the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._errors import GraphError, invalid_parameter
from ._media import MediaStore
from ._render import MEDIA_TYPES, button_titles, template_values
from ._validation import graph_param

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message the bot sent and the mock accepted.

    ``to`` is the recipient's phone number (also when the send named a business-scoped
    ``recipient``), ``kind`` and ``text`` are as the transcript shows them, ``body`` is the
    request as sent, and ``failure`` the error a later ``failed`` status reports (131047
    outside the 24-hour window), or None.
    """

    wamid: str
    to: str
    user_id: str
    type: str
    kind: str
    text: str
    body: Json
    timestamp: int
    failure: GraphError | None = None

    @property
    def buttons(self) -> list[str]:
        """Titles of the reply buttons, list rows or call-to-action of an interactive send."""
        return button_titles(self.body)

    @property
    def reply_to(self) -> str | None:
        """The wamid this message answers (its ``context.message_id``), if any."""
        context = self.body.get("context") or {}
        value = context.get("message_id")
        return str(value) if value else None

    @property
    def template_name(self) -> str | None:
        """The template's name, for a template send."""
        return (self.body.get("template") or {}).get("name")

    @property
    def template_language(self) -> str | None:
        """The template's language code, for a template send."""
        return ((self.body.get("template") or {}).get("language") or {}).get("code")

    @property
    def template_parameters(self) -> list[str]:
        """The text values of every template parameter, in order."""
        return template_values(self.body.get("template") or {})


@dataclass(frozen=True, slots=True)
class Choice:
    """Something a user can tap in a message the bot sent.

    ``kind`` is ``"button"`` (a reply button), ``"row"`` (a list row) or ``"quick_reply"``
    (a template's quick-reply button, whose ``id`` is the payload the send gave it).
    """

    kind: str
    id: str
    title: str
    wamid: str
    description: str | None = None


def choices(message: SentMessage, template_buttons: list[str] | None = None) -> list[Choice]:
    """The reply buttons, list rows or template quick replies of a sent message.

    `template_buttons` are the registered template's button texts, by index.
    """
    body = message.body
    if message.type == "template":
        return _quick_replies(message, template_buttons or [])
    action = (body.get("interactive") or {}).get("action") or {}
    found = [
        Choice("button", str(b["reply"]["id"]), str(b["reply"]["title"]), message.wamid)
        for b in action.get("buttons") or []
        if isinstance(b.get("reply"), dict)
    ]
    for section in action.get("sections") or []:
        for row in section.get("rows") or []:
            description = row.get("description")
            found.append(
                Choice("row", str(row["id"]), str(row["title"]), message.wamid, description)
            )
    return found


def _quick_replies(message: SentMessage, texts: list[str]) -> list[Choice]:
    payloads: dict[int, str] = {}
    for component in (message.body.get("template") or {}).get("components") or []:
        if str(component.get("type", "")).lower() != "button":
            continue
        for parameter in component.get("parameters") or []:
            if parameter.get("type") == "payload":
                payloads[_index(component.get("index", 0))] = str(parameter.get("payload"))
    return [
        Choice("quick_reply", payloads.get(index, text), text, message.wamid)
        for index, text in enumerate(texts)
        if text
    ]


def _index(value: Any) -> int:
    """A button component's index (sent as an integer or a numeric string); -1 if neither."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def check_media_references(body: Json, media: MediaStore) -> None:
    """Raise code 100 for a media id the mock never stored or a link that is not a URL."""
    kind = str(body.get("type"))
    content = body.get(kind)
    if kind in MEDIA_TYPES and isinstance(content, dict):
        _check_media([kind], content, media)
    if kind == "interactive" and isinstance(content, dict):
        header = content.get("header") or {}
        header_type = str(header.get("type"))
        if header_type in MEDIA_TYPES and isinstance(header.get(header_type), dict):
            _check_media([kind, "header", header_type], header[header_type], media)
    if kind == "template" and isinstance(content, dict):
        for c_index, component in enumerate(content.get("components") or []):
            for p_index, parameter in enumerate(component.get("parameters") or []):
                p_type = str(parameter.get("type"))
                if p_type in MEDIA_TYPES and isinstance(parameter.get(p_type), dict):
                    path: list[str | int] = [kind, "components", c_index, "parameters", p_index]
                    _check_media([*path, p_type], parameter[p_type], media)


def _check_media(path: list[str | int], content: Json, media: MediaStore) -> None:
    media_id = content.get("id")
    if media_id is not None and media.get(str(media_id)) is None:
        param = graph_param([*path, "id"])
        raise invalid_parameter(
            param, f"Param {param} is not a valid WhatsApp Business Account media attachment ID."
        )
    link = content.get("link")
    if link is not None and not str(link).startswith(("http://", "https://")):
        param = graph_param([*path, "link"])
        raise invalid_parameter(param, f"Param {param} must be a valid http(s) URL.")


def response_contact(body: Json, wa_id: str, user_id: str) -> Json:
    """The ``contacts[]`` entry of a send's answer: the input as given, and who it reached."""
    if body.get("to") is not None:
        return {"input": str(body["to"]), "wa_id": wa_id}
    return {"input": str(body.get("recipient")), "wa_id": wa_id, "user_id": user_id}
