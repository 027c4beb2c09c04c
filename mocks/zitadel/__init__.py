"""MockZitadel: a Zitadel-faithful OpenID Connect provider with a real login page.

The package is split by concern: the domain model and its directory of organizations,
projects, applications, users and grants (`_model`, `_directory`), tokens and claims
(`_tokens`, `_claims`, `_actions`), client authentication (`_client_auth`), the discovery
document (`_discovery`), the authorization endpoint (`_authorize`, `_redirects`), the
hosted login and its pages (`_login`, `_login_page`, `_security`, `_totp`), sessions and
logout (`_sessions`, `_logout`), device authorization (`_device`), token exchange
(`_exchange`), Zitadel's error shapes (`_errors`), the back-channel endpoints
(`_endpoints`), the v2 APIs (`_api` and the `_*_api` services), the HTTP-agnostic
provider that ties them together (`_provider`), the admin routes (`_admin`,
`_admin_models`) and the mock server on the shared engine (`_mock`).
"""

from ..jose import Clock
from ._actions import ActionContext
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
    "ActionContext",
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
