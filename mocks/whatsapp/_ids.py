"""Identifiers the WhatsApp mock hands out, all drawn from a seeded generator.

Message ids (wamids), media ids, template ids and trace ids come from the mock's id
generator (``mock.ids``): the same tests in the same order get the same ids, but no other
mock and no earlier reset handed them out (a media id kept from the test before is never
another test's file). Business-scoped user ids are derived from the seed and the phone number
alone: a user keeps the same id whatever order users first appear in.

>>> import random
>>> ids = IdGenerator(random.Random(1))
>>> ids.wamid("15551234567").startswith("wamid.")
True
>>> business_scoped_user_id(0, "15551234567") == business_scoped_user_id(0, "15551234567")
True
"""

from __future__ import annotations

import base64
import hashlib
import random
import string

_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789ABCDEF"

#: Dial-code prefixes to ISO 3166 country codes, longest prefix first (a small table: the
#: country only shapes the business-scoped user id, ``US.…``).
_COUNTRIES: tuple[tuple[str, str], ...] = (
    ("972", "IL"),
    ("971", "AE"),
    ("966", "SA"),
    ("351", "PT"),
    ("353", "IE"),
    ("234", "NG"),
    ("254", "KE"),
    ("91", "IN"),
    ("92", "PK"),
    ("90", "TR"),
    ("86", "CN"),
    ("81", "JP"),
    ("62", "ID"),
    ("61", "AU"),
    ("55", "BR"),
    ("54", "AR"),
    ("52", "MX"),
    ("49", "DE"),
    ("44", "GB"),
    ("39", "IT"),
    ("34", "ES"),
    ("33", "FR"),
    ("31", "NL"),
    ("27", "ZA"),
    ("7", "RU"),
    ("1", "US"),
)


def country_of(wa_id: str) -> str:
    """The ISO country code of a phone number in international digits (``"ZZ"`` if unknown)."""
    for prefix, country in _COUNTRIES:
        if wa_id.startswith(prefix):
            return country
    return "ZZ"


def business_scoped_user_id(seed: int, wa_id: str) -> str:
    """A business-scoped user id (BSUID) like ``US.13491208655302741918``.

    It depends on the seed and the phone number only, so it is stable across tests and
    processes that share a seed.
    """
    digest = hashlib.sha256(f"bsuid:{seed}:{wa_id}".encode()).digest()
    number = int.from_bytes(digest[:8], "big") % 10**20
    return f"{country_of(wa_id)}.{number:020d}"


class IdGenerator:
    """Draws every id from one generator (``mock.ids``, which ``reset()`` moves on)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _digits(self, count: int) -> str:
        first = str(self.rng.randint(1, 9))
        return first + "".join(str(self.rng.randint(0, 9)) for _ in range(count - 1))

    def wamid(self, wa_id: str) -> str:
        """A message id shaped like WhatsApp's: ``wamid.HBgL…``, base64 naming the chat."""
        number = wa_id.encode()[:63]
        token = "".join(self.rng.choice(_HEX) for _ in range(20)).encode()
        chat = b"\x1c\x18" + bytes([len(number)]) + number
        payload = chat + b"\x15\x02\x00\x12\x18\x14" + token + b"\x00"
        return "wamid." + base64.b64encode(payload).decode()

    def media_id(self) -> str:
        """A numeric media id (16 digits)."""
        return self._digits(16)

    def template_id(self) -> str:
        """A numeric template id (16 digits)."""
        return self._digits(16)

    def fbtrace_id(self) -> str:
        """A trace id as Graph errors carry (``A`` and 22 letters or digits)."""
        return "A" + "".join(self.rng.choice(_ALNUM) for _ in range(22))

    def conversation_id(self) -> str:
        """A conversation id (32 hex digits)."""
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(32))

    def download_token(self) -> str:
        """The opaque ``hash`` part of a media download URL."""
        return "".join(self.rng.choice(_ALNUM) for _ in range(24))
