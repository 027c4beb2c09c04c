"""Contract violations come back as code 100 naming the parameter, in Graph notation."""

from __future__ import annotations

from typing import Any

import pytest
from wa_support import text_send

from mocks.core import Contracts
from mocks.whatsapp._validation import first_violation, graph_param


def error_for(contracts: Contracts, body: Any) -> tuple[int, str | None, str]:
    error = first_violation(contracts.validator("messages.request"), body)
    assert error is not None, "expected a violation"
    return error.code, error.param, error.message


def test_graph_param_notation() -> None:
    assert graph_param(["to"]) == "to"
    assert graph_param(["text", "body"]) == "text['body']"
    assert graph_param(["contacts", 0, "name"]) == "contacts[0]['name']"
    assert graph_param([]) == "body"


@pytest.mark.parametrize(
    ("body", "param", "fragment"),
    [
        ({**text_send(), "text": {}}, "text['body']", "is required"),
        ({**text_send(), "text": {"body": "x" * 4097}}, "text['body']", "at most 4096"),
        ({**text_send(), "type": "hologram"}, "type", 'got "hologram"'),
        ({**text_send(), "text": {"body": 5}}, "text['body']", "must be a string"),
        ({k: v for k, v in text_send().items() if k != "to"}, "to", "to or recipient"),
        ({k: v for k, v in text_send().items() if k != "text"}, "text", "is required"),
        ({**text_send(), "messaging_product": "sms"}, "messaging_product", "whatsapp"),
        (
            {**text_send(), "type": "image", "image": {"id": "1", "link": "https://x/y.png"}},
            "image",
            "only one of",
        ),
        ({**text_send(), "type": "image", "image": {"caption": "c"}}, "image['id']", "link"),
        (
            {
                **text_send(),
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": "Pick"},
                    "action": {
                        "buttons": [{"type": "reply", "reply": {"id": "a", "title": "T" * 21}}]
                    },
                },
            },
            "interactive['action']['buttons'][0]['reply']['title']",
            "at most 20",
        ),
        (
            {
                **text_send(),
                "type": "interactive",
                "interactive": {"type": "list", "body": {"text": "x"}, "action": {"button": "B"}},
            },
            "interactive['action']['sections']",
            "is required",
        ),
        ({"messaging_product": "whatsapp", "status": "read"}, "message_id", "is required"),
    ],
)
def test_violations_name_the_parameter(
    contracts: Contracts, body: dict[str, Any], param: str, fragment: str
) -> None:
    code, named, message = error_for(contracts, body)
    assert code == 100
    assert named == param
    assert message.startswith("(#100) ")
    assert fragment in message


def test_a_body_that_is_not_an_object(contracts: Contracts) -> None:
    code, param, message = error_for(contracts, ["not", "an", "object"])
    assert (code, param) == (100, "body")
    assert "JSON object" in message


def test_a_valid_body_has_no_violation(contracts: Contracts) -> None:
    assert first_violation(contracts.validator("messages.request"), text_send()) is None
