"""The WhatsApp users the mock knows: phone number, business-scoped user id and name.

A send may address a user by phone number (``to``) or by business-scoped user id
(``recipient``, a BSUID such as ``US.13491208655302741918``, which pywa 4.5 prefers when
it replies). The directory maps both to one :class:`WhatsAppUser`, so conversations, the
24-hour window and ``expect_send_message(to)`` all work on the phone number.

>>> users = UserDirectory(seed=0)
>>> alice = users.by_phone("+1 (555) 123-4567", name="Alice")
>>> alice.wa_id, users.resolve(recipient=alice.user_id) is alice
('15551234567', True)
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from ._errors import GraphError, invalid_parameter
from ._ids import business_scoped_user_id

_FORMATTING = re.compile(r"[\s().\-]")
_DIGITS = re.compile(r"\+?[1-9][0-9]{6,14}")
_BSUID = re.compile(r"[A-Z]{2}\.[0-9A-Za-z]{1,128}")


@dataclass(frozen=True, slots=True)
class WhatsAppUser:
    """One user: ``wa_id`` (international digits), ``user_id`` (the BSUID) and profile name."""

    wa_id: str
    user_id: str
    name: str

    def contact(self) -> dict[str, object]:
        """The user as a webhook's ``contacts[]`` entry carries it."""
        return {"profile": {"name": self.name}, "wa_id": self.wa_id, "user_id": self.user_id}


def normalize_phone(number: str, param: str = "to") -> str:
    """International digits of a phone number (``+1 555-123 4567`` -> ``15551234567``).

    Raises the code-100 error naming `param` when what is left is not 7 to 15 digits.
    """
    compact = _FORMATTING.sub("", number)
    if not _DIGITS.fullmatch(compact):
        raise invalid_parameter(
            param, f"Param {param} must be a phone number in international format, got {number!r}."
        )
    return compact.removeprefix("+")


def default_name(wa_id: str) -> str:
    """The profile name of a user the test did not name."""
    return f"User {wa_id[-4:]}"


class UserDirectory:
    """Every user seen so far, by phone number and by business-scoped user id."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._by_phone: dict[str, WhatsAppUser] = {}
        self._by_bsuid: dict[str, WhatsAppUser] = {}
        self._lock = threading.Lock()

    def by_phone(self, number: str, name: str | None = None) -> WhatsAppUser:
        """The user with this phone number, created on first sight (a name given renames)."""
        wa_id = normalize_phone(number, "from")
        with self._lock:
            user = self._by_phone.get(wa_id)
            if user is None or (name is not None and name != user.name):
                bsuid = user.user_id if user else business_scoped_user_id(self.seed, wa_id)
                user = WhatsAppUser(
                    wa_id, bsuid, name or (user.name if user else default_name(wa_id))
                )
                self._by_phone[wa_id] = user
                self._by_bsuid[bsuid] = user
            return user

    def remember(self, number: str, user_id: str | None, name: str | None) -> WhatsAppUser:
        """The user of a hand-written webhook, keeping the business-scoped id it carries."""
        user = self.by_phone(number, name)
        if user_id is None or user_id == user.user_id:
            return user
        with self._lock:
            user = WhatsAppUser(user.wa_id, user_id, user.name)
            self._by_phone[user.wa_id] = user
            self._by_bsuid[user_id] = user
            return user

    def by_user_id(self, user_id: str) -> WhatsAppUser | None:
        """The user with this business-scoped id, if seen."""
        with self._lock:
            return self._by_bsuid.get(user_id)

    def resolve(self, *, to: str | None = None, recipient: str | None = None) -> WhatsAppUser:
        """The user a send addresses (``to`` wins over ``recipient`` when both are given)."""
        if to is not None:
            return self.by_phone(normalize_phone(to, "to"))
        if recipient is None:
            raise invalid_parameter("to", "The parameter to or recipient is required.")
        if not _BSUID.fullmatch(recipient):
            raise invalid_parameter(
                "recipient",
                f"Param recipient must be a business-scoped user id (like US.1234...), "
                f"got {recipient!r}.",
            )
        user = self.by_user_id(recipient)
        if user is None:
            raise GraphError(
                131026,
                "(#131026) Message undeliverable",
                details=f"No WhatsApp user has the business-scoped id {recipient}.",
                title="Message undeliverable",
                param="recipient",
            )
        return user

    def all(self) -> list[WhatsAppUser]:
        """Every known user, in the order first seen."""
        with self._lock:
            return list(self._by_phone.values())

    def clear(self) -> None:
        """Forget every user."""
        with self._lock:
            self._by_phone.clear()
            self._by_bsuid.clear()
