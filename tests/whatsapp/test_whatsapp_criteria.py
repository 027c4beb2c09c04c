"""Send criteria: what MessageExpectation and TemplateExpectation match a request on."""

from __future__ import annotations

from typing import Any

import pytest
from wa_support import text_send

from mocks.whatsapp._criteria import SendCriteria, resolve_number

BUTTONS = {
    **{k: v for k, v in text_send().items() if k != "text"},
    "type": "interactive",
    "context": {"message_id": "wamid.IN"},
    "interactive": {
        "type": "button",
        "body": {"text": "Ship it?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "y", "title": "Yes"}},
                {"type": "reply", "reply": {"id": "n", "title": "No"}},
            ]
        },
    },
}
TEMPLATE = {
    **{k: v for k, v in text_send().items() if k != "text"},
    "type": "template",
    "template": {
        "name": "order_update",
        "language": {"code": "en_US"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Alice"}, {"type": "text", "text": "42"}],
            }
        ],
    },
}


def by_bsuid(body: dict[str, Any]) -> str | None:
    return "15551234567" if body.get("recipient") == "US.1" else resolve_number(body)


@pytest.mark.parametrize(
    ("criteria", "body"),
    [
        (SendCriteria(), text_send()),
        (SendCriteria(to="15551234567"), text_send(to="+1 (555) 123-4567")),
        (SendCriteria(text_contains="hel"), text_send()),
        (SendCriteria(type="text"), text_send()),
        (SendCriteria(type="interactive", buttons=("No",)), BUTTONS),
        (SendCriteria(text_contains="[Yes] [No]"), BUTTONS),
        (SendCriteria(reply_to="wamid.IN"), BUTTONS),
        (SendCriteria(template_name="order_update", template_language="en_US"), TEMPLATE),
        (SendCriteria(template_parameters=("Alice", "42")), TEMPLATE),
        (SendCriteria(type="media"), {**text_send(), "type": "image", "image": {"id": "1"}}),
    ],
)
def test_matching_sends(criteria: SendCriteria, body: dict[str, Any]) -> None:
    assert criteria.mismatch(body, resolve_number) is None


@pytest.mark.parametrize(
    ("criteria", "body", "problem"),
    [
        (SendCriteria(to="15550000000"), text_send(), "to: '15551234567' is not '15550000000'"),
        (SendCriteria(text_contains="bye"), text_send(), "text: 'hello' does not contain 'bye'"),
        (SendCriteria(type="image"), text_send(), "type: 'text' is not 'image'"),
        (SendCriteria(buttons=("Maybe",)), BUTTONS, "buttons: ['Yes', 'No'] lack ['Maybe']"),
        (
            SendCriteria(reply_to="wamid.OTHER"),
            BUTTONS,
            "reply_to: 'wamid.IN' is not 'wamid.OTHER'",
        ),
        (SendCriteria(template_name="promo"), TEMPLATE, "template: 'order_update' is not 'promo'"),
        (SendCriteria(template_language="de"), TEMPLATE, "language: 'en_US' is not 'de'"),
        (
            SendCriteria(template_parameters=("Bob",)),
            TEMPLATE,
            "parameters: ['Alice', '42'] are not ['Bob']",
        ),
        (SendCriteria(), {"messaging_product": "whatsapp", "status": "read"}, "not a message send"),
    ],
)
def test_mismatches_say_what_differs(
    criteria: SendCriteria, body: dict[str, Any], problem: str
) -> None:
    assert criteria.mismatch(body, resolve_number) == problem


def test_a_send_by_bsuid_is_matched_on_the_phone_number() -> None:
    body = {k: v for k, v in text_send().items() if k != "to"} | {"recipient": "US.1"}
    assert SendCriteria(to="15551234567").mismatch(body, by_bsuid) is None
    assert SendCriteria(to="15551234567").mismatch(body, resolve_number) is not None


def test_extra_checks_and_describe() -> None:
    criteria = SendCriteria(to="15551234567", text_contains="hi")
    criteria.extra.append(
        lambda body: None if body.get("biz_opaque_callback_data") else "no tracker"
    )
    assert criteria.mismatch(text_send(body="hi"), resolve_number) == "no tracker"
    assert criteria.describe() == "send to='15551234567', text_contains='hi'"
    assert SendCriteria().describe() == "send (any)"
