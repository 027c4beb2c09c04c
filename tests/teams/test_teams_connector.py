"""The connector's behaviour apart from HTTP: sends, updates, deletes, members, errors."""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

import pytest

from mocks.teams._errors import ConnectorError


def _chat(kit: SimpleNamespace) -> Any:
    alice = kit.directory.user("alice")
    return kit.directory.personal(alice)


def _code(call: Any, *args: Any) -> tuple[int, str]:
    with pytest.raises(ConnectorError) as caught:
        call(*args)
    return caught.value.status, caught.value.code


def test_send_update_delete_land_in_the_transcript(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    sent = kit.connector.send(chat.id, {"type": "message", "text": "hi"})
    kit.assert_valid("resource.response", sent)
    kit.connector.send(chat.id, {"type": "typing"})
    kit.connector.update(chat.id, sent["id"], {"type": "message", "text": "hi there"})
    kit.connector.delete(chat.id, sent["id"])
    entries = kit.transcript.entries()
    assert [(e.direction, e.kind, e.text) for e in entries] == [
        ("out", "message", "hi"),
        ("out", "typing", ""),
        ("out", "update", "hi there"),
        ("out", "delete", "hi there"),
    ]
    assert entries[0].raw == {"type": "message", "text": "hi", "id": sent["id"]}
    assert entries[2].activity_id == sent["id"]
    assert sent["id"] not in chat.activities


def test_a_reply_keeps_what_it_replies_to(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    answer = kit.connector.send(chat.id, {"type": "message", "text": "yes"}, reply_to="17")
    assert chat.activities[answer["id"]]["replyToId"] == "17"


def test_unknown_conversation_unknown_activity_and_removed_bot(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    message = {"type": "message", "text": "x"}
    assert _code(kit.connector.send, "a:nope", message) == (404, "ConversationNotFound")
    assert _code(kit.connector.update, chat.id, "123", message) == (
        404,
        "ActivityNotFoundInConversation",
    )
    assert _code(kit.connector.delete, chat.id, "123") == (404, "ActivityNotFoundInConversation")
    chat.bot_member = False
    assert _code(kit.connector.send, chat.id, message) == (403, "BotNotInConversationRoster")
    assert _code(kit.connector.delete, chat.id, "1") == (403, "BotNotInConversationRoster")
    assert kit.transcript.entries() == []


def test_a_message_too_big_and_a_non_object(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    huge = {"type": "message", "text": "x" * (28 * 1024)}
    assert _code(kit.connector.send, chat.id, huge) == (413, "MessageSizeTooBig")
    assert _code(kit.connector.send, chat.id, ["not", "an", "object"]) == (400, "BadArgument")


def test_throttling_answers_429_then_recovers(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    kit.connector.throttle(times=2, retry_after=3)
    for _ in range(2):
        with pytest.raises(ConnectorError) as caught:
            kit.connector.send(chat.id, {"type": "message", "text": "x"})
        assert caught.value.headers() == {"Retry-After": "3"}
    assert "id" in kit.connector.send(chat.id, {"type": "message", "text": "x"})


def test_proactive_one_on_one_returns_the_personal_chat(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    alice = kit.directory.user("alice")
    created = kit.connector.create_conversation(
        {
            "bot": {"id": kit.bot.id},
            "members": [{"id": alice.id}],
            "tenantId": kit.TENANT_ID,
            "activity": {"type": "message", "text": "Reminder"},
        }
    )
    kit.assert_valid("conversation_resource.response", created)
    assert created["id"] == chat.id
    assert chat.activities[created["activityId"]]["text"] == "Reminder"
    assert kit.transcript.entries()[-1].text == "Reminder"
    again = kit.connector.create_conversation({"members": [{"id": alice.aad_object_id}]})
    assert again == {"id": chat.id}


def test_proactive_to_a_stranger_or_a_group_is_refused(kit: SimpleNamespace) -> None:
    stranger = {"members": [{"id": "29:1stranger"}]}
    assert _code(kit.connector.create_conversation, stranger) == (
        403,
        "ForbiddenOperationException",
    )
    alice, bob = kit.directory.user("alice"), kit.directory.user("bob")
    group = {"isGroup": True, "members": [{"id": alice.id}, {"id": bob.id}]}
    assert _code(kit.connector.create_conversation, group)[0] == 400


def test_a_new_thread_in_a_channel(kit: SimpleNamespace) -> None:
    team = kit.directory.team("Contoso")
    channel = kit.directory.channel_conversation(team)
    created = kit.connector.create_conversation(
        {
            "isGroup": True,
            "channelData": {"channel": {"id": channel.id}},
            "activity": {"type": "message", "text": "Announcement"},
        }
    )
    assert created["id"] == f"{channel.id};messageid={created['activityId']}"
    entry = kit.transcript.entries(channel.id)[-1]
    assert entry.conversation_id == created["id"]
    assert entry.text == "Announcement"
    no_activity = {"channelData": {"channel": {"id": channel.id}}}
    assert _code(kit.connector.create_conversation, no_activity)[0] == 400


def test_members_member_and_pages(kit: SimpleNamespace) -> None:
    team = kit.directory.team("Contoso")
    channel = kit.directory.channel_conversation(team)
    people = [kit.directory.user(name) for name in ("alice", "bob", "carol")]
    for person in people:
        kit.directory.join(channel, person)
    members = kit.connector.members(channel.id)
    kit.assert_valid("members.response", members)
    assert [m["name"] for m in members] == ["alice", "bob", "carol"]
    assert members[0]["tenantId"] == kit.TENANT_ID and members[0]["userRole"] == "user"
    one = kit.connector.member(f"{channel.id};messageid=1", people[1].id)
    kit.assert_valid("member.response", one)
    assert one["name"] == "bob"
    assert _code(kit.connector.member, channel.id, "29:1ghost") == (
        404,
        "MemberNotFoundInConversation",
    )
    first = kit.connector.paged_members(team.id, 2)
    kit.assert_valid("paged_members.response", first)
    assert [m["name"] for m in first["members"]] == ["alice", "bob"]
    second = kit.connector.paged_members(team.id, 2, first["continuationToken"])
    assert [m["name"] for m in second["members"]] == ["carol"]
    assert "continuationToken" not in second
    assert _code(kit.connector.paged_members, team.id, 2, "bogus") == (400, "BadArgument")
    assert kit.connector.activity_members(channel.id, "1") == members
    assert team.details()["memberCount"] == 3


def test_removing_a_member_from_a_group_chat(kit: SimpleNamespace) -> None:
    alice, bob = kit.directory.user("alice"), kit.directory.user("bob")
    chat = kit.directory.group_chat([alice, bob])
    kit.connector.remove_member(chat.id, bob.id)
    assert [m["name"] for m in kit.connector.members(chat.id)] == ["alice"]
    personal = kit.directory.personal(alice)
    assert _code(kit.connector.remove_member, personal.id, alice.id)[0] == 400


def test_teams_details_and_channels(kit: SimpleNamespace) -> None:
    team = kit.directory.team("Contoso", ("Support",))
    details = kit.connector.team_details(team.id)
    kit.assert_valid("team_details.response", details)
    assert details["name"] == "Contoso" and details["channelCount"] == 2
    channels = kit.connector.team_channels(team.id)
    kit.assert_valid("team_channels.response", channels)
    assert channels["conversations"][0] == {"id": team.id}
    assert channels["conversations"][1]["name"] == "Support"
    assert _code(kit.connector.team_details, "19:nope@thread.tacv2")[0] == 404


def test_conversations_list(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    listed = kit.connector.conversations()
    kit.assert_valid("conversations.response", listed)
    assert listed["conversations"][0]["id"] == chat.id
    assert listed["conversations"][0]["members"][0]["name"] == "alice"


def test_attachments_upload_info_and_views(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    data = {
        "type": "image/png",
        "name": "dot.png",
        "originalBase64": base64.b64encode(b"PNGDATA").decode(),
        "thumbnailBase64": base64.b64encode(b"PN").decode(),
    }
    kit.assert_valid("attachment_data.request", data)
    uploaded = kit.connector.upload_attachment(chat.id, data)
    info = kit.connector.attachment(uploaded["id"]).info()
    kit.assert_valid("attachment_info.response", info)
    assert info == {
        "name": "dot.png",
        "type": "image/png",
        "views": [{"viewId": "original", "size": 7}, {"viewId": "thumbnail", "size": 2}],
    }
    assert kit.connector.attachment_view(uploaded["id"], "original") == (b"PNGDATA", "image/png")
    assert _code(kit.connector.attachment_view, uploaded["id"], "huge")[0] == 404
    assert _code(kit.connector.attachment, "nope")[0] == 404
    broken = {**data, "originalBase64": "***"}
    assert _code(kit.connector.upload_attachment, chat.id, broken) == (400, "BadArgument")


def test_history_is_kept_not_shown(kit: SimpleNamespace) -> None:
    chat = _chat(kit)
    answer = kit.connector.send_history(
        chat.id, {"activities": [{"type": "message", "id": "old-1", "text": "before"}]}
    )
    assert answer == {"id": ""}
    assert chat.activities["old-1"]["text"] == "before"
    assert kit.transcript.entries() == []
