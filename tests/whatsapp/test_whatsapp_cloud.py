"""The simulated platform without HTTP: sends, rules, statuses, media, templates, users."""

from __future__ import annotations

import random
from typing import Any

import pytest
from wa_support import ACCOUNT, T0, Check, text_send

from mocks.jose import Clock
from mocks.whatsapp._cloud import StatusPlan, WhatsAppCloud
from mocks.whatsapp._errors import GraphError
from mocks.whatsapp._rules import RuleSwitches
from mocks.whatsapp._webhooks import text_content

USER = "15551234567"


def user_writes(cloud: WhatsAppCloud, text: str = "hi", number: str = USER) -> str:
    wamid, _ = cloud.incoming(number, "text", text_content(text), name="Alice")
    return wamid


def statuses_of(outcome: Any) -> list[str]:
    return [webhook.item["status"] for webhook in outcome.webhooks]


def test_incoming_message_is_a_full_signed_ready_envelope(
    cloud: WhatsAppCloud, conforms: Check
) -> None:
    wamid, body = cloud.incoming(USER, "text", text_content("hi"), name="Alice")
    conforms("webhook", body)
    value = body["entry"][0]["changes"][0]["value"]
    assert value["messages"][0]["id"] == wamid
    assert value["messages"][0]["timestamp"] == str(T0)
    assert value["contacts"][0]["profile"]["name"] == "Alice"
    assert cloud.rules.window.is_open(USER)
    assert USER in cloud.rules.allowed
    assert [(e.direction, e.kind, e.text) for e in cloud.transcript.entries(USER)] == [
        ("in", "text", "hi")
    ]


def test_a_reply_in_the_window_is_accepted_with_sent_delivered_read(
    cloud: WhatsAppCloud, conforms: Check
) -> None:
    incoming = user_writes(cloud)
    outcome = cloud.send(text_send(body="hello", context={"message_id": incoming}))
    conforms("message.response", outcome.response)
    wamid = outcome.response["messages"][0]["id"]
    assert outcome.response["contacts"] == [{"input": USER, "wa_id": USER}]
    assert statuses_of(outcome) == ["sent", "delivered", "read"]
    assert [w.delay_ms for w in outcome.webhooks] == [20, 40, 60]
    for webhook in outcome.webhooks:
        conforms("webhook", webhook.body)
        assert webhook.item["id"] == wamid
    message = cloud.sent[-1]
    assert (message.wamid, message.to, message.kind, message.text, message.reply_to) == (
        wamid,
        USER,
        "text",
        "hello",
        incoming,
    )
    assert message.failure is None


def test_free_form_outside_the_window_is_accepted_then_fails_131047(
    cloud: WhatsAppCloud, clock: Clock
) -> None:
    user_writes(cloud)
    clock.advance(24 * 3600 + 1)
    outcome = cloud.send(text_send())
    assert outcome.response["messages"][0]["id"].startswith("wamid.")
    assert statuses_of(outcome) == ["failed"]
    assert outcome.webhooks[0].item["errors"][0]["code"] == 131047
    assert cloud.sent[-1].failure is not None


def test_templates_are_allowed_outside_the_window(cloud: WhatsAppCloud) -> None:
    cloud.rules.allowed.allow(USER)
    body = {
        **text_send(),
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }
    del body["text"]
    outcome = cloud.send(body)
    assert statuses_of(outcome) == ["sent", "delivered", "read"]
    assert outcome.response["messages"][0]["message_status"] == "accepted"
    assert outcome.webhooks[0].item["pricing"]["billable"] is True
    assert cloud.sent[-1].text.startswith("Hello World\n")


def test_a_number_off_the_allow_list_is_131030_and_nothing_is_recorded(
    cloud: WhatsAppCloud,
) -> None:
    with pytest.raises(GraphError) as caught:
        cloud.send(text_send(to="15557654321"))
    assert caught.value.code == 131030
    assert cloud.sent == []
    assert cloud.transcript.entries() == []


def test_a_send_by_bsuid_reaches_the_users_phone_number(cloud: WhatsAppCloud) -> None:
    user_writes(cloud)
    bsuid = cloud.users.by_phone(USER).user_id
    body = {k: v for k, v in text_send().items() if k != "to"} | {"recipient": bsuid}
    outcome = cloud.send(body)
    assert outcome.response["contacts"] == [{"input": bsuid, "wa_id": USER, "user_id": bsuid}]
    assert cloud.sent[-1].to == USER
    assert cloud.transcript.entries(USER)[-1].direction == "out"


