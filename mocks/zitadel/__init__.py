"""MockZitadel: a Zitadel-faithful OpenID Connect provider with a real login page.

The package is split by concern: the domain model and its directory of organizations,
projects, applications and users (`_model`, `_directory`), signing keys (`_keys`, `_jwt`),
tokens and claims (`_tokens`, `_claims`), client authentication (`_client_auth`), the
discovery document (`_discovery`), the hosted login pages (`_login_page`, `_authorize`),
device authorization (`_device`), Zitadel's error shapes (`_errors`), the back-channel
endpoints (`_endpoints`), the v2 user API (`_user_api`), the HTTP-agnostic provider that
ties them together (`_provider`) and the mock server on the shared engine (`_mock`).
"""

from ..jose import Clock
from ._mock import KeyFile, MockZitadel
from ._model import (
    Application,
    Organization,
    ServiceUser,
    StubConfig,
    TokenLifetimes,
    User,
    UserGrant,
)
from ._tokens import TokenResponse

__all__ = [
    "Application",
    "Clock",
    "KeyFile",
    "MockZitadel",
    "Organization",
    "ServiceUser",
    "StubConfig",
    "TokenLifetimes",
    "TokenResponse",
    "User",
    "UserGrant",
]
