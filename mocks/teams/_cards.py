"""Cards and message text as a person reads them, for the transcript.

An Adaptive Card becomes its text blocks, facts (``Title: value``), inputs and actions
(``[Approve]``), in reading order; a hero or thumbnail card its title, subtitle, text and
buttons; other attachments a bracketed name. Teams' ``<at>Name</at>`` mention markup reads
as ``@Name`` and other HTML tags are dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
#: Card content types whose ``content`` is a hero-card-like object.
BASIC_CARDS = {
    "application/vnd.microsoft.card.hero",
    "application/vnd.microsoft.card.thumbnail",
    "application/vnd.microsoft.card.signin",
    "application/vnd.microsoft.card.oauth",
    "application/vnd.microsoft.card.receipt",
    "application/vnd.microsoft.teams.card.o365connector",
}
_MENTION = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
#: An HTML tag (``<b>``, ``</p>``, ``<img src=...>``), not ``<alice@contoso.com>``.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)


def readable_text(text: str) -> str:
    """Message text without markup: mentions as ``@Name``, line breaks kept, tags dropped."""
    text = _MENTION.sub(lambda m: "@" + m.group(1), text)
    text = _BREAK.sub("\n", text)
    return html.unescape(_TAG.sub("", text)).strip()


def is_card(attachment: Any) -> bool:
    """Whether an attachment is a card (not a file or an image)."""
    if not isinstance(attachment, dict):
        return False
    kind = attachment.get("contentType")
    return kind == ADAPTIVE_CARD or kind in BASIC_CARDS


def render_attachment(attachment: Any) -> str:
    """One attachment as readable lines (empty for the HTML copy of a message's text)."""
    if not isinstance(attachment, dict):
        return "[attachment]"
    kind = attachment.get("contentType")
    content = attachment.get("content")
    if kind == ADAPTIVE_CARD and isinstance(content, dict):
        return "\n".join(_adaptive_lines(content))
    if kind in BASIC_CARDS and isinstance(content, dict):
        return "\n".join(_basic_card_lines(content))
    if kind == "text/html":
        return ""  # Teams' HTML copy of the message text
    label = attachment.get("name") or kind or "file"
    return f"[attachment: {label}]"


def render_activity(activity: dict[str, Any]) -> str:
    """An activity's text and attachments, as a person reads them."""
    parts: list[str] = []
    text = activity.get("text")
    if isinstance(text, str) and text.strip():
        parts.append(readable_text(text))
    attachments = activity.get("attachments")
    if isinstance(attachments, list):
        parts.extend(render_attachment(item) for item in attachments)
    return "\n".join(part for part in parts if part)


def render_card(card: dict[str, Any]) -> str:
    """A bare Adaptive Card (the ``value`` of an invoke response), readable."""
    return "\n".join(_adaptive_lines(card))


def _basic_card_lines(content: dict[str, Any]) -> Iterator[str]:
    for key in ("title", "subtitle", "text"):
        value = content.get(key)
        if isinstance(value, str) and value.strip():
            yield readable_text(value)
    for fact in content.get("facts") or ():
        if isinstance(fact, dict):
            yield f"{fact.get('key', '')}: {fact.get('value', '')}"
    buttons = [b.get("title") for b in content.get("buttons") or () if isinstance(b, dict)]
    if buttons:
        yield " ".join(f"[{title}]" for title in buttons if title)


def _adaptive_lines(element: Any) -> Iterator[str]:
    """Walk an Adaptive Card element tree in reading order."""
    if isinstance(element, list):
        for item in element:
            yield from _adaptive_lines(item)
        return
    if not isinstance(element, dict):
        return
    kind = element.get("type")
    if kind in ("TextBlock", "TextRun") and isinstance(element.get("text"), str):
        yield readable_text(element["text"])
    elif kind == "RichTextBlock":
        inlines = element.get("inlines") or ()
        yield "".join(run.get("text", "") if isinstance(run, dict) else str(run) for run in inlines)
    elif kind == "FactSet":
        for fact in element.get("facts") or ():
            if isinstance(fact, dict):
                yield f"{fact.get('title', '')}: {fact.get('value', '')}"
    elif kind == "Image":
        label = element.get("altText") or element.get("url")
        yield f"[image: {label}]" if label else "[image]"
    elif isinstance(kind, str) and kind.startswith("Input."):
        label = element.get("label") or element.get("placeholder") or element.get("id") or ""
        yield f"[input: {label}]"
    for key in ("body", "items", "columns"):
        yield from _adaptive_lines(element.get(key))
    actions = element.get("actions")
    if isinstance(actions, list):
        titles = [a.get("title") for a in actions if isinstance(a, dict) and a.get("title")]
        if titles:
            yield " ".join(f"[{title}]" for title in titles)