def test_sending_media_by_unknown_id_is_code_100(cloud: WhatsAppCloud) -> None:
    user_writes(cloud)
    body = {**text_send(), "type": "image", "image": {"id": "424242"}}
    with pytest.raises(GraphError) as caught:
        cloud.send(body)
    assert (caught.value.code, caught.value.param) == (100, "image['id']")
    item = cloud.upload(b"\x89PNG", "image/png", "a.png")
    body["image"] = {"id": item.id, "caption": "look"}
    sent = cloud.send(body).message
    assert (sent.kind, sent.text) == ("media", "[image] look")


def test_media_link_must_be_http(cloud: WhatsAppCloud) -> None:
    user_writes(cloud)
    with pytest.raises(GraphError) as caught:
        cloud.send({**text_send(), "type": "document", "document": {"link": "ftp://x/a.pdf"}})
    assert caught.value.param == "document['link']"


def test_unknown_template_is_132001_unless_the_rule_is_off(cloud: WhatsAppCloud) -> None:
    cloud.rules.allowed.allow(USER)
    body = {
        **text_send(),
        "type": "template",
        "template": {"name": "promo", "language": {"code": "en_US"}},
    }
    with pytest.raises(GraphError) as caught:
        cloud.send(body)
    assert caught.value.code == 132001
    cloud.rules.switches.templates = False
    assert cloud.send(body).message.text == "[template promo (en_US)]"


def test_statuses_can_be_switched_off_but_failures_still_report(clock: Clock) -> None:
    quiet = WhatsAppCloud(
        ACCOUNT, rng=random.Random(0), seed=0, clock=clock, statuses=StatusPlan(enabled=False)
    )
    user_writes(quiet)
    assert quiet.send(text_send()).webhooks == []
    clock.advance(25 * 3600)
    assert statuses_of(quiet.send(text_send())) == ["failed"]


def test_status_plan_steps_and_timing(clock: Clock) -> None:
    plan = StatusPlan(steps=("sent", "delivered"), delay_ms=100, interval_ms=1500)
    cloud = WhatsAppCloud(ACCOUNT, rng=random.Random(0), seed=0, clock=clock, statuses=plan)
    user_writes(cloud)
    outcome = cloud.send(text_send(biz_opaque_callback_data="tracker"))
    assert statuses_of(outcome) == ["sent", "delivered"]
    assert [w.delay_ms for w in outcome.webhooks] == [100, 1600]
    assert [w.item["timestamp"] for w in outcome.webhooks] == [str(T0), str(T0 + 1)]
    assert outcome.webhooks[0].item["biz_opaque_callback_data"] == "tracker"


def test_mark_read_is_success_and_joins_the_senders_transcript(cloud: WhatsAppCloud) -> None:
    wamid = user_writes(cloud)
    answer = cloud.mark_read(
        {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": wamid,
            "typing_indicator": {"type": "text"},
        }
    )
    assert answer == {"success": True}
    last = cloud.transcript.entries(USER)[-1]
    assert (last.direction, last.kind, last.text) == ("out", "read", f"[read {wamid} + typing]")


def test_media_upload_lookup_and_delete(cloud: WhatsAppCloud, conforms: Check) -> None:
    item = cloud.upload(b"%PDF-1.7 body", "application/pdf", "report.pdf")
    metadata = cloud.media_item(item.id).metadata("http://127.0.0.1:1")
    conforms("media.response", metadata)
    assert metadata["file_size"] == 13
    assert metadata["url"].startswith("http://127.0.0.1:1/whatsapp_business/attachments/?mid=")
    assert cloud.delete_media(item.id) == {"success": True}
    with pytest.raises(GraphError) as caught:
        cloud.media_item(item.id)
    assert caught.value.subcode == 33
    with pytest.raises(GraphError):
        cloud.delete_media(item.id)


def test_graph_reads(cloud: WhatsAppCloud, conforms: Check) -> None:
    conforms("phone_number.response", cloud.business.lookup(ACCOUNT.phone_number_id))
    assert cloud.business.lookup(ACCOUNT.waba_id)["id"] == ACCOUNT.waba_id
    hello = cloud.templates.find("hello_world", "en_US")
    assert hello is not None and cloud.business.lookup(hello.id)["name"] == "hello_world"
    conforms("business_profile.response", {"data": [cloud.business.profile.to_json()]})
    with pytest.raises(GraphError):
        cloud.business.lookup("31337")


