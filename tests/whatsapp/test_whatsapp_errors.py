"""Graph error envelopes: the shape clients parse, the codes they map, the webhook form."""

from __future__ import annotations

import pytest
from wa_support import Check

from mocks.whatsapp._errors import (
    KNOWN_ERRORS,
    graph_error,
    invalid_parameter,
    invalid_token,
    missing_token,
    pair_rate_limited,
    recipient_not_allowed,
    reengagement_required,
    template_not_found,
    template_parameter_mismatch,
    throughput_exceeded,
    unknown_object,
)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (missing_token(), 401, 190),
        (invalid_token(), 401, 190),
        (invalid_parameter("to", "Param to is bad."), 400, 100),
        (recipient_not_allowed(), 400, 131030),
        (reengagement_required(), 400, 131047),
        (throughput_exceeded(), 400, 130429),
        (pair_rate_limited(), 400, 131056),
        (template_not_found("promo", "en_US"), 404, 132001),
        (template_parameter_mismatch("body", 2, 1), 400, 132000),
        (unknown_object("123"), 400, 100),
    ],
)
def test_each_error_has_its_code_status_and_a_valid_envelope(
    error: object, status: int, code: int, conforms: Check
) -> None:
    from mocks.whatsapp._errors import GraphError

    assert isinstance(error, GraphError)
    body = error.body("AbCdEfGhIjKlMnOpQrStUvW")
    assert (error.status, body["error"]["code"]) == (status, code)
    assert body["error"]["error_data"]["messaging_product"] == "whatsapp"
    assert body["error"]["fbtrace_id"] == "AbCdEfGhIjKlMnOpQrStUvW"
    conforms("error", body)


def test_the_message_carries_the_code_as_the_graph_api_writes_it() -> None:
    assert recipient_not_allowed().message.startswith("(#131030) ")
    assert template_not_found("promo", "de").details == "template name (promo) does not exist in de"


def test_unknown_object_has_subcode_33() -> None:
    body = unknown_object("999").body("Ax")
    assert body["error"]["error_subcode"] == 33
    assert "'999'" in body["error"]["message"]


def test_invalid_parameter_names_the_parameter() -> None:
    error = invalid_parameter("text['body']", "The parameter text['body'] is required.")
    assert error.param == "text['body']"
    assert error.body("A")["error"]["error_data"]["details"] == (
        "The parameter text['body'] is required."
    )


def test_webhook_form_of_an_error_has_title_message_and_details() -> None:
    error = reengagement_required().webhook_error()
    assert error["code"] == 131047
    assert error["title"] == error["message"] == "Re-engagement message"
    assert "24 hours" in error["error_data"]["details"]
    assert error["href"].startswith("https://")


def test_graph_error_of_an_unknown_code_still_has_a_readable_message() -> None:
    error = graph_error(999999)
    assert error.code == 999999
    assert error.status == 400
    assert "999999" in error.message


def test_graph_error_takes_custom_details_and_status() -> None:
    error = graph_error(131026, "the phone is off", status=400)
    assert error.details == "the phone is off"
    assert error.title == KNOWN_ERRORS[131026].title
