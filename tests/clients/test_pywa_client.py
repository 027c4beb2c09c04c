"""pywa 4.5's client against MockWhatsApp: every send, media, reads, and each error as pywa
raises it.

pywa has no base-URL option: it is pointed at the mock with
``WhatsApp(..., session=httpx.Client(transport=mock.httpx_transport()))``, which sends
graph.facebook.com and lookaside.fbsbx.com to the mock over a real socket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest
from pywa import WhatsApp, errors, types
from pywa.types import templates as t

from mocks.whatsapp import MockWhatsApp

USER = "15551234567"


@pytest.fixture
def wa(mock_whatsapp: MockWhatsApp) -> Iterator[WhatsApp]:
    """A pywa client for the mock's business number, talking to the mock."""
    session = httpx.Client(transport=mock_whatsapp.httpx_transport(), timeout=10)
    client = WhatsApp(
        phone_id=mock_whatsapp.phone_number_id,
        token=mock_whatsapp.access_token,
        waba_id=mock_whatsapp.waba_id,
        session=session,
    )
    mock_whatsapp.allow_recipient(USER)
    mock_whatsapp.with_status_webhooks(enabled=False)
    yield client
    session.close()


def test_text_with_preview_url(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.expect_send_message(USER).with_text("see https://example.com").once()
    sent = wa.send_message(to=USER, text="see https://example.com", preview_url=True)
    assert sent.id.startswith("wamid.HBgL")
    [message] = mock_whatsapp.sent_messages
    assert message.wamid == sent.id
    assert message.body["text"] == {"body": "see https://example.com", "preview_url": True}
    assert mock_whatsapp.requests.last.path == f"/v26.0/{mock_whatsapp.phone_number_id}/messages"


def test_template_with_parameters(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.register_template(
        "order_update",
        components=[{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped"}],
    )
    expectation = mock_whatsapp.expect_send_template("order_update").with_parameters("Alice", "42")
    sent = wa.send_template(
        to=USER,
        name="order_update",
        language=t.TemplateLanguage.ENGLISH_US,
        params=[t.BodyText.params("Alice", "42")],
    )
    assert expectation.call_count == 1
    assert mock_whatsapp.sent_messages[-1].wamid == sent.id
    assert mock_whatsapp.sent_messages[-1].text == "Hi Alice, order 42 shipped"


def test_media_upload_then_send_by_id_downloads_byte_for_byte(
    wa: WhatsApp, mock_whatsapp: MockWhatsApp
) -> None:
    data = bytes(range(256)) * 64  # every byte value, CR and LF included
    media = wa.upload_media(data, mime_type="application/pdf", filename="report.pdf")
    mock_whatsapp.expect_send_message(USER).of_type("document").once()
    wa.send_document(to=USER, document=media, filename="report.pdf", caption="Your report")
    assert mock_whatsapp.sent_messages[-1].body["document"]["id"] == media.id
    url = wa.get_media_url(media.id)
    assert url.sha256 == hashlib.sha256(data).hexdigest()
    assert url.file_size == len(data)
    assert url.url.startswith(mock_whatsapp.url + "/whatsapp_business/attachments/")
    assert wa.get_media_bytes(url.url) == data
    assert wa.delete_media(media.id).success is True
    with pytest.raises(errors.WhatsAppError) as caught:
        wa.get_media_url(media.id)
    assert caught.value.code == 100


def test_send_image_bytes_uploads_first(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    wa.send_image(to=USER, image=b"\x89PNG\r\n\x1a\n" * 8, mime_type="image/png", caption="png")
    upload, send = mock_whatsapp.requests.snapshot()[-2:]
    assert upload.path.endswith("/media") and upload.files[0].data == b"\x89PNG\r\n\x1a\n" * 8
    assert mock_whatsapp.sent_messages[-1].kind == "media"
    assert mock_whatsapp.cloud.media.get(send.json["image"]["id"]) is not None


def test_media_by_link(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.expect_send_message(USER).with_text("[image https://example.com/cat.png] a cat")
    wa.send_image(to=USER, image="https://example.com/cat.png", caption="a cat")


def test_interactive_buttons_list_cta_and_flow(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.expect_send_message(USER).with_buttons("Yes", "No").once()
    mock_whatsapp.expect_send_message(USER).with_buttons("Small", "Large").once()
    mock_whatsapp.expect_send_message(USER).with_text("[Open -> https://example.com]").once()
    mock_whatsapp.expect_send_message(USER).with_buttons("Sign up").once()
    wa.send_message(
        to=USER, text="Ship?", buttons=[types.Button("Yes", "y"), types.Button("No", "n")]
    )
    rows = [types.SectionRow("Small", "s"), types.SectionRow("Large", "l")]
    wa.send_message(
        to=USER, text="Size?", buttons=types.SectionList("Sizes", [types.Section("All", rows)])
    )
    wa.send_message(
        to=USER, text="Site", buttons=types.URLButton(title="Open", url="https://example.com")
    )
    wa.send_message(
        to=USER,
        text="Join",
        buttons=types.FlowButton(title="Sign up", flow_id="99", flow_action_screen="S"),
    )
    assert [m.kind for m in mock_whatsapp.sent_messages] == ["interactive"] * 4


def test_mark_as_read_with_typing_reaction_location_contact_and_reply(
    wa: WhatsApp, mock_whatsapp: MockWhatsApp
) -> None:
    incoming = mock_whatsapp.cloud.incoming(USER, "text", {"body": "hi"})[0]
    assert wa.mark_message_as_read(incoming).success is True
    assert wa.indicate_typing(incoming).success is True
    mock_whatsapp.expect_send_message(USER).of_type("reaction").once()
    mock_whatsapp.expect_send_message(USER).replying_to(incoming).with_text("thanks").once()
    wa.send_reaction(to=USER, emoji="👍", message_id=incoming)
    wa.send_location(to=USER, latitude=52.52, longitude=13.405, name="Office", address="Main St 1")
    contact = types.Contact(
        name=types.Contact.Name(formatted_name="Bob Smith", first_name="Bob"),
        phones=[types.Contact.Phone(phone="+15550001111")],
    )
    wa.send_contact(to=USER, contact=contact)
    wa.send_message(to=USER, text="thanks", reply_to_message_id=incoming)
    kinds = [(e.direction, e.kind) for e in mock_whatsapp.conversation(USER).transcript]
    assert kinds == [
        ("in", "text"),
        ("out", "read"),
        ("out", "read"),
        ("out", "reaction"),
        ("out", "location"),
        ("out", "contacts"),
        ("out", "text"),
    ]


def test_startup_reads_profile_phone_number_and_templates(
    wa: WhatsApp, mock_whatsapp: MockWhatsApp
) -> None:
    profile = wa.get_business_profile()
    assert profile.about and profile.websites == ("https://example.com",)
    number = wa.get_business_phone_number()
    assert number.id == mock_whatsapp.phone_number_id
    assert number.display_phone_number == mock_whatsapp.display_phone_number
    created = wa.create_template(
        t.Template(
            name="shipping",
            category=t.TemplateCategory.UTILITY,
            language=t.TemplateLanguage.ENGLISH_US,
            parameter_format=t.ParamFormat.POSITIONAL,
            components=[t.BodyText("Your parcel {{1}} is on its way", "A1")],
        )
    )
    assert created.status == t.TemplateStatus.APPROVED
    names = [template.name for template in wa.get_templates()]
    assert names == ["hello_world", "shipping"]
    wa.send_template(
        to=USER,
        name="shipping",
        language=t.TemplateLanguage.ENGLISH_US,
        params=[t.BodyText.params("A1")],
    )
    assert mock_whatsapp.sent_messages[-1].text == "Your parcel A1 is on its way"


# ---- errors as pywa raises them -------------------------------------------------------


def test_wrong_token_is_expired_access_token(mock_whatsapp: MockWhatsApp) -> None:
    session = httpx.Client(transport=mock_whatsapp.httpx_transport())
    client = WhatsApp(
        phone_id=mock_whatsapp.phone_number_id, token="not-the-token", session=session
    )
    with pytest.raises(errors.ExpiredAccessToken) as caught:
        client.send_message(to=USER, text="hi")
    assert (caught.value.code, caught.value.status_code) == (190, 401)
    assert mock_whatsapp.sent_messages == []


def test_recipient_off_the_allow_list_is_131030(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    with pytest.raises(errors.RecipientNotInAllowedList) as caught:
        wa.send_message(to="15557654321", text="hi")
    assert caught.value.code == 131030 and caught.value.details
    mock_whatsapp.with_rules(allow_list=False)
    assert wa.send_message(to="15557654321", text="hi").id.startswith("wamid.")


def test_unknown_template_and_wrong_parameter_count(
    wa: WhatsApp, mock_whatsapp: MockWhatsApp
) -> None:
    with pytest.raises(errors.TemplateNotExists) as missing:
        wa.send_template(to=USER, name="nope", language=t.TemplateLanguage.ENGLISH_US)
    assert missing.value.status_code == 404
    mock_whatsapp.register_template(
        "greet", components=[{"type": "BODY", "text": "Hi {{1}} {{2}}"}]
    )
    with pytest.raises(errors.TemplateParamCountMismatch) as mismatch:
        wa.send_template(
            to=USER,
            name="greet",
            language=t.TemplateLanguage.ENGLISH_US,
            params=[t.BodyText.params("Alice")],
        )
    assert "(1)" in (mismatch.value.details or "") and "(2)" in (mismatch.value.details or "")


def test_throughput_and_pair_rate_limits(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.clock.freeze()
    for _ in range(45):
        wa.send_message(to=USER, text="burst")
    with pytest.raises(errors.TooManyMessages) as pair:
        wa.send_message(to=USER, text="one too many")
    assert pair.value.code == 131056
    mock_whatsapp.with_rules(pair_rate_limit=False)
    for number in range(34):
        mock_whatsapp.allow_recipient(f"1555000{number:04d}")
        wa.send_message(to=f"1555000{number:04d}", text="fan out")
    with pytest.raises(errors.RateLimitHit) as throughput:
        wa.send_message(to=USER, text="81st this second")
    assert throughput.value.code == 130429
    mock_whatsapp.clock.advance(1)
    assert wa.send_message(to=USER, text="next second").id


def test_bad_input_is_code_100_naming_the_parameter(
    wa: WhatsApp, mock_whatsapp: MockWhatsApp
) -> None:
    with pytest.raises(errors.WhatsAppError) as too_long:
        wa.send_message(to=USER, text="x" * 4097)
    assert (too_long.value.code, too_long.value.status_code) == (100, 400)
    assert "text['body']" in too_long.value.message
    with pytest.raises(errors.WhatsAppError) as bad_number:
        wa.send_message(to="12", text="hi")
    assert bad_number.value.code == 100 and "to" in (bad_number.value.details or "")
    endpoint = f"/{mock_whatsapp.phone_number_id}/messages"
    with pytest.raises(errors.WhatsAppError) as unknown_type:
        wa.api.send_raw_request(
            "POST", endpoint, json={"messaging_product": "whatsapp", "to": USER, "type": "hologram"}
        )
    assert unknown_type.value.code == 100 and 'got "hologram"' in unknown_type.value.message
    assert wa.send_message(to=USER, text="still serving").id  # the mock keeps serving
    with pytest.raises(AssertionError, match=r"text\.body"):
        mock_whatsapp.verify()  # the contract violations are reported
    mock_whatsapp.reset()


def test_programmed_error_code(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    mock_whatsapp.expect_send_message(USER).respond_with_error(131026).once()
    with pytest.raises(errors.MessageUndeliverable):
        wa.send_message(to=USER, text="into the void")
    assert wa.send_message(to=USER, text="second try works").id


def test_expecting_a_template_makes_it_sendable(wa: WhatsApp, mock_whatsapp: MockWhatsApp) -> None:
    expectation = mock_whatsapp.expect_send_template("spring_sale").in_language("en_US").to(USER)
    sent = wa.send_template(
        to=USER,
        name="spring_sale",
        language=t.TemplateLanguage.ENGLISH_US,
        params=[t.BodyText.params("20%")],
    )
    assert expectation.call_count == 1
    assert mock_whatsapp.sent_messages[-1].wamid == sent.id
    assert mock_whatsapp.sent_messages[-1].template_parameters == ["20%"]