def test_templates_endpoints(cloud: WhatsAppCloud, conforms: Check) -> None:
    created = cloud.business.create_template(
        {
            "name": "order_update",
            "language": "en_US",
            "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Hi {{1}}"}],
        }
    )
    conforms("template.create.response", created)
    listed = cloud.business.list_templates()
    conforms("templates.list.response", listed)
    assert [t["name"] for t in listed["data"]] == ["hello_world", "order_update"]
    assert listed["summary"]["total_count"] == 2
    assert [t["name"] for t in cloud.business.list_templates(name="order_update")["data"]] == [
        "order_update"
    ]
    assert cloud.business.delete_template("order_update") == {"success": True}
    with pytest.raises(GraphError):
        cloud.business.delete_template("order_update")


def test_observe_records_a_hand_written_event(cloud: WhatsAppCloud) -> None:
    event = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": ACCOUNT.waba_id,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": ACCOUNT.metadata(),
                            "contacts": [
                                {
                                    "profile": {"name": "Dan"},
                                    "wa_id": "4915112345678",
                                    "user_id": "DE.77",
                                }
                            ],
                            "messages": [
                                {
                                    "from": "4915112345678",
                                    "id": "wamid.HBgHand",
                                    "timestamp": "1",
                                    "type": "text",
                                    "text": {"body": "hallo"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    cloud.observe(event)
    assert cloud.rules.window.is_open("4915112345678")
    assert cloud.users.resolve(recipient="DE.77").wa_id == "4915112345678"
    assert cloud.transcript.entries("4915112345678")[0].text == "hallo"


def test_the_same_seed_gives_the_same_bytes(clock: Clock) -> None:
    def run() -> list[Any]:
        cloud = WhatsAppCloud(ACCOUNT, rng=random.Random(5), seed=5, clock=clock)
        _, body = cloud.incoming(USER, "text", text_content("hi"))
        outcome = cloud.send(text_send())
        return [body, outcome.response, [w.body for w in outcome.webhooks]]

    assert run() == run()


def test_clear_restores_a_fresh_account(cloud: WhatsAppCloud) -> None:
    user_writes(cloud)
    cloud.send(text_send())
    cloud.templates.register("promo")
    cloud.clear()
    assert cloud.sent == [] and cloud.transcript.entries() == []
    assert [t.name for t in cloud.templates.list()] == ["hello_world"]
    assert USER not in cloud.rules.allowed


def test_switches_are_shared_with_the_rules(clock: Clock) -> None:
    switches = RuleSwitches(allow_list=False)
    cloud = WhatsAppCloud(ACCOUNT, rng=random.Random(0), seed=0, clock=clock, switches=switches)
    assert statuses_of(cloud.send(text_send(to="15550000000"))) == ["failed"]


def test_find_choice_finds_buttons_rows_and_quick_replies(cloud: WhatsAppCloud) -> None:
    wamid = user_writes(cloud)
    menu = {
        **{k: v for k, v in text_send().items() if k != "text"},
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Pick"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]},
        },
    }
    sizes = {
        **menu,
        "interactive": {
            "type": "list",
            "body": {"text": "Size?"},
            "action": {
                "button": "Sizes",
                "sections": [{"rows": [{"id": "s", "title": "Small", "description": "tiny"}]}],
            },
        },
    }
    first = cloud.send(menu).message.wamid
    second = cloud.send(sizes).message.wamid
    yes = cloud.find_choice(USER, "Yes")
    assert (yes.kind, yes.id, yes.wamid) == ("button", "y", first)
    small = cloud.find_choice(USER, "s")
    assert (small.kind, small.title, small.description, small.wamid) == (
        "row",
        "Small",
        "tiny",
        second,
    )
    with pytest.raises(LookupError) as caught:
        cloud.find_choice(USER, "Maybe")
    assert "'Small'" in str(caught.value) and "'Yes'" in str(caught.value)
    assert wamid != first


def test_find_choice_of_a_template_quick_reply(cloud: WhatsAppCloud) -> None:
    cloud.templates.register(
        "survey",
        components=[
            {"type": "BODY", "text": "Happy?"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Yes"},
                    {"type": "QUICK_REPLY", "text": "No"},
                ],
            },
        ],
    )
    cloud.rules.allowed.allow(USER)
    body = {**{k: v for k, v in text_send().items() if k != "text"}, "type": "template"}
    body["template"] = {
        "name": "survey",
        "language": {"code": "en_US"},
        "components": [
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": 1,
                "parameters": [{"type": "payload", "payload": "unhappy"}],
            }
        ],
    }
    cloud.send(body)
    no, yes = cloud.find_choice(USER, "No"), cloud.find_choice(USER, "Yes")
    assert (no.kind, no.id) == ("quick_reply", "unhappy")
    assert yes.id == "Yes"
