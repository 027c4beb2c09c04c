"""The channel's signing keys, their JWKS with endorsements, and the OpenID metadata.

A bot built on botbuilder caches a metadata URL's keys process-wide for a day and looks
an unknown ``kid`` up again at most hourly. So the keys here do not depend on the mock's
seed or on which instance made them: the n-th key of a key set is derived from a fixed
seed and its position, and every mock in a process (or in any process) publishes the
same first key. A rotation is an explicit call; the metadata URL a mock hands out names
its current key (see `ChannelKeys.generation`), so a bot configured after a rotation
never sees a stale cache entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..jose import Clock, KeySet, SigningKey, b64url_encode

#: The channels a Teams key endorses: botbuilder refuses a token whose key does not list
#: the activity's channelId.
TEAMS_ENDORSEMENTS: tuple[str, ...] = ("msteams",)
#: What the key behind the ``no_endorsement`` token endorses: other channels only.
OTHER_ENDORSEMENTS: tuple[str, ...] = ("webchat", "directline")


class FixedKeyIds:
    """Key ids and key seeds that depend only on a purpose and the key's position.

    It satisfies `mocks.jose.KeyIds`; the ids are 27 base64url characters, the shape of
    the Bot Framework's key ids.
    """

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self._count = 0

    def next_id(self) -> str:
        """The id of the next key of this purpose."""
        self._count += 1
        return self.kid(self._count)

    def kid(self, position: int) -> str:
        """The id of the key at `position` (1-based)."""
        digest = hashlib.sha1(f"mocks.teams.keys:{self.purpose}:{position}".encode()).digest()
        return b64url_encode(digest)

    def derive_seed(self, purpose: str) -> str:
        """The key pair's seed (the same in every process)."""
        return f"mocks.teams.keys:{self.purpose}:{purpose}"


def endorsed_jwk(key: SigningKey, endorsements: tuple[str, ...]) -> dict[str, Any]:
    """The public JWK of `key` with the Bot Framework's ``endorsements`` member."""
    return {**key.jwk(), "endorsements": list(endorsements)}


def _fixed_key(purpose: str, clock: Clock) -> SigningKey:
    ids = FixedKeyIds(purpose)
    kid = ids.next_id()
    return SigningKey(kid=kid, seed=ids.derive_seed(f"signing-key-{kid}"), created_at=clock.now())


@dataclass
class ChannelKeys:
    """The keys the channel signs its tokens to the bot with.

    - `keys`: the Teams keys (current first), published with ``endorsements: ["msteams"]``;
    - `other_channel`: a published key that endorses other channels only (the
      ``no_endorsement`` token);
    - `unpublished`: a key that is never in the JWKS (the ``unknown_key`` token).

    Example::

        keys = ChannelKeys(Clock())
        jwks = keys.jwks()
        assert jwks["keys"][0]["endorsements"] == ["msteams"]
    """

    clock: Clock
    keys: KeySet = field(init=False)
    other_channel: SigningKey = field(init=False)
    unpublished: SigningKey = field(init=False)

    def __post_init__(self) -> None:
        self.keys = KeySet(FixedKeyIds("channel"), self.clock)
        self.other_channel = _fixed_key("other-channel", self.clock)
        self.unpublished = _fixed_key("unpublished", self.clock)

    @property
    def current(self) -> SigningKey:
        """The key that signs valid tokens."""
        return self.keys.current

    @property
    def generation(self) -> str:
        """A name for the published key set, used in the metadata path (the current kid)."""
        return self.current.kid

    def rotate(self) -> SigningKey:
        """Sign with a new key from now on; the previous one stays published."""
        return self.keys.rotate()

    def jwks(self) -> dict[str, Any]:
        """The JWKS the metadata points at: Teams keys, then the other-channel key."""
        published = [endorsed_jwk(key, TEAMS_ENDORSEMENTS) for key in self.keys.published()]
        published.append(endorsed_jwk(self.other_channel, OTHER_ENDORSEMENTS))
        return {"keys": published}


def aad_key_set(clock: Clock) -> KeySet:
    """The keys the mock's token endpoint signs the bot's access tokens with."""
    return KeySet(FixedKeyIds("aad"), clock)


def openid_metadata(issuer: str, jwks_uri: str) -> dict[str, Any]:
    """The channel's OpenID metadata document: who issues tokens and where the keys are."""
    return {
        "issuer": issuer,
        "authorization_endpoint": "https://invalid.botframework.com",
        "jwks_uri": jwks_uri,
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }
