"""The channel's activities: the Teams envelope, each kind, and the directory behind them."""

from __future__ import annotations

from types import SimpleNamespace

from mocks.teams._activities import timestamp
from mocks.teams._ids import TeamsIds


def test_a_personal_message_carries_the_teams_envelope(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    chat = kit.directory.personal(alice)
    activity = kit.factory.message(chat, alice, "hello")
    kit.assert_valid("incoming_activity", activity)
    assert activity["type"] == "message"
    assert activity["channelId"] == "msteams"
    assert activity["serviceUrl"] == kit.SERVICE_URL
    assert activity["timestamp"] == "2023-11-14T22:13:20.000Z"
    assert activity["from"] == {"id": alice.id, "name": "alice", "aadObjectId": alice.aad_object_id}
    assert activity["recipient"] == {"id": f"28:{kit.APP_ID}", "name": "EchoBot"}
    assert activity["conversation"] == {
        "conversationType": "personal",
        "tenantId": kit.TENANT_ID,
        "id": chat.id,
    }
    assert activity["channelData"] == {"tenant": {"id": kit.TENANT_ID}}
    assert activity["text"] == "hello"
    assert activity["attachments"] == [{"contentType": "text/html", "content": "<div>hello</div>"}]
    assert activity["entities"][0]["type"] == "clientInfo"
    assert chat.id.startswith("a:1") and alice.id.startswith("29:1")


def test_a_channel_message_mentions_the_bot_and_starts_a_thread(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    team = kit.directory.team("Contoso", ("Support",))
    channel = kit.directory.channel_conversation(team, "Support")
    kit.directory.join(channel, alice)
    activity = kit.factory.message(channel, alice, "help", mentions=[kit.bot])
    kit.assert_valid("incoming_activity", activity)
    assert activity["text"] == "<at>EchoBot</at> help"
    assert activity["entities"][0] == {
        "type": "mention",
        "text": "<at>EchoBot</at>",
        "mentioned": {"id": kit.bot.id, "name": "EchoBot"},
    }
    conversation = activity["conversation"]
    assert conversation["isGroup"] is True
    assert conversation["conversationType"] == "channel"
    assert conversation["id"] == f"{channel.id};messageid={activity['id']}"
    data = activity["channelData"]
    assert data["team"] == {"id": team.id, "name": "Contoso", "aadGroupId": team.aad_group_id}
    assert data["channel"] == {"id": channel.id, "name": "Support"}
    assert data["tenant"] == {"id": kit.TENANT_ID}
    reply = kit.factory.message(channel, alice, "more", thread_id=conversation["id"])
    assert reply["conversation"]["id"] == conversation["id"]


def test_the_general_channel_is_the_team_and_has_no_name(kit: SimpleNamespace) -> None:
    team = kit.directory.team("Contoso")
    general = kit.directory.channel_conversation(team)
    assert general.id == team.id
    assert general.channel_data()["channel"] == {"id": team.id}
    assert team.id.startswith("19:") and team.id.endswith("@thread.tacv2")


def test_a_group_chat(kit: SimpleNamespace) -> None:
    alice, bob = kit.directory.user("alice"), kit.directory.user("bob")
    chat = kit.directory.group_chat([alice, bob], name="Lunch")
    activity = kit.factory.message(chat, bob, "hi all")
    kit.assert_valid("incoming_activity", activity)
    assert activity["conversation"]["conversationType"] == "groupChat"
    assert activity["conversation"]["name"] == "Lunch"
    assert chat.id.endswith("@thread.v2")
    assert kit.directory.group_chat([bob, alice]) is chat


def test_conversation_update_installs_the_bot(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    chat = kit.directory.personal(alice)
    activity = kit.factory.conversation_update(chat, alice, added=[kit.bot])
    kit.assert_valid("incoming_activity", activity)
    assert activity["type"] == "conversationUpdate"
    assert activity["membersAdded"] == [{"id": kit.bot.id}]
    assert "text" not in activity


def test_conversation_update_in_a_team_names_the_event(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    channel = kit.directory.channel_conversation(kit.directory.team("Contoso"))
    removed = kit.factory.conversation_update(channel, alice, removed=[alice])
    assert removed["channelData"]["eventType"] == "teamMemberRemoved"
    assert removed["membersRemoved"] == [{"id": alice.id, "aadObjectId": alice.aad_object_id}]
    added = kit.factory.conversation_update(channel, alice, added=[kit.bot])
    assert added["channelData"]["eventType"] == "teamMemberAdded"


def test_reactions_invokes_typing_and_installation(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    chat = kit.directory.personal(alice)
    reaction = kit.factory.message_reaction(chat, alice, "1700000000001", added=["heart"])
    assert reaction["reactionsAdded"] == [{"type": "heart"}]
    assert reaction["replyToId"] == "1700000000001"
    execute = kit.factory.adaptive_card_action(chat, alice, "approve", {"id": 7}, action_id="a1")
    assert execute["name"] == "adaptiveCard/action"
    assert execute["value"] == {
        "action": {"type": "Action.Execute", "verb": "approve", "data": {"id": 7}, "id": "a1"},
        "trigger": "manual",
    }
    query = kit.factory.messaging_extension_query(chat, alice, "searchCmd", "contoso")
    assert query["name"] == "composeExtension/query"
    assert query["value"]["parameters"] == [{"name": "searchQuery", "value": "contoso"}]
    submit = kit.factory.card_submit(chat, alice, {"choice": "yes"}, reply_to="17")
    assert submit["value"] == {"choice": "yes"} and "text" not in submit
    typing = kit.factory.typing(chat, alice)
    installed = kit.factory.installation_update(chat, alice)
    assert installed["action"] == "add"
    for activity in (reaction, execute, query, submit, typing, installed):
        kit.assert_valid("incoming_activity", activity)
    assert execute["id"].startswith("f:")


def test_expect_replies_is_a_delivery_mode(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("alice")
    activity = kit.factory.message(
        kit.directory.personal(alice), alice, "hi", delivery_mode="expectReplies"
    )
    assert activity["deliveryMode"] == "expectReplies"
    kit.assert_valid("incoming_activity", activity)


def test_ids_are_deterministic_and_named_ids_do_not_depend_on_order() -> None:
    first, second = TeamsIds(seed=3), TeamsIds(seed=3)
    assert [first.activity_id() for _ in range(3)] == [second.activity_id() for _ in range(3)]
    assert first.user_id("alice") == TeamsIds(seed=3).user_id("alice")
    assert first.user_id("alice") != TeamsIds(seed=4).user_id("alice")
    ids = [int(first.activity_id()) for _ in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert len(first.named_uuid("x", "y")) == 36


def test_timestamps_have_milliseconds() -> None:
    assert timestamp(1_700_000_000.25) == "2023-11-14T22:13:20.250Z"


def test_users_are_found_by_name_id_or_aad_object_id(kit: SimpleNamespace) -> None:
    alice = kit.directory.user("Alice Smith")
    assert alice.given_name == "Alice" and alice.surname == "Smith"
    assert alice.email == "alice.smith@contoso.example"
    assert kit.directory.user(alice.id) is alice
    assert kit.directory.account(alice.aad_object_id or "") is alice
    assert kit.directory.account(kit.bot.id) is kit.bot
    assert kit.directory.account(kit.APP_ID) is kit.bot
    assert kit.directory.account("29:nobody") is None
