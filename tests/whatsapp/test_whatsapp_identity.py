"""Ids from the seeded generator, business-scoped user ids, phone numbers and the directory."""

from __future__ import annotations

import base64
import random
import re

import pytest

from mocks.whatsapp._errors import GraphError
from mocks.whatsapp._ids import IdGenerator, business_scoped_user_id, country_of
from mocks.whatsapp._users import UserDirectory, normalize_phone


def test_the_same_seed_gives_the_same_ids() -> None:
    first, second = IdGenerator(random.Random(3)), IdGenerator(random.Random(3))
    drawn = [(g.wamid("15551234567"), g.media_id(), g.fbtrace_id()) for g in (first, second)]
    assert drawn[0] == drawn[1]
    assert IdGenerator(random.Random(4)).media_id() != drawn[0][1]


def test_wamid_names_the_chat_like_whatsapps_do() -> None:
    wamid = IdGenerator(random.Random(0)).wamid("15551234567")
    assert wamid.startswith("wamid.")
    payload = base64.b64decode(wamid.removeprefix("wamid."))
    assert b"15551234567" in payload


def test_id_formats() -> None:
    ids = IdGenerator(random.Random(0))
    assert re.fullmatch(r"[1-9][0-9]{15}", ids.media_id())
    assert re.fullmatch(r"[1-9][0-9]{15}", ids.template_id())
    assert re.fullmatch(r"A[0-9A-Za-z]{22}", ids.fbtrace_id())
    assert re.fullmatch(r"[0-9a-f]{32}", ids.conversation_id())


@pytest.mark.parametrize(
    ("wa_id", "country"),
    [("15551234567", "US"), ("447700900123", "GB"), ("972501234567", "IL"), ("8801", "ZZ")],
)
def test_country_of_a_number(wa_id: str, country: str) -> None:
    assert country_of(wa_id) == country


def test_bsuid_is_stable_per_seed_and_number() -> None:
    bsuid = business_scoped_user_id(0, "15551234567")
    assert re.fullmatch(r"US\.[0-9]{20}", bsuid)
    assert bsuid == business_scoped_user_id(0, "15551234567")
    assert bsuid != business_scoped_user_id(1, "15551234567")
    assert bsuid != business_scoped_user_id(0, "15551234568")


@pytest.mark.parametrize(
    ("given", "digits"),
    [
        ("15551234567", "15551234567"),
        ("+1 (555) 123-4567", "15551234567"),
        ("+44 7700.900.123", "447700900123"),
    ],
)
def test_phone_numbers_are_normalized(given: str, digits: str) -> None:
    assert normalize_phone(given) == digits


@pytest.mark.parametrize(
    "bad", ["", "abc", "123", "0123456789", "1234567890123456", "+1-800-FLOWERS"]
)
def test_bad_phone_numbers_are_code_100_naming_the_parameter(bad: str) -> None:
    with pytest.raises(GraphError) as caught:
        normalize_phone(bad, "to")
    assert (caught.value.code, caught.value.param) == (100, "to")


def test_directory_resolves_phone_and_bsuid_to_one_user() -> None:
    users = UserDirectory(seed=0)
    alice = users.by_phone("+1 555 123 4567", name="Alice")
    assert users.resolve(to="15551234567") is alice
    assert users.resolve(recipient=alice.user_id) is alice
    assert alice.contact() == {
        "profile": {"name": "Alice"},
        "wa_id": alice.wa_id,
        "user_id": alice.user_id,
    }


def test_renaming_keeps_the_bsuid() -> None:
    users = UserDirectory(seed=0)
    first = users.by_phone("15551234567")
    renamed = users.by_phone("15551234567", name="Bob")
    assert renamed.name == "Bob"
    assert renamed.user_id == first.user_id
    assert users.by_phone("15551234567").name == "Bob"


def test_unknown_or_malformed_recipient() -> None:
    users = UserDirectory(seed=0)
    with pytest.raises(GraphError) as unknown:
        users.resolve(recipient="US.123")
    assert (unknown.value.code, unknown.value.param) == (131026, "recipient")
    with pytest.raises(GraphError) as malformed:
        users.resolve(recipient="not-a-bsuid")
    assert (malformed.value.code, malformed.value.param) == (100, "recipient")
    with pytest.raises(GraphError) as neither:
        users.resolve()
    assert neither.value.code == 100


def test_remember_keeps_a_hand_written_bsuid() -> None:
    users = UserDirectory(seed=0)
    user = users.remember("15551234567", "GB.42", "Carol")
    assert users.resolve(recipient="GB.42") is user
    assert users.by_phone("15551234567").user_id == "GB.42"
    users.clear()
    assert users.all() == []
