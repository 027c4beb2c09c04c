"""Readable text for every kind of message, both directions."""

from __future__ import annotations

from typing import Any

import pytest

from mocks.whatsapp._render import (
    button_titles,
    kind_of,
    render_incoming,
    render_outgoing,
    render_status,
)


def out(kind: str, content: Any) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": "1", "type": kind, kind: content}


BUTTONS = {
    "type": "button",
    "header": {"type": "text", "text": "Order 42"},
    "body": {"text": "Ship it?"},
    "footer": {"text": "Reply below"},
    "action": {
        "buttons": [
            {"type": "reply", "reply": {"id": "y", "title": "Yes"}},
            {"type": "reply", "reply": {"id": "n", "title": "No"}},
        ]
    },
}
LIST = {
    "type": "list",
    "body": {"text": "Choose a size"},
    "action": {
        "button": "Sizes",
        "sections": [
            {"title": "All", "rows": [{"id": "s", "title": "Small"}, {"id": "l", "title": "Large"}]}
        ],
    },
}
CTA = {
    "type": "cta_url",
    "body": {"text": "See"},
    "action": {
        "name": "cta_url",
        "parameters": {"display_text": "Open", "url": "https://x.example"},
    },
}
FLOW = {
    "type": "flow",
    "body": {"text": "Sign up"},
    "action": {
        "name": "flow",
        "parameters": {"flow_cta": "Go", "flow_id": "99", "flow_message_version": "3"},
    },
}


@pytest.mark.parametrize(
    ("body", "kind", "text"),
    [
        (out("text", {"body": "hello"}), "text", "hello"),
        (
            out("image", {"link": "https://x.example/a.png", "caption": "cap"}),
            "media",
            "[image https://x.example/a.png] cap",
        ),
        (out("document", {"id": "1", "filename": "a.pdf"}), "media", "[document a.pdf]"),
        (out("sticker", {"id": "1"}), "media", "[sticker]"),
        (out("interactive", BUTTONS), "interactive", "Order 42\nShip it?\nReply below\n[Yes] [No]"),
        (out("interactive", LIST), "interactive", "Choose a size\n[Sizes: Small | Large]"),
        (out("interactive", CTA), "interactive", "See\n[Open -> https://x.example]"),
        (out("interactive", FLOW), "interactive", "Sign up\n[Go (flow 99)]"),
        (
            out("location", {"latitude": 1.5, "longitude": 2.5, "name": "N", "address": "A"}),
            "location",
            "[location] N, A (1.5, 2.5)",
        ),
        (
            out("contacts", [{"name": {"formatted_name": "Bob"}, "phones": [{"phone": "+1555"}]}]),
            "contacts",
            "[contacts] Bob +1555",
        ),
        (
            out("reaction", {"message_id": "wamid.X", "emoji": "👍"}),
            "reaction",
            "[reaction 👍 to wamid.X]",
        ),
        (
            out("reaction", {"message_id": "wamid.X", "emoji": ""}),
            "reaction",
            "[reaction removed from wamid.X]",
        ),
    ],
)
def test_outgoing(body: dict[str, Any], kind: str, text: str) -> None:
    assert render_outgoing(body) == (kind, text)


def test_template_is_its_filled_text_or_a_summary() -> None:
    template = {
        "name": "order_update",
        "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Alice"}]}],
    }
    assert render_outgoing(out("template", template), "Hi Alice") == ("template", "Hi Alice")
    assert render_outgoing(out("template", template)) == (
        "template",
        "[template order_update (en_US)] Alice",
    )


@pytest.mark.parametrize(
    ("message", "kind", "text"),
    [
        ({"type": "text", "text": {"body": "hi"}}, "text", "hi"),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "y", "title": "Yes"},
                },
            },
            "interactive",
            "[tapped Yes]",
        ),
        (
            {
                "type": "interactive",
                "interactive": {"type": "list_reply", "list_reply": {"id": "s", "title": "Small"}},
            },
            "interactive",
            "[chose Small]",
        ),
        (
            {
                "type": "interactive",
                "interactive": {
                    "type": "nfm_reply",
                    "nfm_reply": {"name": "flow", "response_json": "{}"},
                },
            },
            "interactive",
            "[flow reply] {}",
        ),
        (
            {"type": "button", "button": {"payload": "stop", "text": "Stop"}},
            "interactive",
            "[tapped Stop]",
        ),
        (
            {
                "type": "image",
                "image": {"id": "1", "mime_type": "image/png", "sha256": "x", "caption": "look"},
            },
            "media",
            "[image] look",
        ),
        ({"type": "order", "order": {}}, "order", "[order]"),
    ],
)
def test_incoming(message: dict[str, Any], kind: str, text: str) -> None:
    assert render_incoming(message) == (kind, text)


def test_status_line() -> None:
    assert render_status({"id": "wamid.X", "status": "delivered"}) == "delivered wamid.X"
    failed = {
        "id": "wamid.X",
        "status": "failed",
        "errors": [{"code": 131047, "title": "Re-engagement message"}],
    }
    assert render_status(failed) == "failed wamid.X (131047: Re-engagement message)"


def test_button_titles_of_every_interactive_kind() -> None:
    assert button_titles(out("interactive", BUTTONS)) == ["Yes", "No"]
    assert button_titles(out("interactive", LIST)) == ["Small", "Large"]
    assert button_titles(out("interactive", CTA)) == ["Open"]
    assert button_titles(out("interactive", FLOW)) == ["Go"]
    assert button_titles(out("text", {"body": "x"})) == []


def test_kinds() -> None:
    assert [kind_of(t) for t in ("image", "video", "button", "interactive", "text")] == [
        "media",
        "media",
        "interactive",
        "interactive",
        "text",
    ]
