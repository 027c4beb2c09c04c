"""Messages as a person reads them: one readable line (or a few) for each kind.

Used for conversation transcripts and for matching a bot's reply by its text: a text is
its body, buttons show as ``[Yes] [No]``, a list as its rows, media as ``[image] caption``,
a template as its filled-in text when the template is known.

>>> render_outgoing({"type": "interactive", "interactive": {"type": "button",
...     "body": {"text": "Pick one"}, "action": {"buttons": [
...         {"type": "reply", "reply": {"id": "y", "title": "Yes"}}]}}})
('interactive', 'Pick one\\n[Yes]')
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")


def kind_of(message_type: str) -> str:
    """The transcript kind of a wire message type (every media type is ``media``)."""
    if message_type in MEDIA_TYPES:
        return "media"
    if message_type in ("button", "interactive"):
        return "interactive"
    return message_type


def button_titles(body: Json) -> list[str]:
    """The titles of a sent message's reply buttons, list rows or call-to-action."""
    interactive = body.get("interactive") or {}
    action = interactive.get("action") or {}
    titles = [b.get("reply", {}).get("title", "") for b in action.get("buttons") or []]
    for section in action.get("sections") or []:
        titles += [row.get("title", "") for row in section.get("rows") or []]
    parameters = action.get("parameters") or {}
    for key in ("display_text", "flow_cta"):
        if parameters.get(key):
            titles.append(str(parameters[key]))
    return titles


def render_outgoing(body: Json, template_text: str | None = None) -> tuple[str, str]:
    """(kind, readable text) of a message a bot sent; `template_text` is a filled template."""
    kind = str(body.get("type", "text"))
    content = body.get(kind)
    if kind == "template":
        return "template", template_text or _template_summary(content or {})
    return kind_of(kind), _render_content(kind, content)


def render_incoming(message: Json) -> tuple[str, str]:
    """(kind, readable text) of a message a user sent (as a webhook carries it)."""
    kind = str(message.get("type", "text"))
    content = message.get(kind)
    if kind == "interactive" and isinstance(content, dict):
        reply = content.get(str(content.get("type"))) or {}
        if content.get("type") == "nfm_reply":
            return "interactive", f"[flow reply] {reply.get('response_json', '')}"
        verb = "chose" if content.get("type") == "list_reply" else "tapped"
        return "interactive", f"[{verb} {reply.get('title', '')}]"
    if kind == "button" and isinstance(content, dict):
        return "interactive", f"[tapped {content.get('text', '')}]"
    return kind_of(kind), _render_content(kind, content)


def render_status(status: Json) -> str:
    """A status line: ``delivered wamid.…`` (a failure adds its code and title)."""
    text = f"{status.get('status')} {status.get('id')}"
    for error in status.get("errors") or []:
        text += f" ({error.get('code')}: {error.get('title')})"
    return text


def _render_content(kind: str, content: Any) -> str:
    if not isinstance(content, dict | list):
        return f"[{kind}]"
    if kind == "text" and isinstance(content, dict):
        return str(content.get("body", ""))
    if kind in MEDIA_TYPES and isinstance(content, dict):
        return _media(kind, content)
    if kind == "interactive" and isinstance(content, dict):
        return _interactive(content)
    if kind == "location" and isinstance(content, dict):
        place = ", ".join(str(content[k]) for k in ("name", "address") if content.get(k))
        where = f"({content.get('latitude')}, {content.get('longitude')})"
        return f"[location] {place} {where}" if place else f"[location] {where}"
    if kind == "contacts" and isinstance(content, list):
        return "[contacts] " + "; ".join(_contact(card) for card in content)
    if kind == "reaction" and isinstance(content, dict):
        emoji = content.get("emoji")
        target = content.get("message_id")
        return f"[reaction {emoji} to {target}]" if emoji else f"[reaction removed from {target}]"
    return f"[{kind}]"


def _media(kind: str, content: Json) -> str:
    label = kind
    if content.get("filename"):
        label += f" {content['filename']}"
    elif content.get("link"):
        label += f" {content['link']}"
    caption = content.get("caption")
    return f"[{label}] {caption}" if caption else f"[{label}]"


def _interactive(content: Json) -> str:
    lines: list[str] = []
    header = content.get("header") or {}
    if header.get("text"):
        lines.append(str(header["text"]))
    elif header.get("type"):
        lines.append(f"[{header['type']}]")
    for part in ("body", "footer"):
        text = (content.get(part) or {}).get("text")
        if text:
            lines.append(str(text))
    action = content.get("action") or {}
    kind = content.get("type")
    if kind == "button":
        titles = [b.get("reply", {}).get("title", "") for b in action.get("buttons") or []]
        lines.append(" ".join(f"[{title}]" for title in titles))
    elif kind == "list":
        rows = [
            r.get("title", "") for s in action.get("sections") or [] for r in s.get("rows") or []
        ]
        lines.append(f"[{action.get('button', 'Menu')}: {' | '.join(rows)}]")
    elif kind == "cta_url":
        parameters = action.get("parameters") or {}
        lines.append(f"[{parameters.get('display_text')} -> {parameters.get('url')}]")
    elif kind == "flow":
        parameters = action.get("parameters") or {}
        flow = parameters.get("flow_id") or parameters.get("flow_name")
        lines.append(f"[{parameters.get('flow_cta')} (flow {flow})]")
    else:
        lines.append(f"[{kind}]")
    return "\n".join(lines)


def _contact(card: Any) -> str:
    if not isinstance(card, dict):
        return "?"
    name = (card.get("name") or {}).get("formatted_name", "?")
    phones = [p.get("phone") for p in card.get("phones") or [] if isinstance(p, dict)]
    return " ".join([str(name), *[str(p) for p in phones if p]])


def parameter_text(parameter: Json) -> str:
    """A template parameter as read: its text (or payload, code...), or ``[image …]``."""
    kind = str(parameter.get("type", "text"))
    value = parameter.get(kind)
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        shown = value.get("fallback_value") or value.get("link") or value.get("id")
        return f"[{kind} {shown}]" if shown else f"[{kind}]"
    return f"[{kind}]"


def template_values(template: Json) -> list[str]:
    """Every parameter of a template send, in order, as read."""
    return [
        parameter_text(parameter)
        for component in template.get("components") or []
        for parameter in component.get("parameters") or []
    ]


def _template_summary(template: Json) -> str:
    values = template_values(template)
    language = (template.get("language") or {}).get("code", "")
    head = f"[template {template.get('name')} ({language})]"
    return f"{head} {', '.join(values)}" if values else head
