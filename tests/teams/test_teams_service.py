"""The service object: where a user speaks, and a reset that forgets the tenant."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mocks.jose import Clock
from mocks.teams._service import TeamsService


def _service(kit: SimpleNamespace) -> TeamsService:
    service = TeamsService(
        app_id=kit.APP_ID, app_password="pw", tenant_id=kit.TENANT_ID, clock=Clock(fixed=kit.NOW)
    )
    service.set_service_url(kit.SERVICE_URL)
    return service


def test_places_by_kind_object_and_id(kit: SimpleNamespace) -> None:
    service = _service(kit)
    alice = service.directory.user("alice")
    personal = service.place(alice, None).conversation
    assert personal.type == "personal"
    assert service.place(alice, "personal").conversation is personal
    assert service.place(alice, personal.id).conversation is personal
    assert service.place(alice, personal).conversation is personal
    group = service.place(alice, "groupChat").conversation
    assert group.type == "groupChat" and alice.id in group.member_ids
    channel = service.place(alice, "channel")
    assert channel.conversation.type == "channel" and channel.thread_id is None
    assert channel.conversation.team is not None and channel.conversation.team.name == "Contoso"
    assert alice.id in channel.conversation.team.member_ids
    thread = f"{channel.conversation.id};messageid=1700000000000"
    assert service.place(alice, thread).thread_id == thread
    with pytest.raises(ValueError, match="unknown conversation 'a:nope'"):
        service.place(alice, "a:nope")


def test_activities_carry_the_service_url_and_reset_forgets(kit: SimpleNamespace) -> None:
    service = _service(kit)
    alice = service.directory.user("alice")
    place = service.place(alice, None)
    first = service.activities.message(place.conversation, alice, "hi")
    assert first["serviceUrl"] == kit.SERVICE_URL
    service.connector.send(place.conversation.id, {"type": "message", "text": "yo"})
    assert len(service.transcript) == 1
    service.reset(0)
    assert service.directory.users == {} and len(service.transcript) == 0
    alice = service.directory.user("alice")
    again = service.activities.message(service.place(alice, None).conversation, alice, "hi")
    assert again == first
    assert service.bot.id == f"28:{kit.APP_ID}"
