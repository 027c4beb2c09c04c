"""Webhook bodies (validated against the contracts) and their signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from typing import Any

import pytest
from wa_support import ACCOUNT, Check

from mocks.whatsapp._errors import reengagement_required
from mocks.whatsapp._ids import IdGenerator
from mocks.whatsapp._media import MediaStore
from mocks.whatsapp._signature import SIGNATURE_HEADER, is_valid_signature, signature_header
from mocks.whatsapp._users import WhatsAppUser
from mocks.whatsapp._webhooks import (
    button_reply_content,
    check_envelope,
    contact_card,
    flow_reply_content,
    incoming_envelope,
    incoming_message,
    list_reply_content,
    location_content,
    media_content,
    pricing,
    reaction_content,
    reply_context,
    status_envelope,
    status_object,
    template_button_content,
    text_content,
)

USER = WhatsAppUser("15551234567", "US.12345678901234567890", "Alice")


def _media() -> Any:
    store = MediaStore(IdGenerator(random.Random(0)))
    return media_content(store.put(b"\x89PNG", "image/png", owner="1"), caption="look")


CONTENTS: list[tuple[str, Any, bool]] = [
    ("text", text_content("hi"), False),
    ("interactive", button_reply_content("yes", "Yes"), True),
    ("interactive", list_reply_content("r1", "Row 1", "first"), True),
    ("button", template_button_content("stop", "Stop"), True),
    ("image", _media(), False),
    ("location", location_content(52.5, 13.4, "Office", "Main St 1"), False),
    ("contacts", [contact_card("Bob Smith", "+15550001111")], False),
    ("reaction", reaction_content("wamid.HBgX", "👍"), False),
]


@pytest.mark.parametrize(("kind", "content", "needs_context"), CONTENTS)
def test_every_incoming_kind_is_a_valid_webhook(
    kind: str, content: Any, needs_context: bool, conforms: Check
) -> None:
    context = reply_context("15550100001", "wamid.HBgPrevious") if needs_context else None
    message = incoming_message("wamid.HBgNew", USER, 1735689600, kind, content, context=context)
    body = incoming_envelope(ACCOUNT, USER, message)
    conforms("webhook", body)
    conforms("webhook.message", message)
    value = body["entry"][0]["changes"][0]["value"]
    assert body["object"] == "whatsapp_business_account"
    assert body["entry"][0]["id"] == ACCOUNT.waba_id
    assert value["metadata"] == {
        "display_phone_number": "15550100001",
        "phone_number_id": ACCOUNT.phone_number_id,
    }
    assert value["contacts"] == [
        {"profile": {"name": "Alice"}, "wa_id": USER.wa_id, "user_id": USER.user_id}
    ]
    assert value["messages"][0]["type"] == kind and value["messages"][0][kind] == content


def test_an_interactive_reply_without_context_breaks_the_contract(contracts: Any) -> None:
    message = incoming_message(
        "wamid.HBgNew", USER, 1, "interactive", button_reply_content("a", "A")
    )
    assert contracts.check("webhook.message", message) is not None


@pytest.mark.parametrize("step", ["sent", "delivered", "read"])
def test_statuses_carry_contacts_and_pricing(step: str, conforms: Check) -> None:
    status = status_object("wamid.HBgX", USER, step, 1735689600, callback_data="order-7")
    body = status_envelope(ACCOUNT, USER, status)
    conforms("webhook", body)
    value = body["entry"][0]["changes"][0]["value"]
    assert value["contacts"][0]["user_id"] == USER.user_id
    assert value["statuses"][0]["recipient_id"] == USER.wa_id
    assert value["statuses"][0]["biz_opaque_callback_data"] == "order-7"
    assert ("pricing" in status) is (step != "read")


def test_failed_status_carries_the_error(conforms: Check) -> None:
    status = status_object("wamid.HBgX", USER, "failed", 1, error=reengagement_required())
    conforms("webhook.status", status)
    assert status["errors"][0]["code"] == 131047
    assert "pricing" not in status


def test_failed_status_without_errors_breaks_the_contract(contracts: Any) -> None:
    status = status_object("wamid.HBgX", USER, "failed", 1)
    assert contracts.check("webhook.status", status) is not None


def test_pricing_is_free_in_the_window_and_billed_for_templates() -> None:
    assert pricing(None) == {
        "billable": False,
        "pricing_model": "PMP",
        "category": "service",
        "type": "free_customer_service",
    }
    assert pricing("MARKETING")["category"] == "marketing"
    assert pricing("MARKETING")["billable"] is True


def test_signature_is_hmac_sha256_of_the_exact_bytes() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    header = signature_header("app-secret", body)
    expected = hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert header == f"sha256={expected}"
    assert SIGNATURE_HEADER == "X-Hub-Signature-256"
    assert is_valid_signature("app-secret", body, header)
    assert not is_valid_signature("other-secret", body, header)
    assert not is_valid_signature("app-secret", body + b" ", header)
    assert not is_valid_signature("app-secret", body, None)
    assert not is_valid_signature("app-secret", body, expected)


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        ([], "JSON object"),
        ({"entry": [{"id": "1", "changes": []}]}, '"object"'),
        ({"object": "whatsapp_business_account"}, '"entry"'),
        ({"object": "whatsapp_business_account", "entry": []}, '"entry"'),
        ({"object": "whatsapp_business_account", "entry": [{"changes": []}]}, "entry[0]"),
    ],
)
def test_check_envelope_says_what_is_missing(event: Any, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_envelope(event)
    assert fragment in str(caught.value)


def test_check_envelope_accepts_a_full_envelope() -> None:
    message = incoming_message("wamid.HBgNew", USER, 1, "text", text_content("hi"))
    check_envelope(incoming_envelope(ACCOUNT, USER, message))


def test_flow_reply_carries_the_answers_and_token(conforms: Check) -> None:
    content = flow_reply_content({"size": "L"}, flow_token="tok-1")
    message = incoming_message(
        "wamid.HBgF", USER, 1, "interactive", content, context=reply_context("1", "wamid.HBgP")
    )
    conforms("webhook.message", message)
    assert json.loads(content["nfm_reply"]["response_json"]) == {"size": "L", "flow_token": "tok-1"}
